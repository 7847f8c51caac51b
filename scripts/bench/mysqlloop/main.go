// Command mysqlloop is the mysql bench's helper against one MariaDB or
// MySQL server (-dsn, go-sql-driver form, e.g. root@tcp(127.0.0.1:3307)/):
//
//	mysqlloop -dsn DSN -db D -create [-like SRC]  (re)create database D, with SRC's tables
//	mysqlloop -dsn DSN -db D -stat [-drop]         batches bytes bytes rows, for the runner's -stat
//	mysqlloop -dsn DSN -db D -dump FILE -n N       save N rows of D's default tables to FILE
//	mysqlloop -dsn DSN -db D -load FILE [-per R]   insert them, R rows per INSERT (default 1)
//
// The naive loop (-per 1) inserts the rows the agent stored, column for
// column, one prepared INSERT per row with autocommit on (a commit per
// row): what a hand-written shipper does. With -per 1000 it shows what the
// server takes at best in multi-row INSERTs, one transaction each,
// without the agent. -dump runs first, untimed, so that the timed -load
// does nothing but insert.
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/go-sql-driver/mysql"
)

// tables are the mysql output's default tables.
var tables = []string{"auditship_events", "auditship_integration_events"}

func main() {
	dsn := flag.String("dsn", "", "server DSN (user[:password]@tcp(host:port)/)")
	db := flag.String("db", "", "database")
	create := flag.Bool("create", false, "drop and create the database, then exit")
	settle := flag.Duration("settle", 0, "with -create: then wait up to this long for the server to write its dirty pages")
	like := flag.String("like", "", "with -create: copy the default tables' definitions from this database")
	stat := flag.Bool("stat", false, "print batches, bytes, bytes and rows stored")
	drop := flag.Bool("drop", false, "with -stat: drop the database afterwards")
	dump := flag.String("dump", "", "save rows of the default tables to this file")
	n := flag.Int("n", 20000, "with -dump: rows to save")
	load := flag.String("load", "", "insert the rows of this file, -per rows per INSERT")
	per := flag.Int("per", 1, "with -load: rows per INSERT; 1 is the naive loop (autocommit)")
	flag.Parse()
	h, err := open(*dsn)
	if err == nil && (*db == "" || !ident(*db) || (*like != "" && !ident(*like))) {
		err = fmt.Errorf("-db and -like must be plain names")
	}
	if err == nil {
		switch {
		case *create:
			err = recreate(h, *db, *like)
			if err == nil && *settle > 0 {
				err = settleServer(h, *settle)
			}
		case *stat:
			err = printStat(h, *db, *drop)
		case *dump != "":
			err = dumpRows(h, *db, *dump, *n)
		case *load != "":
			err = loadRows(h, *db, *load, max(*per, 1))
		default:
			err = fmt.Errorf("nothing to do: -create, -stat, -dump or -load")
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mysqlloop:", err)
		os.Exit(1)
	}
}

func open(dsn string) (*sql.DB, error) {
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	c.DBName = ""
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return nil, err
	}
	h := sql.OpenDB(conn)
	h.SetMaxOpenConns(1)
	return h, h.Ping()
}

// ident accepts the names this tool builds statements with.
func ident(s string) bool {
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// settleServer waits until InnoDB has written back all but a few of its
// dirty pages, or d passed: a timed load then starts from a server that is
// not still flushing what the run before it wrote (with a redo log nearly
// full, it would have to flush during the load).
func settleServer(h *sql.DB, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		var name string
		var dirty int64
		if err := h.QueryRow("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'").Scan(&name, &dirty); err != nil {
			return err
		}
		if dirty < 1000 || time.Now().After(deadline) {
			return nil
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func recreate(h *sql.DB, db, like string) error {
	stmts := []string{"DROP DATABASE IF EXISTS " + db, "CREATE DATABASE " + db}
	if like != "" {
		for _, t := range tables {
			stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s.%s LIKE %s.%s", db, t, like, t))
		}
	}
	for _, s := range stmts {
		if _, err := h.Exec(s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// printStat prints what the runner's -stat reads: objects (batch rows, or
// 0 without auditship_batches), stored and raw bytes (the entries with
// their newlines: stored as they are) and events (rows).
func printStat(h *sql.DB, db string, drop bool) error {
	var rows, bytes, batches int64
	for _, t := range tables {
		var n, b sql.NullInt64
		q := fmt.Sprintf("SELECT COUNT(*), SUM(LENGTH(entry) + 1) FROM %s.%s", db, t)
		if err := h.QueryRow(q).Scan(&n, &b); err != nil {
			return err
		}
		rows, bytes = rows+n.Int64, bytes+b.Int64
	}
	// The naive loop's database has no batches table: 0 objects.
	h.QueryRow("SELECT COUNT(*) FROM " + db + ".auditship_batches").Scan(&batches)
	fmt.Println(batches, bytes, bytes, rows)
	if drop {
		_, err := h.Exec("DROP DATABASE " + db)
		return err
	}
	return nil
}
