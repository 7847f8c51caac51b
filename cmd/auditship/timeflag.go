package main

import (
	"fmt"
	"time"

	"github.com/auditship/auditship/internal/units"
)

// parseTimeFlag reads a --since or --until value: an RFC 3339 time, a
// date-time or a date without zone (UTC), or a duration back from now
// ("36h", "7d"). "" is an open bound (the zero time).
func parseTimeFlag(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if d, err := units.LongDuration(s); err == nil {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: want RFC 3339 (2026-01-31T12:00:00Z), a date (2026-01-31, UTC) or a duration back from now (36h, 7d)", s)
}
