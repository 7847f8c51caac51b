package mysql

import (
	"strings"
)

// tableOptions end every CREATE TABLE: portable to MySQL 8 and MariaDB
// 10.11+ (InnoDB's DYNAMIC rows take index keys up to 3072 bytes).
const tableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// DDL returns the CREATE TABLE IF NOT EXISTS statements for the configured
// tables, then auditship_batches and auditship_checkpoints (outputs.DDLer,
// for `auditship ddl`).
func (c *Config) DDL() ([]string, error) {
	s, err := c.parse()
	if err != nil {
		return nil, err
	}
	return ddl(s.tables), nil
}

func ddl(tables []*table) []string {
	out := make([]string, 0, len(tables)+2)
	for _, t := range tables {
		out = append(out, t.createStatement())
	}
	return append(out, batchesDDL, checkpointsDDL)
}

// indexed are the default columns with an index of their own.
var indexed = []string{"workflow_instance_id", "business_key", "workflow_definition_id"}

func (t *table) createStatement() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS " + quote(t.name) + " (\n")
	for _, c := range t.columns {
		b.WriteString("  " + quote(c.name) + " " + c.sqlType + ",\n")
	}
	b.WriteString("  PRIMARY KEY (`_id`),\n  KEY `ix_stream_seq` (`stream`, `_seq`),\n  KEY `ix_time` (`_time`)")
	for _, name := range indexed {
		if t.has(name) {
			b.WriteString(",\n  KEY `ix_" + name + "` (" + quote(name) + ")")
		}
	}
	b.WriteString("\n) " + tableOptions)
	return b.String()
}

func (t *table) has(name string) bool {
	for _, c := range t.columns {
		if c.name == name && c.path != "" {
			return true
		}
	}
	return false
}

// quote backquotes a name checked by checkIdent.
func quote(name string) string { return "`" + name + "`" }

// batchesDDL: manifest_name and manifest hold the batch's integrity
// manifest (SPEC §6), written in its transaction, and index_record its
// index record (issue 11), whose sha256 the manifest holds; their bytes
// are kept exactly (a binary collation or a blob, not JSON). A UNIQUE key on a
// NULL-able column allows any number of NULLs (batches without a chain)
// on both servers.
const batchesDDL = "CREATE TABLE IF NOT EXISTS `" + batchesTable + "` (\n" +
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
	"  `manifest_name` VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NULL,\n" +
	"  `manifest` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,\n" +
	"  `index_record` MEDIUMBLOB NULL,\n" +
	"  PRIMARY KEY (`batch_id`, `output`),\n" +
	"  UNIQUE KEY `ux_manifest_name` (`manifest_name`),\n" +
	"  KEY `ix_pipeline_seq` (`pipeline`, `output`, `first_seq`)\n" +
	") " + tableOptions

// checkpointsDDL holds the chain's checkpoints (signed notes), one row
// per name; output is the output that stored it (a checkpoint_copy
// target stores other outputs' checkpoints).
const checkpointsDDL = "CREATE TABLE IF NOT EXISTS `" + checkpointsTable + "` (\n" +
	"  `name` VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n" +
	"  `output` VARCHAR(255) NOT NULL,\n" +
	"  `data` TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,\n" +
	"  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n" +
	"  PRIMARY KEY (`name`),\n" +
	"  KEY `ix_output_name` (`output`, `name`)\n" +
	") " + tableOptions
