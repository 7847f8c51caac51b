// Package units parses durations ("500ms", "4h", "7y") and sizes ("64KiB", "1GiB").
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration parses a Go duration; negative values are refused.
func Duration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (use e.g. \"500ms\", \"30s\", \"4h\")", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q must not be negative", s)
	}
	return d, nil
}

// Day and Year are the units LongDuration adds to Go's: 24 hours and 365
// days.
const (
	Day  = 24 * time.Hour
	Year = 365 * Day
)

// LongDuration parses a period such as a retention: whole days ("90d"),
// whole years ("7y", 365 days each) or a Go duration ("36h").
func LongDuration(s string) (time.Duration, error) {
	var unit time.Duration
	switch {
	case strings.HasSuffix(s, "y"):
		unit = Year
	case strings.HasSuffix(s, "d"):
		unit = Day
	default:
		if d, err := time.ParseDuration(s); err == nil && d >= 0 {
			return d, nil
		}
		return 0, fmt.Errorf("invalid duration %q (use e.g. \"7y\", \"90d\", \"36h\")", s)
	}
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 63)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (use e.g. \"7y\", \"90d\", \"36h\")", s)
	}
	if n > math.MaxInt64/uint64(unit) {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return time.Duration(n) * unit, nil
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"TB", 1000 * 1000 * 1000 * 1000},
	{"B", 1},
}

// Size parses a byte size: a plain number of bytes or a number with one of
// B, KB, MB, GB, TB, KiB, MiB, GiB, TiB.
func Size(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q (use e.g. \"64KiB\", \"8MiB\", \"1GiB\")", s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * mult, nil
}
