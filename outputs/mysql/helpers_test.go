package mysql

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/testenv"
	"github.com/auditship/auditship/outputs"
)

// server is the MariaDB scripts/services.sh started.
type server struct {
	dsn   *mysql.Config
	admin *sql.DB
}

func needServer(t *testing.T) *server {
	t.Helper()
	v := testenv.Need(t, "AUDITSHIP_TEST_MYSQL_DSN")
	dsn, err := mysql.ParseDSN(v[0])
	if err != nil {
		t.Fatalf("AUDITSHIP_TEST_MYSQL_DSN: %v", err)
	}
	testenv.Reachable(t, dsn.Addr)
	dsn.DBName = ""
	conn, err := mysql.NewConnector(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin := sql.OpenDB(conn)
	t.Cleanup(func() { admin.Close() })
	return &server{dsn: dsn, admin: admin}
}

// database creates a database of the test's own and drops it after.
func (srv *server) database(t *testing.T) string {
	t.Helper()
	var r [4]byte
	rand.Read(r[:])
	name := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			return c
		}
		return '_'
	}, strings.ToLower(t.Name()))
	name = fmt.Sprintf("t_%.40s_%x", name, r)
	srv.exec(t, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	t.Cleanup(func() { srv.admin.Exec("DROP DATABASE IF EXISTS `" + name + "`") })
	return name
}

func (srv *server) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := srv.admin.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// config is a mysql output config for database on the server.
func (srv *server) config(database string) *Config {
	c := newConfig()
	host, port, _ := net.SplitHostPort(srv.dsn.Addr)
	c.Host, c.Database, c.User, c.Password = host, database, srv.dsn.User, srv.dsn.Passwd
	c.Port, _ = strconv.Atoi(port)
	return c
}

// newTestOutput creates the output of c for pipeline "orders", closed
// after the test.
func newTestOutput(t *testing.T, c *Config) *Output {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	o, err := newOutput(outputs.Settings{Pipeline: "orders", Name: "db"}, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close(context.Background()) })
	return o
}

// envelope is an envelope line with _seq seq and the given source items
// (a JSON object's members, without braces).
func envelope(seq uint64, category, items string) string {
	line := fmt.Sprintf(`{"_id":"id-%d","_seq":%d,"_time":"2024-05-13T08:00:01.1234567Z",`, seq, seq)
	if category != "" {
		line += `"category":"` + category + `",`
	}
	line += fmt.Sprintf(`"_source":{"input":"in","path":"/var/log/engine/audit.log","offset":%d}`, seq*100)
	if items != "" {
		line += "," + items
	}
	return line + "}"
}

// spooled is the batch a journaling sender hands to Write: lines as its
// ndjson body, the first line's seq as its first.
func spooled(lines ...string) *event.Batch {
	body := []byte(strings.Join(lines, "\n") + "\n")
	sum := sha256.Sum256(body)
	e := &event.Event{Envelope: []byte(lines[0])}
	entry.ScanStoredLine(e, e.Envelope)
	first := e.Seq
	entry.ScanStoredLine(e, []byte(lines[len(lines)-1]))
	return &event.Batch{
		Pipeline: "orders", Output: "db", Stream: "s1", ID: fmt.Sprintf("s1-%020d", first),
		FirstSeq: first, LastSeq: e.Seq, Count: len(lines), Key: fmt.Sprintf("s1-%020d", first),
		Format: "ndjson", Compression: "none",
		Body: bytes.NewReader(body), Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:]),
	}
}

// count returns the rows of table in database matching where.
func (srv *server) count(t *testing.T, database, table, where string, args ...any) int {
	t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM `" + database + "`.`" + table + "`"
	if where != "" {
		q += " WHERE " + where
	}
	if err := srv.admin.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// created is an output on a fresh database with its tables created.
func (srv *server) created(t *testing.T, edit func(*Config)) (*Output, string) {
	t.Helper()
	db := srv.database(t)
	c := srv.config(db)
	c.CreateTables = true
	if edit != nil {
		edit(c)
	}
	return newTestOutput(t, c), db
}

// columnsExpr parses a `columns` object written in HCL.
func columnsExpr(src string) hcl.Expression {
	x, diags := hclsyntax.ParseExpression([]byte(src), "columns", hcl.InitialPos)
	if diags.HasErrors() {
		panic(diags.Error())
	}
	return x
}
