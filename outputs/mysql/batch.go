package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
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
// entries stored (body order, each with its newline), the lines rejected,
// and the batch's manifest under its chain name with its index record
// (all NULL without one).
// A plain INSERT: a concurrent second writer fails on the key.
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
	name, manifest := manifestOf(b)
	var index any
	if name != nil && len(b.Index) > 0 {
		index = b.Index
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO `"+batchesTable+"` (`batch_id`, `output`, `pipeline`, `stream`, "+
		"`first_seq`, `last_seq`, `count`, `bytes`, `sha256`, `rejected`, `manifest_name`, `manifest`, `index_record`) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		b.ID, o.name, pipeline, b.Stream, b.FirstSeq, b.LastSeq, count, size, hex.EncodeToString(h.Sum(nil)),
		formatLines(rejected), name, manifest, index)
	return err
}

// manifestOf is the batch's manifest_name and manifest columns: NULL both
// when it has no manifest. The bytes go as a utf8mb4 string, not as
// _binary, so the server stores them as they are.
func manifestOf(b *event.Batch) (name, manifest any) {
	if b.ManifestName == "" || len(b.Manifest) == 0 {
		return nil, nil
	}
	return b.ManifestName, string(b.Manifest)
}

// manifestConflict turns a duplicate key on the batch's row into a
// permanent key conflict when another batch holds its manifest name;
// other errors (a concurrent writer of this batch) are returned as they
// are. The locking read sees the latest commit, not the transaction's
// snapshot; LOCK IN SHARE MODE needs only SELECT, on both servers.
func (o *Output) manifestConflict(ctx context.Context, tx *sql.Tx, b *event.Batch, err error) error {
	if code(err) != erDupEntry || b.ManifestName == "" {
		return err
	}
	var id, output string
	if tx.QueryRowContext(ctx, "SELECT `batch_id`, `output` FROM `"+batchesTable+"` WHERE `manifest_name` = ? LOCK IN SHARE MODE",
		b.ManifestName).Scan(&id, &output) != nil || id == b.ID && output == o.name {
		return err
	}
	return outputs.Permanent(fmt.Errorf("key conflict: manifest %s is held by batch %s of output %s", b.ManifestName, id, output))
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
