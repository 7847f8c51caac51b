package main

import (
	"database/sql"
	"encoding/gob"
	"fmt"
	"os"
	"strings"
)

// rowSet is rows of one table, every value as the server's text (or
// NULL), which the server converts back on insert.
type rowSet struct {
	Table   string
	Columns []string
	Rows    [][]sql.NullString
}

// dumpRows saves up to n rows of db's default tables to path.
func dumpRows(h *sql.DB, db, path string, n int) error {
	var sets []rowSet
	for _, t := range tables {
		s, err := readTable(h, db, t, n)
		if err != nil {
			return err
		}
		n -= len(s.Rows)
		sets = append(sets, s)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(sets); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readTable(h *sql.DB, db, table string, n int) (rowSet, error) {
	s := rowSet{Table: table}
	rs, err := h.Query(fmt.Sprintf("SELECT * FROM %s.%s ORDER BY _seq LIMIT %d", db, table, max(n, 0)))
	if err != nil {
		return s, err
	}
	defer rs.Close()
	if s.Columns, err = rs.Columns(); err != nil {
		return s, err
	}
	for rs.Next() {
		row := make([]sql.NullString, len(s.Columns))
		ptrs := make([]any, len(row))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return s, err
		}
		s.Rows = append(s.Rows, row)
	}
	return s, rs.Err()
}

// loadRows inserts every saved row into db: with per 1, one prepared
// INSERT per row, autocommit (the naive loop the bench compares the agent
// with); else multi-row INSERTs of per rows, each its own transaction
// (what the server can take at best, without the agent).
func loadRows(h *sql.DB, db, path string, per int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	var sets []rowSet
	err = gob.NewDecoder(f).Decode(&sets)
	f.Close()
	if err != nil {
		return err
	}
	for _, s := range sets {
		if err := insertEach(h, db, s, per); err != nil {
			return err
		}
	}
	return nil
}

func insertEach(h *sql.DB, db string, s rowSet, per int) error {
	for len(s.Rows) > 0 {
		n := min(per, len(s.Rows))
		if err := insertRows(h, db, s.Table, s.Columns, s.Rows[:n]); err != nil {
			return err
		}
		s.Rows = s.Rows[n:]
	}
	return nil
}

// insertRows inserts rows with one statement, prepared once per shape
// (database/sql caches nothing: one row at a time, every statement is the
// same and is prepared once).
func insertRows(h *sql.DB, db, table string, cols []string, rows [][]sql.NullString) error {
	one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	q := fmt.Sprintf("INSERT INTO %s.%s (`%s`) VALUES %s%s", db, table,
		strings.Join(cols, "`, `"), one, strings.Repeat(", "+one, len(rows)-1))
	stmt, err := prepared(h, q)
	if err != nil {
		return err
	}
	args := make([]any, 0, len(rows)*len(cols))
	for _, row := range rows {
		for _, v := range row {
			args = append(args, v)
		}
	}
	if _, err := stmt.Exec(args...); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

var stmts = map[string]*sql.Stmt{}

func prepared(h *sql.DB, q string) (*sql.Stmt, error) {
	if s, ok := stmts[q]; ok {
		return s, nil
	}
	s, err := h.Prepare(q)
	if err == nil {
		stmts[q] = s
	}
	return s, err
}
