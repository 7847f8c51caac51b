// Package buffer is a pipeline's durable log: a directory of append-only
// segment files holding framed, checksummed records with consecutive
// sequence numbers. One writer appends with group commit; each output reads
// through its own Reader; Trim frees segments every output has passed.
package buffer

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Kind tags a record. Callers may use any value except KindMarks.
type Kind uint8

// Record kinds known to the log.
const (
	KindEvent Kind = 1
	KindDrop  Kind = 2
	KindMarks Kind = 3 // the log's own source marks; never returned by readers
)

// Record is one appended payload with its sequence number.
type Record struct {
	Seq  uint64
	Kind Kind
	Data []byte
}

// Lost is an inclusive range of sequence numbers lost to corruption.
// To < From means bytes were damaged but no record was lost.
type Lost struct {
	From, To uint64
	Segment  string
	Reason   string
}

// LostError is returned once by Reader.Next for each lost range it skips;
// the reader may be used again after it.
type LostError struct{ Lost Lost }

func (e *LostError) Error() string {
	return fmt.Sprintf("buffer: records %d-%d lost in segment %s: %s",
		e.Lost.From, e.Lost.To, e.Lost.Segment, e.Lost.Reason)
}

var (
	// ErrClosed is returned by a closed log and its readers.
	ErrClosed = errors.New("buffer closed")
	// ErrTrimmed is returned when the records a reader needs were trimmed.
	ErrTrimmed = errors.New("buffer position trimmed")
)

// Fsync modes.
const (
	FsyncAlways = "always"
	FsyncBatch  = "batch"
	FsyncNever  = "never"
)

// Options configure Open. Zero values take the documented defaults.
type Options struct {
	Dir            string // created 0700 if missing; files 0600
	MaxSize        int64  // bytes on disk, all segments; default 1GiB
	SegmentSize    int64  // default MaxSize/16, between 64KiB and 64MiB
	MaxRecordBytes int64  // default 16MiB; a longer frame is corruption
	Fsync          string // "always" | "batch" (default) | "never"
	Logger         *zap.Logger
	// Registerer receives the auditship_buffer_* metrics; may be nil. With
	// several logs in one process, wrap it with a distinguishing label.
	Registerer prometheus.Registerer
}

func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, errors.New("buffer: no directory")
	}
	if o.MaxSize <= 0 {
		o.MaxSize = 1 << 30
	}
	if o.SegmentSize <= 0 {
		// Several segments per buffer even when it is small: the active one
		// is never trimmed, so a single segment could never free space.
		o.SegmentSize = min(64<<20, max(o.MaxSize/16, 64<<10))
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = 16 << 20
	}
	o.MaxRecordBytes = min(o.MaxRecordBytes, 1<<32-1)
	switch o.Fsync {
	case "":
		o.Fsync = FsyncBatch
	case FsyncAlways, FsyncBatch, FsyncNever:
	default:
		return o, fmt.Errorf("buffer: fsync %q: want always, batch or never", o.Fsync)
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return o, nil
}
