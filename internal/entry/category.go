package entry

import (
	"bytes"
	"encoding/json"

	"github.com/auditship/auditship/internal/event"
)

// Categories of an entry (FORMATS.md rule 4); CategoryUnparsed marks a
// record that did not parse.
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

// Categories lists the categories the inputs assign, other than a JSON
// entry's own.
var Categories = []string{
	CategoryWorkflow, CategoryNode, CategoryVariable,
	CategoryPersistenceRead, CategoryPersistenceWrite,
	CategoryTimer, CategoryMessaging, CategoryOther,
	CategoryUnparsed,
}

// Infer sets e's category by FORMATS.md rule 4, first match wins: a JSON
// entry's own string "category" item (OwnCategory), else one inferred from
// its items. k must index e.Fields. An unparsed event is left alone.
func Infer(e *event.Event, k *Index) {
	if e.Format == event.FormatUnparsed {
		return
	}
	if e.Format == event.FormatJSON {
		if c, ok := stringField(k.Field(e, KeyCategory)); ok {
			e.Category, e.OwnCategory = c, true
			return
		}
	}
	e.Category = inferred(e, k)
}

func inferred(e *event.Event, k *Index) string {
	msg, _ := messageText(k.Field(e, KeyMessage))
	switch {
	case k.Has(KeyConnector) || k.Has(KeyMessageName):
		return CategoryMessaging
	case k.Has(KeyJobID) || isTimerMessage(msg):
		return CategoryTimer
	case isPersistence(msg):
		return persistenceCategory(msg)
	case k.Has(KeyVariableName):
		return CategoryVariable
	case k.Has(KeyNodeInstanceID) || isNodeMessage(msg):
		return CategoryNode
	case k.Has(KeyWorkflowDefinitionID):
		return CategoryWorkflow
	}
	return CategoryOther
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
