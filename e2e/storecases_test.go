package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The scenarios below run against either store: the S3 and Azure tests
// differ only in how the store and its server are set up.

// testOutage stops the store's private server for 20s while a writer
// appends to the tailed log, then restarts it on the same data dir:
// every entry stored exactly once.
func testOutage(t *testing.T, st objectStore, srv *privateServer) {
	dataDir, log := t.TempDir(), filepath.Join(t.TempDir(), "app.log")
	cfg := config{dataDir: dataDir, input: fileInput(log + "*"),
		outputs: []string{st.output(storeOpts{interval: "300ms"})}}.write(t)
	w := newFileWriter(t, log, 5*time.Millisecond)
	p := start(t, false, "run", "-c", cfg)
	w.start()
	if !waitFor(20*time.Second, func() bool { return len(st.objects(t)) > 0 }) {
		t.Fatal("nothing stored before the outage")
	}
	srv.stop()
	time.Sleep(20 * time.Second)
	srv.restart()
	time.Sleep(time.Second)
	ids := w.stop()
	s, objs := waitObjects(t, st, ids, 60*time.Second)
	p.stop(15 * time.Second)
	t.Logf("%d entries written through the outage: %v", len(ids), s)
	assertExact(t, s, ids)
	checkMetadata(t, objs)
	if lv := checkLog(t, p); lv["warn"]+lv["error"] == 0 {
		t.Error("the outage left no warn or error line in the agent log")
	}
}

// killSetup is an agent tailing a log into st, reached through a gate.
type killSetup struct {
	dataDir, cfg string
	w            *fileWriter
}

func newKillSetup(t *testing.T, st objectStore) killSetup {
	dataDir, log := t.TempDir(), filepath.Join(t.TempDir(), "app.log")
	cfg := config{dataDir: dataDir, input: fileInput(log + "*"),
		outputs: []string{st.output(storeOpts{interval: "200ms"})}}.write(t)
	return killSetup{dataDir: dataDir, cfg: cfg, w: newFileWriter(t, log, time.Millisecond)}
}

// waitJournaled waits for a batch journaled and spooled, not done.
func (k killSetup) waitJournaled(t *testing.T) []journalEntry {
	t.Helper()
	var pending []journalEntry
	if !waitFor(20*time.Second, func() bool {
		pending = undone(readJournal(k.dataDir, "arch"))
		return len(pending) > 0 && len(listDir(k.spoolDir())) > 0
	}) {
		t.Fatalf("no batch journaled and spooled: journal %v", readJournal(k.dataDir, "arch"))
	}
	return pending
}

func (k killSetup) spoolDir() string { return filepath.Join(outputDir(k.dataDir, "arch"), "pending") }

// finish restarts the agent with the store reachable, writes more, and
// wants exact delivery, each batch journaled by the killed run stored at
// its journaled key with its sha256, and one object per batch.
func (k killSetup) finish(t *testing.T, st objectStore, killed []journalEntry) {
	t.Helper()
	p := start(t, false, "run", "-c", k.cfg)
	k.w.writeN(300)
	s, objs := waitObjects(t, st, k.w.ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, s, k.w.ids)
	stored := byKey(objs)
	for _, e := range killed {
		obj, ok := stored[e.Key]
		sum := sha256.Sum256(obj.body)
		if !ok || hex.EncodeToString(sum[:]) != e.SHA256 {
			t.Errorf("batch %s journaled by the killed run: not stored at %s with sha256 %s", e.ID, e.Key, e.SHA256)
		}
	}
	batches := map[string]bool{}
	for _, e := range readJournal(k.dataDir, "arch") {
		batches[e.ID] = true
	}
	if len(objs) != len(batches) {
		t.Errorf("%d objects for %d journaled batches", len(objs), len(batches))
	}
	if !strings.Contains(p.log(), "re-sending a journaled batch") {
		t.Error("the restarted agent did not re-send the killed run's batch")
	}
}

// testKillBeforeUpload: the store unreachable, a batch journaled and
// spooled, kill -9; restarted with the store back, the batch is sent
// once, at its journaled key.
func testKillBeforeUpload(t *testing.T, st objectStore, g *gate) {
	k := newKillSetup(t, st)
	p := start(t, false, "run", "-c", k.cfg)
	k.w.writeN(300)
	killed := k.waitJournaled(t)
	p.kill()
	g.set(gatePass)
	k.finish(t, st, killed)
}

// testKillAfterUpload: the store takes the upload but its reply never
// comes back, so "done" is not journaled; kill -9. The restarted agent
// re-sends the batch, finds it stored with its sha256, and goes on: no
// second object.
func testKillAfterUpload(t *testing.T, st objectStore, g *gate) {
	k := newKillSetup(t, st)
	p := start(t, false, "run", "-c", k.cfg)
	k.w.writeN(300)
	killed := k.waitJournaled(t)
	if !waitFor(20*time.Second, func() bool { return byKey(st.objects(t))[killed[0].Key].key != "" }) {
		t.Fatalf("batch %s never reached the store at %s", killed[0].ID, killed[0].Key)
	}
	p.kill()
	if still := undone(readJournal(k.dataDir, "arch")); len(still) == 0 || still[0].ID != killed[0].ID {
		t.Fatalf("batch %s not pending at the kill: %v", killed[0].ID, still)
	}
	g.set(gatePass)
	k.finish(t, st, killed[:1])
}

// readyz returns the status and body of the agent's /readyz.
func readyz(t *testing.T, addr string) (int, string) {
	t.Helper()
	resp, err := metricsClient.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatalf("readyz: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkHeld wants the output held: data kept (a batch journaled, not
// done, its spool file there) and /readyz not ready naming the output.
func checkHeld(t *testing.T, dataDir, addr string) {
	t.Helper()
	pending := undone(readJournal(dataDir, "arch"))
	if len(pending) == 0 {
		t.Error("no batch pending in the journal: the data was not kept")
	}
	for _, e := range pending {
		if _, err := os.Stat(filepath.Join(outputDir(dataDir, "arch"), "pending", e.Spool)); err != nil {
			t.Errorf("pending batch %s: spool file: %v", e.ID, err)
		}
	}
	if code, body := readyz(t, addr); code != http.StatusServiceUnavailable || !strings.Contains(body, "arch") {
		t.Errorf("/readyz: %d %q, want 503 naming output arch", code, body)
	}
}

// logLine returns the first agent log line holding s.
func logLine(p *proc, s string) string {
	for _, l := range strings.Split(p.log(), "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}
