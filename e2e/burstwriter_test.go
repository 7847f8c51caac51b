package e2e

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Burst writer shape (issue 7): 500 lines every 250 ms, a rotation every
// 2,000 lines, lines of 2 KiB so that one burst (1 MiB) spans several of
// the input's 256 KiB read chunks.
const (
	burstLines    = 500
	burstInterval = 250 * time.Millisecond
	burstRotate   = 2000
	burstLineSize = 2048
)

// wantLine is one line the burst writer wrote: its token (the content
// identity), the _id and buffer source key expected for it, and where it
// landed (gen counts physical files: a new file or a truncation).
type wantLine struct {
	token  string
	id     string
	key    string // hex of the source id: the buffer record's Source.Key
	offset int64
	gen    int
}

// burstWriter appends bursts through one O_APPEND descriptor, as a
// buffered log handler does, and rotates the log itself: rename to
// path.N and create (logrotate's create), or copy to path.N and truncate
// (copytruncate) with no write in between, so its window loses nothing.
type burstWriter struct {
	path      string
	copytrunc bool

	f         *os.File
	src       *source
	gen       int
	sinceRot  int
	rotations int
	lines     []wantLine
	buf       []byte
	err       error

	stopc, done chan struct{}
}

func newBurstWriter(path string, copytrunc bool) (*burstWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &burstWriter{path: path, copytrunc: copytrunc, f: f, src: &source{}, gen: 1,
		stopc: make(chan struct{}), done: make(chan struct{})}, nil
}

// start launches the writing goroutine; stop ends it and returns every
// line written.
func (w *burstWriter) start() {
	go func() {
		defer close(w.done)
		tick := time.NewTicker(burstInterval)
		defer tick.Stop()
		for w.err == nil {
			select {
			case <-w.stopc:
				return
			case <-tick.C:
				w.err = w.step()
			}
		}
	}()
}

func (w *burstWriter) stop() ([]wantLine, error) {
	close(w.stopc)
	<-w.done
	w.f.Close()
	return w.lines, w.err
}

// step writes one burst and rotates after every burstRotate lines.
func (w *burstWriter) step() error {
	if err := w.writeBurst(); err != nil {
		return err
	}
	if w.sinceRot += burstLines; w.sinceRot < burstRotate {
		return nil
	}
	w.sinceRot = 0
	w.rotations++
	dst := fmt.Sprintf("%s.%d", w.path, w.rotations)
	if w.copytrunc {
		return w.copyTruncate(dst)
	}
	return w.renameCreate(dst)
}

// writeBurst appends burstLines lines in one write(2) and checks they
// landed where the expected _ids say.
func (w *burstWriter) writeBurst() error {
	w.buf = w.buf[:0]
	for range burstLines {
		line := burstLine(len(w.lines))
		off := w.src.offset
		id := w.src.add(line)
		w.lines = append(w.lines, wantLine{token: burstToken(len(w.lines)), id: id,
			key: hex.EncodeToString(w.src.id[:]), offset: off, gen: w.gen})
		w.buf = append(append(w.buf, line...), '\n')
	}
	if _, err := w.f.Write(w.buf); err != nil {
		return err
	}
	fi, err := w.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != w.src.offset {
		return fmt.Errorf("%s is %d bytes after a burst, want %d: someone else wrote or truncated",
			w.path, fi.Size(), w.src.offset)
	}
	return nil
}

func (w *burstWriter) renameCreate(dst string) error {
	if err := os.Rename(w.path, dst); err != nil {
		return err
	}
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	w.f.Close()
	w.f, w.src = f, &source{}
	w.gen++
	return nil
}

// copyTruncate copies the log to dst as logrotate does (straight into the
// final name) and truncates it; the O_APPEND descriptor writes on at 0.
func (w *burstWriter) copyTruncate(dst string) error {
	in, err := os.Open(w.path)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = w.f.Truncate(0)
	}
	w.src = &source{}
	w.gen++
	return err
}

func burstToken(n int) string { return fmt.Sprintf("tok-%08d", n) }

var burstBase = time.Date(2024, 5, 13, 10, 0, 0, 0, time.UTC)

// burstLine is entry n: a JSON object of burstLineSize bytes whose token
// makes it unique (and so the first KiB of every file, its fingerprint).
func burstLine(n int) []byte {
	ts := burstBase.Add(time.Duration(n) * 1013 * time.Microsecond)
	b := fmt.Appendf(nil, `{"timestamp":%q,"token":%q,"identity":"burst","workflowDefinitionId":"burst","message":"`,
		ts.Format("2006-01-02T15:04:05.999999"), burstToken(n))
	pad := burstLineSize - len(b) - len(`"}`)
	word := fmt.Sprintf("%x ", n)
	b = append(b, strings.Repeat(word, pad/len(word)+1)[:pad]...)
	return append(b, `"}`...)
}
