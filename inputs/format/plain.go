package format

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/swar"
)

var plainStart = []byte("{timestamp=")

var (
	itemTimestamp = itemIndex["timestamp"]
	itemState     = itemIndex["workflowInstanceState"]
)

// searchBudget bounds the backtracking split of one entry; hostile input
// past it falls back to a greedy split.
const searchBudget = 100000

// cand is a possible item boundary: ", KEY=" at pos with KEY a known item.
type cand struct {
	pos   int   // offset of ", " in the entry's inner text
	val   int   // offset of the value after "KEY="
	depth int32 // brace/bracket depth at pos, counted from the entry start
	it    item
}

// plainParser holds scratch reused across entries.
type plainParser struct {
	cands  []cand
	byItem [len(itemNames)][]int // indexes into cands per item, ascending
	chosen []int                 // indexes into cands, one per item after timestamp
	budget int
	nested bool // a candidate sits inside braces or brackets
	passes int  // searches split ran for the last entry: a test's count
}

// parsePlain splits an Automatiko plain entry into its items (FORMATS.md
// rule 3). Values are strings aliasing the body; workflowInstanceState is
// a number.
func (d *Decoder) parsePlain(e *event.Event) {
	b := e.Body
	end := bytes.LastIndexByte(b, '}')
	switch {
	case !bytes.HasPrefix(b, plainStart):
		unparsed(e, "not an Automatiko plain entry")
		return
	case !utf8.Valid(b):
		unparsed(e, "invalid UTF-8")
		return
	case end < 0:
		unparsed(e, "no closing brace")
		return
	case len(bytes.TrimRight(b[end+1:], " \t\r\n")) > 0:
		unparsed(e, "text after the closing brace")
		return
	}
	inner := b[1:end]
	p := &d.plain
	p.findCandidates(inner)
	if !p.split() {
		p.loose()
	}
	e.Fields = d.fields.keep(p.fields(inner, d.fields.take(e.Fields)))
	e.Format = event.FormatPlain
	if d.opts.IncludeRaw {
		e.Meta = append(e.Meta, metaString(keyRaw, e.Raw))
	}
}

func (p *plainParser) findCandidates(inner []byte) {
	p.cands, p.nested = p.cands[:0], false
	for i := range p.byItem {
		p.byItem[i] = p.byItem[i][:0]
	}
	var depth int32
	i := 0
	for ; i+8 <= len(inner); i += 8 {
		// Only the flagged bytes are looked at, in order: the flags
		// never miss one, and a byte flagged in excess is no brace,
		// bracket or comma to candidate.
		for m := structural(binary.LittleEndian.Uint64(inner[i:])); m != 0; m &= m - 1 {
			depth = p.candidate(inner, i+bits.TrailingZeros64(m)/8, depth)
		}
	}
	for ; i < len(inner); i++ {
		depth = p.candidate(inner, i, depth)
	}
}

// candidate looks at the byte at i: a brace or bracket moves the depth,
// which it returns; a comma may start a candidate.
func (p *plainParser) candidate(inner []byte, i int, depth int32) int32 {
	switch inner[i] {
	case '{', '[':
		depth++
	case '}', ']':
		depth--
	case ',':
		if c, ok := candidateAt(inner, i); ok {
			c.depth = depth
			p.nested = p.nested || depth != 0
			p.byItem[c.it] = append(p.byItem[c.it], len(p.cands))
			p.cands = append(p.cands, c)
		}
	}
	return depth
}

// structural is non-zero when the 8 bytes of w hold a brace, a bracket or
// a comma (SWAR, never zero when one is there; it may also be non-zero
// without one, after a borrow, and the byte-wise look then finds none).
func structural(w uint64) uint64 {
	f := w | swar.Lo*0x20 // '[' and ']' become '{' and '}'
	return swar.Equal(f, '{') | swar.Equal(f, '}') | swar.Equal(w, ',')
}

// candidateAt checks for ", KEY=" at i with KEY a known item name.
func candidateAt(b []byte, i int) (cand, bool) {
	if i+2 >= len(b) || b[i+1] != ' ' {
		return cand{}, false
	}
	j := i + 2
	for j < len(b) && (b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z') {
		j++
	}
	if j >= len(b) || b[j] != '=' {
		return cand{}, false
	}
	it, ok := lookupItem(b[i+2 : j])
	return cand{pos: i, val: j + 1, it: it}, ok
}

// split chooses boundaries that follow one of the engine's key orders,
// first with the depth rule for nested values, then without it (a user
// string with an unbalanced brace). When no candidate is nested the rule
// excludes none, and the second search would only repeat the first: an
// entry in no known order (another engine version, the peer kit's plain
// file) then costs one failed search before the greedy split, not two.
func (p *plainParser) split() bool {
	p.passes = 0
	for _, depthRule := range [...]bool{true, false} {
		if !depthRule && !p.nested {
			return false
		}
		p.passes++
		p.budget = searchBudget
		p.chosen = p.chosen[:0]
		if p.search(-1, itemTimestamp, startState(), depthRule) {
			return true
		}
	}
	return false
}

// search extends the split after the item it whose key is cands[cur]
// (-1: the leading timestamp). Opaque values try the latest boundary
// first, the others the earliest; the end of the entry comes last.
func (p *plainParser) search(cur int, it item, st orderState, depthRule bool) bool {
	var depth int32
	if cur >= 0 {
		depth = p.cands[cur].depth
	}
	useDepth := depthRule && nested.has(it)
	if opaque.has(it) {
		if p.searchOpaque(cur, st, depth, useDepth, depthRule) {
			return true
		}
	} else {
		for j := cur + 1; j < len(p.cands) && p.budget > 0; j++ {
			p.budget--
			if p.try(j, st, depth, useDepth, depthRule) {
				return true
			}
		}
	}
	return p.budget > 0 && st.accepting()
}

// searchOpaque ends an opaque value at the next key that skips the fewest
// optional items (variableValue before variableTags), at its latest
// occurrence: user text that looks like ", key=" sits before the real one.
func (p *plainParser) searchOpaque(cur int, st orderState, depth int32, useDepth, depthRule bool) bool {
	for _, set := range st.nextItems() {
		for ; set != 0; set &= set - 1 {
			list := p.byItem[bits.TrailingZeros64(uint64(set))]
			for k := len(list) - 1; k >= 0 && list[k] > cur && p.budget > 0; k-- {
				p.budget--
				if useDepth && p.cands[list[k]].depth != depth {
					continue
				}
				if p.try(list[k], st, depth, useDepth, depthRule) {
					return true
				}
			}
		}
	}
	return false
}

func (p *plainParser) try(j int, st orderState, depth int32, useDepth, depthRule bool) bool {
	c := p.cands[j]
	if useDepth && c.depth != depth {
		return false
	}
	next, ok := st.step(c.it)
	if !ok {
		return false
	}
	p.chosen = append(p.chosen, j)
	if p.search(j, c.it, next, depthRule) {
		return true
	}
	p.chosen = p.chosen[:len(p.chosen)-1]
	return false
}

// loose is the fallback for entries that follow no known order (another
// engine version): split greedily at any known item not seen yet.
func (p *plainParser) loose() {
	p.chosen = p.chosen[:0]
	seen := itemSet(1) << itemTimestamp
	cur, depth := itemTimestamp, int32(0)
	for j, c := range p.cands {
		if seen.has(c.it) || nested.has(cur) && c.depth != depth {
			continue
		}
		p.chosen = append(p.chosen, j)
		seen |= 1 << c.it
		cur, depth = c.it, c.depth
	}
}

// fields appends the items chosen by split or loose.
func (p *plainParser) fields(inner []byte, out []event.Field) []event.Field {
	key, val := inner[:len(plainStart)-2], len(plainStart)-1
	for _, j := range p.chosen {
		c := p.cands[j]
		out = append(out, plainField(key, inner[val:c.pos]))
		key, val = inner[c.pos+2:c.val-1], c.val
	}
	return append(out, plainField(key, inner[val:]))
}

func plainField(key, val []byte) event.Field {
	kind := event.KindString
	if string(key) == itemNames[itemState] && isInteger(val) {
		kind = event.KindNumber
	}
	return event.Field{Key: key, Value: val, Kind: kind}
}

func isInteger(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 || (b[0] == '0' && len(b) > 1) {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
