package chain

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// BundleWriter writes a bundle into an empty directory, one proven event
// at a time: memory stays flat whatever the number of events.
type BundleWriter struct {
	dir     string
	created bool // dir did not exist: Abort removes it
	info    BundleInfo
	files   []*bundleFile
	events  *bundleFile
	proofs  *bundleFile
	ids     *bundleFile
	cps     map[string]bool // checkpoint files written
	origins map[string]bool
	signed  bool
}

// bundleFile is one file of the bundle, hashed as it is written.
type bundleFile struct {
	name string
	f    *os.File
	w    *bufio.Writer
	h    hash.Hash
}

// ErrBundleDirNotEmpty refuses to write a bundle over other files.
var ErrBundleDirNotEmpty = errors.New("is not empty: a bundle is written into a new or empty directory")

// CreateBundle starts a bundle in dir, which must not exist or be empty.
// info says what was asked (Output, Pipeline, Where, Since, Until);
// Close fills in the rest.
func CreateBundle(dir string, info BundleInfo) (*BundleWriter, error) {
	created, err := emptyDir(dir)
	if err != nil {
		return nil, err
	}
	w := &BundleWriter{dir: dir, created: created, info: info, cps: map[string]bool{}, origins: map[string]bool{}, signed: true}
	if err := os.Mkdir(filepath.Join(dir, BundleCheckpoints), 0o755); err != nil {
		w.Abort()
		return nil, err
	}
	for _, name := range []string{BundleEvents, BundleProofs, BundleIDs} {
		if _, err := w.create(name); err != nil {
			w.Abort()
			return nil, err
		}
	}
	w.events, w.proofs, w.ids = w.files[0], w.files[1], w.files[2]
	return w, nil
}

// emptyDir makes dir, or checks that it is an empty directory.
func emptyDir(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return true, os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return false, err
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("%s %w", dir, ErrBundleDirNotEmpty)
	}
	return false, nil
}

func (w *BundleWriter) create(name string) (*bundleFile, error) {
	f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	bf := &bundleFile{name: name, f: f, h: h, w: bufio.NewWriterSize(io.MultiWriter(f, h), 64<<10)}
	w.files = append(w.files, bf)
	return bf, nil
}

// Add writes one proven event: its line, its proof and its _id, and the
// proof's checkpoint the first time it is seen.
func (w *BundleWriter) Add(p *Proof) error {
	cp := checkpointFile(p.Origin, p.TreeSize)
	if !w.cps[cp] {
		if err := w.writeCheckpoint(cp, []byte(p.Checkpoint)); err != nil {
			return err
		}
	}
	line := p.line()
	bp := BundleProof{ID: p.ID, LeafHash: rfc6962.DefaultHasher.HashLeaf(line), LeafIndex: p.LeafIndex,
		TreeSize: p.TreeSize, AuditPath: p.AuditPath, Checkpoint: cp, Origin: p.Origin, Key: p.Key, BatchID: p.BatchID}
	b, err := json.Marshal(bp)
	if err != nil {
		return err
	}
	w.events.w.Write(line)
	w.events.w.WriteByte('\n')
	w.proofs.w.Write(b)
	w.proofs.w.WriteByte('\n')
	w.ids.w.WriteString(p.ID)
	w.ids.w.WriteByte('\n')
	w.info.Events++
	w.origins[p.Origin] = true
	return nil
}

func (w *BundleWriter) writeCheckpoint(name string, raw []byte) error {
	f, err := w.create(name)
	if err != nil {
		return err
	}
	f.w.Write(raw)
	w.cps[name] = true
	if _, signed, _ := OpenCheckpoint(raw, nil); !signed {
		w.signed = false
	}
	return nil
}

// Stats records how many batches the export selected of how many.
func (w *BundleWriter) Stats(s SelectStats) {
	w.info.Batches += s.Batches
	w.info.BatchesSelected += s.Selected
}

// Close flushes the files and writes bundle.json and README.txt. It
// returns what bundle.json says.
func (w *BundleWriter) Close(now time.Time) (*BundleInfo, error) {
	w.info.Version, w.info.Created = bundleVersion, now.UTC()
	w.info.Streams, w.info.Checkpoints = len(w.origins), len(w.cps)
	w.info.Signed = w.signed && len(w.cps) > 0
	readme, err := w.create(BundleReadme)
	if err != nil {
		return nil, err
	}
	readme.w.WriteString(readmeText(&w.info))
	w.info.Files = map[string]string{}
	for _, f := range w.files {
		if err := f.close(); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.name, err)
		}
		w.info.Files[f.name] = hex.EncodeToString(f.h.Sum(nil))
	}
	b, err := json.MarshalIndent(&w.info, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(w.dir, BundleInfoFile), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return &w.info, nil
}

func (f *bundleFile) close() error {
	err := f.w.Flush()
	if err == nil {
		err = f.f.Sync()
	}
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort removes what the writer wrote (and dir, when it made it).
func (w *BundleWriter) Abort() {
	names := make([]string, 0, len(w.files))
	for _, f := range w.files {
		_ = f.f.Close()
		names = append(names, f.name)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	for _, n := range names {
		_ = os.Remove(filepath.Join(w.dir, n))
	}
	_ = os.Remove(filepath.Join(w.dir, BundleCheckpoints))
	if w.created {
		_ = os.Remove(w.dir)
	}
}
