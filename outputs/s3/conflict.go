package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// compare decides a PutObject that found its key taken: the same bytes are
// an earlier attempt of this batch (a re-send after a crash); anything else
// is a key conflict, and the object is left alone. It reads and hashes the
// stored bytes rather than trusting their auditship_sha256 metadata, which
// anyone who can write the object can set.
func (o *Output) compare(ctx context.Context, key string, b *event.Batch) error {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(key)})
	if err != nil {
		return o.classify("read back", key, err)
	}
	defer out.Body.Close()
	size := aws.ToInt64(out.ContentLength)
	if size != b.Size {
		return conflict(key, fmt.Sprintf("%d bytes, this batch %d", size, b.Size))
	}
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return fmt.Errorf("s3 read back %s: %w", key, err)
	}
	if theirs := hex.EncodeToString(h.Sum(nil)); theirs != b.SHA256 {
		return conflict(key, fmt.Sprintf("sha256 %s, this batch %s", theirs, b.SHA256))
	}
	return nil
}

func conflict(key, detail string) error {
	return outputs.Permanent(fmt.Errorf("key conflict: s3 object %s already holds other data (%s)", key, detail))
}
