package format

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/event"
)

func TestEventTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		name, items string
		loc         *time.Location
		want        string // _time
		source      string // _time_source, "" when from timestamp
		ambiguous   bool
	}{
		{"utc whole second", `"timestamp":"2024-05-13T08:00:01"`, nil, "2024-05-13T08:00:01Z", "", false},
		{"fraction kept", `"timestamp":"2024-05-13T08:00:49.32820"`, nil, "2024-05-13T08:00:49.32820Z", "", false},
		{"one digit", `"timestamp":"2024-05-13T08:00:49.9"`, nil, "2024-05-13T08:00:49.9Z", "", false},
		{"nine digits", `"timestamp":"2024-05-13T08:00:49.000000001"`, nil, "2024-05-13T08:00:49.000000001Z", "", false},
		{"berlin summer", `"timestamp":"2024-05-13T08:00:01.5"`, berlin, "2024-05-13T06:00:01.5Z", "", false},
		{"new york winter", `"timestamp":"2024-01-13T08:00:01"`, ny, "2024-01-13T13:00:01Z", "", false},
		{"offset honoured", `"timestamp":"2024-05-14T06:00:01+02:00"`, ny, "2024-05-14T04:00:01Z", "", false},
		{"negative offset", `"timestamp":"2024-05-14T06:00:01.25-05:30"`, berlin, "2024-05-14T11:30:01.25Z", "", false},
		{"zulu", `"timestamp":"2024-12-31T23:59:59Z"`, berlin, "2024-12-31T23:59:59Z", "", false},
		{"fold takes earlier", `"timestamp":"2024-10-27T02:30:00"`, berlin, "2024-10-27T00:30:00Z", "", true},
		{"after fold", `"timestamp":"2024-10-27T03:30:00"`, berlin, "2024-10-27T02:30:00Z", "", false},
		{"gap moves forward", `"timestamp":"2024-03-31T02:30:00"`, berlin, "2024-03-31T01:30:00Z", "", false},
		{"kubernetes", `"requestReceivedTimestamp":"2024-05-13T08:00:01.123456Z","stageTimestamp":"2024-05-13T08:00:02Z"`, nil, "2024-05-13T08:00:01.123456Z", "requestReceivedTimestamp", false},
		{"stage only", `"stageTimestamp":"2024-05-13T08:00:02Z"`, nil, "2024-05-13T08:00:02Z", "stageTimestamp", false},
		{"bad timestamp", `"timestamp":"2024-02-30T08:00:00"`, nil, "2024-06-01T12:00:00.123456789Z", "ingest", false},
		{"numeric timestamp", `"timestamp":1715587201`, nil, "2024-06-01T12:00:00.123456789Z", "ingest", false},
		{"ten digits", `"timestamp":"2024-05-13T08:00:49.0000000001"`, nil, "2024-06-01T12:00:00.123456789Z", "ingest", false},
		{"none", `"a":1`, nil, "2024-06-01T12:00:00.123456789Z", "ingest", false},
	}
	for _, tc := range tests {
		e := decode(t, Options{Format: "json", Location: tc.loc}, []byte("{"+tc.items+"}"))
		m := metaMap(e)
		want, _ := time.Parse(time.RFC3339Nano, tc.want)
		if e.TimeText != tc.want || !e.Time.Equal(want) || e.Time.Location() != time.UTC {
			t.Errorf("%s: _time %q (%v), want %q", tc.name, e.TimeText, e.Time, tc.want)
		}
		if src := strings.Trim(m["_time_source"], `"`); src != tc.source {
			t.Errorf("%s: _time_source %q, want %q", tc.name, src, tc.source)
		}
		if _, amb := m["_time_ambiguous"]; amb != tc.ambiguous {
			t.Errorf("%s: _time_ambiguous %v", tc.name, amb)
		}
	}
}

func TestPlainTimeInZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	e := new(event.Event)
	NewDecoder(Options{Format: "plain", Location: berlin}).Decode(e, []byte(plainNode), event.Source{}, nil, Flags{}, ingest)
	if e.TimeText != "2024-05-13T06:00:57.447401Z" {
		t.Errorf("_time %q", e.TimeText)
	}
}

// TestUTCTimeKeptAsWritten: a time written in UTC with Z is _time as
// written, whatever its fraction digits; the same instant written with an
// offset or a lowercase z renders the same text.
func TestUTCTimeKeptAsWritten(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	d := NewDecoder(Options{Format: "json"})
	for range 2000 {
		at := time.Date(1+rng.IntN(9998), time.Month(1+rng.IntN(12)), 1+rng.IntN(28),
			rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e9), time.UTC)
		digits := rng.IntN(10)
		text := at.Format("2006-01-02T15:04:05")
		if digits > 0 {
			text += "." + fmt.Sprintf("%09d", at.Nanosecond())[:digits]
		}
		for _, written := range []string{text + "Z", text + "z", text + "+00:00"} {
			e := new(event.Event)
			d.Decode(e, []byte(`{"timestamp":"`+written+`"}`), event.Source{}, nil, Flags{}, ingest)
			if e.TimeText != text+"Z" {
				t.Fatalf("%s: _time %q, want %q", written, e.TimeText, text+"Z")
			}
		}
	}
}
