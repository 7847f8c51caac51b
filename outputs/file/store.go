package file

import (
	"context"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/auditship/auditship/outputs"
)

// List yields every stored batch file under path, in key order. A file
// keeps no pipeline metadata, so every stored file is listed whatever its
// pipeline (pipeline is not used); files still being written (temp names)
// and the chain's files under _auditship/ (meta.go) are skipped.
func (o *Output) List(ctx context.Context, _ string) iter.Seq2[outputs.BatchRef, error] {
	return func(yield func(outputs.BatchRef, error) bool) {
		err := filepath.WalkDir(o.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if d.IsDir() && path == filepath.Join(o.dir, outputs.MetaPrefix) {
				return fs.SkipDir // the integrity chain's files (meta.go), never batches
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), tmpPrefix) {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(o.dir, path)
			if !yield(outputs.BatchRef{Key: filepath.ToSlash(rel), Size: fi.Size()}, nil) {
				return fs.SkipAll
			}
			return nil
		})
		if err != nil {
			yield(outputs.BatchRef{}, err)
		}
	}
}

// Open returns the stored bytes of ref.
func (o *Output) Open(_ context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	final := filepath.Join(o.dir, filepath.FromSlash(ref.Key))
	if !inside(o.dir, final) {
		return nil, outputs.Permanent(os.ErrInvalid)
	}
	return os.Open(final)
}

var _ outputs.Store = (*Output)(nil)
