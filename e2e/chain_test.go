package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The integrity chain end to end (SPEC §6), for each store: the real
// agent tails a log through ~20 kill -9s and a 20s outage of its store,
// then stops gracefully; verify finds the archive intact and counts every
// entry written. Each kind of tampering, done behind the agent's back on a
// fresh copy of that archive, makes verify exit 1 naming the problem, the
// key or row and the sequence numbers (chaintamper_test.go); an inclusion
// proof of a stored event checks offline and fails with any part of it
// altered (chainproof_test.go). E2E_SEED replays a run's kill timings.

func TestChainFile(t *testing.T) {
	t.Parallel()
	testChain(t, newFileChainRig(t))
}

func TestChainS3(t *testing.T) {
	t.Parallel()
	testChain(t, newS3ChainRig(t))
}

func TestChainAzure(t *testing.T) {
	t.Parallel()
	testChain(t, newAzureChainRig(t))
}

func TestChainMySQL(t *testing.T) {
	t.Parallel()
	testChain(t, newMySQLChainRig(t))
}

func testChain(t *testing.T, rig *chainRig) {
	began := time.Now()
	run := runChainFaults(t, rig)
	checkChainIntact(t, run)
	t.Logf("%s: archive built and verified in %v", rig.name, time.Since(began).Round(time.Millisecond))
	if t.Failed() {
		return // tampering with an archive that is not intact proves nothing
	}
	t.Run("tamper", func(t *testing.T) { testTampering(t, run) })
	t.Run("proof", func(t *testing.T) { testProofs(t, run) })
}

// chainRig is one store under the chain tests: the agent's output block
// for it, an outage, what it holds, and copies of it to tamper with.
type chainRig struct {
	name     string
	output   func(attrs string) string // output "arch", with the chain attributes
	down, up func()                    // the outage
	wait     func(t *testing.T, ids []string) stored
	stored   func(t *testing.T) stored
	archive  chainArchive
	copy     func(t *testing.T) chainCopy
	// inline: the manifest is the batch's own row (mysql), so deleting
	// a batch deletes its manifest.
	inline bool
}

// chainCopy is a fresh copy of an archive and the output block reading it.
type chainCopy struct {
	archive chainArchive
	output  func(attrs string) string
}

// chainRun is an archive the agent built, and what the tests know of it.
type chainRun struct {
	rig   *chainRig
	keys  chainKeys
	cfg   string   // the run's config: verify and prove read it
	ids   []string // every entry written, in order
	state chainState
}

// The output is called arch in pipeline e2e (config.write).
const (
	chainOutput   = "arch"
	chainPipeline = "e2e"
	chainKills    = 20
	chainOutage   = 20 * time.Second
)

// runChainFaults runs the agent on the rig's store while a writer appends
// to the tailed log: a first run long enough for a checkpoint, then
// chainKills runs killed 0.5-1s in, the store down for chainOutage from
// the 9th (the 14th run lasts until the store is back, and is killed
// 0.5-1s later), then a last run that is stopped gracefully once every
// entry is stored, about 1s after a periodic checkpoint (so that the
// shutdown checkpoint is the newest by a margin). Every entry is stored
// exactly once.
func runChainFaults(t *testing.T, rig *chainRig) *chainRun {
	t.Helper()
	keys := chainKeygen(t, "e2e-chain")
	log := filepath.Join(t.TempDir(), "app.log")
	cfg := config{dataDir: t.TempDir(), input: fileInput(log + "*"),
		outputs: []string{rig.output(keys.attrs())}}.write(t)
	rnd := seeded(t)
	w := newFileWriter(t, log, 4*time.Millisecond)
	w.start()
	p := start(t, false, "run", "-c", cfg)
	time.Sleep(3 * time.Second) // past the first digest_interval
	p.kill()
	var down time.Time
	for i := range chainKills {
		if i == 8 {
			rig.down()
			down = time.Now()
		}
		p = start(t, false, "run", "-c", cfg)
		time.Sleep(time.Duration(500+rnd.IntN(500)) * time.Millisecond)
		if i == 13 {
			time.Sleep(time.Until(down.Add(chainOutage)))
			rig.up()
			time.Sleep(time.Duration(500+rnd.IntN(500)) * time.Millisecond)
		}
		p.kill()
	}
	p = start(t, false, "run", "-c", cfg)
	time.Sleep(time.Second)
	ids := w.stop()
	rig.wait(t, ids)
	waitNextCheckpoint(t, rig.archive)
	time.Sleep(time.Second)
	p.stop(15 * time.Second)
	s := rig.stored(t)
	t.Logf("%s: %d entries written over %d kills and a %v outage: %v", rig.name, len(ids), chainKills+1, chainOutage, s)
	assertExact(t, s, ids)
	return &chainRun{rig: rig, keys: keys, cfg: cfg, ids: ids, state: readChainState(t, rig.archive)}
}

// waitNextCheckpoint waits for a checkpoint newer than those stored now.
func waitNextCheckpoint(t *testing.T, a chainArchive) {
	t.Helper()
	n := len(a.metaNames(t, checkpointsRoot))
	if !waitFor(10*time.Second, func() bool { return len(a.metaNames(t, checkpointsRoot)) > n }) {
		t.Fatalf("no new checkpoint within 10s (digest_interval 2s); %d stored", n)
	}
}

// checkChainIntact runs verify as an operator would (a summary line, exit
// 0), then with --json: every entry written counted, no problem, the
// checkpoints written during the run signed by the key given. --max-age
// is 10m: the default, 2 × digest_interval = 4s, would rightly call the
// archive stale a few seconds after the agent stopped.
func checkChainIntact(t *testing.T, run *chainRun) {
	t.Helper()
	out, stderr, code := runOnce(t, "verify", "-c", run.cfg, "--output", chainOutput,
		"--public-key", run.keys.pub, "--max-age", "10m")
	if code != 0 {
		t.Fatalf("verify of the intact archive: exit %d, want 0\n%s%s", code, out, stderr)
	}
	t.Logf("verify: %s", strings.TrimSpace(out))
	for _, want := range []string{"intact: ", fmt.Sprintf(" %d events,", len(run.ids)), "checkpoints signed by the public key"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify summary %q does not say %q", strings.TrimSpace(out), want)
		}
	}
	_, r := chainVerify(t, run.cfg, run.keys.pub, "10m")
	if r.Events != int64(len(run.ids)) || r.Streams != 1 || len(r.Problems) > 0 {
		t.Errorf("verify --json: %d events in %d streams, %d problems; want %d events in 1 stream, none\n%s",
			r.Events, r.Streams, len(r.Problems), len(run.ids), problemList(r))
	}
	if !r.Signed || !r.SignaturesChecked || r.Checkpoints < 4 {
		t.Errorf("verify --json: %d checkpoints, signed %v, checked %v; want more than 3 (digest_interval 2s), signed and checked",
			r.Checkpoints, r.Signed, r.SignaturesChecked)
	}
	if got := len(run.state.manifests); int64(got) != r.Batches {
		t.Errorf("%d manifests stored, verify read %d batches", got, r.Batches)
	}
}
