package main

import (
	"database/sql"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// chunk is up to chunkRows rows of one table, every value as the server's
// text (or NULL), which the server converts back on insert. A dump file is
// a gob stream of chunks, so neither side holds more than one in memory.
type chunk struct {
	Table   string
	Columns []string
	Rows    [][]sql.NullString
}

const chunkRows = 1000

// dumpRows saves up to n rows of db's default tables to path.
func dumpRows(h *sql.DB, db, path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := gob.NewEncoder(f)
	for _, t := range tables {
		var got int
		if got, err = dumpTable(h, enc, db, t, n); err != nil {
			break
		}
		n -= got
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func dumpTable(h *sql.DB, enc *gob.Encoder, db, table string, n int) (int, error) {
	rs, err := h.Query(fmt.Sprintf("SELECT * FROM %s.%s ORDER BY _seq LIMIT %d", db, table, max(n, 0)))
	if err != nil {
		return 0, err
	}
	defer rs.Close()
	c := chunk{Table: table}
	if c.Columns, err = rs.Columns(); err != nil {
		return 0, err
	}
	rows := 0
	for rs.Next() {
		row := make([]sql.NullString, len(c.Columns))
		ptrs := make([]any, len(row))
		for i := range row {
			ptrs[i] = &row[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return rows, err
		}
		c.Rows, rows = append(c.Rows, row), rows+1
		if len(c.Rows) == chunkRows {
			if err := enc.Encode(c); err != nil {
				return rows, err
			}
			c.Rows = c.Rows[:0]
		}
	}
	if len(c.Rows) > 0 {
		err = enc.Encode(c)
	}
	if err == nil {
		err = rs.Err()
	}
	return rows, err
}

// loadRows inserts every saved row into db: with per 1, one prepared
// INSERT per row, autocommit (the naive loop the bench compares the agent
// with); else multi-row INSERTs of up to per rows (at most a chunk), each
// its own transaction (what the server can take at best, without the
// agent).
func loadRows(h *sql.DB, db, path string, per int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := gob.NewDecoder(f)
	for {
		var c chunk
		err := dec.Decode(&c)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		for rows := c.Rows; len(rows) > 0; {
			n := min(per, len(rows))
			if err := insertRows(h, db, c.Table, c.Columns, rows[:n]); err != nil {
				return err
			}
			rows = rows[n:]
		}
	}
}

// insertRows inserts rows with one statement, prepared once per shape: one
// row at a time, every statement is the same one.
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
