package file

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/auditship/auditship/internal/fsutil"
)

// diskState is the checkpoint file.
type diskState struct {
	Version int       `json:"version"`
	Files   []diskRec `json:"files"`
}

type diskRec struct {
	Fingerprint    string    `json:"fingerprint"`
	FingerprintLen int       `json:"fingerprint_len"`
	Offset         int64     `json:"offset"`
	Size           int64     `json:"size,omitempty"`
	SourceID       string    `json:"source_id,omitempty"`
	Path           string    `json:"path"`
	Dev            uint64    `json:"dev"`
	Ino            uint64    `json:"ino"`
	Seen           time.Time `json:"seen"`
}

// load reads the checkpoint file; a missing one is an empty state.
func (s *store) load() error {
	b, err := os.ReadFile(s.name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var d diskState
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("checkpoints %s: %w", s.name, err)
	}
	for _, dr := range d.Files {
		if r, ok := fromDisk(dr); ok {
			s.recs = append(s.recs, r)
		}
	}
	return nil
}

func fromDisk(d diskRec) (*rec, bool) {
	sum, err := hex.DecodeString(d.Fingerprint)
	if err != nil || len(sum) != 32 || d.FingerprintLen <= 0 || d.FingerprintLen > fpMax {
		return nil, false
	}
	sid, err := hex.DecodeString(d.SourceID)
	if err != nil || len(sid) != sha256.Size {
		sid = nil // unknown: taken from the file's first line when found
	}
	r := &rec{offset: d.Offset, size: d.Size, sourceID: sid, path: d.Path, dev: d.Dev, ino: d.Ino, seen: d.Seen}
	r.fp.Len = d.FingerprintLen
	copy(r.fp.Sum[:], sum)
	return r, true
}

// snapshot renders the recs to keep, dropping those gone for forgetAfter.
func (s *store) snapshot(now time.Time) diskState {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := diskState{Version: 1, Files: []diskRec{}}
	kept := s.recs[:0]
	for _, r := range s.recs {
		if r.live {
			r.seen = now
		} else if now.Sub(r.seen) > forgetAfter {
			continue
		}
		kept = append(kept, r)
		d.Files = append(d.Files, toDisk(r))
	}
	clear(s.recs[len(kept):])
	s.recs = kept
	return d
}

func toDisk(r *rec) diskRec {
	return diskRec{
		Fingerprint: hex.EncodeToString(r.fp.Sum[:]), FingerprintLen: r.fp.Len,
		Offset: r.offset, Size: r.size, SourceID: hex.EncodeToString(r.sourceID),
		Path: r.path, Dev: r.dev, Ino: r.ino, Seen: r.seen.UTC(),
	}
}

// save writes the state atomically.
func (s *store) save() error {
	b, err := json.MarshalIndent(s.snapshot(time.Now()), "", " ")
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return fsutil.WriteFile(s.name, append(b, '\n'), 0o600)
}
