package mysql

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/outputs"
)

const wfItems = `"timestamp":"2024-05-13T08:00:01","workflowDefinitionId":"hire","workflowInstanceId":"wi-1",` +
	`"workflowRootInstanceId":"root-1","businessKey":"emp-42","identity":"alice","nodeName":"Approve",` +
	`"transactionId":"tx-1","message":"Workflow instance node Approve started"`

const msgItems = `"workflowDefinitionId":"hire","workflowInstanceId":"wi-1","connector":"ldap",` +
	`"messageName":"userCreated","message":"Message sent"`

func TestDefaultTablesRouteAndResendOnce(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	b := spooled(envelope(1, "workflow_node", wfItems), envelope(2, "messaging", msgItems), envelope(3, "timer", `"jobId":"j1"`))
	for i := range 2 {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 2 {
		t.Errorf("auditship_events has %d rows, want 2", n)
	}
	if n := srv.count(t, db, "auditship_integration_events", "`_id` = 'id-2'"); n != 1 {
		t.Errorf("auditship_integration_events has %d rows of id-2, want 1", n)
	}
	if n := srv.count(t, db, "auditship_batches", "`batch_id` = ? AND `count` = 3 AND `sha256` = ?", b.ID, b.SHA256); n != 1 {
		t.Errorf("%d batch rows with count 3 and the body's sha256, want 1", n)
	}
	var got [8]string
	err := srv.admin.QueryRow("SELECT `_seq`, `stream`, `_time`, `category`, `workflow_instance_id`, `business_key`, "+
		"`node_name`, `source_offset` FROM `"+db+"`.`auditship_events` WHERE `_id` = 'id-1'").Scan(
		&got[0], &got[1], &got[2], &got[3], &got[4], &got[5], &got[6], &got[7])
	if err != nil {
		t.Fatal(err)
	}
	want := [8]string{"1", "s1", "2024-05-13 08:00:01.123456", "workflow_node", "wi-1", "emp-42", "Approve", "100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("typed columns (-want +got):\n%s", diff)
	}
}

func TestEntryIsByteIdentical(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	lines := []string{
		envelope(1, "workflow", `"businessKey":"😀 emoji","message":"𠀋𡈽 4-byte CJK, 日本語"`),
		envelope(2, "workflow", `"message":"escaped \u00e9 \"q\" \\ \/","amount":1.50e3,"nested":{"b":[1, 2],"a":null}`),
	}
	if err := o.Write(context.Background(), spooled(lines...)); err != nil {
		t.Fatal(err)
	}
	for i, want := range lines {
		var got, bk []byte
		err := srv.admin.QueryRow("SELECT `entry`, `business_key` FROM `"+db+"`.`auditship_events` WHERE `_seq` = ?", i+1).Scan(&got, &bk)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("entry %d:\n got %s\nwant %s", i+1, got, want)
		}
		if i == 0 && string(bk) != "😀 emoji" {
			t.Errorf("business_key = %q", bk)
		}
	}
}

func hire2retire(c *Config) {
	c.Tables = []Table{
		{Name: "robomq_hire2retire_integration_table", When: "category == 'messaging'",
			Columns: columnsExpr(`{ flow_name = "workflowDefinitionId", connector = "connector", src = "_source.path" }`)},
		{Name: "robomq_hire2retire_event", When: "workflowDefinitionId == 'hire'",
			Columns: columnsExpr(`{ flow_name = "workflowDefinitionId", business_key = "businessKey", category = "category" }`)},
	}
}

func TestCustomTables(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, hire2retire)
	b := spooled(envelope(1, "workflow_node", wfItems), envelope(2, "messaging", msgItems))
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	var flow, connector, src string
	err := srv.admin.QueryRow("SELECT `flow_name`, `connector`, `src` FROM `"+db+"`.`robomq_hire2retire_integration_table`").Scan(&flow, &connector, &src)
	if err != nil || flow != "hire" || connector != "ldap" || src != "/var/log/engine/audit.log" {
		t.Errorf("integration row: %q %q %q, %v", flow, connector, src, err)
	}
	if n := srv.count(t, db, "robomq_hire2retire_event", "`business_key` = 'emp-42' AND `category` = 'workflow_node'"); n != 1 {
		t.Errorf("robomq_hire2retire_event: %d matching rows, want 1", n)
	}
}

func TestNoTableMatchesIsRejected(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, hire2retire)
	b := spooled(envelope(1, "workflow", wfItems), envelope(2, "timer", `"jobId":"j1"`), envelope(3, "other", `"kind":"k8s"`))
	for i := range 2 {
		err := o.Write(context.Background(), b)
		lines, ok := outputs.RejectedLines(err)
		if !ok || !cmp.Equal(lines, []int{1, 2}) || !strings.Contains(err.Error(), "matches no table") && i == 0 {
			t.Fatalf("write %d: lines %v, %v", i, lines, err)
		}
	}
	if n := srv.count(t, db, "robomq_hire2retire_event", ""); n != 1 {
		t.Errorf("%d rows stored, want 1", n)
	}
	if n := srv.count(t, db, "auditship_batches", "`rejected` = '1,2' AND `count` = 1"); n != 1 {
		t.Errorf("%d batch rows recording lines 1,2, want 1", n)
	}
}

func TestDataTooLongRejectsOnlyThatLine(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	long := `"businessKey":"` + strings.Repeat("x", 300) + `"`
	b := spooled(envelope(1, "workflow", wfItems), envelope(2, "workflow", long), envelope(3, "messaging", msgItems))
	for i := range 2 {
		err := o.Write(context.Background(), b)
		lines, ok := outputs.RejectedLines(err)
		if !ok || !cmp.Equal(lines, []int{1}) {
			t.Fatalf("write %d: lines %v, %v", i, lines, err)
		}
		if i == 0 && !strings.Contains(err.Error(), "business_key") {
			t.Errorf("error does not name the column: %v", err)
		}
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 1 {
		t.Errorf("auditship_events: %d rows, want 1", n)
	}
	if n := srv.count(t, db, "auditship_integration_events", ""); n != 1 {
		t.Errorf("auditship_integration_events: %d rows, want 1", n)
	}
	if n := srv.count(t, db, "auditship_batches", "`rejected` = '1' AND `count` = 2"); n != 1 {
		t.Errorf("%d batch rows recording line 1, want 1", n)
	}
}

// TestStatementsSplitUnderPacket writes a batch larger than a (lowered)
// packet limit: it goes in several INSERTs, all in the one transaction.
func TestStatementsSplitUnderPacket(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	if err := o.prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	o.packet = 8 << 10
	var lines []string
	for i := range 200 {
		lines = append(lines, envelope(uint64(i+1), "workflow", `"message":"`+strings.Repeat("m", 100)+`"`))
	}
	if err := o.Write(context.Background(), spooled(lines...)); err != nil {
		t.Fatal(err)
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 200 {
		t.Errorf("%d rows, want 200", n)
	}
}

// TestRowOverPacketIsRejected: a row whose statement would exceed
// max_allowed_packet is rejected before it is sent, the others stored.
func TestRowOverPacketIsRejected(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	if err := o.prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	o.packet = 8 << 10
	b := spooled(envelope(1, "workflow", ""), envelope(2, "workflow", `"x":"`+strings.Repeat("'", 5000)+`"`), envelope(3, "workflow", ""))
	lines, ok := outputs.RejectedLines(o.Write(context.Background(), b))
	if !ok || !cmp.Equal(lines, []int{1}) {
		t.Fatalf("rejected %v", lines)
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 2 {
		t.Errorf("%d rows, want 2", n)
	}
}
