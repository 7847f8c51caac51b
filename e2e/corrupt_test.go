package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bufferedSetup is an agent stopped with most of what it read still in
// its buffer, not even journaled by its output, which was down: 5 appends
// of 100 entries, each durable (checkpointed) before the next is written.
// The output journals its first batch and retries it; a second SIGTERM
// stops the agent at once, before it journals the rest.
type bufferedSetup struct {
	vectorSetup
	addr      string
	journaled uint64 // the last sequence number journaled
}

func newBufferedSetup(t *testing.T) bufferedSetup {
	t.Helper()
	s := bufferedSetup{addr: freeAddr(t)}
	s.log, s.out, s.dataDir = filepath.Join(t.TempDir(), "app.log"), blockedDir(t), t.TempDir()
	s.cfg = config{dataDir: s.dataDir, shutdown: "30s", metrics: s.addr, input: fileInput(s.log + "*"),
		outputs: []string{fileOutputWith("out", s.out, outOpts{})}}.write(t)
	s.w = newFileWriter(t, s.log, time.Millisecond)
	p := s.run(t)
	for range 5 {
		s.w.writeN(100)
		waitCheckpoint(t, s.dataDir, fileSize(t, s.log), 20*time.Second)
	}
	p.signal(syscall.SIGTERM)
	time.Sleep(300 * time.Millisecond)
	p.signal(syscall.SIGTERM)
	if code := p.wait(10 * time.Second); code != 143 {
		t.Fatalf("exit code after a second SIGTERM = %d, want 143", code)
	}
	s.journaled = lastJournaled(readJournal(s.dataDir, "out"))
	return s
}

// lastSegment returns the newest segment and its frames.
func (s bufferedSetup) lastSegment(t *testing.T) (string, []frameInfo) {
	t.Helper()
	segs := segments(s.dataDir)
	if len(segs) == 0 {
		t.Fatalf("no buffer segment in %s: %v", bufferDir(s.dataDir), listDir(bufferDir(s.dataDir)))
	}
	path := segs[len(segs)-1]
	return path, readFrames(t, path)
}

// restart restores the output and starts the agent on the damaged
// buffer: it must come up and serve /metrics, never refuse.
func (s bufferedSetup) restart(t *testing.T) *proc {
	t.Helper()
	unblock(t, s.out)
	p := s.run(t)
	if !waitFor(10*time.Second, func() bool { return !p.running() || metric(s.addr, "auditship_buffer_bytes") >= 0 }) || !p.running() {
		t.Fatalf("the agent did not start on a damaged buffer")
	}
	return p
}

// TestTornTail cuts the newest segment in the middle of the first event
// frame of the last append, as a crash mid-write leaves it. The checkpoint
// is rolled back to 0, as it would be then (it moves only after the append
// is durable). The agent truncates the torn tail and re-reads the torn
// entries from the log (resuming where the last surviving record of the
// file ends): every entry is stored exactly once, none is lost.
func TestTornTail(t *testing.T) {
	t.Parallel()
	s := newBufferedSetup(t)
	path, frames := s.lastSegment(t)
	cut := firstOfLastAppend(t, frames)
	if cut.seq <= s.journaled {
		t.Fatalf("seq %d is journaled already (up to %d): the tail would not matter", cut.seq, s.journaled)
	}
	at := cut.off + cut.size/2
	if err := os.Truncate(path, at); err != nil {
		t.Fatal(err)
	}
	t.Logf("cut %s at %d, in the frame of seq %d (%d frames)", filepath.Base(path), at, cut.seq, len(frames))
	rewindCheckpoints(t, s.dataDir)

	p := s.restart(t)
	st := waitStored(t, s.out, s.w.ids, 30*time.Second)
	lost := metric(s.addr, "auditship_buffer_lost_records_total")
	p.stop(15 * time.Second)
	assertExact(t, st, s.w.ids)
	if lost != 0 {
		t.Errorf("auditship_buffer_lost_records_total = %v after a torn tail, want 0: those records were never acked", lost)
	}
	if !strings.Contains(p.log(), "torn tail") {
		t.Error("the agent log does not report the torn tail")
	}
	t.Logf("buffer/corrupt after a torn tail: %v", listDir(filepath.Join(bufferDir(s.dataDir), "corrupt")))
}

// firstOfLastAppend finds the first event frame after the marks record
// that closes the second-to-last append (each append ends with one).
func firstOfLastAppend(t *testing.T, frames []frameInfo) frameInfo {
	t.Helper()
	var marks []int
	for i, f := range frames {
		if f.kind == kindMarks {
			marks = append(marks, i)
		}
	}
	n := len(marks)
	if n < 2 || marks[n-1] != len(frames)-1 || frames[marks[n-2]+1].kind != kindEvent {
		t.Fatalf("want event appends each closed by a marks record; marks at %v of %d frames", marks, len(frames))
	}
	return frames[marks[n-2]+1]
}

// rewindCheckpoints sets every file offset in checkpoints.json to 0.
func rewindCheckpoints(t *testing.T, dataDir string) {
	t.Helper()
	path := filepath.Join(pipelineDir(dataDir), "inputs", "app", "checkpoints.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = regexp.MustCompile(`"offset":\s*\d+`).ReplaceAll(b, []byte(`"offset": 0`))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCorruptMiddleFrame flips one byte in the payload of an event frame
// in the middle of the newest segment. The agent starts, copies the
// segment to buffer/corrupt/, reports the lost record (log and metric)
// and delivers every other entry exactly once.
func TestCorruptMiddleFrame(t *testing.T) {
	t.Parallel()
	s := newBufferedSetup(t)
	path, frames := s.lastSegment(t)
	victim := middleEvent(t, frames, s.journaled)
	lostID := recordID(t, victim)
	flipByte(t, path, victim.off+frameHeader+int64(len(victim.payload))/2)
	t.Logf("flipped a byte of seq %d (_id %s) in %s", victim.seq, lostID, filepath.Base(path))

	p := s.restart(t)
	want := without(s.w.ids, lostID)
	waitStored(t, s.out, want, 30*time.Second)
	lost := metric(s.addr, "auditship_buffer_lost_records_total")
	p.stop(15 * time.Second) // it delivers whatever else it holds
	st, err := readStored(s.out)
	if err != nil {
		t.Fatal(err)
	}
	assertExact(t, st, want)
	if lost != 1 {
		t.Errorf("auditship_buffer_lost_records_total = %v, want 1", lost)
	}
	if c := listDir(filepath.Join(bufferDir(s.dataDir), "corrupt")); len(c) == 0 {
		t.Error("no copy of the damaged segment in buffer/corrupt/")
	}
	if !logReportsLost(p.log(), victim.seq) {
		t.Errorf("no log line reports seq %d lost (from/to)", victim.seq)
	}
}

// middleEvent picks the event frame halfway through those after seq
// after: a record only the buffer holds.
func middleEvent(t *testing.T, frames []frameInfo, after uint64) frameInfo {
	t.Helper()
	var events []frameInfo
	for _, f := range frames {
		if f.kind == kindEvent && f.seq > after {
			events = append(events, f)
		}
	}
	if len(events) < 3 {
		t.Fatalf("%d event frames in the segment, want a middle one", len(events))
	}
	return events[len(events)/2]
}

var idKey = []byte(`"_id":"`)

// recordID reads the _id from the envelope inside an event record.
func recordID(t *testing.T, f frameInfo) string {
	t.Helper()
	i := bytes.Index(f.payload, idKey)
	if i < 0 || len(f.payload) < i+len(idKey)+32 {
		t.Fatalf("no _id in the record of seq %d", f.seq)
	}
	return string(f.payload[i+len(idKey) : i+len(idKey)+32])
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x20
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func without(ids []string, drop string) []string {
	var out []string
	for _, id := range ids {
		if id != drop {
			out = append(out, id)
		}
	}
	return out
}

// logReportsLost looks for a log line whose from and to are seq.
func logReportsLost(log string, seq uint64) bool {
	for _, line := range strings.Split(log, "\n") {
		var e struct{ From, To *uint64 }
		if json.Unmarshal([]byte(line), &e) == nil && e.From != nil && e.To != nil &&
			*e.From == seq && *e.To == seq {
			return true
		}
	}
	return false
}
