package entry

import "github.com/auditship/auditship/internal/event"

// Key is a source key the shipper reads: for category inference and for
// the event time.
type Key int

// The keys an Index finds.
const (
	KeyCategory Key = iota
	KeyMessage
	KeyConnector
	KeyMessageName
	KeyJobID
	KeyVariableName
	KeyNodeInstanceID
	KeyWorkflowDefinitionID
	KeyTimestamp
	KeyRequestReceivedTimestamp
	KeyStageTimestamp
	numKeys
)

// Index holds, per Key, the index of its last field (the last duplicate
// wins), or -1: one pass over an event's fields instead of a search per
// key. The zero Index is not usable; call Build.
type Index [numKeys]int32

// Build indexes fields.
func (k *Index) Build(fields []event.Field) {
	for i := range k {
		k[i] = -1
	}
	for i := range fields {
		if j := keyOf(fields[i].Key); j >= 0 {
			k[j] = int32(i)
		}
	}
}

// keyOf compares raw key bytes, as a search by string would: a key written
// with escapes is not recognised.
func keyOf(key []byte) Key {
	switch string(key) {
	case "category":
		return KeyCategory
	case "message":
		return KeyMessage
	case "connector":
		return KeyConnector
	case "messageName":
		return KeyMessageName
	case "jobId":
		return KeyJobID
	case "variableName":
		return KeyVariableName
	case "nodeInstanceId":
		return KeyNodeInstanceID
	case "workflowDefinitionId":
		return KeyWorkflowDefinitionID
	case "timestamp":
		return KeyTimestamp
	case "requestReceivedTimestamp":
		return KeyRequestReceivedTimestamp
	case "stageTimestamp":
		return KeyStageTimestamp
	}
	return -1
}

// Has reports whether the indexed fields hold key.
func (k *Index) Has(key Key) bool { return k[key] >= 0 }

// Field returns the last of e's fields named key; k must index e.Fields.
func (k *Index) Field(e *event.Event, key Key) (event.Field, bool) {
	if k[key] < 0 {
		return event.Field{}, false
	}
	return e.Fields[k[key]], true
}
