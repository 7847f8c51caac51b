package format

import (
	"bytes"
	"encoding/json"

	"github.com/auditship/auditship/internal/event"
)

// Categories inferred from an entry (FORMATS.md rule 4).
const (
	CategoryMessaging        = "messaging"
	CategoryTimer            = "timer"
	CategoryPersistenceRead  = "workflow_persistence_read"
	CategoryPersistenceWrite = "workflow_persistence_write"
	CategoryVariable         = "workflow_variable"
	CategoryNode             = "workflow_node"
	CategoryWorkflow         = "workflow"
	CategoryOther            = "other"
	CategoryUnparsed         = "unparsed"
)

// inferCategory applies FORMATS.md rule 4, first match wins. k indexes
// e's fields.
func inferCategory(e *event.Event, k *keyIndex) {
	if e.Format == event.FormatJSON {
		if c, ok := stringField(k.field(e, keyCategory)); ok {
			e.Category, e.OwnCategory = c, true
			return
		}
	}
	msg, _ := messageText(k.field(e, keyMessage))
	switch {
	case k.has(keyConnector) || k.has(keyMessageName):
		e.Category = CategoryMessaging
	case k.has(keyJobID) || isTimerMessage(msg):
		e.Category = CategoryTimer
	case isPersistence(msg):
		e.Category = persistenceCategory(msg)
	case k.has(keyVariableName):
		e.Category = CategoryVariable
	case k.has(keyNodeInstanceID) || isNodeMessage(msg):
		e.Category = CategoryNode
	case k.has(keyWorkflowDefinitionID):
		e.Category = CategoryWorkflow
	default:
		e.Category = CategoryOther
	}
}

// stringField returns a JSON string item's text (allocates).
func stringField(f event.Field, ok bool) (string, bool) {
	if !ok || f.Kind != event.KindJSON || len(f.Value) < 2 || f.Value[0] != '"' {
		return "", false
	}
	inner := f.Value[1 : len(f.Value)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var out string
	err := json.Unmarshal(f.Value, &out)
	return out, err == nil
}

// messageText returns the message item's text without allocating unless
// the JSON string holds escapes.
func messageText(f event.Field, ok bool) ([]byte, bool) {
	if !ok {
		return nil, false
	}
	if f.Kind != event.KindJSON {
		return f.Value, true
	}
	if len(f.Value) < 2 || f.Value[0] != '"' {
		return nil, false
	}
	inner := f.Value[1 : len(f.Value)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, true
	}
	s, ok := stringField(f, true)
	return []byte(s), ok
}

func isTimerMessage(m []byte) bool {
	return bytes.HasPrefix(m, []byte("Scheduled ")) ||
		bytes.HasPrefix(m, []byte("Executing timer job")) ||
		bytes.HasPrefix(m, []byte("Cancelled job"))
}

func isNodeMessage(m []byte) bool {
	return string(m) == "About to execute workflow instance node" ||
		bytes.HasPrefix(m, []byte("Workflow instance node "))
}

var persistenceVerbs = [...]string{"created in", "updated in", "deleted from", "removed from", "was read from"}

// isPersistence matches
// ^Workflow instance (created in|updated in|deleted from|removed from|was read from) the .* data store$
// where . does not match a newline.
func isPersistence(m []byte) bool {
	rest, ok := bytes.CutPrefix(m, []byte("Workflow instance "))
	if !ok {
		return false
	}
	for _, v := range persistenceVerbs {
		if r, ok := bytes.CutPrefix(rest, []byte(v)); ok {
			return matchesStore(r)
		}
	}
	return false
}

func matchesStore(r []byte) bool {
	r, ok := bytes.CutPrefix(r, []byte(" the "))
	if !ok {
		return false
	}
	mid, ok := bytes.CutSuffix(r, []byte(" data store"))
	return ok && bytes.IndexByte(mid, '\n') < 0
}

func persistenceCategory(m []byte) string {
	if bytes.HasPrefix(m, []byte("Workflow instance was read from")) {
		return CategoryPersistenceRead
	}
	return CategoryPersistenceWrite
}
