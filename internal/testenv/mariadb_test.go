package testenv

import (
	"database/sql"
	"net"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

// run runs statements at m's DSN with database/sql, on a connection of its
// own: a pool from before a restart holds dead connections.
func run(t *testing.T, m *MariaDB, stmts ...string) {
	t.Helper()
	db := open(t, m)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func open(t *testing.T, m *MariaDB) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", m.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func selectX(t *testing.T, m *MariaDB) int {
	t.Helper()
	var x int
	if err := open(t, m).QueryRow("SELECT x FROM t").Scan(&x); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestPrivateMariaDBStopsAndStartsAgain: the private instance takes
// connections at its DSN, refuses them while stopped, and keeps its data
// across a clean stop and a kill.
func TestPrivateMariaDBStopsAndStartsAgain(t *testing.T) {
	m := StartMariaDB(t)
	run(t, m, "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (42)")
	m.Stop()
	if c, err := net.DialTimeout("tcp", m.Addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the stopped server still accepts connections")
	}
	if err := open(t, m).Ping(); err == nil {
		t.Fatal("a ping reached the stopped server")
	}
	m.Start()
	if got := selectX(t, m); got != 42 {
		t.Fatalf("after a restart: %d, want 42", got)
	}
	m.Kill()
	m.Start()
	if got := selectX(t, m); got != 42 {
		t.Fatalf("after a kill and a restart: %d, want 42", got)
	}
}
