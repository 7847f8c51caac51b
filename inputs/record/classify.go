package record

// kind is what a line does to the record being assembled.
type kind uint8

const (
	kindCont   kind = iota // continues the open record, if any
	kindBlank              // only spaces, tabs and CR
	kindSingle             // a complete record by itself (JSON)
	kindStart              // starts a multi-line record
)

func (f *Framer) classify(line []byte) kind {
	if isBlank(line) {
		return kindBlank
	}
	if f.json {
		return kindSingle
	}
	body := f.strip(line)
	if f.auto && len(body) >= 2 && body[0] == '{' && body[1] == '"' {
		return kindSingle
	}
	if f.isStart(body) {
		return kindStart
	}
	return kindCont
}

func isBlank(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// strip removes the configured prefix when it matches at the line start.
func (f *Framer) strip(line []byte) []byte {
	if f.cfg.StripPrefix == nil {
		return line
	}
	loc := f.cfg.StripPrefix.FindIndex(line)
	if loc == nil || loc[0] != 0 {
		return line
	}
	return line[loc[1]:]
}

func (f *Framer) isStart(body []byte) bool {
	if f.cfg.StartPattern != nil {
		return f.cfg.StartPattern.Match(body)
	}
	return isPlainStart(body)
}

const plainStart = "{timestamp="

// isPlainStart reports whether body starts with `{timestamp=YYYY-MM-DDT`.
func isPlainStart(body []byte) bool {
	const date = "0000-00-00T"
	n := len(plainStart)
	if len(body) < n+len(date) || string(body[:n]) != plainStart {
		return false
	}
	for i, want := range []byte(date) {
		c := body[n+i]
		if want == '0' && (c < '0' || c > '9') || want != '0' && c != want {
			return false
		}
	}
	return true
}
