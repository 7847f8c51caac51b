package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/auditship/auditship/outputs"
)

var _ outputs.MetaStore = (*Output)(nil)

// PutMeta stores an integrity chain file at name under the prefix,
// create-only as a batch is, with the same encryption and retention: the
// same bytes already there are a success, other bytes a key conflict.
func (o *Output) PutMeta(ctx context.Context, name string, data []byte) error {
	if !strings.HasPrefix(name, outputs.MetaPrefix) {
		return fmt.Errorf("s3 put %s: a chain file's name must start with %s", name, outputs.MetaPrefix)
	}
	sum := sha256.Sum256(data)
	return o.put(ctx, object{
		key: o.objectKey(name), body: bytes.NewReader(data), size: int64(len(data)),
		sha256: hex.EncodeToString(sum[:]), contentType: metaContentType(name),
	})
}

// metaContentType types a chain file by its name: manifests are JSON,
// checkpoints signed notes (text).
func metaContentType(name string) string {
	if strings.HasSuffix(name, ".json") {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// GetMeta returns the bytes stored at name under the prefix; a missing
// object is an error wrapping fs.ErrNotExist.
func (o *Output) GetMeta(ctx context.Context, name string) ([]byte, error) {
	key := o.objectKey(name)
	body, err := o.get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("s3 get %s: %w", key, err)
	}
	return data, nil
}

// noSuchKey reports a missing object, not a missing bucket (also a 404).
func noSuchKey(err error) bool {
	code, status := apiCode(err)
	return code == "NoSuchKey" || status == 404 && code != "NoSuchBucket"
}

// ListMeta yields the names under the prefix that start with dir, relative
// to the prefix, in name order.
func (o *Output) ListMeta(ctx context.Context, dir string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		root := o.objectKey("")
		for key, err := range o.keys(ctx, root+dir) {
			if !yield(strings.TrimPrefix(key, root), err) || err != nil {
				return
			}
		}
	}
}
