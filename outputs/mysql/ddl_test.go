package mysql

import (
	"context"
	"strings"
	"testing"
)

// TestDDLRunsAndIsIdempotent runs the default and the Hire2Retire DDL
// twice on the server, and checks entry is a binary-collated utf8mb4 text
// column (not JSON, which the server would re-serialise).
func TestDDLRunsAndIsIdempotent(t *testing.T) {
	srv := needServer(t)
	for _, edit := range []func(*Config){nil, hire2retire} {
		db := srv.database(t)
		c := srv.config(db)
		if edit != nil {
			edit(c)
		}
		stmts, err := c.DDL()
		if err != nil {
			t.Fatal(err)
		}
		conn, err := srv.admin.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, s := range append([]string{"USE `" + db + "`"}, append(stmts, stmts...)...) {
			if _, err := conn.ExecContext(context.Background(), s); err != nil {
				t.Fatalf("%v\n%s", err, s)
			}
		}
		var name, create string
		table := strings.Fields(stmts[0])[5]
		if err := srv.admin.QueryRow("SHOW CREATE TABLE `"+db+"`."+table).Scan(&name, &create); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(create, "`entry` longtext") || !strings.Contains(create, "utf8mb4_bin") {
			t.Errorf("%s:\n%s", table, create)
		}
	}
}

func TestDDLShape(t *testing.T) {
	c := newConfig()
	c.Database = "audit"
	stmts, err := c.DDL()
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 3 {
		t.Fatalf("%d statements, want 3", len(stmts))
	}
	for _, want := range []string{"`auditship_integration_events`", "`auditship_events`", "`auditship_batches`"} {
		if !strings.Contains(strings.Join(stmts, "\n"), "CREATE TABLE IF NOT EXISTS "+want) {
			t.Errorf("no table %s", want)
		}
	}
	for _, s := range stmts[:2] {
		for _, want := range []string{"PRIMARY KEY (`_id`)", "KEY `ix_time` (`_time`)", "KEY `ix_workflow_instance_id`",
			"KEY `ix_business_key`", "KEY `ix_workflow_definition_id`", "`_time` DATETIME(6)", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"} {
			if !strings.Contains(s, want) {
				t.Errorf("no %s in\n%s", want, s)
			}
		}
	}
	c.Database = ""
	if _, err := c.DDL(); err == nil {
		t.Error("DDL of an invalid config")
	}
}
