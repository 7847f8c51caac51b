package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/testenv"
)

// TestMySQLOutage stops a private MariaDB for 30s while a writer appends
// to the tailed log, then starts it again on the same data: every entry
// stored exactly once, the outage visible as a retry warning in the log
// and as retryable send errors in /metrics, and the output recovered.
func TestMySQLOutage(t *testing.T) {
	t.Parallel()
	m := testenv.StartMariaDB(t)
	d := myServer{user: "root", addr: m.Addr}.database(t, true)
	dataDir, addr, log := t.TempDir(), freeAddr(t), filepath.Join(t.TempDir(), "app.log")
	cfg := config{dataDir: dataDir, metrics: addr, input: fileInput(log + "*"),
		outputs: []string{d.output(myOpts{create: true})}}.write(t)
	w := newFileWriter(t, log, 5*time.Millisecond)
	p := start(t, false, "run", "-c", cfg)
	w.start()
	d.waitRows(t, 1, 20*time.Second, defaultTables...)
	m.Stop()
	time.Sleep(30 * time.Second)
	m.Start()
	time.Sleep(time.Second)
	ids := w.stop()
	d.waitRows(t, len(ids), 60*time.Second, defaultTables...)
	retries := metric(addr, "auditship_output_send_errors_total", `kind="retryable"`)
	p.stop(15 * time.Second)
	rows := d.rows(t, defaultTables...)
	t.Logf("%d entries written through the outage; %v failed writes", len(ids), retries)
	assertExact(t, tallyRows(t, rows), ids)
	checkBatchRows(t, d, len(rows))
	if retries < 1 {
		t.Errorf(`auditship_output_send_errors_total{kind="retryable"} = %v after the outage, want > 0`, retries)
	}
	warn := logLine(p, "output failing; data kept, retrying")
	if !strings.Contains(warn, `"level":"warn"`) {
		t.Errorf("no retry warning in the agent log (got %q)", warn)
	}
	if !strings.Contains(p.log(), "output recovered") {
		t.Error(`no "output recovered" in the agent log`)
	}
	checkMySQLLog(t, p, d)
}
