package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestConfigChangeWithJournaledBatchPending: batches journaled and spooled
// while the output was down are re-sent after a config change exactly as
// journaled (original key, bytes and sha256); later batches follow the new
// name template and compression (SPEC §2, §6).
func TestConfigChangeWithJournaledBatchPending(t *testing.T) {
	t.Parallel()
	out, dataDir := blockedDir(t), t.TempDir()
	log := filepath.Join(t.TempDir(), "app.log")
	c := config{dataDir: dataDir, shutdown: "1s", input: fileInput(log + "*"),
		outputs: []string{fileOutputWith("out", out, outOpts{})}}
	w := newFileWriter(t, log, time.Millisecond)
	p := start(t, false, "run", "-c", c.write(t))
	w.writeN(200)
	pending := filepath.Join(outputDir(dataDir, "out"), "pending")
	if !waitFor(20*time.Second, func() bool {
		return len(undone(readJournal(dataDir, "out"))) > 0 && len(listDir(pending)) > 0
	}) {
		t.Fatalf("no batch journaled and spooled: journal %v, pending/ %v", readJournal(dataDir, "out"), listDir(pending))
	}
	p.stop(15 * time.Second)
	old := undone(readJournal(dataDir, "out"))
	t.Logf("%d batches journaled, not written, at the config change", len(old))
	spooled := map[string][]byte{} // by key: the bytes each journaled batch must be stored with
	for _, e := range old {
		b, err := os.ReadFile(filepath.Join(pending, e.Spool))
		if err != nil {
			t.Fatalf("spool of journaled batch %s: %v", e.ID, err)
		}
		spooled[e.Key] = b
	}

	c.outputs = []string{fileOutputWith("out", out, outOpts{
		extra: `name = "{{ pipeline }}/v2/{{ batch_id }}"` + "\n    compression = \"gzip\""})}
	unblock(t, out)
	p = start(t, false, "run", "-c", c.write(t))
	w.writeN(200)
	st := waitStored(t, out, w.ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, w.ids)
	checkJournaledKeys(t, out, old, spooled)
}

// checkJournaledKeys wants each journaled batch stored at its key with its
// spooled bytes (and its sha256, when journaled with one: an uncompressed
// ndjson file batch with a chain has none), and every other file named by
// the new config.
func checkJournaledKeys(t *testing.T, out string, journaled []journalEntry, spooled map[string][]byte) {
	t.Helper()
	keys := map[string]bool{}
	for _, e := range journaled {
		keys[e.Key] = true
		b, err := os.ReadFile(filepath.Join(out, e.Key))
		if err != nil {
			t.Errorf("journaled batch %s: %v", e.ID, err)
			continue
		}
		if !bytes.Equal(b, spooled[e.Key]) {
			t.Errorf("%s: %d bytes, not the %d spooled before the change", e.Key, len(b), len(spooled[e.Key]))
		}
		if sum := sha256.Sum256(b); e.SHA256 != "" && hex.EncodeToString(sum[:]) != e.SHA256 {
			t.Errorf("%s: sha256 %x, journaled %s", e.Key, sum, e.SHA256)
		}
	}
	newFiles := 0
	filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		key, _ := filepath.Rel(out, path)
		if strings.HasPrefix(key, chainPrefix) { // the chain's manifests and checkpoints
			return nil
		}
		switch {
		case keys[key]:
		case strings.HasPrefix(key, "e2e/v2/") && strings.HasSuffix(key, ".ndjson.gz"):
			newFiles++
		default:
			t.Errorf("stored %s: neither journaled before the change nor named by the new config", key)
		}
		return nil
	})
	if newFiles == 0 {
		t.Error("no batch written with the new config")
	}
}
