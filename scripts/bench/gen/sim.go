package main

import (
	"bufio"
	"math/rand/v2"
	"time"
)

// base is the local wall clock of the first entry; timestamps are written
// without a zone, as the engine does.
var base = time.Date(2024, 5, 13, 8, 0, 0, 0, time.UTC)

// gen simulates a handful of concurrent workflow instances and writes their
// audit entries in the order the engine would log them.
type gen struct {
	rng   *rand.Rand
	w     *bufio.Writer
	plain bool
	limit int
	clock time.Duration // since base, microsecond steps
	buf   []byte
	items []kv
	pool  []*instance
	seq   int // business keys and names stay unique per run
	stats stats
}

func newGen(w *bufio.Writer, seed uint64, limit int, plain bool) *gen {
	g := &gen{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		w:     w,
		plain: plain,
		limit: limit,
		stats: newStats(),
	}
	g.pool = make([]*instance, 6)
	for i := range g.pool {
		g.pool[i] = g.newInstance()
	}
	return g
}

// run emits transactions of randomly chosen live instances until limit
// entries are written.
func (g *gen) run() error {
	for g.stats.Entries < g.limit {
		i := g.rng.IntN(len(g.pool))
		in := g.pool[i]
		if len(in.txns) == 0 {
			g.pool[i] = g.newInstance()
			continue
		}
		g.clock += time.Duration(g.rng.IntN(1500_000)) * time.Microsecond
		tx := in.txns[0]
		in.txns = in.txns[1:]
		tx(g)
	}
	return g.w.Flush()
}

// emit writes one entry; items[0] must be the timestamp. Entries past the
// limit are dropped so the output holds exactly limit entries.
func (g *gen) emit(category, def string, items []kv) {
	if g.stats.Entries >= g.limit {
		return
	}
	b := g.buf[:0]
	if g.plain {
		b = appendPlainMap(b, items)
	} else {
		b = appendJSONObject(b, items)
	}
	b = append(b, '\n')
	g.buf = b
	_, _ = g.w.Write(b) // a write error is sticky and reported by Flush
	g.stats.add(category, def, b)
}

// now advances the clock a little, as consecutive entries of one unit of
// work are a few milliseconds apart, and renders it.
func (g *gen) now() str {
	g.clock += time.Duration(200+g.rng.IntN(3000)) * time.Microsecond
	return str(appendLocalTime(nil, base.Add(g.clock)))
}

// appendLocalTime writes an ISO local date-time with the fraction's
// trailing zeros removed and no fraction on a whole second (Jackson).
func appendLocalTime(b []byte, t time.Time) []byte {
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	us := t.Nanosecond() / 1000
	if us == 0 {
		return b
	}
	digits := []byte{'.', 0, 0, 0, 0, 0, 0}
	for i := 6; i > 0; i-- {
		digits[i] = byte('0' + us%10)
		us /= 10
	}
	n := len(digits)
	for digits[n-1] == '0' {
		n--
	}
	return append(b, digits[:n]...)
}

// uuid returns a random (version 4) UUID drawn from the seeded source.
func (g *gen) uuid() string {
	var u [16]byte
	for i := 0; i < 16; i += 8 {
		x := g.rng.Uint64()
		for j := range 8 {
			u[i+j] = byte(x >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	b := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigit(c>>4), hexDigit(c&0xf))
	}
	return string(b)
}

func (g *gen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *gen) chance(percent int) bool { return g.rng.IntN(100) < percent }
