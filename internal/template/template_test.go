package template

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		src     string
		batchID bool
		fields  []string
	}{
		{"", false, nil},
		{"plain/name", false, nil},
		{"{{ batch_id }}", true, nil},
		{"{{batch_id}}", true, nil},
		{"{{   batch_id\t}}", true, nil},
		{"{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ batch_time }}_{{ batch_id }}", true, nil},
		{"{{ workflowDefinitionId }}/{{ variables.customer.id }}/{{workflowDefinitionId}}_{{ first_seq }}", false,
			[]string{"workflowDefinitionId", "variables.customer.id"}},
		{"{{ _id }}-{{ tags.0 }}-{{ x-y }}", false, []string{"_id", "tags.0", "x-y"}},
		{"a{b}c{{ hour }}", false, nil},
	}
	for _, tt := range tests {
		tmpl, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if tmpl.HasBatchID() != tt.batchID || tmpl.String() != tt.src {
			t.Errorf("Parse(%q): HasBatchID %v, String %q", tt.src, tmpl.HasBatchID(), tmpl.String())
		}
		if diff := cmp.Diff(tt.fields, tmpl.Fields()); diff != "" {
			t.Errorf("Parse(%q).Fields() (-want +got):\n%s", tt.src, diff)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"{{ pipeline }", `unclosed "{{" at character 1`},
		{"a/{{ batch_id", `unclosed "{{" at character 3`},
		{"a}}", `unexpected "}}" at character 2`},
		{"{{ date }}}}", `unexpected "}}" at character 11`},
		{"x{{ }}", `empty placeholder at character 2`},
		{"{{ a {{ b }}", `nested "{{" at character 1`},
		{"{{ .field }}", `invalid field path ".field"`},
		{"{{ a..b }}", `invalid field path "a..b"`},
		{"{{ date | upper }}", `invalid field path "date | upper"`},
		{"{{ now() }}", `invalid field path "now()"`},
		{"{{ first name }}", `invalid field path "first name"`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", tt.src)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
			t.Errorf("Parse(%q) = %q, want one line containing %q", tt.src, msg, tt.want)
		}
	}
}
