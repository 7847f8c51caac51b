package mysql

import (
	"errors"
	"fmt"
	"strings"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/expr"
)

// batchesTable holds one row per stored batch, written in its transaction.
const batchesTable = "auditship_batches"

// checkpointsTable holds the integrity chain's checkpoints.
const checkpointsTable = "auditship_checkpoints"

// table is a `table` block compiled: where matching events go.
type table struct {
	name    string
	when    *expr.Program // nil: every event
	columns []column      // the fixed columns first, then the configured ones in name order
}

// column is one column of a table and where its value comes from.
type column struct {
	name, sqlType string
	path          string // dotted field path; "" for the fixed columns filled by the output
}

// fixedColumns are in every table: they key a row, place it in its batch
// (stream, _seq) and keep the exact envelope line.
var fixedColumns = []column{
	{name: "_id", sqlType: "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"},
	{name: "_seq", sqlType: "BIGINT UNSIGNED NOT NULL"},
	{name: "stream", sqlType: "VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL"},
	{name: "_time", sqlType: "DATETIME(6) NULL"},
	{name: "entry", sqlType: "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"},
}

func isFixed(name string) bool {
	for _, c := range fixedColumns {
		if strings.EqualFold(c.name, name) {
			return true
		}
	}
	return false
}

// compileTables checks and compiles the `table` blocks, or returns the
// default tables when there are none.
func (c *Config) compileTables(errs []error) ([]*table, []error) {
	if len(c.Tables) == 0 {
		return defaultTables(), errs
	}
	var out []*table
	seen := map[string]bool{batchesTable: true, checkpointsTable: true}
	for i, tb := range c.Tables {
		at := fmt.Sprintf("table[%d]", i) // the loader's position of the i-th block
		t, err := tb.compile(at)
		errs = append(errs, err)
		if seen[strings.ToLower(tb.Name)] {
			errs = append(errs, component.Errorf(at, "table %q: the name is taken (twice, or auditship's own)", tb.Name))
		}
		seen[strings.ToLower(tb.Name)] = true
		if tb.When == "" && i < len(c.Tables)-1 {
			errs = append(errs, component.Errorf(at, "table %q has no when, so it takes every event: the tables after it are unreachable", tb.Name))
		}
		out = append(out, t)
	}
	return out, errs
}

func (tb Table) compile(at string) (*table, error) {
	t := &table{name: tb.Name, columns: append([]column(nil), fixedColumns...)}
	var errs []error
	if err := checkIdent(tb.Name); err != nil {
		errs = append(errs, component.Errorf(at, "%v", err))
	}
	if tb.When != "" {
		var err error
		if t.when, err = expr.Compile(tb.When); err != nil {
			errs = append(errs, component.Errorf(at+".when", "table %q: %v", tb.Name, err))
		}
	}
	cols, err := tb.compileColumns(at)
	t.columns = append(t.columns, cols...)
	return t, errors.Join(append(errs, err)...)
}

func (tb Table) compileColumns(at string) ([]column, error) {
	pairs, err := columnPairs(tb.Columns)
	if err != nil {
		return nil, component.Errorf(at+".columns", "table %q: %v", tb.Name, err)
	}
	var errs []error
	seen := map[string]string{}
	cols := make([]column, 0, len(pairs))
	for _, p := range pairs {
		if err := checkColumn(p, seen); err != nil {
			errs = append(errs, component.Errorf(at+".columns", "table %q: %v", tb.Name, err))
		}
		seen[strings.ToLower(p.name)] = p.name
		cols = append(cols, column{name: p.name, sqlType: "VARCHAR(255) NULL", path: p.path})
	}
	return cols, errors.Join(errs...)
}

func checkColumn(p columnPair, seen map[string]string) error {
	if err := checkIdent(p.name); err != nil {
		return err
	}
	switch {
	case isFixed(p.name):
		return fmt.Errorf("column %q is auditship's own (_id, _seq, stream, _time, entry are in every table)", p.name)
	case seen[strings.ToLower(p.name)] != "":
		return fmt.Errorf("duplicate column %q (column names ignore case: %q)", p.name, seen[strings.ToLower(p.name)])
	case p.path == "" || strings.Contains(p.path, "..") || strings.HasPrefix(p.path, ".") || strings.HasSuffix(p.path, "."):
		return fmt.Errorf("column %q: %q is not a dotted field path", p.name, p.path)
	}
	return nil
}

// defaultTables mirror a workflow audit archive: messaging (connector and
// child-workflow) events apart from the rest.
func defaultTables() []*table {
	when, err := expr.Compile("category == 'messaging'")
	if err != nil {
		panic(fmt.Sprintf("mysql: default when: %v", err))
	}
	return []*table{
		{name: "auditship_integration_events", when: when, columns: defaultColumns()},
		{name: "auditship_events", columns: defaultColumns()},
	}
}

func defaultColumns() []column {
	const id = "VARCHAR(255) NULL"
	return append(append([]column(nil), fixedColumns...),
		column{"category", "VARCHAR(64) NULL", "category"},
		column{"workflow_definition_id", id, "workflowDefinitionId"},
		column{"workflow_instance_id", id, "workflowInstanceId"},
		column{"root_instance_id", id, "workflowRootInstanceId"},
		column{"parent_instance_id", id, "workflowParentInstanceId"},
		column{"business_key", id, "businessKey"},
		column{"identity", id, "identity"},
		column{"node_name", id, "nodeName"},
		column{"node_definition_id", id, "nodeDefinitionId"},
		column{"variable", id, "variableName"},
		column{"message", "TEXT NULL", "message"},
		column{"transaction_id", id, "transactionId"},
		column{"source_path", "VARCHAR(1024) NULL", "_source.path"},
		column{"source_offset", "BIGINT UNSIGNED NULL", "_source.offset"},
	)
}

// route returns the index of the first table whose when matches e, or -1.
// A run-time error in a when counts as no match.
func route(tables []*table, e *event.Event) int {
	for i, t := range tables {
		if t.when == nil {
			return i
		}
		if ok, err := t.when.Match(e); ok && err == nil {
			return i
		}
	}
	return -1
}
