package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestBurstKill9 is issue 7's scenario. A writer appends 500-line bursts
// of 2 KiB lines (1 MiB: several of the input's 256 KiB read chunks)
// through an O_APPEND descriptor every 250 ms and rotates the log every
// 2,000 lines. The agent is killed with SIGKILL 100-900 ms after each of
// 20 starts and stays down 0-300 ms, so rotations land while it runs and
// while it is down; then one clean run until the store is quiet.
//
// Variants: rename rotation tailed through the rotated names
// (audit.log*); the same through the exact path only (audit.log: a file
// renamed out of the glob while the agent was down must be found again,
// same directory, same fingerprint); copytruncate (audit.log*), with the
// writer idle around copy and truncate, so that nothing it wrote may be
// lost.
//
// Every line must be stored exactly once, by _id and by content (its
// token: a line under two _ids is a duplicate), and no source position
// (key, offset) may have been appended to the buffer twice. A second
// output that always fails pins the buffer, so that every segment is
// still there to read back after the last run.
//
// Seeds 1-3 run by default; E2E_SEED runs that one seed instead, which
// replays a run and is how `make soak` picks random ones.
func TestBurstKill9(t *testing.T) {
	t.Parallel()
	for _, v := range burstVariants {
		for _, seed := range burstSeeds() {
			t.Run(fmt.Sprintf("%s/seed=%d", v.name, seed), func(t *testing.T) {
				t.Parallel()
				runBurst(t, v, seed)
			})
		}
	}
}

type burstVariant struct {
	name      string
	glob      string // appended to the log's path in the input's paths
	copytrunc bool
}

var burstVariants = []burstVariant{
	{name: "rename_glob", glob: "*"},
	{name: "rename_exact"},
	{name: "copytruncate", glob: "*", copytrunc: true},
}

const burstKills = 20

func burstSeeds() []uint64 {
	if v := os.Getenv("E2E_SEED"); v != "" {
		if seed, err := strconv.ParseUint(v, 10, 64); err == nil {
			return []uint64{seed}
		}
	}
	return []uint64{1, 2, 3}
}

func runBurst(t *testing.T, v burstVariant, seed uint64) {
	t.Logf("seed %d (E2E_SEED=%d replays it)", seed, seed)
	rnd := rand.New(rand.NewPCG(seed, 0))
	logPath, out, dataDir := filepath.Join(t.TempDir(), "audit.log"), t.TempDir(), t.TempDir()
	addr := freeAddr(t)
	cfg := config{dataDir: dataDir, shutdown: "3s", metrics: addr, input: fileInput(logPath + v.glob),
		outputs: []string{fileOutputWith("out", out, outOpts{}),
			fileOutputWith("pin", blockedDir(t), outOpts{})}}.write(t)
	w, err := newBurstWriter(logPath, v.copytrunc)
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	w.start()
	for range burstKills {
		p := start(t, false, "run", "-c", cfg)
		if v.glob == "" {
			awaitFirstScan(t, addr)
		}
		time.Sleep(time.Duration(100+rnd.IntN(801)) * time.Millisecond)
		p.kill()
		time.Sleep(time.Duration(rnd.IntN(300)) * time.Millisecond)
	}
	p := start(t, false, "run", "-c", cfg)
	time.Sleep(500 * time.Millisecond)
	want, err := w.stop()
	if err != nil {
		t.Fatalf("writer: %v", err)
	}
	st := newBurstStore(out)
	waitBurstQuiet(t, st, len(want))
	p.stop(30 * time.Second)
	r := checkBurst(t, want, st, dataDir)
	t.Logf("%s seed=%d kills=%d rotations=%d took=%v: %v",
		v.name, seed, burstKills, w.rotations, time.Since(began).Round(time.Second), &r.burstCounts)
	if !r.exact() {
		t.Errorf("not exactly once:\n%v", r)
	}
}

// waitBurstQuiet polls the store until every line is there and nothing
// new came for 2s, or nothing new came for 15s (lines are lost), or 3
// minutes passed.
func waitBurstQuiet(t *testing.T, st *burstStore, written int) {
	t.Helper()
	start, grew := time.Now(), time.Now()
	for time.Since(start) < 3*time.Minute {
		n, err := st.refresh()
		if err != nil {
			t.Fatalf("reading the store: %v", err)
		}
		if n > 0 {
			grew = time.Now()
		}
		quiet := time.Since(grew)
		if (len(st.tokens) >= written && quiet >= 2*time.Second) || quiet >= 15*time.Second {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// checkBurst reads the rest of the store and the buffer back and counts.
func checkBurst(t *testing.T, want []wantLine, st *burstStore, dataDir string) *burstReport {
	t.Helper()
	if _, err := st.refresh(); err != nil {
		t.Fatalf("reading the store: %v", err)
	}
	recs, err := readBufferEvents(filepath.Join(dataDir, "pipelines", "e2e", "buffer"))
	if err != nil {
		t.Fatalf("reading the buffer back: %v", err)
	}
	return analyzeBurst(want, st, recs)
}

// awaitFirstScan waits until the agent has scanned its paths once (it
// holds a file open). With an exact path, a file that lives at the path
// only while no agent has scanned is never seen there and cannot be read
// (README, rotation limits); on a loaded machine a start can take longer
// than the shortest kill delay, so the exact variant starts its kill
// timer here. The other variants keep killing during start-up too.
func awaitFirstScan(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if metric(addr, "auditship_input_file_open_files") >= 1 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Log("the agent held no file open within 10s of its start; killing it anyway")
}
