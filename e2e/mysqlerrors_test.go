package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMySQLPermanentErrors: a wrong password, a missing database, a
// missing table (create_tables = false) and a user without grants each
// hold the output with a permanent error naming the problem (data kept,
// /readyz not ready, no password in the log); fixed on the server while
// the agent runs, every entry arrives exactly once without a restart
// (permanent_retry_interval 1s).
func TestMySQLPermanentErrors(t *testing.T) {
	t.Parallel()
	srv := sharedMySQL(t)
	cases := []struct {
		name, cause string
		setup       func(t *testing.T, d *myDB, o *myOpts) (fix func())
	}{
		{"wrong password", "check user and password", func(t *testing.T, d *myDB, o *myOpts) func() {
			o.user, o.password, o.create = d.name, uniqueName("pw-wrong-"), true
			d.create(t)
			return func() { d.exec(t, fmt.Sprintf("ALTER USER '%s'@'%%' IDENTIFIED BY '%s'", d.name, o.password)) }
		}},
		{"missing database", "unknown database", func(t *testing.T, d *myDB, o *myOpts) func() {
			o.create = true
			return func() { d.create(t) }
		}},
		{"missing table", "missing table", func(t *testing.T, d *myDB, o *myOpts) func() {
			d.create(t)
			return func() { applyDDL(t, d, config{input: stdinInput(), outputs: []string{d.output(*o)}}.write(t)) }
		}},
		{"no grant", "access denied to the database", func(t *testing.T, d *myDB, o *myOpts) func() {
			o.create = true
			d.create(t)
			d.exec(t, fmt.Sprintf("REVOKE ALL ON `%s`.* FROM '%s'@'%%'", d.name, d.name))
			return func() { d.exec(t, fmt.Sprintf("GRANT ALL ON `%s`.* TO '%s'@'%%'", d.name, d.name)) }
		}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			t.Parallel()
			d := srv.database(t, false)
			var o myOpts
			fix := c.setup(t, d, &o)
			testMySQLHeldThenFixed(t, d, o, c.cause, fix)
		})
	}
}

func testMySQLHeldThenFixed(t *testing.T, d *myDB, o myOpts, cause string, fix func()) {
	dataDir, addr := t.TempDir(), freeAddr(t)
	cfg := config{dataDir: dataDir, metrics: addr, input: stdinInput(), outputs: []string{d.output(o)}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	ids := writeStdin(t, p, newEntryGen(t), &source{}, 500)
	if !waitFor(20*time.Second, func() bool { return logLine(p, "output failing permanently") != "" }) {
		t.Fatal("no permanent error in the agent log")
	}
	line := logLine(p, "output failing permanently")
	t.Logf("logged: %s", line)
	if !strings.Contains(line, cause) || !strings.Contains(line, `"level":"error"`) {
		t.Errorf("the permanent error is not an error saying %q", cause)
	}
	time.Sleep(1500 * time.Millisecond) // a re-probe: still held
	checkHeld(t, dataDir, addr)
	fix()
	rows := d.waitRows(t, len(ids), 20*time.Second, defaultTables...)
	if code, body := readyz(t, addr); code != http.StatusOK {
		t.Errorf("/readyz after the fix: %d %q, want 200", code, body)
	}
	p.stdin.Close()
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	assertExact(t, tallyRows(t, rows), ids)
	if !strings.Contains(p.log(), "output recovered") {
		t.Error(`no "output recovered" in the agent log`)
	}
	checkMySQLLog(t, p, d, o.password)
}
