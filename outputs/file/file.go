package file

import (
	"github.com/auditship/auditship/internal/fsutil"

	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Output writes each batch to its own file under dir.
type Output struct {
	objectstore.Naming // partitions, keys, codec
	dir                string
	encoders           sync.Pool   // *objectstore.Encoder: compressors are costly to build
	statting           atomic.Bool // a Probe's stat is running (probe.go)

	// syncFile and syncDir are the fsyncs, replaced by tests to observe them.
	syncFile func(*os.File) error
	syncDir  func(dir string) error
}

func newOutput(s outputs.Settings, c *Config) (*Output, error) {
	codec, tmpl, err := c.parse()
	if err != nil {
		return nil, err
	}
	o := &Output{
		dir:      filepath.Clean(c.Path),
		Naming:   objectstore.Naming{Codec: codec, Template: tmpl, Pipeline: s.Pipeline, Output: s.Name},
		syncFile: fsutil.Sync, syncDir: syncDir,
	}
	// Created here only: a directory that goes missing later (an unmounted
	// share) makes writes fail and retry rather than fill the parent.
	if err := os.MkdirAll(o.dir, 0o700); err != nil && s.Logger != nil {
		s.Logger.Warn("cannot create the file output's directory; writes will retry",
			zap.String("path", o.dir), zap.Error(err))
	}
	return o, nil
}

// Write stores b in one new file: the spooled bytes of a journaled batch
// (b.Body), else b's events encoded now. Writing the same batch again is a
// success that leaves one file; a different file under its name is a
// permanent key conflict. Other errors (a missing directory included) are
// retryable.
func (o *Output) Write(ctx context.Context, b *event.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if f, ok := b.Body.(*os.File); ok {
		if err := o.link(b.Key, f.Name(), b.SHA256); !errors.Is(err, errCrossDevice) {
			return err
		}
	}
	if b.Body != nil {
		return o.put(b.Key, func(w io.Writer) error {
			_, err := io.Copy(w, io.NewSectionReader(b.Body, 0, b.Size))
			return err
		})
	}
	return o.put(o.Key(b), func(w io.Writer) error { return o.encode(w, b) })
}

func (o *Output) encode(w io.Writer, b *event.Batch) error {
	enc, err := o.encoder(w)
	if err != nil {
		return err
	}
	defer o.encoders.Put(enc)
	for _, e := range b.Events {
		if err = enc.Encode(e); err != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	return enc.Close()
}

func (o *Output) encoder(w io.Writer) (*objectstore.Encoder, error) {
	if enc, ok := o.encoders.Get().(*objectstore.Encoder); ok {
		enc.Reset(w)
		return enc, nil
	}
	return objectstore.NewEncoder(w, o.Codec, 0)
}

// Close has nothing to release: every Write finishes its file.
func (o *Output) Close(context.Context) error { return nil }

// BodyDigestOptional: an uncompressed ndjson batch needs no sha256 when the
// output keeps a chain (outputs.BodyDigestOptional): a re-sent batch that
// finds its file taken compares bytes with its spool file instead.
func (o *Output) BodyDigestOptional() bool { return true }
