package e2e

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fileWriter appends entries to a log file at a steady rate, like an
// engine whose log handler reopens the file for each write. It records
// which physical file (inode, and generation after a truncate) and offset
// each entry landed at, so that the test knows every expected _id across
// rotations.
type fileWriter struct {
	t        *testing.T
	path     string
	gen      *entryGen
	interval time.Duration

	mu      sync.Mutex // held for each write; pause holds it
	ids     []string
	sources map[uint64]*source // by inode
	err     error

	rotations int // rename rotations done

	stopc chan struct{}
	done  chan struct{}
}

func newFileWriter(t *testing.T, path string, interval time.Duration) *fileWriter {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return &fileWriter{
		t: t, path: path, gen: newEntryGen(t), interval: interval,
		sources: map[uint64]*source{},
		stopc:   make(chan struct{}), done: make(chan struct{}),
	}
}

// start launches the writing goroutine; stop ends it.
func (w *fileWriter) start() {
	go func() {
		defer close(w.done)
		tick := time.NewTicker(w.interval)
		defer tick.Stop()
		for {
			select {
			case <-w.stopc:
				return
			case <-tick.C:
				w.writeOne()
			}
		}
	}()
}

// stop ends the writer and returns the _ids of everything it wrote.
func (w *fileWriter) stop() []string {
	w.t.Helper()
	close(w.stopc)
	<-w.done
	if w.err != nil {
		w.t.Fatalf("writer: %v", w.err)
	}
	return w.ids
}

// pause waits for the write in progress and holds the next ones.
func (w *fileWriter) pause()  { w.mu.Lock() }
func (w *fileWriter) resume() { w.mu.Unlock() }

func (w *fileWriter) writeOne() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	line := w.gen.next()
	w.err = w.append(line)
}

// append writes line to whatever file is at path now. Between logrotate's
// rename and its create there is none: wait for it.
func (w *fileWriter) append(line []byte) error {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND, 0)
	for i := 0; errors.Is(err, fs.ErrNotExist) && i < 1000; i++ {
		time.Sleep(time.Millisecond)
		f, err = os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND, 0)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		return err
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return err
	}
	return w.record(st.Ino, st.Size-int64(len(line))-1, line)
}

// record computes the entry's _id in its physical file. Offset 0 starts
// a new generation: a new file, or the same inode after copytruncate.
func (w *fileWriter) record(ino uint64, offset int64, line []byte) error {
	src := w.sources[ino]
	if src == nil || offset == 0 {
		src = &source{}
		w.sources[ino] = src
	}
	if src.offset != offset {
		return fmt.Errorf("entry %d landed at offset %d of inode %d, want %d: someone else wrote or truncated",
			len(w.ids), offset, ino, src.offset)
	}
	w.ids = append(w.ids, src.add(line))
	return nil
}

// writeN appends n entries at once, without the goroutine.
func (w *fileWriter) writeN(n int) {
	w.t.Helper()
	for range n {
		w.writeOne()
	}
	if w.err != nil {
		w.t.Fatalf("writer: %v", w.err)
	}
}

// rotate renames the log to path.N and creates a new one, as logrotate's
// create mode does; a write in between waits for the new file.
func (w *fileWriter) rotate() {
	w.t.Helper()
	w.rotations++
	if err := os.Rename(w.path, fmt.Sprintf("%s.%d", w.path, w.rotations)); err != nil {
		w.t.Fatal(err)
	}
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		w.t.Fatal(err)
	}
	f.Close()
}
