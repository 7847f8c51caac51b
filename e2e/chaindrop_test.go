package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
)

// TestChainDropAccounting: events that a processor drops, that the
// output's when refuses, and that drop_newest drops while the output is
// down and the buffer full are each recorded in the manifests with why,
// so that verify finds the archive intact (no gap: filtered or dropped is
// not lost) and the manifests account for every sequence number from the
// first to the last, and for every entry written.
func TestChainDropAccounting(t *testing.T) {
	t.Parallel()
	keys := chainKeygen(t, "e2e-drops")
	log, out, dataDir, addr := filepath.Join(t.TempDir(), "app.log"), t.TempDir(), t.TempDir(), freeAddr(t)
	input := fileInput(log+"*") + `  processor "filter" "noretire" {
    when = "workflowDefinitionId != 'retire'"
  }
`
	cfg := config{dataDir: dataDir, metrics: addr, input: input,
		buffer: `max_size = "1MiB"` + "\n    when_full = \"drop_newest\"",
		outputs: []string{fileOutputWith(chainOutput, out, outOpts{
			extra: `when = "workflowDefinitionId != 'hire'"` + "\n    " + keys.attrs()})}}.write(t)
	w := newFileWriter(t, log, time.Millisecond)
	blockOutput(t, out)
	p := start(t, false, "run", "-c", cfg)
	w.writeN(fullEntries)
	waitCheckpoint(t, dataDir, fileSize(t, log), 20*time.Second)
	restoreOutput(t, out)
	var s stored
	waitFor(30*time.Second, func() bool { // until the output has drained what it can
		prev := s.lines
		time.Sleep(time.Second)
		s, _ = readStored(out)
		return s.lines > 0 && s.lines == prev
	})
	// Skips are recorded in the manifest of the next stored batch: the
	// drops at the tail of the run need one more batch after them.
	written := fullEntries + writeUntilStored(t, w, out, s.lines)
	fullDrops := metric(addr, "auditship_buffer_full_dropped_events_total")
	p.stop(15 * time.Second)
	if s, _ = readStored(out); s.lines != len(s.ids) {
		t.Errorf("%v: an event stored twice", s)
	}
	if code, r := chainVerify(t, cfg, keys.pub, "10m"); code != 0 || r.Events != int64(s.lines) {
		t.Fatalf("verify: exit %d, %d events (%d stored)\n%s", code, r.Events, s.lines, problemList(r))
	}
	st := readDropState(t, out)
	checkSeqCoverage(t, st)
	checkDropReasons(t, st, s.lines, written, fullDrops)
}

// writeUntilStored writes entries one at a time until the store holds
// more than had lines (an entry may be filtered), and returns how many it
// wrote.
func writeUntilStored(t *testing.T, w *fileWriter, out string, had int) int {
	t.Helper()
	for n := 1; n <= 50; n++ {
		w.writeN(1)
		ok := waitFor(5*time.Second, func() bool {
			s, _ := readStored(out)
			return s.lines > had
		})
		if ok {
			return n
		}
	}
	t.Fatal("50 entries written after the drops and none stored")
	return 0
}

// readDropState reads the manifests of a file output's directory.
func readDropState(t *testing.T, dir string) []*chain.Manifest {
	t.Helper()
	a := blobArchive{dirBlobs(dir)}
	var ms []*chain.Manifest
	for _, name := range a.metaNames(t, manifestsRoot) {
		m, err := chain.ParseManifest(a.meta(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ms = append(ms, m)
	}
	return ms
}

// checkSeqCoverage wants the held and skipped sequence numbers of all the
// manifests to cover every number from the lowest to the highest, each
// once.
func checkSeqCoverage(t *testing.T, ms []*chain.Manifest) {
	t.Helper()
	seen := map[uint64]int{}
	lo, hi := ^uint64(0), uint64(0)
	mark := func(from, to uint64) {
		for q := from; q <= to; q++ {
			seen[q]++
		}
		lo, hi = min(lo, from), max(hi, to)
	}
	for _, m := range ms {
		for _, r := range m.Seqs {
			mark(r[0], r[1])
		}
		for _, k := range m.Skipped {
			mark(k.From, k.To)
		}
	}
	var missing, twice []uint64
	for q := lo; q <= hi; q++ {
		switch seen[q] {
		case 0:
			missing = append(missing, q)
		case 1:
		default:
			twice = append(twice, q)
		}
	}
	if len(missing)+len(twice) > 0 {
		t.Errorf("seqs %d-%d: %d in no manifest (e.g. %v), %d in two (e.g. %v)", lo, hi, len(missing), head64(missing), len(twice), head64(twice))
	}
}

// checkDropReasons wants each kind of drop recorded with its reason and
// detail, and the manifests to account for every entry written: stored +
// filtered (one seq each) + dropped (a drop record's seq stands for its
// events) = written.
func checkDropReasons(t *testing.T, ms []*chain.Manifest, stored, written int, fullDrops float64) {
	t.Helper()
	held, counts := 0, map[string]int{}
	for _, m := range ms {
		held += m.Count
		for _, k := range m.Skipped {
			n := int(k.To - k.From + 1)
			if k.Reason == chain.SkipDropped {
				n = k.Events
			}
			counts[k.Reason+" "+k.Detail] += n
		}
	}
	t.Logf("%d written: %d held, skipped %v; drop_newest metric %v", written, held, counts, fullDrops)
	for _, want := range []string{"filtered ", "dropped processor noretire", "dropped buffer full"} {
		if counts[want] == 0 {
			t.Errorf("no skip %q in the manifests: %v", want, counts)
		}
	}
	if float64(counts["dropped buffer full"]) != fullDrops {
		t.Errorf("manifests record %d events dropped as buffer full, the metric counts %v", counts["dropped buffer full"], fullDrops)
	}
	sum := held
	for _, n := range counts {
		sum += n
	}
	if held != stored || sum != written {
		t.Errorf("manifests hold %d events (%d stored) and skip %d: %d, want the %d written", held, stored, sum-held, sum, written)
	}
	if len(counts) != 3 {
		t.Errorf("skip reasons %v, want only filtered, dropped by the processor and dropped as buffer full", counts)
	}
}

func head64(qs []uint64) string {
	if len(qs) > 5 {
		qs = qs[:5]
	}
	return strings.Trim(fmt.Sprint(qs), "[]")
}
