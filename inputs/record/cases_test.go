package record

import (
	"regexp"
	"strings"
)

// Plain entry starts.
const (
	ts1 = "{timestamp=2024-05-13T08:00:01"
	ts2 = "{timestamp=2024-05-13T08:00:02"
)

// framingCases are fed to the Framer in every chunking by TestFraming.
var framingCases = []struct {
	name string
	cfg  Config
	off  int64
	ops  []op
	want []rec
}{{
	name: "json lines",
	cfg:  Config{Format: "json"},
	ops:  []op{w(`{"a":1}` + "\n" + `{"b":2}` + "\n")},
	want: []rec{{Raw: `{"a":1}`, Off: 0, End: 8}, {Raw: `{"b":2}`, Off: 8, End: 16}},
}, {
	name: "json never joins lines",
	cfg:  Config{Format: "json"},
	ops:  []op{w(ts1 + ",\nx}\n")},
	want: []rec{{Raw: ts1 + ",", End: 32}, {Raw: "x}", Off: 32, End: 35}},
}, {
	name: "empty lines skipped",
	cfg:  Config{Format: "json"},
	ops:  []op{w("\n{}\n\n \t\r\n{}\n\n"), end},
	want: []rec{{Raw: "{}", Off: 1, End: 4}, {Raw: "{}", Off: 9, End: 12}},
}, {
	name: "crlf keeps the cr",
	cfg:  Config{Format: "json"},
	ops:  []op{w("{}\r\n{}\r\n")},
	want: []rec{{Raw: "{}\r", End: 4}, {Raw: "{}\r", Off: 4, End: 8}},
}, {
	name: "start offset",
	cfg:  Config{Format: "json"},
	off:  100,
	ops:  []op{w("{}\n")},
	want: []rec{{Raw: "{}", Off: 100, End: 103}},
}, {
	name: "partial line held",
	cfg:  Config{Format: "json"},
	ops:  []op{w("{}\n{\"a\""), flush},
	want: []rec{{Raw: "{}", End: 3}},
}, {
	name: "partial line completed",
	cfg:  Config{Format: "json"},
	ops:  []op{w("{}\n{\"a\""), flush, w(":1}\n")},
	want: []rec{{Raw: "{}", End: 3}, {Raw: `{"a":1}`, Off: 3, End: 11}},
}, {
	name: "partial line at end",
	cfg:  Config{Format: "json"},
	ops:  []op{w("{}\n{\"a\""), end},
	want: []rec{{Raw: "{}", End: 3}, {Raw: `{"a"`, Off: 3, End: 7, Partial: true}},
}, {
	name: "blank partial line at end",
	cfg:  Config{Format: "json"},
	ops:  []op{w("{}\n  "), end},
	want: []rec{{Raw: "{}", End: 3}},
}, {
	name: "plain multi-line",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v=a\nb\n c}\n" + ts2 + "}\n"), end},
	want: []rec{{Raw: ts1 + ", v=a\nb\n c}", End: 42}, {Raw: ts2 + "}", Off: 42, End: 74}},
}, {
	name: "plain record open until next start",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + "}\n" + ts2 + "\n")},
	want: []rec{{Raw: ts1 + "}", End: 32}},
}, {
	name: "plain trailing blank lines trimmed",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + "}\n\n\r\n" + ts2 + "}\n\n"), end},
	want: []rec{{Raw: ts1 + "}", End: 35}, {Raw: ts2 + "}", Off: 35, End: 68}},
}, {
	name: "plain inner blank line kept",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v=a\n\nb}\n"), end},
	want: []rec{{Raw: ts1 + ", v=a\n\nb}", End: 40}},
}, {
	name: "plain trailing text cut off",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + "}\ngarbage\n\n" + ts2 + "}\n"), end},
	want: []rec{{Raw: ts1 + "}", End: 32}, {Raw: "garbage", Off: 32, End: 41}, {Raw: ts2 + "}", Off: 41, End: 73}},
}, {
	name: "plain cut after the last closing line",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v={a}\nb} \r\n\nx\n y \n\n"), end},
	want: []rec{{Raw: ts1 + ", v={a}\nb} \r", End: 43}, {Raw: "x\n y ", Off: 44, End: 51}},
}, {
	name: "plain closing line last: no cut",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + "}\nx\ny}\n"), end},
	want: []rec{{Raw: ts1 + "}\nx\ny}", End: 37}},
}, {
	name: "plain no closing line: no cut",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v=a\nb\n"), end},
	want: []rec{{Raw: ts1 + ", v=a\nb", End: 38}},
}, {
	name: "plain cut at flush",
	cfg:  Config{Format: "auto"},
	ops:  []op{w(ts1 + "}\nx\n"), flush, w("y\n"), end},
	want: []rec{{Raw: ts1 + "}", End: 32}, {Raw: "x", Off: 32, End: 34}, {Raw: "y", Off: 34, End: 36, Orphan: true}},
}, {
	name: "plain cut with a partial last line",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + "}\nx"), end},
	want: []rec{{Raw: ts1 + "}", End: 32}, {Raw: "x", Off: 32, End: 33, Partial: true}},
}, {
	name: "plain cut before max lines orphans",
	cfg:  Config{Format: "plain", MaxLines: 2},
	ops:  []op{w(ts1 + "}\nx\ny\n"), end},
	want: []rec{{Raw: ts1 + "}", End: 32}, {Raw: "x", Off: 32, End: 34}, {Raw: "y", Off: 34, End: 36, Orphan: true}},
}, {
	name: "plain cut before a long line",
	cfg:  Config{Format: "plain", MaxLineBytes: 32},
	ops:  []op{w(ts1 + "}\nx\n" + strings.Repeat("z", 40) + "\n"), end},
	want: []rec{
		{Raw: ts1 + "}", End: 32},
		{Raw: "x", Off: 32, End: 34},
		{Raw: strings.Repeat("z", 32), Off: 34, End: 75, Truncated: true, OrigLen: 40},
	},
}, {
	name: "plain cut after a stripped prefix",
	cfg:  Config{Format: "auto", StripPrefix: regexp.MustCompile(`P `)},
	ops:  []op{w("P " + ts1 + "}\nx\n"), end},
	want: []rec{{Raw: "P " + ts1 + "}", End: 34}, {Raw: "x", Off: 34, End: 36}},
}, {
	name: "start pattern record that is not plain: no cut",
	cfg:  Config{Format: "plain", StartPattern: regexp.MustCompile(`^BEGIN`)},
	ops:  []op{w("BEGIN {a}\nx\n"), end},
	want: []rec{{Raw: "BEGIN {a}\nx", End: 12}},
}, {
	name: "plain json line continues",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ",\n{\"a\":1}}\n"), end},
	want: []rec{{Raw: ts1 + ",\n{\"a\":1}}", End: 41}},
}, {
	name: "continuation before any record",
	cfg:  Config{Format: "plain"},
	ops:  []op{w("tail of an old entry}\n" + ts1 + "}\n"), end},
	want: []rec{{Raw: "tail of an old entry}", End: 22}, {Raw: ts1 + "}", Off: 22, End: 54}},
}, {
	name: "start needs a date",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v=\n{timestamp=yesterday}\n"), end},
	want: []rec{{Raw: ts1 + ", v=\n{timestamp=yesterday}", End: 57}},
}, {
	name: "flush then orphan continuations",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v=a\n"), flush, w("b\n\nc}\n"), w(ts2 + "\n"), w("d}\n"), end},
	want: []rec{
		{Raw: ts1 + ", v=a", End: 36},
		{Raw: "b", Off: 36, End: 38, Orphan: true},
		{Raw: "c}", Off: 39, End: 42, Orphan: true},
		{Raw: ts2 + "\nd}", Off: 42, End: 76},
	},
}, {
	name: "flush keeps the partial line",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + "}\nla"), flush, w("te\n"), end},
	want: []rec{{Raw: ts1 + "}", End: 32}, {Raw: "late", Off: 32, End: 37, Orphan: true}},
}, {
	name: "flush with nothing open",
	cfg:  Config{Format: "plain"},
	ops:  []op{flush, w("x\n"), end},
	want: []rec{{Raw: "x", End: 2}},
}, {
	name: "end joins a partial continuation",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v=a\nb}"), end},
	want: []rec{{Raw: ts1 + ", v=a\nb}", End: 38, Partial: true}},
}, {
	name: "end emits a partial start after the open record",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + "}\n" + ts2 + "}"), end},
	want: []rec{{Raw: ts1 + "}", End: 32}, {Raw: ts2 + "}", Off: 32, End: 63, Partial: true}},
}, {
	name: "auto mixing",
	cfg:  Config{Format: "auto"},
	ops:  []op{w(ts1 + ", v=a\nb}\n{\"a\":1}\nc}\n" + ts2 + "}\n"), end},
	want: []rec{
		{Raw: ts1 + ", v=a\nb}", End: 39},
		{Raw: `{"a":1}`, Off: 39, End: 47},
		{Raw: "c}", Off: 47, End: 50},
		{Raw: ts2 + "}", Off: 50, End: 82},
	},
}, {
	name: "auto json line ends orphan state",
	cfg:  Config{},
	ops:  []op{w(ts1 + "\n"), flush, w("a\n{\"\"}\nb\n"), end},
	want: []rec{
		{Raw: ts1, End: 31},
		{Raw: "a", Off: 31, End: 33, Orphan: true},
		{Raw: `{""}`, Off: 33, End: 38},
		{Raw: "b", Off: 38, End: 40},
	},
}, {
	name: "strip prefix",
	cfg:  Config{Format: "auto", StripPrefix: regexp.MustCompile(`\S+ \S+ INFO +\[\w+\] \([^)]*\) `)},
	ops: []op{w("2024-05-13 08:00:49,332 INFO  [AutomatikoAudit] (executor-thread-1) " + ts1 + ", v=a\nb}\n" +
		"2024-05-13 08:00:49,400 INFO  [AutomatikoAudit] (executor-thread-1) {\"a\":1}\n"), end},
	want: []rec{
		{Raw: "2024-05-13 08:00:49,332 INFO  [AutomatikoAudit] (executor-thread-1) " + ts1 + ", v=a\nb}", End: 107},
		{Raw: "2024-05-13 08:00:49,400 INFO  [AutomatikoAudit] (executor-thread-1) {\"a\":1}", Off: 107, End: 183},
	},
}, {
	name: "strip prefix must match at the start",
	cfg:  Config{Format: "plain", StripPrefix: regexp.MustCompile(`INFO `)},
	ops:  []op{w(ts1 + "\nx INFO " + ts2 + "}\n"), end},
	want: []rec{{Raw: ts1 + "\nx INFO " + ts2 + "}", End: 70}},
}, {
	name: "start pattern",
	cfg:  Config{Format: "plain", StartPattern: regexp.MustCompile(`^BEGIN`)},
	ops:  []op{w("BEGIN 1\n" + ts1 + "\nBEGIN 2\n"), end},
	want: []rec{{Raw: "BEGIN 1\n" + ts1, End: 39}, {Raw: "BEGIN 2", Off: 39, End: 47}},
}, {
	name: "max lines",
	cfg:  Config{Format: "plain", MaxLines: 2},
	ops:  []op{w(ts1 + "\na\nb\n\nc\n" + ts2 + "\nd\n"), end},
	want: []rec{
		{Raw: ts1 + "\na", End: 33},
		{Raw: "b", Off: 33, End: 35, Orphan: true},
		{Raw: "c", Off: 36, End: 38, Orphan: true},
		{Raw: ts2 + "\nd", Off: 38, End: 71},
	},
}, {
	name: "max lines counts blank lines",
	cfg:  Config{Format: "plain", MaxLines: 2},
	ops:  []op{w(ts1 + "\n\n\na\n"), end},
	want: []rec{{Raw: ts1, End: 32}, {Raw: "a", Off: 33, End: 35, Orphan: true}},
}, {
	name: "max bytes",
	cfg:  Config{Format: "plain", MaxBytes: 36},
	ops:  []op{w(ts1 + "\nabcd\nefgh\n"), end},
	want: []rec{{Raw: ts1 + "\nabcd", End: 36}, {Raw: "efgh", Off: 36, End: 41, Orphan: true}},
}, {
	name: "long line truncated",
	cfg:  Config{Format: "json", MaxLineBytes: 8},
	ops:  []op{w(`{"a":"0123456789"}` + "\n{}\n")},
	want: []rec{
		{Raw: `{"a":"01`, End: 19, Truncated: true, OrigLen: 18},
		{Raw: "{}", Off: 19, End: 22},
	},
}, {
	name: "line at the limit kept whole",
	cfg:  Config{Format: "json", MaxLineBytes: 8},
	ops:  []op{w(`{"a":12}` + "\n")},
	want: []rec{{Raw: `{"a":12}`, End: 9}},
}, {
	name: "long line closes the open record",
	cfg:  Config{Format: "plain", MaxLineBytes: 31},
	ops:  []op{w(ts1 + "\n" + strings.Repeat("x", 40) + "\ny\n"), end},
	want: []rec{
		{Raw: ts1, End: 31},
		{Raw: strings.Repeat("x", 31), Off: 31, End: 72, Truncated: true, OrigLen: 40},
		{Raw: "y", Off: 72, End: 74, Orphan: true},
	},
}, {
	name: "long partial line at end",
	cfg:  Config{Format: "json", MaxLineBytes: 4},
	ops:  []op{w("{}\n0123456789"), end},
	want: []rec{{Raw: "{}", End: 3}, {Raw: "0123", Off: 3, End: 13, Partial: true, Truncated: true, OrigLen: 10}},
}, {
	name: "plain crlf",
	cfg:  Config{Format: "plain"},
	ops:  []op{w(ts1 + ", v=a\r\nb}\r\n\r\n" + ts2 + "}\r\n"), end},
	want: []rec{{Raw: ts1 + ", v=a\r\nb}\r", End: 43}, {Raw: ts2 + "}\r", Off: 43, End: 76}},
}}
