package buffer

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/auditship/auditship/internal/fsutil"
)

// segment is one file of the log, named after its first sequence number.
type segment struct {
	first uint64
	size  int64
}

const segExt = ".seg"

func segName(first uint64) string { return fmt.Sprintf("%020d%s", first, segExt) }

func parseSegName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segExt)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	return n, err == nil
}

// listSegments returns the segments in dir, oldest first.
func listSegments(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []segment
	for _, e := range ents { // ReadDir sorts by name; the names are fixed width
		first, ok := parseSegName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return nil, err
		}
		segs = append(segs, segment{first: first, size: fi.Size()})
	}
	return segs, nil
}

func createSegment(dir string, first uint64) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, segName(first)), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
}

// copyAside keeps a damaged segment for inspection before the log changes
// or reads past it: dir/corrupt/<name>.<unix time>.
func copyAside(dir, name string, now time.Time) (string, error) {
	cdir := filepath.Join(dir, "corrupt")
	if err := os.MkdirAll(cdir, 0o700); err != nil {
		return "", err
	}
	dst := filepath.Join(cdir, fmt.Sprintf("%s.%d", name, now.Unix()))
	src, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return "", err
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(out, src)
	if err == nil {
		err = fsutil.Sync(out)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsutil.SyncDir(cdir)
	}
	return dst, err
}
