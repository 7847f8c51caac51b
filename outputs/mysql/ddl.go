package mysql

import (
	"strings"
)

// tableOptions end every CREATE TABLE: portable to MySQL 8 and MariaDB
// 10.11+ (InnoDB's DYNAMIC rows take index keys up to 3072 bytes).
const tableOptions = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"

// DDL returns the CREATE TABLE IF NOT EXISTS statements for the configured
// tables, then auditship_batches (outputs.DDLer, for `auditship ddl`).
func (c *Config) DDL() ([]string, error) {
	s, err := c.parse()
	if err != nil {
		return nil, err
	}
	return ddl(s.tables), nil
}

func ddl(tables []*table) []string {
	out := make([]string, 0, len(tables)+1)
	for _, t := range tables {
		out = append(out, t.createStatement())
	}
	return append(out, batchesDDL)
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
	"  PRIMARY KEY (`batch_id`, `output`),\n" +
	"  KEY `ix_pipeline_seq` (`pipeline`, `output`, `first_seq`)\n" +
	") " + tableOptions
