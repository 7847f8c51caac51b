package mysql

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// presentCounter counts rows a Write skipped because a row with their
// _id was stored already: a batch of events read twice, or a replay of
// events the table holds (the import rule: an event there is kept as is).
type presentCounter struct{ c prometheus.Counter }

func newPresentCounter(reg prometheus.Registerer) presentCounter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "auditship_mysql_rows_present_total",
		Help: "Rows not inserted because their _id was stored already (skipped, the stored row kept)."})
	if reg != nil {
		_ = reg.Register(c)
	}
	return presentCounter{c: c}
}

func (p presentCounter) add(n int) {
	if n > 0 && p.c != nil {
		p.c.Add(float64(n))
	}
}

// presentChunk bounds the ids of one lookup statement.
const presentChunk = 1000

// Present reports which of ids some table of the output holds already.
// Replay asks before it buffers events, so that an event stored already
// never enters its stream (and its chain) at all.
//
// A table that held no row at the first call is not searched by this
// Output again: what it can hold since was written during the replay, by
// the replay itself (whose events are never read twice) or by a live
// pipeline, and a Write skips a row whose _id its table holds (counted in
// auditship_mysql_rows_present_total) whatever Present said. Replaying
// into fresh tables, the usual case, then costs no lookup at all; each one
// is an index dive per id on the server, about a fifth of its CPU.
func (o *Output) Present(ctx context.Context, ids []string) (map[string]bool, error) {
	if err := o.prepare(ctx); err != nil { // create_tables: the tables exist from here
		return nil, err
	}
	tables, err := o.searched(ctx)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	if len(tables) == 0 {
		return found, nil
	}
	for start := 0; start < len(ids); start += presentChunk {
		chunk := ids[start:min(start+presentChunk, len(ids))]
		for _, t := range tables {
			if err := o.lookup(ctx, t.name, chunk, found); err != nil {
				return nil, err
			}
		}
	}
	return found, nil
}

// searched lists the tables Present looks in: those holding a row at the
// first call (decided once; an error leaves it for the next call).
func (o *Output) searched(ctx context.Context) ([]*table, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lookIn != nil {
		return *o.lookIn, nil
	}
	var in []*table
	for _, t := range o.tables {
		var one int
		err := o.db.QueryRowContext(ctx, "SELECT 1 FROM "+quote(t.name)+" LIMIT 1").Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			o.log.Info("replay target table empty at start: its ids are not looked up", zap.String("table", t.name))
		case err != nil:
			return nil, o.classify("look at table "+t.name, err)
		default:
			in = append(in, t)
		}
	}
	o.lookIn = &in
	return in, nil
}

func (o *Output) lookup(ctx context.Context, table string, ids []string, found map[string]bool) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := "SELECT `_id` FROM " + quote(table) + " WHERE `_id` IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
	o.lookups.Add(1)
	rows, err := o.db.QueryContext(ctx, q, args...)
	if err != nil {
		return o.classify("look up stored ids in "+table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return o.classify("look up stored ids in "+table, err)
		}
		found[id] = true
	}
	return o.classify("look up stored ids in "+table, rows.Err())
}
