package objectstore

import (
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/auditship/auditship/internal/event"
)

// Default compression levels, used when NewEncoder is given level 0. They
// are fixed so that the same batch always compresses to the same bytes
// with a given library version.
const (
	DefaultGzipLevel = 6 // gzip's own default: the usual speed/size trade-off
	DefaultZstdLevel = 3 // zstd's own default (klauspost's SpeedDefault)
)

// flushSize is how much encoded JSON the encoder gathers before handing it
// on: large enough to batch syscalls, small enough to stream.
const flushSize = 64 << 10

// Encoder streams events into w as one object of its Codec. It keeps one
// buffer of about flushSize bytes, never the whole batch. Not safe for
// concurrent use; Reset reuses it (and its compressor) for the next object.
type Encoder struct {
	codec Codec
	sink  io.Writer      // where encoded JSON goes: w, or the compressor
	comp  io.WriteCloser // nil without compression
	reset func(io.Writer)
	buf   []byte
	n     int   // events encoded
	raw   int64 // uncompressed bytes handed to sink
	err   error // sticky
	done  bool
}

// NewEncoder returns an encoder writing to w. level is the compression
// level (gzip 1-9, zstd 1-22 mapped to klauspost's four speeds); 0 takes
// DefaultGzipLevel or DefaultZstdLevel. It is ignored without compression.
func NewEncoder(w io.Writer, c Codec, level int) (*Encoder, error) {
	e := &Encoder{codec: c, buf: make([]byte, 0, flushSize+flushSize/4)}
	var err error
	switch c.Compression {
	case CompressionNone, "":
		e.reset = func(w io.Writer) { e.sink = w }
	case CompressionGzip:
		err = e.useGzip(level)
	case CompressionZstd:
		err = e.useZstd(level)
	default:
		err = fmt.Errorf("unknown compression %q", c.Compression)
	}
	if err != nil {
		return nil, err
	}
	e.Reset(w)
	return e, nil
}

func (e *Encoder) useGzip(level int) error {
	if level == 0 {
		level = DefaultGzipLevel
	}
	zw, err := gzip.NewWriterLevel(io.Discard, level)
	if err != nil {
		return fmt.Errorf("gzip level %d: %w", level, err)
	}
	e.comp, e.sink = zw, zw
	e.reset = zw.Reset
	return nil
}

func (e *Encoder) useZstd(level int) error {
	if level == 0 {
		level = DefaultZstdLevel
	}
	// One goroutine: the output is deterministic and no worker outlives Close.
	zw, err := zstd.NewWriter(io.Discard, zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)))
	if err != nil {
		return fmt.Errorf("zstd level %d: %w", level, err)
	}
	e.comp, e.sink = zw, zw
	e.reset = zw.Reset
	return nil
}

// Reset starts a new object on w, discarding any unfinished one.
func (e *Encoder) Reset(w io.Writer) {
	e.reset(w)
	e.buf, e.n, e.raw, e.err, e.done = e.buf[:0], 0, 0, nil, false
}

// Encode appends one event: its SPEC §4 envelope.
func (e *Encoder) Encode(ev *event.Event) error {
	return e.add(ev.AppendJSON)
}

// EncodeLine appends one event already rendered by AppendJSON (line holds
// no trailing newline).
func (e *Encoder) EncodeLine(line []byte) error {
	return e.add(func(dst []byte) []byte { return append(dst, line...) })
}

func (e *Encoder) add(render func([]byte) []byte) error {
	if e.err != nil {
		return e.err
	}
	if e.done {
		return errors.New("encode after close")
	}
	if e.codec.Format == FormatJSONArray {
		e.buf = append(e.buf, e.separator()...)
	}
	e.buf = render(e.buf)
	if e.codec.Format != FormatJSONArray {
		e.buf = append(e.buf, '\n')
	}
	e.n++
	if len(e.buf) >= flushSize {
		return e.flush()
	}
	return nil
}

// separator precedes an array element: the array opens with the first one.
func (e *Encoder) separator() string {
	if e.n == 0 {
		return "[\n"
	}
	return ",\n"
}

func (e *Encoder) flush() error {
	if len(e.buf) == 0 || e.err != nil {
		return e.err
	}
	n, err := e.sink.Write(e.buf)
	e.raw += int64(n)
	e.buf = e.buf[:0]
	if err != nil {
		e.err = fmt.Errorf("encode: %w", err)
	}
	return e.err
}

// Close ends the object (closing the array, finishing the compressed
// stream) and flushes it to w; it does not close w. Calling it again
// returns the first result.
func (e *Encoder) Close() error {
	if e.done {
		return e.err
	}
	e.done = true
	if e.codec.Format == FormatJSONArray {
		e.buf = append(e.buf, e.closing()...)
	}
	if err := e.flush(); err != nil {
		return err
	}
	if e.comp != nil {
		if err := e.comp.Close(); err != nil {
			e.err = fmt.Errorf("encode: %w", err)
		}
	}
	return e.err
}

func (e *Encoder) closing() string {
	if e.n == 0 {
		return "[]\n"
	}
	return "\n]\n"
}

// Count is the number of events encoded since the last Reset.
func (e *Encoder) Count() int { return e.n }

// RawBytes is the number of uncompressed bytes written since the last Reset,
// counted as they are flushed (exact after Close).
func (e *Encoder) RawBytes() int64 { return e.raw }
