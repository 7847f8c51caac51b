package file

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"

	"github.com/auditship/auditship/inputs"
)

// offsets lists the committed offset of every checkpoint.
func offsets(in *input) []int64 {
	in.st.mu.Lock()
	defer in.st.mu.Unlock()
	var out []int64
	for _, r := range in.st.recs {
		out = append(out, r.offset)
	}
	return out
}

func TestCheckpointOnlyOnAck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3))
	in := e.start(true, nil)
	expect(t, in, raws(lines("a", 0, 3))) // not acked
	in.Close(context.Background())

	in = e.start(false, nil)
	expect(t, in, raws(lines("a", 0, 3))).ackAll()
	in.Close(context.Background())

	in = e.start(false, nil)
	expect(t, in, nil)
	e.write("a.log", lines("a", 3, 4))
	expect(t, in, raws(lines("a", 3, 4)))
}

func TestOutOfOrderAcks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	var gs []*got
	for i := range 3 {
		e.write("a.log", lines("a", i, i+1))
		gs = append(gs, expect(t, in, raws(lines("a", i, i+1))))
	}
	n := int64(len(lines("a", 0, 1)))
	for _, step := range []struct {
		ack  int
		want int64
	}{{2, 0}, {1, 0}, {0, 3 * n}} {
		gs[step.ack].ackAll()
		if diff := cmp.Diff([]int64{step.want}, offsets(in)); diff != "" {
			t.Fatalf("after ack %d (-want +got):\n%s", step.ack, diff)
		}
	}
}

func TestFailedAckHoldsCheckpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("a", 0, 1))
	g1 := expect(t, in, raws(lines("a", 0, 1)))
	e.write("a.log", lines("a", 1, 2))
	g2 := expect(t, in, raws(lines("a", 1, 2)))
	g1.acks[0](os.ErrClosed)
	g2.ackAll()
	if diff := cmp.Diff([]int64{0}, offsets(in)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestCheckpointFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("a", 0, 2))
	expect(t, in, raws(lines("a", 0, 2))).ackAll()
	want := []int64{int64(len(lines("a", 0, 2)))}
	var got []int64
	for deadline := time.Now().Add(3 * saveDelay); ; time.Sleep(50 * time.Millisecond) { // debounced write
		st := &store{name: in.st.name}
		if err := st.load(); err == nil && len(st.recs) == 1 {
			got = []int64{st.recs[0].offset}
		}
		if cmp.Equal(want, got) || time.Now().After(deadline) {
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("written offset (-want +got):\n%s", diff)
	}
	fi, err := os.Stat(in.st.name)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestStartAtEnd(t *testing.T) {
	t.Parallel()
	endCfg := func(c *Config, _ *inputs.Settings) { c.StartAt = "end" }
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3)+`{"n":"being written`)
	in := e.start(true, endCfg)
	expect(t, in, nil)
	e.write("a.log", "\"}\n"+lines("a", 3, 4))
	e.write("b.log", lines("b", 0, 2)) // discovered later: from its beginning
	expect(t, in, append([]string{`{"n":"being written"}`, `{"n":"a-0003"}`}, raws(lines("b", 0, 2))...))
	in.Close(context.Background())

	e.write("c.log", lines("c", 0, 2)) // present at a later start: from its beginning
	in = e.start(false, endCfg)
	expect(t, in, append(raws(lines("c", 0, 2)), `{"n":"being written"}`, `{"n":"a-0003"}`, `{"n":"b-0000"}`, `{"n":"b-0001"}`))
}

func TestStartAtEndPersistedAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3))
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.StartAt = "end" })
	expect(t, in, nil)
	in.Close(context.Background())
	expect(t, e.start(false, nil), nil)
}

func TestShortFileKeepsIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("a", 0, 2)) // well under 1 KiB
	expect(t, in, raws(lines("a", 0, 2))).ackAll()
	e.write("a.log", lines("a", 2, 100)) // past 1 KiB
	expect(t, in, raws(lines("a", 2, 100))).ackAll()
	in.Close(context.Background())

	in = e.start(false, nil)
	e.write("a.log", lines("a", 100, 101))
	expect(t, in, raws(lines("a", 100, 101)))
	in.st.mu.Lock()
	n, fpLen := len(in.st.recs), in.st.recs[0].fp.Len
	in.st.mu.Unlock()
	if n != 1 || fpLen != fpMax {
		t.Errorf("%d checkpoints with fingerprint length %d, want 1 of %d", n, fpLen, fpMax)
	}
}

func TestShortFileKeepsIdentityAcrossRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := e.start(true, nil)
	e.write("a.log", lines("a", 0, 2))
	expect(t, in, raws(lines("a", 0, 2))).ackAll()
	in.Close(context.Background())
	e.write("a.log", lines("a", 2, 100)) // grows past 1 KiB while stopped
	expect(t, e.start(false, nil), raws(lines("a", 2, 100)))
}

func TestDeletedUnreadCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.write("a.log", lines("a", 0, 3*chunkSize/len(lines("a", 0, 1))))
	e.write("b.log", lines("b", 0, 10))
	in := e.start(true, func(c *Config, _ *inputs.Settings) { c.MaxOpenFiles = 1 })
	read(t, in, 1, 5*time.Second) // a is open and busy; b waits its turn
	if err := os.Remove(e.path("b.log")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * in.interval)
	read(t, in, 1, 5*time.Second)
	var m dto.Metric
	if err := in.m.deletedUnread.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got, want := m.GetCounter().GetValue(), float64(len(lines("b", 0, 10))); got != want {
		t.Errorf("deleted unread bytes = %v, want %v", got, want)
	}
}
