package testenv

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// query runs statements in database test through the mariadb client, as
// root over TCP: what the DSN promises.
func query(t *testing.T, m *MariaDB, sql string) string {
	t.Helper()
	client, err := exec.LookPath("mariadb")
	if err != nil {
		missing(t, "no mariadb client; run scripts/services.sh start")
	}
	host, port, _ := net.SplitHostPort(m.Addr)
	out, err := exec.Command(client, "--no-defaults", "--protocol=TCP", "-h", host, "-P", port,
		"-uroot", "-N", "-B", "-e", sql, "test").CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", sql, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestPrivateMariaDBStopsAndStartsAgain: the private instance takes
// connections at its DSN's address, refuses them while stopped, and keeps
// its data across a clean stop and a kill.
func TestPrivateMariaDBStopsAndStartsAgain(t *testing.T) {
	m := StartMariaDB(t)
	if m.DSN != "root@tcp("+m.Addr+")/test" {
		t.Fatalf("DSN %q does not name %s and database test", m.DSN, m.Addr)
	}
	query(t, m, "CREATE TABLE t (x INT); INSERT INTO t VALUES (42)")
	m.Stop()
	if c, err := net.DialTimeout("tcp", m.Addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the stopped server still accepts connections")
	}
	m.Start()
	if got := query(t, m, "SELECT x FROM t"); got != "42" {
		t.Fatalf("after a restart: %q, want 42", got)
	}
	m.Kill()
	m.Start()
	if got := query(t, m, "SELECT x FROM t"); got != "42" {
		t.Fatalf("after a kill and a restart: %q, want 42", got)
	}
}
