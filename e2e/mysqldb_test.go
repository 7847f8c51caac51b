package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// The default tables of the mysql output (SPEC §5).
const (
	eventsTable      = "auditship_events"
	integrationTable = "auditship_integration_events"
	batchesTable     = "auditship_batches"
)

var defaultTables = []string{eventsTable, integrationTable}

// open connects to database db (none: "") of the server as its root user.
func (s myServer) open(t *testing.T, db string) *sql.DB {
	t.Helper()
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = s.user, s.password, "tcp", s.addr, db
	c.Timeout = 5 * time.Second
	conn, err := mysql.NewConnector(c)
	if err != nil {
		t.Fatal(err)
	}
	h := sql.OpenDB(conn)
	t.Cleanup(func() { h.Close() })
	return h
}

// myDB is a database of one test, named e2e_<random>, dropped at the end
// unless the test failed (kept to look at), and a user of the same name
// with every privilege on it and a random password, which the agent logs
// in as: checkMySQLLog wants that password in no log line.
type myDB struct {
	srv      myServer
	name     string
	password string
	root     *sql.DB // the server as root, no default database
}

// database names a fresh database and makes its user; create makes the
// database now.
func (s myServer) database(t *testing.T, create bool) *myDB {
	t.Helper()
	d := &myDB{srv: s, name: uniqueName("e2e_"), password: uniqueName("pw-secret-"), root: s.open(t, "")}
	d.exec(t, fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", d.name, d.password),
		fmt.Sprintf("GRANT ALL ON `%s`.* TO '%s'@'%%'", d.name, d.name))
	if create {
		d.create(t)
	}
	t.Cleanup(func() {
		d.root.Exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", d.name))
		if !t.Failed() {
			d.root.Exec("DROP DATABASE IF EXISTS " + d.name)
		}
	})
	return d
}

func (d *myDB) create(t *testing.T) {
	t.Helper()
	d.exec(t, "CREATE DATABASE "+d.name)
}

// exec runs statements as root, failing the test on an error.
func (d *myDB) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.root.Exec(s); err != nil {
			t.Fatalf("%s: %v", firstLine(s), err)
		}
	}
}

// count returns the single integer a query over the database answers.
func (d *myDB) count(t *testing.T, query string) int {
	t.Helper()
	var n sql.NullInt64
	if err := d.root.QueryRow(strings.ReplaceAll(query, "DB.", d.name+".")).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return int(n.Int64)
}

// tryCount is count for polling: -1 while the query fails (no table yet).
func (d *myDB) tryCount(query string) int {
	var n sql.NullInt64
	if err := d.root.QueryRow(strings.ReplaceAll(query, "DB.", d.name+".")).Scan(&n); err != nil {
		return -1
	}
	return int(n.Int64)
}

// myOpts shape an output "mysql" block of a test.
type myOpts struct {
	name     string // output name; "": "arch"
	addr     string // host:port the agent dials; "": the server's
	user     string // "": the database's own user
	password string // with user; else the user's password
	create   bool   // create_tables
	events   int    // batch max_events; 0: 1000
	interval string // batch interval; "": "200ms"
	extra    string // more attributes and blocks (table blocks)
}

// output is the block for the agent: fast retries and a 1s
// permanent_retry_interval, so that tests see recoveries quickly.
func (d *myDB) output(o myOpts) string {
	name, addr, user, password := o.name, o.addr, o.user, o.password
	if name == "" {
		name = "arch"
	}
	if addr == "" {
		addr = d.srv.addr
	}
	if user == "" {
		user, password = d.name, d.password
	}
	events, interval := o.events, o.interval
	if events == 0 {
		events = 1000
	}
	if interval == "" {
		interval = "200ms"
	}
	host, port, _ := strings.Cut(addr, ":")
	return fmt.Sprintf(`  output "mysql" %q {
    host          = %q
    port          = %s
    database      = %q
    user          = %q
    password      = %q
    create_tables = %t
    permanent_retry_interval = "1s"
    batch {
      max_events = %d
      interval   = %q
    }
    retry {
      initial_interval = "50ms"
      max_interval     = "1s"
    }
%s  }
`, name, host, port, d.name, user, password, o.create, events, interval, o.extra)
}

// myRow is one stored event, with a few keys of its entry.
type myRow struct {
	table, id, entry string
	env              struct {
		ID        string `json:"_id"`
		Category  string `json:"category"`
		Timestamp string `json:"timestamp"`
	}
}

// rows reads every row of the given tables, decoding each entry once.
func (d *myDB) rows(t *testing.T, tables ...string) []myRow {
	t.Helper()
	var out []myRow
	for _, tb := range tables {
		rs, err := d.root.Query(fmt.Sprintf("SELECT `_id`, `entry` FROM %s.%s", d.name, tb))
		if err != nil {
			t.Fatalf("read %s: %v", tb, err)
		}
		for rs.Next() {
			r := myRow{table: tb}
			if err := rs.Scan(&r.id, &r.entry); err != nil {
				t.Fatalf("read %s: %v", tb, err)
			}
			if err := json.Unmarshal([]byte(r.entry), &r.env); err != nil {
				t.Errorf("%s row %s: entry %.80q: %v", tb, r.id, r.entry, err)
			}
			out = append(out, r)
		}
		if err := rs.Close(); err != nil {
			t.Fatalf("read %s: %v", tb, err)
		}
	}
	return out
}

// tally counts rows by _id like readStored counts lines; it also wants the
// _id column to be the _id of the entry.
func tallyRows(t *testing.T, rows []myRow) stored {
	t.Helper()
	s := stored{ids: map[string]int{}, files: 1}
	for _, r := range rows {
		if r.env.ID != r.id {
			t.Errorf("%s row %s: entry %.80q has _id %q", r.table, r.id, r.entry, r.env.ID)
		}
		s.lines++
		s.ids[r.id]++
	}
	return s
}

// waitRows polls the tables until they hold at least n rows, then reads
// them; it fails the test after d.
func (d *myDB) waitRows(t *testing.T, n int, wait time.Duration, tables ...string) []myRow {
	t.Helper()
	q := make([]string, len(tables))
	for i, tb := range tables {
		q[i] = "(SELECT COUNT(*) FROM DB." + tb + ")"
	}
	sum := "SELECT " + strings.Join(q, " + ")
	got := 0
	if !waitFor(wait, func() bool { got = d.tryCount(sum); return got >= n }) {
		t.Fatalf("after %v: %d rows in %v, want %d", wait, got, tables, n)
	}
	return d.rows(t, tables...)
}

// checkMySQLLog is checkLog, and wants none of the passwords (the
// database user's, and any other given) in any line of the agent's log.
func checkMySQLLog(t *testing.T, p *proc, d *myDB, secrets ...string) map[string]int {
	t.Helper()
	checkNoPassword(t, p, d, secrets...)
	return checkLog(t, p)
}

// checkNoPassword wants none of the passwords in the agent's log, for a
// run killed mid-line too.
func checkNoPassword(t *testing.T, p *proc, d *myDB, secrets ...string) {
	t.Helper()
	log := p.log()
	for _, s := range append(secrets, d.password) {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("password %q is in the agent log: %s", s, logLine(p, s))
		}
	}
}
