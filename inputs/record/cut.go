package record

// cut finds where the Automatiko plain entry of an open record ends.
//
// A plain entry ends at its last '}' (FORMATS.md rule 2), and the decoder
// refuses a record with text after it. So when lines that start no record
// follow a complete entry (garbage after a crash, another writer's line),
// the record is cut after the last line whose last non-blank byte is '}':
// the entry keeps its fields, the lines after it become one record of
// their own, which the decoder keeps as unparsed. Both are emitted when the
// record closes, with exact offsets, so checkpoints and resumes are as for
// any other pair of records.
//
// A record that ends with such a line is never cut: a plain value may hold
// newlines and '}'. Only a record whose first line is a plain entry after
// strip_prefix is cut; one found by another start_pattern stays whole.
type cut struct {
	plain  bool  // the record's first line begins a plain entry
	rawEnd int64 // end of the last line ending with '}'; 0: none yet
	end    int64 // past that line's terminator
	rest   int64 // start of the first non-blank line after it; 0: none
}

// line notes a non-blank line [a, b) of the record, its terminator ending
// at next; the first line too, once plain is set.
func (c *cut) line(line []byte, a, b, next int64) {
	switch {
	case !c.plain:
	case closesEntry(line):
		c.rawEnd, c.end, c.rest = b, next, 0
	case c.rawEnd > 0 && c.rest == 0:
		c.rest = a
	}
}

// due reports whether the record is cut: lines follow the entry's end.
// (Neither offset can be 0 once set: the entry's first line precedes it.)
func (c *cut) due() bool { return c.rawEnd > 0 && c.rest > 0 }

// closesEntry reports whether line's last byte other than space, tab and
// CR is '}'.
func closesEntry(line []byte) bool {
	for i := len(line) - 1; i >= 0; i-- {
		switch line[i] {
		case ' ', '\t', '\r':
		case '}':
			return true
		default:
			return false
		}
	}
	return false
}

// isPlainEntry reports whether a line found by StartPattern begins an
// Automatiko plain entry after StripPrefix, as the decoder will see it.
// (Without StartPattern, isPlainStart matched already.)
func (f *Framer) isPlainEntry(line []byte) bool {
	body := f.strip(line)
	return len(body) >= len(plainStart) && string(body[:len(plainStart)]) == plainStart
}
