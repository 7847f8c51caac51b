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

// inferCategory applies FORMATS.md rule 4, first match wins.
func inferCategory(e *event.Event) {
	if e.Format == event.FormatJSON {
		if c, ok := stringField(e, "category"); ok {
			e.Category, e.OwnCategory = c, true
			return
		}
	}
	msg, _ := messageText(e)
	switch {
	case has(e, "connector") || has(e, "messageName"):
		e.Category = CategoryMessaging
	case has(e, "jobId") || isTimerMessage(msg):
		e.Category = CategoryTimer
	case isPersistence(msg):
		e.Category = persistenceCategory(msg)
	case has(e, "variableName"):
		e.Category = CategoryVariable
	case has(e, "nodeInstanceId") || isNodeMessage(msg):
		e.Category = CategoryNode
	case has(e, "workflowDefinitionId"):
		e.Category = CategoryWorkflow
	default:
		e.Category = CategoryOther
	}
}

func has(e *event.Event, key string) bool {
	_, ok := lastField(e, key)
	return ok
}

// lastField finds a source key; the last duplicate wins.
func lastField(e *event.Event, key string) (event.Field, bool) {
	for i := len(e.Fields) - 1; i >= 0; i-- {
		if string(e.Fields[i].Key) == key {
			return e.Fields[i], true
		}
	}
	return event.Field{}, false
}

// stringField returns a JSON string item's text (allocates).
func stringField(e *event.Event, key string) (string, bool) {
	f, ok := lastField(e, key)
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
func messageText(e *event.Event) ([]byte, bool) {
	f, ok := lastField(e, "message")
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
	s, ok := stringField(e, "message")
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
