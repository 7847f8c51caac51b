package format

import "math/bits"

// maxSkips is the longest run of optional items in any key order.
const maxSkips = 8

// itemNames are the engine's item names (FORMATS.md); an item is referred
// to by its index here.
var itemNames = [...]string{
	"transactionId", "timestamp", "identity", "message", "workflowDefinitionId",
	"workflowInstanceId", "workflowRootDefinitionId", "workflowDefinitionName",
	"workflowDefinitionVersion", "workflowRootInstanceId", "workflowParentInstanceId",
	"workflowInstanceState", "businessKey", "description", "tags", "variables",
	"connector", "messageName", "payload", "jobId", "expiresAt", "timerExpression",
	"triggerType", "nodeInstanceId", "nodeDefinitionId", "nodeName", "nodeInstanceState",
	"nodeType", "variableName", "variablePreviousValue", "variableValue", "variableTags",
	"errorId", "errorMessage", "signalName", "signalData", "timerInterval", "timerRepeatLimit",
}

type item uint8

// itemIndex maps a name to its item; a map keyed by string(bytes) does not
// allocate on lookup.
var itemIndex = func() map[string]item {
	m := make(map[string]item, len(itemNames))
	for i, n := range itemNames {
		m[n] = item(i)
	}
	return m
}()

// itemsByLen lists the items by the length of their names: the candidate
// scan looks up every ", word=" of an entry, most of them no item, and
// comparing the one to four names of the word's length is cheaper than
// hashing the word for the map (the scan was two fifths of decoding a
// plain entry of the peer kit's file, the map lookups half of that).
var itemsByLen = func() (t [32][]item) {
	for i, n := range itemNames {
		t[len(n)] = append(t[len(n)], item(i))
	}
	return t
}()

func lookupItem(name []byte) (item, bool) {
	if len(name) >= len(itemsByLen) {
		return 0, false
	}
	for _, it := range itemsByLen[len(name)] {
		if string(name) == itemNames[it] {
			return it, true
		}
	}
	return 0, false
}

// itemSet is a set of items (there are fewer than 64).
type itemSet uint64

func setOf(names ...string) itemSet {
	var s itemSet
	for _, n := range names {
		s |= 1 << itemIndex[n]
	}
	return s
}

func (s itemSet) has(it item) bool { return s&(1<<it) != 0 }

// opaque values may hold text that looks like ", key=": the splitter
// prefers the longest such value that still lets the entry parse.
var opaque = setOf("variables", "payload", "signalData", "variablePreviousValue",
	"variableValue", "description", "errorMessage", "signalName", "businessKey")

// nested values are split only at brace/bracket depth zero.
var nested = setOf("variables", "payload", "signalData", "variablePreviousValue", "variableValue")

// slot is one position of a key order; opt marks an item that may be absent.
type slot struct {
	it  item
	opt bool
}

// orders are the engine's key orders per kind (FORMATS.md rule 3); a
// trailing "?" marks an optional item.
var orders = func() [][]slot {
	pre := "timestamp identity? workflowDefinitionId workflowInstanceId workflowRootDefinitionId? " +
		"workflowDefinitionName workflowDefinitionVersion? workflowRootInstanceId? " +
		"workflowParentInstanceId? workflowInstanceState businessKey? "
	wf := pre + "description variables tags transactionId "
	node := "nodeInstanceId nodeDefinitionId? nodeName nodeInstanceState nodeType "
	vars := "variableName message variablePreviousValue? variableValue? variableTags"
	return [][]slot{
		parseOrder(wf + "message signalName? signalData?"),
		parseOrder(wf + node + "message errorId? errorMessage?"),
		parseOrder(wf + node + vars),
		parseOrder(wf + vars),
		parseOrder(pre + "description tags message transactionId"),
		parseOrder(pre + "connector messageName payload tags message transactionId"),
		parseOrder("timestamp identity? jobId expiresAt timerExpression? workflowDefinitionId " +
			"workflowDefinitionVersion? workflowInstanceId? triggerType? message transactionId"),
		parseOrder("timestamp identity? message jobId timerExpression? timerInterval? " +
			"timerRepeatLimit? workflowDefinitionId? workflowInstanceId? triggerType? transactionId?"),
	}
}()

func parseOrder(spec string) []slot {
	var out []slot
	for _, w := range splitWords(spec) {
		opt := w[len(w)-1] == '?'
		if opt {
			w = w[:len(w)-1]
		}
		out = append(out, slot{it: itemIndex[w], opt: opt})
	}
	return out
}

func splitWords(s string) []string {
	var out []string
	for start, i := 0, 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// orderState is a set of positions per key order: a small NFA over the
// kinds, since the kind is known only once enough keys were seen.
type orderState [8]uint64

// startState is the state after the leading timestamp.
func startState() orderState {
	var s orderState
	for k := range orders {
		s[k] = 1
	}
	return s
}

// step returns the state after item it; empty when it is not a legal next key.
func (s orderState) step(it item) (next orderState, ok bool) {
	for k, m := range s {
		for m != 0 {
			p := bits.TrailingZeros64(m)
			m &= m - 1
			if j := moves.next[k][p][it]; j >= 0 {
				next[k] |= 1 << j
				ok = true
			}
		}
	}
	return next, ok
}

// moves is nextPos and restOptional for every order, position and item,
// worked out once: the split asks them for each candidate it tries, and
// walking the slots each time was a fifth of decoding a plain entry.
var moves = func() (mv struct {
	next   [len(orderState{})][64][len(itemNames)]int8 // nextPos, -1 when none
	accept [len(orderState{})]uint64                   // positions where an entry may end
}) {
	for k, o := range orders {
		for p := range o {
			for it := range itemNames {
				mv.next[k][p][it] = int8(nextPos(o, p, item(it)))
			}
			if restOptional(o, p) {
				mv.accept[k] |= 1 << p
			}
		}
	}
	return mv
}()

// nextItems returns the legal next items grouped by how many optional
// slots a step to them passes over (an item only in its lowest group).
func (s orderState) nextItems() (groups [maxSkips + 1]itemSet) {
	var all itemSet
	for k, m := range s {
		o := orders[k]
		for m != 0 {
			p := bits.TrailingZeros64(m)
			m &= m - 1
			for j := p + 1; j < len(o) && j-p-1 <= maxSkips; j++ {
				groups[j-p-1] |= 1 << o[j].it
				if !o[j].opt {
					break
				}
			}
		}
	}
	for i := range groups {
		groups[i] &^= all
		all |= groups[i]
	}
	return groups
}

// nextPos finds it after position p, skipping only optional slots.
func nextPos(o []slot, p int, it item) int {
	for j := p + 1; j < len(o); j++ {
		if o[j].it == it {
			return j
		}
		if !o[j].opt {
			break
		}
	}
	return -1
}

// accepting reports whether the entry may end here.
func (s orderState) accepting() bool {
	for k, m := range s {
		if m&moves.accept[k] != 0 {
			return true
		}
	}
	return false
}

func restOptional(o []slot, p int) bool {
	for _, sl := range o[p+1:] {
		if !sl.opt {
			return false
		}
	}
	return true
}
