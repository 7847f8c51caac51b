package mysql

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// onDuplicate makes a row already stored (same _id) a no-op.
const onDuplicate = " ON DUPLICATE KEY UPDATE `_id` = `_id`"

// packetSlack is kept free under max_allowed_packet for the protocol.
const packetSlack = 1024

// inserter writes the rows of one table in multi-row INSERT statements,
// each under the server's max_allowed_packet. A row whose _id is stored
// already is skipped by a no-op ON DUPLICATE KEY UPDATE, not by INSERT
// IGNORE: IGNORE would also turn strict mode's errors (a value too long)
// into warnings and store the value truncated.
type inserter struct {
	tx     *sql.Tx
	t      *table
	limit  int
	prefix string

	sql  strings.Builder
	args []any
	size int
}

func newInserter(tx *sql.Tx, t *table, packet int) *inserter {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = quote(c.name)
	}
	prefix := "INSERT INTO " + quote(t.name) + " (" + strings.Join(names, ", ") + ") VALUES "
	return &inserter{tx: tx, t: t, limit: packet - packetSlack - len(onDuplicate), prefix: prefix}
}

// errRowTooLarge is a row whose own statement would exceed the server's
// max_allowed_packet: it is rejected without being sent (the server would
// drop the connection).
var errRowTooLarge = errors.New("row larger than the server's max_allowed_packet")

// add queues r, first sending what is queued when r would not fit.
func (in *inserter) add(ctx context.Context, r *row) error {
	n := rowSize(r.vals)
	if len(in.prefix)+n > in.limit {
		return errRowTooLarge
	}
	if len(in.args) > 0 && in.size+n > in.limit {
		if err := in.flush(ctx); err != nil {
			return err
		}
	}
	if len(in.args) == 0 {
		in.sql.Reset()
		in.sql.WriteString(in.prefix)
		in.size = len(in.prefix)
	} else {
		in.sql.WriteString(", ")
	}
	in.sql.WriteString(placeholders(len(r.vals)))
	in.args = append(in.args, r.vals...)
	in.size += n
	return nil
}

// flush sends the queued rows as one statement.
func (in *inserter) flush(ctx context.Context) error {
	if len(in.args) == 0 {
		return nil
	}
	in.sql.WriteString(onDuplicate)
	_, err := in.tx.ExecContext(ctx, in.sql.String(), in.args...)
	in.args = in.args[:0]
	return err
}

// rowSize bounds a row's share of the statement the driver interpolates:
// each string quoted with its escapes, separators, the row's parentheses.
func rowSize(vals []any) int {
	n := 4
	for _, v := range vals {
		if s, ok := v.(string); ok {
			n += len(s) + escapes(s) + 4
		} else {
			n += 24
		}
	}
	return n
}

// escapes counts the bytes the driver backslash-escapes in a string.
func escapes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0, '\n', '\r', '\x1a', '\'', '"', '\\':
			n++
		}
	}
	return n
}

func placeholders(n int) string {
	return "(" + strings.Repeat("?, ", n-1) + "?)"
}

// insertOne writes one row in its own statement. A statement that fails
// is rolled back alone (InnoDB statement atomicity): the transaction and
// the rows before it stay.
func insertOne(ctx context.Context, tx *sql.Tx, t *table, r *row, packet int) error {
	in := newInserter(tx, t, packet)
	if err := in.add(ctx, r); err != nil {
		return err
	}
	return in.flush(ctx)
}

// isRowError reports whether err is about the row's own content: a value
// the column refuses, or a row larger than the server takes.
func isRowError(err error) bool {
	return isValueError(err) || errors.Is(err, errRowTooLarge) || errors.Is(err, mysql.ErrPktTooLarge)
}
