package format

import (
	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

// ScanEnvelope forwards to entry.ScanEnvelope.
//
// Deprecated: use entry.ScanEnvelope; this stays only until agent/sender.go
// imports internal/entry.
func ScanEnvelope(e *event.Event) bool { return entry.ScanEnvelope(e) }
