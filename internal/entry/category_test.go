package entry

import (
	"testing"

	"github.com/auditship/auditship/internal/event"
)

func TestInfer(t *testing.T) {
	tests := []struct {
		body string
		want string
		own  bool
	}{
		{`{"category":"k8s","connector":"kafka"}`, "k8s", true},
		{`{"category":7,"connector":"kafka"}`, CategoryMessaging, false},
		{`{"messageName":"m","jobId":"j"}`, CategoryMessaging, false},
		{`{"jobId":"j","variableName":"v"}`, CategoryTimer, false},
		{`{"message":"Cancelled job 5"}`, CategoryTimer, false},
		{`{"message":"Workflow instance was read from the db data store"}`, CategoryPersistenceRead, false},
		{`{"message":"Workflow instance updated in the db data store"}`, CategoryPersistenceWrite, false},
		{`{"message":"Workflow instance updated in the db\ndata store"}`, CategoryOther, false},
		{`{"variableName":"v","nodeInstanceId":"n"}`, CategoryVariable, false},
		{`{"message":"Workflow instance node entered"}`, CategoryNode, false},
		{`{"workflowDefinitionId":"w"}`, CategoryWorkflow, false},
		{`{"verb":"get"}`, CategoryOther, false},
	}
	for _, tc := range tests {
		e := &event.Event{Body: []byte(tc.body), Format: event.FormatJSON}
		fields, at := ScanObject(e.Body, nil)
		if at >= 0 {
			t.Fatalf("%s: invalid at %d", tc.body, at)
		}
		e.Fields = fields
		var k Index
		k.Build(e.Fields)
		Infer(e, &k)
		if e.Category != tc.want || e.OwnCategory != tc.own {
			t.Errorf("%s: category %q own %v, want %q own %v", tc.body, e.Category, e.OwnCategory, tc.want, tc.own)
		}
	}
}

func TestInferLeavesUnparsed(t *testing.T) {
	e := &event.Event{Format: event.FormatUnparsed, Category: CategoryUnparsed,
		Fields: []event.Field{{Key: []byte("jobId"), Value: []byte("j"), Kind: event.KindString}}}
	var k Index
	k.Build(e.Fields)
	if Infer(e, &k); e.Category != CategoryUnparsed {
		t.Errorf("category %q", e.Category)
	}
}
