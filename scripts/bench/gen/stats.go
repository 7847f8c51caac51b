package main

import "bytes"

// benchFilter is the workflowDefinitionId the bench pipeline keeps.
const benchFilter = "orders"

// stats summarises what was written so the driver knows how many events
// each workload must deliver.
type stats struct {
	Entries     int            `json:"entries"`
	Bytes       int64          `json:"bytes"`
	Lines       int            `json:"lines"` // physical lines: plain values may hold newlines
	Categories  map[string]int `json:"categories"`
	Definitions map[string]int `json:"definitions"`
	// Passed counts entries that are neither persistence reads nor of
	// another definition: what `categories` + `filter` let through.
	Passed int `json:"passed"`
}

func newStats() stats {
	return stats{Categories: map[string]int{}, Definitions: map[string]int{}}
}

func (s *stats) add(category, def string, line []byte) {
	s.Entries++
	s.Bytes += int64(len(line))
	s.Lines += bytes.Count(line, []byte{'\n'})
	s.Categories[category]++
	s.Definitions[def]++
	if def == benchFilter && category != "workflow_persistence_read" {
		s.Passed++
	}
}
