package buffer

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"
)

// Open opens or creates the log in o.Dir. It scans only the newest segment
// (truncating a torn tail, skipping damage in the middle); older segments
// are checked by readers when they reach them. Damage never stops Open.
func Open(o Options) (*Log, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("buffer: %w", err)
	}
	l := newLog(o)
	if l.m, err = newMetrics(o.Registerer); err != nil {
		return nil, fmt.Errorf("buffer: metrics: %w", err)
	}
	if err := l.load(); err != nil {
		return nil, fmt.Errorf("buffer: open %s: %w", o.Dir, err)
	}
	l.m.segments.Set(float64(len(l.segs)))
	l.m.bytes.Set(float64(l.bytes))
	go l.commitLoop()
	return l, nil
}

func newLog(o Options) *Log {
	return &Log{
		o: o, log: o.Logger,
		writeAt:  (*os.File).WriteAt,
		fsync:    fdatasync,
		marks:    map[string]*mark{},
		notify:   make(chan struct{}),
		space:    make(chan struct{}),
		seenGaps: map[gapKey]bool{},
		copied:   map[uint64]bool{},
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
}

// load lists the segments and recovers the newest one.
func (l *Log) load() error {
	segs, err := listSegments(l.o.Dir)
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		f, err := createSegment(l.o.Dir, 1)
		if err != nil {
			return err
		}
		f.Close()
		if err := syncDir(l.o.Dir); err != nil {
			return err
		}
		segs = []segment{{first: 1}}
	}
	l.segs = segs
	marks, snap, err := l.recoverLast()
	if err != nil {
		return err
	}
	if !snap && len(segs) > 1 {
		marks = l.olderMarks(segs[len(segs)-2], marks)
	}
	l.loadMarks(marks)
	for _, s := range l.segs {
		l.bytes += s.size
	}
	return nil
}

// recoverLast scans the newest segment, which becomes the active one. It
// returns the marks it holds and whether it starts with a full snapshot.
func (l *Log) recoverLast() (map[string][]byte, bool, error) {
	seg := &l.segs[len(l.segs)-1]
	f, err := os.OpenFile(filepath.Join(l.o.Dir, segName(seg.first)), os.O_RDWR, 0)
	if err != nil {
		return nil, false, err
	}
	marks, snap, end, err := l.scan(f, *seg, true)
	if err == nil && end < seg.size {
		err = l.truncateTail(f, *seg, end)
	}
	if err != nil {
		f.Close()
		return nil, false, err
	}
	seg.size = end
	l.active, l.activeSize, l.syncTarget = f, end, f
	return marks, snap, nil
}

// scan walks a whole segment, replaying its marks and reporting damage.
// It returns where the valid data ends and, if last, sets the sequence
// counters from it.
func (l *Log) scan(f *os.File, seg segment, last bool) (map[string][]byte, bool, int64, error) {
	w := walker{fr: newFrameReader(l.o.MaxRecordBytes), seg: seg, next: seg.first}
	w.fr.reset(f)
	marks, snap := map[string][]byte{}, false
	for {
		fm, kind, g, err := w.step()
		if err != nil {
			return nil, false, 0, err
		}
		switch kind {
		case stepFrame:
			snap = l.replayMark(fm, marks, snap)
			continue
		case stepGap:
			l.reportGap(seg, g)
			continue
		}
		end := w.fr.pos()
		if kind == stepTail {
			end = g.off
		}
		if last {
			l.setSeqs(w.next)
		}
		return marks, snap, end, nil
	}
}

func (l *Log) replayMark(fm frame, marks map[string][]byte, snap bool) bool {
	if fm.kind != KindMarks {
		return snap
	}
	if err := applyMarks(marks, fm.data); err != nil {
		l.log.Error("buffer: skipping marks record", zap.Uint64("seq", fm.seq), zap.Error(err))
		return snap
	}
	return snap || fm.data[0] == marksSnapshot
}

func (l *Log) setSeqs(next uint64) {
	l.nextSeq = next
	l.written, l.synced = next-1, next-1
	l.durable.Store(next - 1)
}

// truncateTail cuts a torn tail: those records were never acknowledged,
// so their inputs read them again.
func (l *Log) truncateTail(f *os.File, seg segment, end int64) error {
	l.log.Warn("buffer: truncating torn tail",
		zap.String("segment", segName(seg.first)), zap.Int64("offset", end),
		zap.Int64("bytes", seg.size-end))
	if err := f.Truncate(end); err != nil {
		return err
	}
	return f.Sync()
}

// olderMarks replays the marks of the segment before a newest one that
// lost its snapshot, then the newest one's changes on top.
func (l *Log) olderMarks(seg segment, newer map[string][]byte) map[string][]byte {
	f, err := os.Open(filepath.Join(l.o.Dir, segName(seg.first)))
	if err != nil {
		l.log.Error("buffer: reading marks", zap.Error(err))
		return newer
	}
	defer f.Close()
	marks, _, _, err := l.scan(f, seg, false)
	if err != nil {
		l.log.Error("buffer: reading marks", zap.Error(err))
		return newer
	}
	for k, v := range newer {
		marks[k] = v
	}
	return marks
}

func (l *Log) loadMarks(marks map[string][]byte) {
	for k, v := range marks {
		l.marks[k] = &mark{key: k, written: v, has: true}
	}
}

// reportGap records skipped data once per place: it copies a damaged
// segment aside, logs, counts and lists the lost range.
func (l *Log) reportGap(seg segment, g gap) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := gapKey{seg.first, g.off}
	if l.seenGaps[key] {
		return
	}
	l.seenGaps[key] = true
	fields := []zap.Field{zap.String("segment", g.lost.Segment), zap.Int64("offset", g.off),
		zap.Uint64("from", g.lost.From), zap.Uint64("to", g.lost.To), zap.String("reason", g.lost.Reason)}
	if g.corrupt && !l.copied[seg.first] {
		l.copied[seg.first] = true
		dst, err := copyAside(l.o.Dir, segName(seg.first), time.Now())
		fields = append(fields, zap.String("copy", dst), zap.NamedError("copy_error", err))
	}
	l.log.Error("buffer: records lost to corruption", fields...)
	if g.lost.To >= g.lost.From {
		l.lost = append(l.lost, g.lost)
		l.m.lost.Add(float64(g.lost.To - g.lost.From + 1))
	}
}
