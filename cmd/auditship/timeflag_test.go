package main

import (
	"testing"
	"time"
)

func TestParseTimeFlag(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"2026-01-31T12:00:00+01:00", time.Date(2026, 1, 31, 11, 0, 0, 0, time.UTC)},
		{"2026-01-31T12:00:00", time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)},
		{"2026-01-31", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"36h", now.Add(-36 * time.Hour)},
		{"7d", now.Add(-7 * 24 * time.Hour)},
	}
	for _, tt := range tests {
		got, err := parseTimeFlag(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseTimeFlag(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseTimeFlag("yesterday", now); err == nil {
		t.Error("parseTimeFlag(yesterday): no error")
	}
}
