package main

import (
	"strings"
	"testing"
	"testing/iotest"
)

func TestCountLines(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"a\n", 1},
		{"a\nb\n\nc", 3},
		{strings.Repeat("x\n", 1000), 1000},
	}
	for _, tt := range tests {
		// a tiny buffer and one-byte reads cross every line boundary
		got, err := countLines(iotest.OneByteReader(strings.NewReader(tt.in)), make([]byte, 3))
		if err != nil || got != tt.want {
			t.Errorf("countLines(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}
