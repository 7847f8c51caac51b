package format

import "github.com/auditship/auditship/internal/event"

// The source keys the decoder reads (category inference, event time).
const (
	keyCategory = iota
	keyMessage
	keyConnector
	keyMessageName
	keyJobID
	keyVariableName
	keyNodeInstanceID
	keyWorkflowDefinitionID
	keyTimestamp
	keyRequestReceivedTimestamp
	keyStageTimestamp
	numKeys
)

// keyIndex holds, per key the decoder reads, the index of its last field
// (the last duplicate wins), or -1: one pass over the fields instead of a
// search per key.
type keyIndex [numKeys]int32

func (k *keyIndex) build(fields []event.Field) {
	for i := range k {
		k[i] = -1
	}
	for i := range fields {
		if j := keyID(fields[i].Key); j >= 0 {
			k[j] = int32(i)
		}
	}
}

// keyID compares raw key bytes, as a search by string would: a key written
// with escapes is not recognised.
func keyID(key []byte) int {
	switch string(key) {
	case "category":
		return keyCategory
	case "message":
		return keyMessage
	case "connector":
		return keyConnector
	case "messageName":
		return keyMessageName
	case "jobId":
		return keyJobID
	case "variableName":
		return keyVariableName
	case "nodeInstanceId":
		return keyNodeInstanceID
	case "workflowDefinitionId":
		return keyWorkflowDefinitionID
	case "timestamp":
		return keyTimestamp
	case "requestReceivedTimestamp":
		return keyRequestReceivedTimestamp
	case "stageTimestamp":
		return keyStageTimestamp
	}
	return -1
}

func (k *keyIndex) has(key int) bool { return k[key] >= 0 }

// field returns the last field named key.
func (k *keyIndex) field(e *event.Event, key int) (event.Field, bool) {
	if k[key] < 0 {
		return event.Field{}, false
	}
	return e.Fields[k[key]], true
}
