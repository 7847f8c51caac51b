package mysql

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"io"
	"iter"
	"slices"
	"strconv"

	"github.com/auditship/auditship/outputs"
)

// List yields the batches this output stored for pipeline, from
// auditship_batches, in first_seq order.
func (o *Output) List(ctx context.Context, pipeline string) iter.Seq2[outputs.BatchRef, error] {
	return func(yield func(outputs.BatchRef, error) bool) {
		rows, err := o.db.QueryContext(ctx, "SELECT `batch_id`, `pipeline`, `stream`, `first_seq`, `last_seq`, "+
			"`count`, `bytes`, `sha256` FROM `"+batchesTable+"` WHERE `pipeline` = ? AND `output` = ? "+
			"ORDER BY `first_seq`, `stream`", pipeline, o.name)
		if err != nil {
			yield(outputs.BatchRef{}, o.classify("list batches", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			ref, err := scanRef(rows)
			if !yield(ref, o.classify("list batches", err)) || err != nil {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(outputs.BatchRef{}, o.classify("list batches", err))
		}
	}
}

func scanRef(rows *sql.Rows) (outputs.BatchRef, error) {
	var id, pipeline, stream, sum string
	var first, last uint64
	var count int
	var size int64
	if err := rows.Scan(&id, &pipeline, &stream, &first, &last, &count, &size, &sum); err != nil {
		return outputs.BatchRef{}, err
	}
	return outputs.BatchRef{Key: id, Size: size, Metadata: map[string]string{
		"auditship_stream": stream, "auditship_pipeline": pipeline, "auditship_batch_id": id,
		"auditship_first_seq": strconv.FormatUint(first, 10), "auditship_last_seq": strconv.FormatUint(last, 10),
		"auditship_count": strconv.Itoa(count), "auditship_sha256": sum,
	}}, nil
}

// Open returns the entries of the batch's rows, across all tables, in
// _seq order, each followed by a newline: the bytes whose sha256 its
// auditship_batches row holds. The rows are read into memory (a batch is
// bounded by max_bytes).
func (o *Output) Open(ctx context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	stream, first, last, err := o.batchRange(ctx, ref.Key)
	if err != nil {
		return nil, err
	}
	var entries []seqEntry
	for _, t := range o.tables {
		if entries, err = o.readEntries(ctx, t, stream, first, last, entries); err != nil {
			return nil, err
		}
	}
	return io.NopCloser(bytes.NewReader(joinEntries(entries))), nil
}

func (o *Output) batchRange(ctx context.Context, id string) (stream string, first, last uint64, err error) {
	err = o.db.QueryRowContext(ctx, "SELECT `stream`, `first_seq`, `last_seq` FROM `"+batchesTable+
		"` WHERE `batch_id` = ? AND `output` = ?", id, o.name).Scan(&stream, &first, &last)
	return stream, first, last, o.classify("open batch "+id, err)
}

type seqEntry struct {
	seq   uint64
	entry []byte
}

func (o *Output) readEntries(ctx context.Context, t *table, stream string, first, last uint64, dst []seqEntry) ([]seqEntry, error) {
	rows, err := o.db.QueryContext(ctx, "SELECT `_seq`, `entry` FROM "+quote(t.name)+
		" WHERE `stream` = ? AND `_seq` BETWEEN ? AND ?", stream, first, last)
	if err != nil {
		return nil, o.classify("read "+t.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e seqEntry
		if err := rows.Scan(&e.seq, &e.entry); err != nil {
			return nil, o.classify("read "+t.name, err)
		}
		dst = append(dst, e)
	}
	return dst, o.classify("read "+t.name, rows.Err())
}

// joinEntries sorts the entries by _seq and joins them, newline-terminated.
func joinEntries(entries []seqEntry) []byte {
	slices.SortFunc(entries, func(a, b seqEntry) int { return cmp.Compare(a.seq, b.seq) })
	var out []byte
	for _, e := range entries {
		out = append(append(out, e.entry...), '\n')
	}
	return out
}
