package e2e

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// chainArchive is a store read and changed behind the agent's back, as
// someone with write access to it would: batches by their key (the
// manifest's key), chain files by their name (_auditship/...).
type chainArchive interface {
	lines(t *testing.T, key string) [][]byte // a batch's event lines, in storage order
	// setLines stores lines as the batch's events, the store's own
	// bookkeeping (object metadata, batch row) made to match, and returns
	// the sha256 a manifest of the new bytes names.
	setLines(t *testing.T, key string, lines [][]byte) string
	removeBatch(t *testing.T, key string)
	swapBatches(t *testing.T, a, b string)
	meta(t *testing.T, name string) []byte
	putMeta(t *testing.T, name string, data []byte) // creates or replaces
	removeMeta(t *testing.T, name string)
	metaNames(t *testing.T, prefix string) []string // sorted
}

// blobStore is a store of named objects: a file output's directory, an
// S3 bucket, Azure containers.
type blobStore interface {
	get(t *testing.T, key string) object
	write(t *testing.T, obj object) // creates or replaces, with its metadata
	remove(t *testing.T, key string)
	names(t *testing.T, prefix string) []string // chain files, sorted
}

// blobArchive is the chainArchive of an object store or a directory: a
// batch is one object, encoded by its name's extension.
type blobArchive struct{ blobStore }

func (a blobArchive) lines(t *testing.T, key string) [][]byte {
	t.Helper()
	obj := a.get(t, key)
	r, err := decompress(key, bytes.NewReader(obj.body))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n"))
}

func (a blobArchive) setLines(t *testing.T, key string, lines [][]byte) string {
	t.Helper()
	body := compress(t, key, append(bytes.Join(lines, []byte("\n")), '\n'))
	sum := sha256.Sum256(body)
	obj := a.get(t, key)
	obj.body = body
	if obj.meta != nil {
		obj.meta["auditship_sha256"] = hex.EncodeToString(sum[:])
		obj.meta["auditship_count"] = strconv.Itoa(len(lines))
	}
	a.write(t, obj)
	return hex.EncodeToString(sum[:])
}

func (a blobArchive) removeBatch(t *testing.T, key string) { a.remove(t, key) }

// swapBatches swaps two objects, metadata and all.
func (a blobArchive) swapBatches(t *testing.T, k1, k2 string) {
	t.Helper()
	o1, o2 := a.get(t, k1), a.get(t, k2)
	o1.key, o2.key = k2, k1
	a.write(t, o1)
	a.write(t, o2)
}

func (a blobArchive) meta(t *testing.T, name string) []byte { return a.get(t, name).body }

func (a blobArchive) putMeta(t *testing.T, name string, data []byte) {
	a.write(t, object{key: name, body: data})
}

func (a blobArchive) removeMeta(t *testing.T, name string) { a.remove(t, name) }

func (a blobArchive) metaNames(t *testing.T, prefix string) []string { return a.names(t, prefix) }

// compress encodes body as key's extension says (.gz, .zst, else none).
func compress(t *testing.T, key string, body []byte) []byte {
	t.Helper()
	switch {
	case strings.HasSuffix(key, ".gz"):
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	case strings.HasSuffix(key, ".zst"):
		enc, err := zstd.NewWriter(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer enc.Close()
		return enc.EncodeAll(body, nil)
	}
	return body
}

// parallel runs fn on each item, 8 at a time, and returns the first
// error: copies of a few hundred objects.
func parallel[T any](items []T, fn func(T) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, 8)
	for _, it := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := fn(it); err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return first
}
