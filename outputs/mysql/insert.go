package mysql

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/go-sql-driver/mysql"
)

// onDuplicate makes a row already stored (same _id) a no-op.
const onDuplicate = " ON DUPLICATE KEY UPDATE `_id` = `_id`"

// packetSlack is kept free under max_allowed_packet for the protocol.
const packetSlack = 1024

// splitSize is where a statement of several rows is sent and the next
// begun, so the statement buffer stays about this size whatever
// max_allowed_packet is. A row larger than it goes alone.
const splitSize = 1 << 20

// stmtBufs holds statement buffers between batches.
var stmtBufs = sync.Pool{New: func() any { b := make([]byte, 0, splitSize+splitSize/4); return &b }}

func getStmtBuf() *[]byte { return stmtBufs.Get().(*[]byte) }

// putStmtBuf returns a statement buffer to the pool, unless one large row
// grew it far past splitSize.
func putStmtBuf(b *[]byte) {
	if cap(*b) <= 2*splitSize {
		*b = (*b)[:0]
		stmtBufs.Put(b)
	}
}

// inserter writes the rows of one table in multi-row INSERT statements
// it renders itself (the rows' values escaped as literals) and
// sends without arguments, each under the server's max_allowed_packet. A
// row whose _id is stored already is skipped by a no-op ON DUPLICATE KEY
// UPDATE, not by INSERT IGNORE: IGNORE would also turn strict mode's
// errors (a value too long) into warnings and store the value truncated.
type inserter struct {
	tx     *sql.Tx
	limit  int // largest statement without onDuplicate
	split  int
	prefix string

	buf     *[]byte
	rows    int
	present int // rows sent that the server found stored already (0 rows affected)
}

func newInserter(tx *sql.Tx, t *table, packet int, buf *[]byte) *inserter {
	prefix := "INSERT INTO " + quote(t.name) + " (" + columnList(t) + ") VALUES "
	limit := packet - packetSlack - len(onDuplicate)
	return &inserter{tx: tx, limit: limit, split: min(limit, splitSize), prefix: prefix, buf: buf}
}

// errRowTooLarge is a row whose own statement would exceed the server's
// max_allowed_packet: it is rejected without being sent (the server would
// drop the connection).
var errRowTooLarge = errors.New("row larger than the server's max_allowed_packet")

// add queues row r of p, first sending what is queued when r would take
// the statement past split.
func (in *inserter) add(ctx context.Context, p *parsed, r *row) error {
	if in.rows > 0 {
		b := *in.buf
		mark := len(b)
		if b = p.appendTuple(append(b, ", "...), r); len(b) <= in.split {
			*in.buf, in.rows = b, in.rows+1
			return nil
		}
		*in.buf = b[:mark]
		if err := in.flush(ctx); err != nil {
			return err
		}
	}
	b := p.appendTuple(append((*in.buf)[:0], in.prefix...), r)
	if len(b) > in.limit {
		*in.buf = b[:0]
		return errRowTooLarge
	}
	*in.buf, in.rows = b, 1
	return nil
}

// flush sends the queued rows as one statement.
func (in *inserter) flush(ctx context.Context) error {
	if in.rows == 0 {
		return nil
	}
	sent := in.rows
	in.rows = 0
	*in.buf = append(*in.buf, onDuplicate...)
	res, err := in.tx.ExecContext(ctx, string(*in.buf))
	if err != nil {
		return err
	}
	// A new row counts 1, a no-op on a duplicate _id 0 (the driver does
	// not set CLIENT_FOUND_ROWS).
	if n, err := res.RowsAffected(); err == nil && int(n) < sent {
		in.present += sent - int(n)
	}
	return nil
}

// insertOne writes one row in its own statement. A statement that fails
// is rolled back alone (InnoDB statement atomicity): the transaction and
// the rows before it stay.
func (in *inserter) insertOne(ctx context.Context, p *parsed, r *row) error {
	if err := in.add(ctx, p, r); err != nil {
		return err
	}
	return in.flush(ctx)
}

// isRowError reports whether err is about the row's own content: a value
// the column refuses, or a row larger than the server takes (a load's
// warnings are such a value or row, not yet named).
func isRowError(err error) bool {
	return isValueError(err) || errors.Is(err, errRowTooLarge) || errors.Is(err, mysql.ErrPktTooLarge) ||
		errors.Is(err, errLoadWarnings)
}
