package format

import (
	"time"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// stamp is a parsed date-time: the local fields, the fraction as written,
// and the offset when the text carries one.
type stamp struct {
	year, month, day, hour, min, sec int
	nsec                             int
	frac                             []byte // fraction digits as written (0-9)
	hasZone                          bool
	offset                           int // seconds east of UTC
}

// parseStamp reads YYYY-MM-DDTHH:MM:SS[.f{1,9}][Z|±HH:MM] by hand:
// time.Parse is several times slower and this is the hot path.
func parseStamp(b []byte) (stamp, bool) {
	var s stamp
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return s, false
	}
	ok := true
	s.year = num(b[0:4], &ok)
	s.month, s.day = num(b[5:7], &ok), num(b[8:10], &ok)
	s.hour, s.min, s.sec = num(b[11:13], &ok), num(b[14:16], &ok), num(b[17:19], &ok)
	if !ok || !s.valid() {
		return s, false
	}
	rest := b[19:]
	if len(rest) > 0 && rest[0] == '.' {
		if rest, ok = s.fraction(rest[1:]); !ok {
			return s, false
		}
	}
	return s, s.zone(rest)
}

func num(b []byte, ok *bool) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			*ok = false
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func (s *stamp) valid() bool {
	if s.month < 1 || s.month > 12 || s.day < 1 || s.hour > 23 || s.min > 59 || s.sec > 59 {
		return false
	}
	return s.day <= daysIn(s.year, s.month)
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (s *stamp) fraction(b []byte) ([]byte, bool) {
	n := 0
	for n < len(b) && n < 10 && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	if n == 0 || n > 9 {
		return nil, false
	}
	s.frac = b[:n]
	ok := true
	s.nsec = num(s.frac, &ok)
	for i := n; i < 9; i++ {
		s.nsec *= 10
	}
	return b[n:], true
}

// zone reads what follows the seconds: nothing, Z, or ±HH:MM.
func (s *stamp) zone(b []byte) bool {
	switch {
	case len(b) == 0:
		return true
	case len(b) == 1 && (b[0] == 'Z' || b[0] == 'z'):
		s.hasZone = true
		return true
	case len(b) != 6 || (b[0] != '+' && b[0] != '-') || b[3] != ':':
		return false
	}
	ok := true
	h, m := num(b[1:3], &ok), num(b[4:6], &ok)
	if !ok || h > 23 || m > 59 {
		return false
	}
	s.hasZone, s.offset = true, h*3600+m*60
	if b[0] == '-' {
		s.offset = -s.offset
	}
	return true
}

// instant resolves the stamp to UTC. A local time is read in loc; in a DST
// fold the earlier instant is taken (ambiguous); in a gap the offset before
// the gap is used, moving the time forward as java.time does.
func (s *stamp) instant(loc *time.Location) (t time.Time, ambiguous bool) {
	wall := time.Date(s.year, time.Month(s.month), s.day, s.hour, s.min, s.sec, s.nsec, time.UTC)
	if s.hasZone {
		return wall.Add(-time.Duration(s.offset) * time.Second), false
	}
	if loc == time.UTC {
		return wall, false
	}
	u := wall.Unix()
	before, after := offsetAt(u-86400, loc), offsetAt(u+86400, loc)
	t1, ok1 := u-int64(before), offsetAt(u-int64(before), loc) == before
	t2, ok2 := u-int64(after), offsetAt(u-int64(after), loc) == after
	switch {
	case ok1 && ok2 && t1 != t2:
		return unixUTC(min(t1, t2), s.nsec), true
	case ok2 && !ok1:
		return unixUTC(t2, s.nsec), false
	}
	return unixUTC(t1, s.nsec), false
}

func offsetAt(u int64, loc *time.Location) int {
	_, off := time.Unix(u, 0).In(loc).Zone()
	return off
}

func unixUTC(sec int64, nsec int) time.Time {
	return time.Unix(sec, int64(nsec)).UTC()
}

// appendRFC3339 writes t (UTC) with exactly digits fraction digits, by
// hand: time.AppendFormat is a large share of a decode.
func appendRFC3339(dst []byte, t time.Time, digits int) []byte {
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return appendFrac(t.AppendFormat(dst, "2006-01-02T15:04:05"), t, digits)
	}
	h, mi, s := t.Clock()
	dst = appendDigits(dst, y, 4)
	dst = appendDigits(append(dst, '-'), int(mo), 2)
	dst = appendDigits(append(dst, '-'), d, 2)
	dst = appendDigits(append(dst, 'T'), h, 2)
	dst = appendDigits(append(dst, ':'), mi, 2)
	dst = appendDigits(append(dst, ':'), s, 2)
	return appendFrac(dst, t, digits)
}

func appendFrac(dst []byte, t time.Time, digits int) []byte {
	if digits > 0 {
		dst = append(dst, '.')
		dst = appendDigits(dst, t.Nanosecond()/pow10[9-digits], digits)
	}
	return append(dst, 'Z')
}

var pow10 = [...]int{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// appendDigits writes n zero-padded to width digits.
func appendDigits(dst []byte, n, width int) []byte {
	var b [9]byte
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:width]...)
}

// timeKeys are tried in order for the event time.
var timeKeys = [...]entry.Key{entry.KeyTimestamp, entry.KeyRequestReceivedTimestamp, entry.KeyStageTimestamp}

var timeSources = [...][]byte{nil, []byte("requestReceivedTimestamp"), []byte("stageTimestamp")}

// setTime sets Time and TimeText from the first usable time item, else the
// ingest time, and notes the source in _time_source.
func (d *Decoder) setTime(e *event.Event, now time.Time) {
	for i, k := range timeKeys {
		f, ok := d.keys.Field(e, k)
		if !ok {
			continue
		}
		if d.applyStamp(e, f) {
			if i > 0 {
				e.Meta = append(e.Meta, metaString(keyTimeSource, timeSources[i]))
			}
			return
		}
	}
	e.Time = now.UTC()
	e.TimeText = d.ingestText(e.Time)
	e.Meta = append(e.Meta, metaString(keyTimeSource, valIngest))
}

// ingestText is t as _time. An input reads a batch at one ingest time, so
// the events of it without a usable time of their own share one
// rendering.
func (d *Decoder) ingestText(t time.Time) string {
	if d.ingest.text == "" || !t.Equal(d.ingest.at) {
		d.ingest.at, d.ingest.text = t, t.Format(time.RFC3339Nano)
	}
	return d.ingest.text
}

func (d *Decoder) applyStamp(e *event.Event, f event.Field) bool {
	v := f.Value
	if f.Kind == event.KindJSON {
		if len(v) < 2 || v[0] != '"' {
			return false
		}
		v = v[1 : len(v)-1]
	}
	s, ok := parseStamp(v)
	if !ok {
		return false
	}
	t, amb := s.instant(d.opts.Location)
	e.Time = t
	at := d.text.start()
	if v[len(v)-1] == 'Z' {
		// A UTC time is written as _time renders it: same fields, same
		// fraction digits, the Z.
		d.text.buf = append(d.text.buf, v...)
	} else {
		d.text.buf = appendRFC3339(d.text.buf, t, len(s.frac))
	}
	e.TimeText = d.text.since(at)
	if amb {
		e.Meta = append(e.Meta, metaTrue(keyTimeAmbiguous))
	}
	return true
}
