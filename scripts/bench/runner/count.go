package main

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tmpPrefix marks files the file output is still writing (outputs/file).
const tmpPrefix = ".auditship-tmp-"

// counter counts the lines of the finished *.ndjson files under a
// directory. The file output links a batch into place complete and never
// changes it, so each file is read once.
type counter struct {
	dir   string
	seen  map[string]int64
	total int64
	buf   []byte
}

func newCounter(dir string) *counter {
	return &counter{dir: dir, seen: map[string]int64{}}
}

// reached reports whether at least n lines are out; errors (the directory
// not there yet) count as not yet.
func (c *counter) reached(n int64) bool {
	total, err := c.count()
	return err == nil && total >= n
}

func (c *counter) count() (int64, error) {
	err := filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !finished(d.Name()) {
			return err
		}
		if _, ok := c.seen[path]; ok {
			return nil
		}
		n, err := c.lines(path)
		c.seen[path] = n
		c.total += n
		return err
	})
	return c.total, err
}

func finished(name string) bool {
	return strings.HasSuffix(name, ".ndjson") && !strings.HasPrefix(name, tmpPrefix)
}

func (c *counter) lines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if c.buf == nil {
		c.buf = make([]byte, 1<<20)
	}
	var n int64
	for {
		k, err := f.Read(c.buf)
		n += int64(bytes.Count(c.buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
