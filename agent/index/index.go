// Package index is what lets replay and export find stored events again
// without reading the whole archive (issue 11): a small record per stored
// batch, written beside its manifest and covered by the manifest's hash,
// with the batch's event-time range and the distinct values of the
// output's index fields; and the Query that replay and export plan from
// --where, --since and --until.
package index

import (
	"encoding/json"
	"fmt"
	"time"
)

// DefaultFields are the index_fields of an output that sets none.
var DefaultFields = []string{"workflowInstanceId", "businessKey", "workflowDefinitionId", "identity", "transactionId"}

// RecordVersion is the index record format written here. Version 2 places
// values in filters by xxHash64 (FieldSet.Hash); version 1, still read,
// by SHA-256. A binary that knows only version 1 refuses version 2
// records rather than look a value up by the wrong hash (and miss it).
const RecordVersion = 2

// Record is one stored batch's index record: compact JSON, its bytes
// exactly Marshal's (the journal keeps them, so a batch re-sent after a
// crash stores the same record), its SHA-256 in the batch's manifest.
type Record struct {
	Version     int         `json:"v"`
	Key         string      `json:"key"` // the batch's key, as in its manifest
	Format      string      `json:"format"`
	Compression string      `json:"compression"`
	SizeBefore  uint64      `json:"tree_size_before"` // names the manifest
	FirstSeq    uint64      `json:"first_seq"`
	LastSeq     uint64      `json:"last_seq"`
	Seqs        [][2]uint64 `json:"seqs,omitempty"` // the sequence numbers held, as in the manifest
	Count       int         `json:"count"`
	MinTime     time.Time   `json:"min_time,omitzero"` // event time of the earliest event
	MaxTime     time.Time   `json:"max_time,omitzero"` // and of the latest
	Fields      []FieldSet  `json:"fields,omitempty"`  // index_fields, in their order
}

// Field returns the set of the index field named, or nil when the record
// does not index it.
func (r *Record) Field(name string) *FieldSet {
	for i := range r.Fields {
		if r.Fields[i].Name == name {
			return &r.Fields[i]
		}
	}
	return nil
}

// Marshal returns the record's stored bytes.
func (r *Record) Marshal() []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}

// Parse decodes stored index record bytes.
func Parse(b []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("index record: %w", err)
	}
	if r.Version < 1 || r.Version > RecordVersion {
		return nil, fmt.Errorf("index record version %d, want 1 to %d", r.Version, RecordVersion)
	}
	return &r, nil
}

// MayMatch reports whether the batch can hold an event that q matches:
// false only when it certainly holds none (its time range is outside
// [Since, Until), or a field q constrains has none of q's values).
func (r *Record) MayMatch(q *Query) bool {
	if q == nil {
		return true
	}
	if !q.Since.IsZero() && !r.MaxTime.IsZero() && r.MaxTime.Before(q.Since) {
		return false
	}
	if !q.Until.IsZero() && !r.MinTime.IsZero() && !r.MinTime.Before(q.Until) {
		return false
	}
	for _, t := range q.terms {
		if fs := r.Field(t.field); fs != nil && !fs.HasAny(t.values) {
			return false
		}
	}
	return true
}
