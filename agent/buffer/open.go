package buffer

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/fsutil"
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
	l.mu.Lock()
	l.size()
	l.mu.Unlock()
	go l.commitLoop()
	return l, nil
}

func newLog(o Options) *Log {
	return &Log{
		o: o, log: o.Logger,
		writeAt:  (*os.File).WriteAt,
		fsync:    fsutil.SyncData, // a segment's data and size; its timestamps need not be durable
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
		if err := fsutil.SyncDir(l.o.Dir); err != nil {
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
	s, err := l.settle(f, seg)
	if err != nil {
		f.Close()
		return nil, false, err
	}
	l.reportGaps(*seg, s.gaps)
	l.setSeqs(s.next)
	l.active, l.activeSize, l.syncTarget = f, seg.size, f
	return s.marks, s.snap, nil
}

// settle cuts the newest segment back to its last whole write: a torn
// frame, and also the complete frames of a write the file ends inside.
// Such a write was never acknowledged, so its inputs read it again; kept,
// its records would be appended twice, without the marks that end it.
func (l *Log) settle(f *os.File, seg *segment) (scanned, error) {
	for {
		s, err := l.scan(f, *seg)
		if err != nil {
			return s, err
		}
		keep := s.keep(seg.size)
		if keep < seg.size {
			if err := l.truncateTail(f, *seg, s, keep); err != nil {
				return s, err
			}
			seg.size = keep
		}
		if keep == s.end {
			return s, nil
		}
		// an incomplete write was cut: scan again for its marks and seqs
	}
}

// scanned is what a scan of one segment found.
type scanned struct {
	marks   map[string][]byte
	snap    bool   // the marks start with a full snapshot
	next    uint64 // the seq after the last record
	end     int64  // where the valid frames end
	gaps    []gap
	openAt  int64  // offset of the last write's opening marks record
	openEnd int64  // where that write ends
	openSeq uint64 // and its first seq
}

// keep is where the segment, size bytes long, is cut: at the start of a
// last write that the file ends inside (a crash during the write), else
// where its valid frames end. A write whose bytes all reached the file
// keeps its valid records even if some frames are damaged: that is
// corruption, not a crash. Writes of earlier versions carry no size.
func (s *scanned) keep(size int64) int64 {
	if s.openEnd > size {
		return s.openAt
	}
	return s.end
}

// scan walks a whole segment, replaying its marks and collecting damage.
func (l *Log) scan(f *os.File, seg segment) (scanned, error) {
	w := walker{fr: newFrameReader(l.o.MaxRecordBytes), seg: seg, next: seg.first}
	w.fr.reset(f)
	s := scanned{marks: map[string][]byte{}}
	for {
		off := w.fr.pos()
		fm, kind, g, err := w.step()
		if err != nil {
			return s, err
		}
		switch kind {
		case stepFrame:
			l.replayMark(&s, fm, off, w.fr.pos())
			continue
		case stepGap:
			s.gaps = append(s.gaps, g)
			continue
		}
		s.end, s.next = w.fr.pos(), w.next
		if kind == stepTail {
			s.end = g.off
		}
		return s, nil
	}
}

// replayMark applies a marks record found between off and end.
func (l *Log) replayMark(s *scanned, fm frame, off, end int64) {
	if fm.kind != KindMarks {
		return
	}
	rest, err := applyMarks(s.marks, fm.data)
	if err != nil {
		l.log.Error("buffer: skipping marks record", zap.Uint64("seq", fm.seq), zap.Error(err))
		return
	}
	s.snap = s.snap || fm.data[0] == marksSnapshot
	if rest >= 0 {
		s.openAt, s.openEnd, s.openSeq = off, end+rest, fm.seq
	}
}

func (l *Log) setSeqs(next uint64) {
	l.nextSeq = next
	l.written, l.synced = next-1, next-1
	l.durable.Store(next - 1)
}

// truncateTail cuts the segment at keep: a torn tail or a write that did
// not reach the disk whole. Neither was acknowledged, so their inputs read
// them again. A segment that also holds corruption is copied aside first.
func (l *Log) truncateTail(f *os.File, seg segment, s scanned, keep int64) error {
	fields := []zap.Field{zap.String("segment", segName(seg.first)),
		zap.Int64("offset", keep), zap.Int64("bytes", seg.size-keep)}
	if keep < s.end {
		fields = append(fields, zap.Uint64("from", s.openSeq), zap.Uint64("to", s.next-1))
	}
	if hasCorrupt(s.gaps) {
		dst, err := l.copyOnce(seg)
		fields = append(fields, zap.String("copy", dst), zap.NamedError("copy_error", err))
	}
	l.log.Warn("buffer: truncating torn tail", fields...)
	if err := f.Truncate(keep); err != nil {
		return err
	}
	return fsutil.Sync(f)
}

func hasCorrupt(gaps []gap) bool {
	for _, g := range gaps {
		if g.corrupt {
			return true
		}
	}
	return false
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
	s, err := l.scan(f, seg)
	if err != nil {
		l.log.Error("buffer: reading marks", zap.Error(err))
		return newer
	}
	l.reportGaps(seg, s.gaps)
	for k, v := range newer {
		s.marks[k] = v
	}
	return s.marks
}

func (l *Log) loadMarks(marks map[string][]byte) {
	for k, v := range marks {
		l.marks[k] = &mark{key: k, written: v, has: true}
	}
}

func (l *Log) reportGaps(seg segment, gaps []gap) {
	for _, g := range gaps {
		l.reportGap(seg, g)
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
		dst, err := l.copyLocked(seg)
		fields = append(fields, zap.String("copy", dst), zap.NamedError("copy_error", err))
	}
	l.log.Error("buffer: records lost to corruption", fields...)
	if g.lost.To >= g.lost.From {
		l.lost = append(l.lost, g.lost)
		l.m.lost.Add(float64(g.lost.To - g.lost.From + 1))
	}
}

// copyOnce copies a damaged segment aside unless it was already.
func (l *Log) copyOnce(seg segment) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.copied[seg.first] {
		return "", nil
	}
	return l.copyLocked(seg)
}

// copyLocked copies seg aside; l.mu is held.
func (l *Log) copyLocked(seg segment) (string, error) {
	l.copied[seg.first] = true
	return copyAside(l.o.Dir, segName(seg.first), time.Now())
}
