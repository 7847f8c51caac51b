package e2e

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// burstCounts sums up one run: the store against what was written, by
// _id and by content (the token), and the buffer's event records.
type burstCounts struct {
	written, stored int
	dupID           int // extra lines per _id
	dupContent      int // extra lines per token, whatever their _ids
	missing         int // tokens written, not stored
	wrongID         int // stored lines whose _id is not their token's expected one
	unexpected      int // stored lines with no token or one never written

	appended       int // event records in the buffer
	doubleAppended int // extra records per (source key, offset), key set
	noKey          int // records without a source key
	bufDupContent  int // extra records per token
	bufMissing     int // tokens never appended
	bufWrongSource int // records whose key or offset is not where their token was written
}

func (c burstCounts) String() string {
	return fmt.Sprintf("written=%d stored=%d dup_id=%d dup_content=%d missing=%d wrong_id=%d unexpected=%d "+
		"double_appended=%d (buffer: appended=%d no_key=%d dup_content=%d missing=%d wrong_source=%d)",
		c.written, c.stored, c.dupID, c.dupContent, c.missing, c.wrongID, c.unexpected,
		c.doubleAppended, c.appended, c.noKey, c.bufDupContent, c.bufMissing, c.bufWrongSource)
}

// exact is the bar: every line stored once under its _id, and
// every source position appended once.
func (c burstCounts) exact() bool {
	return c.stored == c.written && c.appended == c.written &&
		c.dupID+c.dupContent+c.missing+c.wrongID+c.unexpected == 0 &&
		c.doubleAppended+c.noKey+c.bufDupContent+c.bufMissing+c.bufWrongSource == 0
}

// burstReport is the counts and a few examples of each kind of fault.
type burstReport struct {
	burstCounts
	examples map[string][]string
}

const burstExamples = 3

func (r *burstReport) example(kind, format string, args ...any) {
	if len(r.examples[kind]) < burstExamples {
		r.examples[kind] = append(r.examples[kind], fmt.Sprintf(format, args...))
	}
}

func (r *burstReport) String() string {
	var b strings.Builder
	b.WriteString(r.burstCounts.String())
	kinds := make([]string, 0, len(r.examples))
	for k := range r.examples {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		for _, e := range r.examples[k] {
			fmt.Fprintf(&b, "\n  %s: %s", k, e)
		}
	}
	return b.String()
}

// analyzeBurst compares what was written with the store and the buffer.
func analyzeBurst(want []wantLine, st *burstStore, recs []appended) *burstReport {
	r := &burstReport{examples: map[string][]string{}}
	r.written, r.stored, r.appended = len(want), st.lines, len(recs)
	byToken := map[string][]appended{}
	for _, a := range recs {
		byToken[a.token] = append(byToken[a.token], a)
	}
	r.storeFaults(want, st, byToken)
	r.bufferFaults(want, recs, byToken)
	return r
}

func (r *burstReport) storeFaults(want []wantLine, st *burstStore, byToken map[string][]appended) {
	for _, n := range st.ids {
		r.dupID += max(n-1, 0)
	}
	last := want[len(want)-1].gen
	written := make(map[string]bool, len(want))
	var lost lostByFile
	for _, w := range want {
		written[w.token] = true
		ids := st.tokens[w.token]
		if len(ids) == 0 {
			r.missing++
			lost.add(burstFile(w.gen, last), w.offset)
			r.example("missing", "%s (%s, offset %d) not stored; appended %s",
				w.token, burstFile(w.gen, last), w.offset, describeAppends(byToken[w.token]))
		}
		if len(ids) > 1 {
			r.dupContent += len(ids) - 1
			r.example("dup_content", "%s (%s, offset %d, want _id %s) stored under %v; appended %s",
				w.token, burstFile(w.gen, last), w.offset, w.id, ids, describeAppends(byToken[w.token]))
		}
		for _, id := range ids {
			if id != w.id {
				r.wrongID++
				r.example("wrong_id", "%s stored under _id %s, want %s", w.token, id, w.id)
			}
		}
	}
	if len(lost) > 0 {
		r.examples["missing_by_file"] = []string{lost.String()}
	}
	r.unexpected = len(st.bad)
	for _, line := range st.bad {
		r.example("unexpected", "stored line without a token: %s…", line)
	}
	for tok, ids := range st.tokens {
		if !written[tok] {
			r.unexpected += len(ids)
			r.example("unexpected", "token %q never written, stored under %v", tok, ids)
		}
	}
}

func (r *burstReport) bufferFaults(want []wantLine, recs []appended, byToken map[string][]appended) {
	type pos struct {
		key    string
		offset int64
	}
	byPos := map[pos][]appended{}
	for _, a := range recs {
		if a.key == "" {
			r.noKey++ // no identity: double appends show as dup_content
			continue
		}
		p := pos{a.key, a.offset}
		byPos[p] = append(byPos[p], a)
	}
	for p, as := range byPos {
		if len(as) > 1 {
			r.doubleAppended += len(as) - 1
			r.example("double_appended", "source %.12s offset %d appended %d times: %s",
				p.key, p.offset, len(as), describeAppends(as))
		}
	}
	for _, w := range want {
		as := byToken[w.token]
		r.bufDupContent += max(len(as)-1, 0)
		if len(as) == 0 {
			r.bufMissing++
		}
		for _, a := range as {
			if a.key != w.key || a.offset != w.offset {
				r.bufWrongSource++
				r.example("buffer_wrong_source", "%s written at source %.12s offset %d, appended as %s",
					w.token, w.key, w.offset, describeAppends([]appended{a}))
			}
		}
	}
}

// burstFile names the file a line of generation gen ends up in.
func burstFile(gen, last int) string {
	if gen == last {
		return "audit.log"
	}
	return fmt.Sprintf("audit.log.%d", gen)
}

func describeAppends(as []appended) string {
	if len(as) == 0 {
		return "never"
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = fmt.Sprintf("seq %d (%s, source %.12s offset %d path %s)", a.seq, a.token, a.key, a.offset, filepath.Base(a.path))
	}
	return strings.Join(parts, ", ")
}

// lostByFile sums up missing lines per file, in the order first seen.
type lostByFile []lostRun

type lostRun struct {
	file        string
	lines       int
	first, last int64 // offsets
}

func (l *lostByFile) add(file string, offset int64) {
	if n := len(*l); n > 0 && (*l)[n-1].file == file {
		(*l)[n-1].lines++
		(*l)[n-1].last = offset
		return
	}
	*l = append(*l, lostRun{file: file, lines: 1, first: offset, last: offset})
}

func (l lostByFile) String() string {
	parts := make([]string, len(l))
	for i, r := range l {
		parts[i] = fmt.Sprintf("%s: %d lines at offsets %d-%d", r.file, r.lines, r.first, r.last)
	}
	return strings.Join(parts, "; ")
}
