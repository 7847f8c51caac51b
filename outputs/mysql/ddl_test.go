package mysql

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
		srv.run(t, db, append(stmts, stmts...))
		table := strings.Trim(strings.Fields(stmts[0])[5], "`")
		if create := srv.showCreate(t, db, table); !strings.Contains(create, "`entry` longtext") || !strings.Contains(create, "utf8mb4_bin") {
			t.Errorf("%s:\n%s", table, create)
		}
		checkChainColumns(t, srv, db)
	}
}

// checkChainColumns checks the chain's columns and table as the server
// created them: exact-byte collations, the NULLs, the keys.
func checkChainColumns(t *testing.T, srv *server, db string) {
	t.Helper()
	want := map[string]string{
		"auditship_batches.manifest_name":  "varchar(512) ascii_bin YES",
		"auditship_batches.manifest":       "longtext utf8mb4_bin YES",
		"auditship_checkpoints.name":       "varchar(512) ascii_bin NO",
		"auditship_checkpoints.output":     "varchar(255) utf8mb4_bin NO",
		"auditship_checkpoints.data":       "text utf8mb4_bin NO",
		"auditship_checkpoints.created_at": "datetime(6)  NO",
	}
	for col, w := range want {
		if got := srv.column(t, db, col); got != w {
			t.Errorf("%s: %q, want %q", col, got, w)
		}
	}
	if create := srv.showCreate(t, db, "auditship_batches"); !strings.Contains(create, "UNIQUE KEY `ux_manifest_name` (`manifest_name`)") {
		t.Errorf("auditship_batches:\n%s", create)
	}
	if create := srv.showCreate(t, db, "auditship_checkpoints"); !strings.Contains(create, "PRIMARY KEY (`name`)") {
		t.Errorf("auditship_checkpoints:\n%s", create)
	}
}

func (srv *server) showCreate(t *testing.T, db, table string) string {
	t.Helper()
	var name, create string
	if err := srv.admin.QueryRow("SHOW CREATE TABLE `"+db+"`.`"+table+"`").Scan(&name, &create); err != nil {
		t.Fatal(err)
	}
	return create
}

// column is "type collation nullable" of table.column in db.
func (srv *server) column(t *testing.T, db, col string) string {
	t.Helper()
	table, name, _ := strings.Cut(col, ".")
	var typ, null string
	var coll sql.NullString
	err := srv.admin.QueryRow("SELECT `COLUMN_TYPE`, `COLLATION_NAME`, `IS_NULLABLE` FROM information_schema.`COLUMNS` "+
		"WHERE `TABLE_SCHEMA` = ? AND `TABLE_NAME` = ? AND `COLUMN_NAME` = ?", db, table, name).Scan(&typ, &coll, &null)
	if err != nil {
		t.Fatalf("%s: %v", col, err)
	}
	return typ + " " + coll.String + " " + null
}

func TestDDLShape(t *testing.T) {
	c := newConfig()
	c.Database = "audit"
	stmts, err := c.DDL()
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 4 {
		t.Fatalf("%d statements, want 4", len(stmts))
	}
	for i, want := range []string{"`auditship_integration_events`", "`auditship_events`", "`auditship_batches`", "`auditship_checkpoints`"} {
		if !strings.HasPrefix(stmts[i], "CREATE TABLE IF NOT EXISTS "+want+" (") {
			t.Errorf("statement %d is not table %s:\n%s", i, want, stmts[i])
		}
	}
	for i, wants := range map[int][]string{
		2: {"`manifest_name` VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NULL,",
			"`manifest` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,", "`index_record` MEDIUMBLOB NULL,",
			"UNIQUE KEY `ux_manifest_name` (`manifest_name`)"},
		3: {"`name` VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,", "`output` VARCHAR(255) NOT NULL,",
			"`data` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,",
			"`created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),", "PRIMARY KEY (`name`)", ") ENGINE=InnoDB"},
	} {
		for _, want := range wants {
			if !strings.Contains(stmts[i], want) {
				t.Errorf("no %s in\n%s", want, stmts[i])
			}
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

// oldBatchesDDL is auditship_batches as created before the integrity chain.
const oldBatchesDDL = "CREATE TABLE IF NOT EXISTS `auditship_batches` (\n" +
	"  `batch_id` VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n" +
	"  `output` VARCHAR(255) NOT NULL,\n" +
	"  `pipeline` VARCHAR(255) NOT NULL,\n" +
	"  `stream` VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n" +
	"  `first_seq` BIGINT UNSIGNED NOT NULL,\n" +
	"  `last_seq` BIGINT UNSIGNED NOT NULL,\n" +
	"  `count` INT UNSIGNED NOT NULL,\n" +
	"  `bytes` BIGINT UNSIGNED NOT NULL,\n" +
	"  `sha256` CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n" +
	"  `rejected` TEXT CHARACTER SET ascii COLLATE ascii_bin NULL,\n" +
	"  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n" +
	"  PRIMARY KEY (`batch_id`, `output`),\n" +
	"  KEY `ix_pipeline_seq` (`pipeline`, `output`, `first_seq`)\n" +
	") " + tableOptions

// TestREADMEUpgradeNote runs the README's upgrade statements (its GRANT
// aside), those for the chain then those for index records, on the old
// auditship_batches: the tables then match the DDL's.
func TestREADMEUpgradeNote(t *testing.T) {
	srv := needServer(t)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, note, _ := strings.Cut(string(readme), "### Upgrading tables created before the integrity chain")
	_, note, _ = strings.Cut(note, "```sql\n")
	note, _, _ = strings.Cut(note, "```")
	stmts := []string{oldBatchesDDL}
	for _, s := range strings.SplitAfter(note, ";\n") {
		if s = strings.TrimSpace(s); s != "" && !strings.HasPrefix(s, "GRANT ") {
			stmts = append(stmts, s)
		}
	}
	if len(stmts) != 3 {
		t.Fatalf("the README's upgrade note has %d statements besides GRANT, want 2:\n%s", len(stmts)-1, note)
	}
	_, note, _ = strings.Cut(string(readme), "### Upgrading tables created before index records")
	_, note, _ = strings.Cut(note, "```sql\n")
	note, _, _ = strings.Cut(note, "```")
	if note = strings.TrimSpace(note); !strings.HasPrefix(note, "ALTER TABLE") {
		t.Fatalf("no upgrade note for index records:\n%s", note)
	}
	stmts = append(stmts, note)
	old, fresh := srv.database(t), srv.database(t)
	srv.run(t, old, stmts)
	srv.run(t, fresh, ddl(nil))
	for _, table := range []string{batchesTable, checkpointsTable} {
		if diff := cmp.Diff(srv.showCreate(t, fresh, table), srv.showCreate(t, old, table)); diff != "" {
			t.Errorf("%s upgraded (-created +upgraded):\n%s", table, diff)
		}
	}
}

// run runs stmts in database db.
func (srv *server) run(t *testing.T, db string, stmts []string) {
	t.Helper()
	conn, err := srv.admin.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range append([]string{"USE `" + db + "`"}, stmts...) {
		if _, err := conn.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
}
