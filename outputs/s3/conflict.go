package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/auditship/auditship/outputs"
)

// errKeyConflict starts the error of a key found holding other data.
var errKeyConflict = errors.New("key conflict")

// compare decides a PutObject that found its key taken: the same bytes are
// an earlier attempt of this object (a re-send after a crash); anything
// else is a key conflict, and the stored object is left alone. It reads and
// hashes the stored bytes rather than trusting their auditship_sha256
// metadata, which anyone who can write the object can set.
func (o *Output) compare(ctx context.Context, obj object) error {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(obj.key)})
	if err != nil {
		return o.classify("read back", obj.key, err)
	}
	defer out.Body.Close()
	size := aws.ToInt64(out.ContentLength)
	if size != obj.size {
		return conflict(obj.key, fmt.Sprintf("%d bytes, ours %d", size, obj.size))
	}
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return fmt.Errorf("s3 read back %s: %w", obj.key, err)
	}
	if theirs := hex.EncodeToString(h.Sum(nil)); theirs != obj.sha256 {
		return conflict(obj.key, fmt.Sprintf("sha256 %s, ours %s", theirs, obj.sha256))
	}
	return nil
}

// deniedPut decides a PutObject refused with AccessDenied. A store may
// refuse a put to a key held under Object Lock so, before it looks at
// If-None-Match (versitygw without versioning does): the key holding the
// same bytes is then a re-sent object, other bytes a conflict. Otherwise
// the refusal stands.
func (o *Output) deniedPut(ctx context.Context, obj object, denied error) error {
	if err := o.compare(ctx, obj); err == nil || errors.Is(err, errKeyConflict) {
		return err
	}
	return o.classify("put", obj.key, denied)
}

func conflict(key, detail string) error {
	return outputs.Permanent(fmt.Errorf("%w: s3 object %s already holds other data (%s)", errKeyConflict, key, detail))
}
