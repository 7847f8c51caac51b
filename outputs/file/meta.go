package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/auditship/auditship/outputs"
)

var _ outputs.MetaStore = (*Output)(nil)

// PutMeta stores an integrity chain file (manifest, checkpoint) at name
// under path, create-only and durably as a batch is: the same bytes
// already there are a success, other bytes a permanent key conflict.
func (o *Output) PutMeta(ctx context.Context, name string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !strings.HasPrefix(name, outputs.MetaPrefix) {
		return outputs.Permanent(fmt.Errorf("chain file %s: the name must start with %s", name, outputs.MetaPrefix))
	}
	return o.put(name, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// GetMeta returns the bytes stored at name; a missing file is an error
// wrapping fs.ErrNotExist.
func (o *Output) GetMeta(_ context.Context, name string) ([]byte, error) {
	p, err := o.metaPath(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// ListMeta yields the names of the files under dir (a name prefix ending
// in "/"), in name order: a "-" sorts before the "/" after a directory's
// name, so entries are ordered by name plus that slash, not by WalkDir's
// order. Files still being written are skipped; a missing dir holds none.
func (o *Output) ListMeta(ctx context.Context, dir string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		root, err := o.metaPath(strings.TrimSuffix(dir, "/"))
		if err != nil {
			yield("", err)
			return
		}
		if err := walkSorted(ctx, root, strings.TrimSuffix(dir, "/"), yield); err != nil && !errors.Is(err, errStop) {
			yield("", err)
		}
	}
}

// metaPath is the file of a chain name, refused when it leaves path.
func (o *Output) metaPath(name string) (string, error) {
	p := filepath.Join(o.dir, filepath.FromSlash(name))
	if !inside(o.dir, p) {
		return "", outputs.Permanent(fmt.Errorf("chain file %s leaves directory %s", name, o.dir))
	}
	return p, nil
}

// errStop ends a walk whose consumer stopped.
var errStop = errors.New("stopped")

// walkSorted yields the files below dir (slash name prefix) in name order.
func walkSorted(ctx context.Context, dir, name string, yield func(string, error) bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	sortKey := func(e fs.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(sortKey(a), sortKey(b)) })
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		child := name + "/" + e.Name()
		switch {
		case e.IsDir():
			err = walkSorted(ctx, filepath.Join(dir, e.Name()), child, yield)
		case strings.HasPrefix(e.Name(), tmpPrefix):
		case !yield(child, nil):
			err = errStop
		}
		if err != nil {
			return err
		}
	}
	return nil
}
