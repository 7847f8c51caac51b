package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
	"go.uber.org/zap"
)

// A batch's rows go to each table in one LOAD DATA LOCAL INFILE, streamed
// from the driver's reader handler while they are rendered: the server
// parses LOAD DATA text for about 30% less CPU per row than multi-row
// INSERTs of the same rows (27.6 against 38.8 µs per row of the default
// tables on the dev machine's MariaDB), and it parses while the next rows
// are rendered. Two things of LOCAL are made safe here:
//   - The server turns strict mode's errors into warnings (a value too
//     long is stored truncated) and skips duplicate keys with a warning.
//     So after each load the warnings are read: any but a duplicate _id
//     (1062) rolls the batch's transaction back, and the batch goes again
//     through INSERT, whose errors name the rows (errLoadWarnings is a row
//     error, see isRowError).
//   - A server that does not take LOCAL (MySQL 8 ships local_infile=OFF)
//     refuses it: the output then uses INSERT from that batch on, and says
//     so once in its log.

// errLoadWarnings: a load left warnings other than duplicate keys.
var errLoadWarnings = errors.New("LOAD DATA left warnings other than duplicate keys")

// errLoadRefused: the server does not take LOAD DATA LOCAL.
var errLoadRefused = errors.New("the server refuses LOAD DATA LOCAL INFILE")

// loadRefusedCodes are the errors of a server (or client) that does not
// allow LOCAL: ER_NOT_ALLOWED_COMMAND, ER_CLIENT_LOCAL_FILES_DISABLED,
// MariaDB's ER_LOAD_INFILE_CAPABILITY_DISABLED.
var loadRefusedCodes = map[uint16]bool{1148: true, 3948: true, 4166: true}

// duplicateKey is ER_DUP_ENTRY: a row whose _id is stored already.
const duplicateKey = 1062

// loads names the reader handlers, which the driver keeps in a registry
// of its process.
var loads atomic.Uint64

// useLoad reports whether batches go by LOAD DATA.
func (o *Output) useLoad() bool { return !o.noLoad.Load() }

// refuseLoad turns LOAD DATA off for this output, logging why once.
func (o *Output) refuseLoad(err error) {
	if !o.noLoad.Swap(true) {
		o.log.Warn("mysql: the server refuses LOAD DATA LOCAL INFILE (local_infile); batches go by INSERT from now on",
			zap.String("server", o.where), zap.Error(scrub(err, o.password)))
	}
}

// load writes the rows of table ti of p (rendered as LOAD DATA text) and
// returns how many were stored already (a duplicate _id).
func (o *Output) load(ctx context.Context, tx *sql.Tx, t *table, ti int, p *parsed, packet int) (present int, err error) {
	if len(p.rest) == 0 && !slices.ContainsFunc(p.rows, func(r row) bool { return r.table == ti }) {
		return 0, nil
	}
	name := "auditship-" + strconv.FormatUint(loads.Add(1), 10)
	rd := &rowReader{p: p, table: ti, limit: packet - packetSlack}
	mysql.RegisterReaderHandler(name, func() io.Reader { return rd })
	defer mysql.DeregisterReaderHandler(name)
	res, err := tx.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+name+"' INTO TABLE "+quote(t.name)+
		` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n' (`+columnList(t)+")")
	if err != nil {
		if loadRefusedCodes[code(err)] {
			o.refuseLoad(err)
			return 0, errLoadRefused
		}
		return 0, err
	}
	if rd.tooLarge {
		return 0, errRowTooLarge // INSERT rejects it alone
	}
	if err := onlyDuplicates(ctx, tx); err != nil {
		return 0, err
	}
	o.loaded.Add(1)
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return rd.sent - int(n), nil
}

// onlyDuplicates returns errLoadWarnings unless every warning of the last
// statement is a duplicate key (or there is none). Warnings past what the
// server lists (max_error_count) count as not duplicates.
func onlyDuplicates(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SHOW COUNT(*) WARNINGS").Scan(&n); err != nil || n == 0 {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SHOW WARNINGS")
	if err != nil {
		return err
	}
	defer rows.Close()
	dup, first := 0, ""
	for rows.Next() {
		var level, msg string
		var c uint16
		if err := rows.Scan(&level, &c, &msg); err != nil {
			return err
		}
		if c == duplicateKey {
			dup++
		} else if first == "" {
			first = fmt.Sprintf("%s %d: %s", level, c, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if dup == n {
		return nil
	}
	if first == "" {
		first = fmt.Sprintf("%d warnings, %d of them listed", n, dup)
	}
	return fmt.Errorf("%w: %s", errLoadWarnings, first)
}

// columnList is the table's columns, quoted, in order.
func columnList(t *table) string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = quote(c.name)
	}
	return strings.Join(names, ", ")
}

// rowReader renders the rows of one table of p as LOAD DATA text while
// the driver reads it, parsing the lines of p not parsed yet as it goes:
// about 64 KiB at a time, so that the server takes what is sent while the
// next rows are parsed and rendered. A row that could exceed the server's
// packet is left out and noted (the load is then undone).
type rowReader struct {
	p        *parsed
	table    int
	limit    int  // the largest row sent
	next     int  // the next row of p to look at
	sent     int  // rows sent
	tooLarge bool // a row was left out for its size
	buf      []byte
	off      int
}

const rowChunk = 64 << 10

func (r *rowReader) Read(b []byte) (int, error) {
	if r.off == len(r.buf) {
		r.buf, r.off = r.buf[:0], 0
		for len(r.buf) < rowChunk {
			if r.next == len(r.p.rows) {
				if !r.p.more() {
					break
				}
				continue // the line parsed may be a row, or rejected
			}
			row := &r.p.rows[r.next]
			r.next++
			switch {
			case row.table != r.table:
			case r.p.tupleMax(row) > r.limit:
				r.tooLarge = true
			default:
				r.buf = r.p.appendTuple(r.buf, row)
				r.sent++
			}
		}
		if len(r.buf) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(b, r.buf[r.off:])
	r.off += n
	return n, nil
}
