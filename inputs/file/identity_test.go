package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/auditship/auditship/inputs"
)

func keyOf(line string) string {
	s := sha256.Sum256([]byte(line))
	return hex.EncodeToString(s[:])
}

// savedRecs reads the checkpoint file as written.
func savedRecs(t *testing.T, e *env) []diskRec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.state, "checkpoints.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var d diskState
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d.Files
}

// TestNoIdentityWithoutFirstLine: a file whose first line is not complete
// is neither checkpointed nor read; once it is, its source id is the hash
// of that line alone, in the events and in the checkpoint.
func TestNoIdentityWithoutFirstLine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", `{"a":1`)
	expect(t, in, nil)
	in.st.close()
	if recs := savedRecs(t, e); len(recs) != 0 {
		t.Fatalf("checkpointed before the first line was complete: %+v", recs)
	}
	e.write("a.log", "}\n{\"b\":2}\n")
	g := expect(t, in, []string{`{"a":1}`, `{"b":2}`})
	for _, ev := range g.events {
		if ev.Source.Key != keyOf(`{"a":1}`) {
			t.Errorf("Source.Key = %q, want the hash of the first line", ev.Source.Key)
		}
	}
	in.st.close()
	recs := savedRecs(t, e)
	if len(recs) != 1 || recs[0].SourceID != keyOf(`{"a":1}`) {
		t.Errorf("checkpoint = %+v, want source id %s", recs, keyOf(`{"a":1}`))
	}
}

// TestEmptySourceIDInCheckpointIsRecomputed: a checkpoint written without a
// source id (as an earlier version could) does not make the file's source
// id empty: it is taken from the first line, so _id and the buffer marks
// stay those of the file.
func TestEmptySourceIDInCheckpointIsRecomputed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3))
	in := e.start(true, nil)
	expect(t, in, raws(lines("a", 0, 1)+lines("a", 1, 3))).ackAll()
	in.Close(context.Background())
	recs := savedRecs(t, e)
	recs[0].SourceID, recs[0].Offset = "", int64(len(lines("a", 0, 1)))
	b, _ := json.Marshal(diskState{Version: 1, Files: recs})
	if err := os.WriteFile(filepath.Join(e.state, "checkpoints.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	g := expect(t, e.start(false, nil), raws(lines("a", 1, 3)))
	want := keyOf(raws(lines("a", 0, 1))[0])
	for _, ev := range g.events {
		if ev.Source.Key != want {
			t.Fatalf("Source.Key = %q, want %q", ev.Source.Key, want)
		}
	}
}

// TestSkippedReadIsAcked: when every record of a read is already in the
// buffer, the read still counts as acknowledged: the checkpoint moves past
// it, and what follows is read at once.
func TestSkippedReadIsAcked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	data := lines("a", 0, 50)
	e.write("a.log", data)
	in := e.start(true, func(c *Config, s *inputs.Settings) {
		c.ScanInterval = "1h" // a skipped chunk must not wait for a scan
		s.Resume = func(string) (int64, bool) { return int64(len(data)), true }
	})
	expect(t, in, nil)
	e.write("a.log", lines("a", 50, 51))
	start := time.Now()
	expect(t, in, raws(lines("a", 50, 51))).ackAll()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the next line took %v", d)
	}
	if got, want := offsets(in), []int64{int64(len(lines("a", 0, 51)))}; got[0] != want[0] {
		t.Errorf("checkpoint = %v, want %v", got, want)
	}
}

// TestSkippedRecordsAckedAcrossChunks: a mark inside the file, with its
// records spread over many chunks: only what follows it is read, and the
// checkpoint reaches the end.
func TestSkippedRecordsAckedAcrossChunks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	n := 4 * chunkSize / len(lines("a", 0, 1))
	e.write("a.log", lines("a", 0, n))
	mark := int64(len(lines("a", 0, n-3)))
	in := e.start(true, func(c *Config, s *inputs.Settings) {
		s.Resume = func(string) (int64, bool) { return mark, true }
	})
	expect(t, in, raws(lines("a", n-3, n))).ackAll()
	if got := offsets(in); got[0] != int64(len(lines("a", 0, n))) {
		t.Errorf("checkpoint = %v, want the end", got)
	}
}

// TestCatchUpSkipsDurableBytes: 200 MB of a file already durable in the
// buffer and a checkpoint at 0: the restart goes straight to the first
// unbuffered byte (in well under 5 s) instead of reading them again.
func TestCatchUpSkipsDurableBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MB")
	}
	t.Parallel()
	e := newEnv(t)
	block := lines("a", 0, (1<<20)/len(lines("a", 0, 1)))
	f, err := os.Create(e.path("a.log"))
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for size < 200<<20 {
		n, err := f.WriteString(block)
		if err != nil {
			t.Fatal(err)
		}
		size += int64(n)
	}
	tail := lines("z", 0, 3)
	if _, err := f.WriteString(tail); err != nil {
		t.Fatal(err)
	}
	f.Close()
	start := time.Now()
	in := e.start(false, func(_ *Config, s *inputs.Settings) {
		s.Resume = func(string) (int64, bool) { return size, true }
	})
	g := read(t, in, 3, 5*time.Second)
	if d := time.Since(start); d > 5*time.Second || len(g.events) != 3 {
		t.Fatalf("%d events after %v, want the 3 after the mark within 5s", len(g.events), d)
	}
	t.Logf("the 3 events after the 200 MB mark arrived %v after start", time.Since(start))
	if d := diffSet(raws(tail), g.raws()); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	g.ackAll()
	if got := offsets(in); got[0] != size+int64(len(tail)) {
		t.Errorf("checkpoint = %v, want %d", got, size+int64(len(tail)))
	}
}

func counterValue(t *testing.T, c interface{ Write(*dto.Metric) error }) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
