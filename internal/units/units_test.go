package units

import (
	"testing"
	"time"
)

func TestLongDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7y", 7 * 365 * 24 * time.Hour, true},
		{"90d", 90 * 24 * time.Hour, true},
		{"0d", 0, true},
		{"36h", 36 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"292y", 292 * 365 * 24 * time.Hour, true},
		{"300y", 0, false}, // over time.Duration's range
		{"", 0, false},
		{"y", 0, false},
		{"-1d", 0, false},
		{"+1d", 0, false},
		{"1.5y", 0, false},
		{"-1h", 0, false},
		{"7 years", 0, false},
	}
	for _, tt := range tests {
		got, err := LongDuration(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("LongDuration(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
