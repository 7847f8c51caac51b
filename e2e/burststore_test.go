package e2e

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/auditship/auditship/agent/buffer"
)

// burstStore is what the file output holds, read incrementally: batch
// files are create-only, so each is read once.
type burstStore struct {
	dir    string
	read   map[string]bool
	lines  int
	ids    map[string]int      // _id → lines carrying it
	tokens map[string][]string // token → the _id of each line carrying it
	bad    []string            // the start of each line without a token
}

func newBurstStore(dir string) *burstStore {
	return &burstStore{dir: dir, read: map[string]bool{}, ids: map[string]int{}, tokens: map[string][]string{}}
}

// refresh reads the batch files that appeared since the last call and
// reports how many there were.
func (s *burstStore) refresh() (int, error) {
	n := 0
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case path != s.dir && strings.HasPrefix(d.Name(), ".") && d.IsDir():
			return fs.SkipDir
		case d.IsDir() || strings.HasPrefix(d.Name(), ".") || !isBatchFile(d.Name()) || s.read[path]:
			return nil
		}
		s.read[path] = true
		n++
		return s.readFile(path)
	})
	return n, err
}

func (s *burstStore) readFile(path string) error {
	return eachStoredLine(path, func(line []byte) error {
		var env struct {
			ID    string `json:"_id"`
			Token string `json:"token"`
		}
		if err := json.Unmarshal(line, &env); err != nil || env.ID == "" {
			return fmt.Errorf("%s: no _id in a stored line (%v)", path, err)
		}
		s.lines++
		s.ids[env.ID]++
		if env.Token == "" {
			s.bad = append(s.bad, string(line[:min(len(line), 300)]))
			return nil
		}
		s.tokens[env.Token] = append(s.tokens[env.Token], env.ID)
		return nil
	})
}

// appended is one event record of the buffer.
type appended struct {
	seq    uint64
	key    string
	path   string
	offset int64
	token  string
}

// readBufferEvents reads every event record of the pipeline's buffer,
// through the buffer's own reader, and decodes its source key and
// offset. The buffer must still hold its first record: the test's
// pinning output keeps every segment.
func readBufferEvents(dir string) ([]appended, error) {
	l, err := buffer.Open(buffer.Options{Dir: dir})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	r, err := l.NewReader(1)
	if errors.Is(err, buffer.ErrTrimmed) {
		return nil, fmt.Errorf("buffer %s no longer holds record 1: segments were trimmed", dir)
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []appended
	for next, last := uint64(1), l.Durable(); next <= last; {
		rec, err := r.Next(ctx)
		if err != nil {
			return out, fmt.Errorf("after record %d of %d: %w", next-1, last, err)
		}
		if rec.Kind != buffer.KindEvent {
			return out, fmt.Errorf("record %d is of kind %d, not an event: nothing should be dropped", rec.Seq, rec.Kind)
		}
		a, err := decodeAppended(rec)
		if err != nil {
			return out, err
		}
		out = append(out, a)
		next = rec.Seq + 1
	}
	return out, nil
}

// decodeAppended reads the header of an event record (agent/record/record.go,
// versions 1 to 3): version, flags, time (varint), then id, _time text,
// category, input, key and path (uvarint length + bytes each), offset and
// end (uvarint), the raw record if flag 1, in version 2 the index
// capture's tag (uvarint) and positions (uvarint length + bytes), and the
// envelope; in version 3 the envelope is followed by the positions, their
// count (1 byte) and the tag (8 bytes).
func decodeAppended(rec buffer.Record) (appended, error) {
	b := rec.Data
	if len(b) < 2 || b[0] < 1 || b[0] > 3 {
		return appended{}, fmt.Errorf("record %d: event record version %v; this test decodes versions 1 to 3", rec.Seq, b[:min(1, len(b))])
	}
	_, n := binary.Varint(b[2:])
	d := recDecoder{b: b[2+max(n, 0):], bad: n <= 0}
	var strs [6][]byte
	for i := range strs {
		strs[i] = d.bytes()
	}
	a := appended{seq: rec.Seq, key: string(strs[4]), path: string(strs[5]), offset: int64(d.uvarint())}
	d.uvarint() // end
	if b[1]&1 != 0 {
		d.bytes() // raw
	}
	if b[0] == 2 {
		d.uvarint() // capture tag
		d.bytes()   // positions
	}
	if b[0] == 3 && len(d.b) >= 9 {
		end := len(d.b) - 9
		d.b = d.b[:max(end-5*int(d.b[end]), 0)]
	}
	if d.bad {
		return a, fmt.Errorf("record %d: malformed event record", rec.Seq)
	}
	a.token = envelopeToken(d.b)
	return a, nil
}

type recDecoder struct {
	b   []byte
	bad bool
}

func (d *recDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *recDecoder) bytes() []byte {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

// envelopeToken finds the source's "token" value in a rendered envelope.
func envelopeToken(env []byte) string {
	_, rest, ok := bytes.Cut(env, []byte(`"token":"`))
	if !ok {
		return ""
	}
	tok, _, _ := bytes.Cut(rest, []byte(`"`))
	return string(tok)
}
