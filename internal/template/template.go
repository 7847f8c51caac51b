// Package template renders key, file and container names such as
// "{{ pipeline }}/{{ date }}/{{ workflowDefinitionId }}_{{ batch_id }}".
//
// Rendering happens in two steps. Partition, called per event, renders the
// event-dependent parts (fields, pipeline, output) into a compact string:
// events with equal partitions share a batch. Render, called once per batch,
// completes that string with the batch-level specials.
package template

import (
	"fmt"
	"strings"
	"sync/atomic"
)

type kind uint8

const (
	kindText kind = iota
	kindField
	kindPipeline
	kindOutput
	kindBatchID
	kindFirstSeq
	kindBatchTime
	kindDate
	kindHour
)

var specials = map[string]kind{
	"pipeline":   kindPipeline,
	"output":     kindOutput,
	"batch_id":   kindBatchID,
	"first_seq":  kindFirstSeq,
	"batch_time": kindBatchTime,
	"date":       kindDate,
	"hour":       kindHour,
}

// part is a literal (text) or a placeholder; text holds a field's path.
type part struct {
	kind kind
	text string
}

// perEvent reports whether the part's value comes from Partition.
func (p part) perEvent() bool {
	return p.kind == kindField || p.kind == kindPipeline || p.kind == kindOutput
}

// Template is parsed once; safe for concurrent use. Do not copy.
type Template struct {
	src     string
	parts   []part
	fields  []string // field paths in order of appearance, deduplicated
	batchID bool

	// last holds the partition of a template without field parts, so that
	// Partition returns it without allocating.
	last atomic.Pointer[constPartition]
}

type constPartition struct{ pipeline, output, value string }

// Parse parses s. Unknown specials and unbalanced braces are errors.
func Parse(s string) (*Template, error) {
	t := &Template{src: s}
	rest, col := s, 1
	for rest != "" {
		open, shut := strings.Index(rest, "{{"), strings.Index(rest, "}}")
		if shut >= 0 && (open < 0 || shut < open) {
			return nil, fmt.Errorf("unexpected \"}}\" at character %d of %q", col+shut, s)
		}
		if open < 0 {
			t.addText(rest)
			break
		}
		t.addText(rest[:open])
		end := strings.Index(rest[open+2:], "}}")
		if end < 0 {
			return nil, fmt.Errorf("unclosed \"{{\" at character %d of %q", col+open, s)
		}
		if err := t.addPlaceholder(rest[open+2 : open+2+end]); err != nil {
			return nil, fmt.Errorf("%w at character %d of %q", err, col+open, s)
		}
		col += open + 2 + end + 2
		rest = rest[open+2+end+2:]
	}
	return t, nil
}

func (t *Template) addText(s string) {
	if s == "" {
		return
	}
	if n := len(t.parts); n > 0 && t.parts[n-1].kind == kindText {
		t.parts[n-1].text += s
		return
	}
	t.parts = append(t.parts, part{kind: kindText, text: s})
}

func (t *Template) addPlaceholder(inner string) error {
	name := strings.TrimSpace(inner)
	if strings.Contains(name, "{{") {
		return fmt.Errorf("nested \"{{\"")
	}
	if k, ok := specials[name]; ok {
		t.parts = append(t.parts, part{kind: k})
		t.batchID = t.batchID || k == kindBatchID
		return nil
	}
	if err := checkPath(name); err != nil {
		return err
	}
	t.parts = append(t.parts, part{kind: kindField, text: name})
	for _, f := range t.fields {
		if f == name {
			return nil
		}
	}
	t.fields = append(t.fields, name)
	return nil
}

// checkPath accepts dotted paths of names made of letters, digits, '_'
// and '-', which covers the item names of the audit formats we read.
func checkPath(p string) error {
	if p == "" {
		return fmt.Errorf("empty placeholder")
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" || strings.IndexFunc(seg, badPathRune) >= 0 {
			return fmt.Errorf("invalid field path %q (want a name or a dotted path like a.b)", p)
		}
	}
	return nil
}

func badPathRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}

// HasBatchID reports whether the template contains {{ batch_id }}.
func (t *Template) HasBatchID() bool { return t.batchID }

// Fields returns the field paths the template reads, in order of first use.
func (t *Template) Fields() []string { return t.fields }

// String returns the template's source text.
func (t *Template) String() string { return t.src }
