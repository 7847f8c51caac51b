package template

import (
	"strings"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// sep separates the values in a partition. NUL is never valid in a name, so
// a value holding one has it replaced by '_' (see clean).
const sep = '\x00'

// missing is what a field absent from the event renders as.
const missing = "none"

// Partition renders the event-dependent part: fields (dotted paths, missing
// renders "none"), pipeline and output. Equal partitions batch together.
// Field values (not pipeline and output) pass through sanitize when it is
// not nil. The result is the values joined by NUL; only Render reads it.
func (t *Template) Partition(e *event.Event, pipeline, output string, sanitize func(string) string) string {
	if len(t.fields) == 0 {
		return t.constant(pipeline, output)
	}
	vals := make([]string, 0, 8) // stays on the stack for usual templates
	size := 0
	for _, p := range t.parts {
		if p.perEvent() {
			v := clean(value(p, e, pipeline, output, sanitize))
			vals = append(vals, v)
			size += len(v) + 1
		}
	}
	if len(vals) == 1 {
		return vals[0]
	}
	var b strings.Builder
	b.Grow(size)
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(sep)
		}
		b.WriteString(v)
	}
	return b.String()
}

func value(p part, e *event.Event, pipeline, output string, sanitize func(string) string) string {
	switch p.kind {
	case kindPipeline:
		return pipeline
	case kindOutput:
		return output
	}
	v, ok := e.Text(p.text)
	if !ok {
		return missing
	}
	if sanitize != nil {
		v = sanitize(v)
	}
	return v
}

func clean(v string) string {
	if strings.IndexByte(v, sep) < 0 {
		return v
	}
	return strings.ReplaceAll(v, string(rune(sep)), "_")
}

// constant returns the partition of a template without field parts; it
// depends on pipeline and output only, so the last one is kept.
func (t *Template) constant(pipeline, output string) string {
	if c := t.last.Load(); c != nil && c.pipeline == pipeline && c.output == output {
		return c.value
	}
	vals := make([]string, 0, 4)
	for _, p := range t.parts {
		if p.perEvent() {
			vals = append(vals, clean(value(p, nil, pipeline, output, nil)))
		}
	}
	v := strings.Join(vals, string(rune(sep)))
	t.last.Store(&constPartition{pipeline: pipeline, output: output, value: v})
	return v
}

// BatchVars are the batch-level specials, rendered when the batch closes.
type BatchVars struct {
	BatchID  string
	FirstSeq uint64
	Time     time.Time // first event's time
}

// Render renders the final name from a partition produced by Partition.
// Batch-level times are rendered in UTC.
func (t *Template) Render(partition string, v BatchVars) string {
	ts := v.Time.UTC()
	dst := make([]byte, 0, len(t.src)+len(partition)+32)
	rest, more := partition, true
	for _, p := range t.parts {
		switch {
		case p.kind == kindText:
			dst = append(dst, p.text...)
		case p.perEvent():
			var val string
			val, rest, more = next(rest, more)
			dst = append(dst, val...)
		default:
			dst = appendSpecial(dst, p.kind, v, ts)
		}
	}
	return string(dst)
}

// next splits the first value off a partition; a partition with fewer
// values than the template (not one Partition made) renders "none".
func next(rest string, more bool) (val, tail string, ok bool) {
	if !more {
		return missing, "", false
	}
	i := strings.IndexByte(rest, sep)
	if i < 0 {
		return rest, "", false
	}
	return rest[:i], rest[i+1:], true
}

func appendSpecial(dst []byte, k kind, v BatchVars, ts time.Time) []byte {
	switch k {
	case kindBatchID:
		return append(dst, v.BatchID...)
	case kindFirstSeq:
		return appendSeq(dst, v.FirstSeq)
	case kindBatchTime:
		return ts.AppendFormat(dst, "20060102T150405Z")
	case kindDate:
		return ts.AppendFormat(dst, "2006/01/02")
	case kindHour:
		return ts.AppendFormat(dst, "15")
	}
	return dst
}

// appendSeq writes n as 20 digits, zero-padded (the width of MaxUint64).
func appendSeq(dst []byte, n uint64) []byte {
	var b [20]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:]...)
}
