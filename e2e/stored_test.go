package e2e

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// stored is what a file output holds: every line and its _id.
type stored struct {
	lines int
	ids   map[string]int // _id → how many lines carry it
	files int
}

// readStored reads every finished batch file under dir (.ndjson, plain,
// gzip or zstd). Hidden names are skipped: temp files live there.
func readStored(dir string) (stored, error) {
	s := stored{ids: map[string]int{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case path != dir && strings.HasPrefix(d.Name(), ".") && d.IsDir():
			return fs.SkipDir
		case d.IsDir() || strings.HasPrefix(d.Name(), ".") || !isBatchFile(d.Name()):
			return nil
		}
		s.files++
		return s.readFile(path)
	})
	return s, err
}

// chainPrefix starts the names of the integrity chain's files in a store
// (manifests, checkpoints): not batches.
const chainPrefix = "_auditship/"

func isBatchFile(name string) bool {
	for _, ext := range []string{".ndjson", ".ndjson.gz", ".ndjson.zst"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

func (s *stored) readFile(path string) error {
	return eachStoredLine(path, func(line []byte) error {
		var env struct {
			ID string `json:"_id"`
		}
		if err := json.Unmarshal(line, &env); err != nil || env.ID == "" {
			return fmt.Errorf("%s:%d: no _id in %q (%v)", path, s.lines+1, line, err)
		}
		s.lines++
		s.ids[env.ID]++
		return nil
	})
}

// eachStoredLine calls fn with every line of a stored batch file,
// decompressed; fn's error stops the read.
func eachStoredLine(path string, fn func(line []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := decompress(path, f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if err := fn(sc.Bytes()); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func decompress(path string, r io.Reader) (io.Reader, error) {
	switch {
	case strings.HasSuffix(path, ".gz"):
		return gzip.NewReader(r)
	case strings.HasSuffix(path, ".zst"):
		d, err := zstd.NewReader(r)
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	}
	return r, nil
}

// missing lists the wanted _ids not stored.
func (s stored) missing(want []string) []string {
	var out []string
	for _, id := range want {
		if s.ids[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}

// unexpected lists the stored _ids not wanted.
func (s stored) unexpected(want []string) []string {
	w := make(map[string]bool, len(want))
	for _, id := range want {
		w[id] = true
	}
	var out []string
	for id := range s.ids {
		if !w[id] {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func (s stored) String() string {
	return fmt.Sprintf("%d lines, %d distinct _ids in %d files", s.lines, len(s.ids), s.files)
}

// waitStored polls dir until every wanted _id is stored or d passes.
func waitStored(t *testing.T, dir string, want []string, d time.Duration) stored {
	t.Helper()
	var s stored
	var err error
	ok := waitFor(d, func() bool {
		s, err = readStored(dir)
		return err == nil && len(s.missing(want)) == 0
	})
	if !ok {
		t.Fatalf("after %v: %v (err %v); %d of %d entries missing, e.g. %v",
			d, s, err, len(s.missing(want)), len(want), head(s.missing(want)))
	}
	return s
}

// assertExact checks lines stored == distinct _ids == entries written,
// and that the _ids are exactly the expected ones.
func assertExact(t *testing.T, s stored, want []string) {
	t.Helper()
	assertAtLeastOnce(t, s, want)
	if s.lines != len(want) || len(s.ids) != len(want) {
		t.Errorf("%v; want %d lines, each _id once (duplicates: %v)", s, len(want), head(s.duplicates()))
	}
}

// assertAtLeastOnce checks every expected _id is stored and nothing else.
func assertAtLeastOnce(t *testing.T, s stored, want []string) {
	t.Helper()
	if m := s.missing(want); len(m) > 0 {
		t.Errorf("%v: %d of %d entries missing, e.g. %v", s, len(m), len(want), head(m))
	}
	if u := s.unexpected(want); len(u) > 0 {
		t.Errorf("%v: %d unexpected _ids, e.g. %v", s, len(u), head(u))
	}
}

func (s stored) duplicates() []string {
	var out []string
	for id, n := range s.ids {
		if n > 1 {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

func head(ids []string) []string {
	if len(ids) > 5 {
		return ids[:5]
	}
	return ids
}
