package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// heldSetup is an agent reading stdin into st, with /readyz on addr.
type heldSetup struct {
	dataDir, addr string
	p             *proc
	ids           []string
}

func startHeld(t *testing.T, st objectStore, n int) *heldSetup {
	t.Helper()
	h := &heldSetup{dataDir: t.TempDir(), addr: freeAddr(t)}
	cfg := config{dataDir: h.dataDir, metrics: h.addr, input: stdinInput(),
		outputs: []string{st.output(storeOpts{interval: "200ms"})}}.write(t)
	h.p = start(t, true, "run", "-c", cfg)
	h.ids = writeStdin(t, h.p, newEntryGen(t), &source{}, n)
	return h
}

// waitLog waits for a log line holding s, and wants it at level error.
func (h *heldSetup) waitLog(t *testing.T, s string) string {
	t.Helper()
	if !waitFor(20*time.Second, func() bool { return logLine(h.p, s) != "" }) {
		t.Fatalf("no %q in the agent log", s)
	}
	line := logLine(h.p, s)
	if !strings.Contains(line, `"level":"error"`) {
		t.Errorf("not an error: %s", line)
	}
	return line
}

// testKeyConflict pre-creates another object at the key of the first
// batch (journaled while the store was unreachable): a loud key conflict,
// the output held, the data and the other object kept.
func testKeyConflict(t *testing.T, st objectStore, g *gate) {
	h := startHeld(t, st, 50)
	var pending []journalEntry
	if !waitFor(20*time.Second, func() bool { pending = undone(readJournal(h.dataDir, "arch")); return len(pending) > 0 }) {
		t.Fatal("no batch journaled")
	}
	theirs := []byte("an object auditship did not write\n")
	st.put(t, pending[0].Key, theirs)
	g.set(gatePass)
	line := h.waitLog(t, "key conflict")
	t.Logf("conflict logged: %s", line)
	if !strings.Contains(line, pending[0].Key) {
		t.Errorf("the key conflict does not name the key %s", pending[0].Key)
	}
	time.Sleep(time.Second) // a re-probe or two
	checkHeld(t, h.dataDir, h.addr)
	if got := byKey(st.objects(t))[pending[0].Key].body; !bytes.Equal(got, theirs) {
		t.Errorf("the object at %s was replaced: %.100q", pending[0].Key, got)
	}
	checkLog(t, h.p)
}

// testBadCredentials: a store refusing the agent's credentials holds the
// output with a permanent error naming the cause, never a secret.
func testBadCredentials(t *testing.T, st objectStore, cause string, secrets ...string) {
	t.Helper()
	h := startHeld(t, st, 50)
	line := h.waitLog(t, "output failing permanently")
	t.Logf("logged: %s", line)
	if !strings.Contains(line, cause) {
		t.Errorf("the permanent error does not say %q", cause)
	}
	for _, secret := range secrets {
		if strings.Contains(h.p.log(), secret) {
			t.Errorf("secret %q is in the agent log", secret)
		}
	}
	checkHeld(t, h.dataDir, h.addr)
	if n := len(st.objects(t)); n != 0 {
		t.Errorf("%d objects stored with bad credentials", n)
	}
	checkLog(t, h.p)
}

// testMissingThenCreated: a missing bucket or container holds the output
// (permanent); once created while the agent runs, everything is stored
// exactly once without a restart (permanent_retry_interval 2s).
func testMissingThenCreated(t *testing.T, st objectStore, create func(), cause string) {
	h := startHeld(t, st, 500)
	line := h.waitLog(t, "output failing permanently")
	t.Logf("logged: %s", line)
	if !strings.Contains(line, cause) {
		t.Errorf("the permanent error does not say %q", cause)
	}
	checkHeld(t, h.dataDir, h.addr)
	create()
	s, _ := waitObjects(t, st, h.ids, 20*time.Second)
	if code, body := readyz(t, h.addr); code != http.StatusOK {
		t.Errorf("/readyz after recovery: %d %q, want 200", code, body)
	}
	h.p.stdin.Close()
	if code := h.p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	assertExact(t, s, h.ids)
	if !strings.Contains(h.p.log(), "output recovered") {
		t.Error(`no "output recovered" in the agent log`)
	}
	checkLog(t, h.p)
}
