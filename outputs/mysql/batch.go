package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/auditship/auditship/internal/event"
)

// storedBatch looks for the batch's row: found, with the lines it
// rejected then.
func storedBatch(ctx context.Context, tx *sql.Tx, id, output string) ([]int, bool, error) {
	var rejected sql.NullString
	err := tx.QueryRowContext(ctx, "SELECT `rejected` FROM `"+batchesTable+"` WHERE `batch_id` = ? AND `output` = ?",
		id, output).Scan(&rejected)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	lines, err := parseLines(rejected.String)
	return lines, true, err
}

// insertBatch writes the batch's row: count, bytes and sha256 of the
// entries stored (body order, each with its newline), and the lines
// rejected. A plain INSERT: a concurrent second writer fails on the key.
func (o *Output) insertBatch(ctx context.Context, tx *sql.Tx, b *event.Batch, p *parsed, rejected []int) error {
	h := sha256.New()
	var count, size int
	skip := map[int]bool{}
	for _, l := range rejected {
		skip[l] = true
	}
	for _, r := range p.rows {
		if !skip[r.line] {
			h.Write(r.entry)
			h.Write([]byte{'\n'})
			count, size = count+1, size+len(r.entry)+1
		}
	}
	pipeline := b.Pipeline
	if pipeline == "" {
		pipeline = o.pipeline
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO `"+batchesTable+"` (`batch_id`, `output`, `pipeline`, `stream`, "+
		"`first_seq`, `last_seq`, `count`, `bytes`, `sha256`, `rejected`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		b.ID, o.name, pipeline, b.Stream, b.FirstSeq, b.LastSeq, count, size, hex.EncodeToString(h.Sum(nil)),
		formatLines(rejected))
	return err
}

// formatLines is the rejected column: line numbers joined by ","; NULL
// for none.
func formatLines(lines []int) any {
	if len(lines) == 0 {
		return nil
	}
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = strconv.Itoa(l)
	}
	return strings.Join(s, ",")
}

func parseLines(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var lines []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, errors.New("auditship_batches.rejected holds " + strconv.Quote(s))
		}
		lines = append(lines, n)
	}
	return lines, nil
}

// prepare runs the DDL once when create_tables is set, and reads the
// server's max_allowed_packet once.
func (o *Output) prepare(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.create && !o.created {
		for _, stmt := range ddl(o.tables) {
			if _, err := o.db.ExecContext(ctx, stmt); err != nil {
				return o.classify("create tables", err)
			}
		}
		o.created = true
	}
	if o.packet == 0 {
		var n int
		if err := o.db.QueryRowContext(ctx, "SELECT @@max_allowed_packet").Scan(&n); err != nil {
			return o.classify("read max_allowed_packet", err)
		}
		o.packet = min(n, maxPacket)
	}
	return nil
}

// maxPacket is the driver's own limit on a packet it sends.
const maxPacket = 64 << 20

func (o *Output) packetSize() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.packet
}
