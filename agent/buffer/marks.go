package buffer

import (
	"encoding/binary"
	"errors"
)

// mark is one source's position: written is what the log holds, pending
// the value set since the last Append. Values are reused, not reallocated.
type mark struct {
	key     string
	written []byte
	pending []byte
	has     bool // written is set
	dirty   bool // pending is set
}

// Marks encoding: a flag byte (1 = full snapshot, 0 = changes), then a
// uvarint count and, per entry, uvarint-prefixed key and value.
//
// The marks record that opens a write (see Log.encode) ends with one more
// uvarint: how many bytes of the write follow its frame. Recovery drops a
// last write that did not reach the disk whole by it. Segments of earlier
// versions have no such trailer, and their parser ignored it.
const (
	marksDelta    = 0
	marksSnapshot = 1
)

// SetMark records the position of a source after the events of the next
// Append; the marks travel in the same write as those events.
func (l *Log) SetMark(key string, value []byte) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	m := l.marks[key]
	if m == nil {
		m = &mark{key: key}
		l.marks[key] = m
	}
	m.pending = append(m.pending[:0], value...)
	if !m.dirty {
		m.dirty = true
		l.dirty = append(l.dirty, m)
	}
}

// Marks returns, per source key, the last value written with a record;
// after Open, the value carried by the last record that survived.
func (l *Log) Marks() map[string][]byte {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	out := make(map[string][]byte, len(l.marks))
	for k, m := range l.marks {
		if m.has {
			out[k] = append([]byte(nil), m.written...)
		}
	}
	return out
}

func appendMarkEntry(b []byte, key string, value []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	b = binary.AppendUvarint(b, uint64(len(value)))
	return append(b, value...)
}

// encodeSnapshot encodes every written mark.
func (l *Log) encodeSnapshot(b []byte) []byte {
	n := 0
	for _, m := range l.marks {
		if m.has {
			n++
		}
	}
	b = binary.AppendUvarint(append(b, marksSnapshot), uint64(n))
	for k, m := range l.marks {
		if m.has {
			b = appendMarkEntry(b, k, m.written)
		}
	}
	return b
}

// encodeDelta encodes the marks set since the last successful Append.
func (l *Log) encodeDelta(b []byte) []byte {
	b = binary.AppendUvarint(append(b, marksDelta), uint64(len(l.dirty)))
	for _, m := range l.dirty {
		b = appendMarkEntry(b, m.key, m.pending)
	}
	return b
}

// commitMarks makes the pending marks the written ones after a write.
func (l *Log) commitMarks() {
	for i, m := range l.dirty {
		m.written = append(m.written[:0], m.pending...)
		m.has, m.dirty = true, false
		l.dirty[i] = nil
	}
	l.dirty = l.dirty[:0]
}

var errMarks = errors.New("malformed marks record")

// encodeOpening encodes the marks record that opens a write of rest bytes:
// the snapshot when the write starts a segment, else no changes.
func (l *Log) encodeOpening(b []byte, snapshot bool, rest int64) []byte {
	if snapshot {
		b = l.encodeSnapshot(b)
	} else {
		b = binary.AppendUvarint(append(b, marksDelta), 0)
	}
	return binary.AppendUvarint(b, uint64(rest))
}

// applyMarks replays one marks record into dst (a snapshot replaces it).
// It returns the bytes of the write that follow the record if it opens
// one, else -1.
func applyMarks(dst map[string][]byte, b []byte) (int64, error) {
	if len(b) == 0 || b[0] > marksSnapshot {
		return -1, errMarks
	}
	if b[0] == marksSnapshot {
		clear(dst)
	}
	n, b, ok := uvarint(b[1:])
	for i := uint64(0); ok && i < n; i++ {
		var k, v []byte
		if k, b, ok = field(b); ok {
			v, b, ok = field(b)
		}
		if ok {
			dst[string(k)] = append([]byte(nil), v...)
		}
	}
	if !ok {
		return -1, errMarks
	}
	return writeRest(b)
}

// writeRest decodes the trailer of an opening marks record, if any.
func writeRest(b []byte) (int64, error) {
	if len(b) == 0 {
		return -1, nil
	}
	rest, b, ok := uvarint(b)
	if !ok || len(b) != 0 || rest > 1<<62 {
		return -1, errMarks
	}
	return int64(rest), nil
}

func uvarint(b []byte) (uint64, []byte, bool) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, b, false
	}
	return v, b[n:], true
}

func field(b []byte) ([]byte, []byte, bool) {
	n, b, ok := uvarint(b)
	if !ok || n > uint64(len(b)) {
		return nil, b, false
	}
	return b[:n], b[n:], true
}
