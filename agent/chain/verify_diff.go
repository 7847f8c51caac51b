package chain

import (
	"fmt"
	"slices"
)

// diffEvents compares a batch's lines with its manifest: true when they
// are the listed events in the listed order; else every difference is
// reported, naming the sequence numbers.
func (v *verifier) diffEvents(name string, m *Manifest, b batchRead) bool {
	if sameEvents(m, b.lines) {
		return true
	}
	d := diagnose(expectedEvents(m), b.lines)
	if d.replaced {
		v.replaced = append(v.replaced, replacedBatch{name: name, key: m.Key, sha: b.sha, want: m.SHA256,
			holds: toRuns(lineSeqs(b.lines)), wantSeqs: m.Seqs})
		return false
	}
	r := v.report
	if len(d.altered) > 0 {
		r.add(KindAlteredEvent, m.Key, toRuns(d.altered), "%d stored events differ from their leaf hashes in manifest %s",
			len(d.altered), name)
	}
	if len(d.removed) > 0 {
		r.add(KindRemovedEvent, m.Key, toRuns(d.removed), "%d events that manifest %s lists are not in the batch",
			len(d.removed), name)
	}
	if len(d.inserted) > 0 {
		r.add(KindInsertedEvent, m.Key, toRuns(d.inserted), "%d events in the batch are not in manifest %s",
			len(d.inserted), name)
	}
	if len(d.noSeq) > 0 {
		r.add(KindInsertedEvent, m.Key, nil, "lines %s (0-based) are no envelope and not in manifest %s",
			fmt.Sprint(d.noSeq), name)
	}
	if len(d.reordered) > 0 {
		r.add(KindReorderedEvents, m.Key, toRuns(d.reordered), "events are not in the order of manifest %s", name)
	}
	return false
}

// sameEvents is the fast path: every line is the manifest's, in order.
func sameEvents(m *Manifest, lines []lineFact) bool {
	if len(lines)*LeafKeySize != len(m.LeafIndex) {
		return false
	}
	i := 0
	for _, r := range m.Seqs {
		for s := r[0]; ; s++ {
			if i >= len(lines) {
				return false
			}
			l := &lines[i]
			if !l.hasSeq || l.seq != s || [LeafKeySize]byte(m.LeafIndex[i*LeafKeySize:]) != l.key {
				return false
			}
			i++
			if s == r[1] {
				break
			}
		}
	}
	return i == len(lines)
}

// event is one entry of a manifest: a sequence number and its leaf key.
type event struct {
	seq uint64
	key [LeafKeySize]byte
}

// expectedEvents lists m's events, at most as many as its LeafIndex has.
func expectedEvents(m *Manifest) []event {
	n := len(m.LeafIndex) / LeafKeySize
	out := make([]event, 0, n)
	for _, r := range m.Seqs {
		for s := r[0]; s <= r[1] && len(out) < n; s++ {
			out = append(out, event{seq: s, key: [LeafKeySize]byte(m.LeafIndex[len(out)*LeafKeySize:])})
			if s == ^uint64(0) {
				break
			}
		}
	}
	return out
}

// eventDiff is how a batch's lines differ from its manifest.
type eventDiff struct {
	altered, removed, inserted, reordered []uint64
	noSeq                                 []int // lines without a readable _seq
	replaced                              bool  // no line is one the manifest lists
}

// diagnose matches lines to the manifest's events: first by content (seq
// and leaf key), then by seq alone (content altered), then what is left
// pairwise in order when as many lines as events are left (the _seq
// itself altered), else as inserted and removed. Matched events out of
// the manifest's order are reordered.
func diagnose(exp []event, lines []lineFact) eventDiff {
	var d eventDiff
	at := make([]int, len(lines)) // the event each line matched, or -1
	for i := range at {
		at[i] = -1
	}
	taken := make([]bool, len(exp))
	same := matchEvents(exp, lines, at, taken, func(e event, l lineFact) bool { return e.key == l.key })
	bySeq := matchEvents(exp, lines, at, taken, func(event, lineFact) bool { return true })
	if len(same)+len(bySeq) == 0 && len(lines) > 0 && len(exp) > 0 {
		d.replaced = true
		return d
	}
	for _, i := range bySeq {
		d.altered = append(d.altered, lines[i].seq)
	}
	d.reordered = outOfOrder(exp, at)
	strayLines, strayExp := strays(at, taken)
	if len(strayLines) == len(strayExp) {
		for _, j := range strayExp {
			d.altered = append(d.altered, exp[j].seq)
		}
		return d
	}
	for _, i := range strayLines {
		if lines[i].hasSeq {
			d.inserted = append(d.inserted, lines[i].seq)
		} else {
			d.noSeq = append(d.noSeq, i)
		}
	}
	for _, j := range strayExp {
		d.removed = append(d.removed, exp[j].seq)
	}
	return d
}

// matchEvents matches each line not yet matched to the first free event
// of its seq for which same holds, and returns the lines it matched.
func matchEvents(exp []event, lines []lineFact, at []int, taken []bool, same func(event, lineFact) bool) []int {
	free := map[uint64][]int{}
	for j, e := range exp {
		if !taken[j] {
			free[e.seq] = append(free[e.seq], j)
		}
	}
	var got []int
	for i, l := range lines {
		if at[i] >= 0 || !l.hasSeq {
			continue
		}
		for k, j := range free[l.seq] {
			if same(exp[j], l) {
				taken[j], at[i] = true, j
				free[l.seq] = slices.Delete(free[l.seq], k, k+1)
				got = append(got, i)
				break
			}
		}
	}
	return got
}

// outOfOrder returns the seqs of matched lines whose event is not where
// the manifest's order puts it among the matched ones.
func outOfOrder(exp []event, at []int) []uint64 {
	var order []int
	for _, j := range at {
		if j >= 0 {
			order = append(order, j)
		}
	}
	sorted := slices.Sorted(slices.Values(order))
	var out []uint64
	for k, j := range order {
		if j != sorted[k] {
			out = append(out, exp[j].seq)
		}
	}
	return out
}

// strays are the lines and the events left unmatched, in order.
func strays(at []int, taken []bool) (lines, events []int) {
	for i, j := range at {
		if j < 0 {
			lines = append(lines, i)
		}
	}
	for j, t := range taken {
		if !t {
			events = append(events, j)
		}
	}
	return lines, events
}

func lineSeqs(lines []lineFact) []uint64 {
	var out []uint64
	for _, l := range lines {
		if l.hasSeq {
			out = append(out, l.seq)
		}
	}
	return out
}
