package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDiagnosticsFormat(t *testing.T) {
	ds := Diagnostics{
		{File: "b.hcl", Line: 1, Col: 1, Msg: "z"},
		{File: "a.hcl", Line: 10, Col: 2, Msg: "y"},
		{File: "a.hcl", Line: 9, Col: 5, Msg: "x"},
		{File: "a.hcl", Line: 10, Col: 2, Msg: "y"},
		{File: "a.hcl", Msg: "whole file"},
	}.sorted()
	want := "a.hcl: whole file\na.hcl:9:5: x\na.hcl:10:2: y\nb.hcl:1:1: z"
	if diff := cmp.Diff(want, ds.Error()); diff != "" {
		t.Error(diff)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"file", "stdin", "s3", "azure_blob"}
	tests := []struct{ in, want string }{
		{"fille", "file"},
		{"s4", "s3"},
		{"stdni", "stdin"},
		{"azure-blob", "azure_blob"},
		{"kafka", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in, names); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
