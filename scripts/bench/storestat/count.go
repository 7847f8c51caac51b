package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// totals of a store's objects.
type totals struct {
	objects, stored, raw, events int64
}

// tally reads every batch object, decompressing by extension, and counts
// its bytes and lines; the integrity chain's files (_auditship/) are not
// batches.
func tally(ctx context.Context, st store, objs []object) (totals, error) {
	var t totals
	buf := make([]byte, 1<<20)
	for _, o := range objs {
		if strings.HasPrefix(o.name, "_auditship/") || strings.Contains(o.name, "/_auditship/") {
			continue
		}
		t.objects++
		t.stored += o.size
		rc, err := st.open(ctx, o.name)
		if err != nil {
			return t, fmt.Errorf("open %s: %w", o.name, err)
		}
		raw, lines, err := countObject(rc, o.name, buf)
		rc.Close()
		if err != nil {
			return t, fmt.Errorf("read %s: %w", o.name, err)
		}
		t.raw += raw
		t.events += lines
	}
	return t, nil
}

// countObject returns the decompressed bytes and lines of one object.
func countObject(r io.Reader, name string, buf []byte) (int64, int64, error) {
	switch {
	case strings.HasSuffix(name, ".gz"):
		zr, err := gzip.NewReader(r)
		if err != nil {
			return 0, 0, err
		}
		defer zr.Close()
		r = zr
	case strings.HasSuffix(name, ".zst"):
		zr, err := zstd.NewReader(r)
		if err != nil {
			return 0, 0, err
		}
		defer zr.Close()
		r = zr
	}
	return countLines(r, buf)
}

func countLines(r io.Reader, buf []byte) (int64, int64, error) {
	var n, lines int64
	for {
		k, err := r.Read(buf)
		n += int64(k)
		lines += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, lines, nil
		}
		if err != nil {
			return n, lines, err
		}
	}
}
