// Package mysql is the `mysql` output: each batch is stored in one
// transaction, its events as rows of the tables their `when` selects
// (keyed by _id: a row stored already is skipped) and the batch itself as a row of
// auditship_batches, so a re-sent batch is found and never stored twice.
// That row also holds the batch's integrity manifest; checkpoints are rows
// of auditship_checkpoints (SPEC §6).
package mysql

import (
	"context"
	"database/sql"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"
	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// sqlMode makes a value that does not fit an error, never a silent
// truncation; the same on MySQL 8 and MariaDB.
const sqlMode = "'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"

// lockWaitSeconds is how long a statement waits for a row lock: rows of
// an audit trail are only ever added, so a long wait is a batch loaded
// ahead holding an _id the batch before it also holds (stage.go), or
// another writer's; either way the write is better retried than stuck.
// A variable for tests.
var lockWaitSeconds = 10

// Output stores batches in a MySQL or MariaDB database.
type Output struct {
	db       *sql.DB
	where    string // host:port/database, for messages
	password string // scrubbed from every error
	tables   []*table
	create   bool
	pipeline string
	name     string
	present  presentCounter // rows skipped as stored already
	log      *zap.Logger
	noLoad   atomic.Bool                // the server refused LOAD DATA LOCAL: batches go by INSERT
	loaded   atomic.Int64               // LOAD DATA statements that stored rows (for tests)
	lookups  atomic.Int64               // Present's lookup statements (for tests)
	spare    [2]atomic.Pointer[scratch] // buffers of the last Write and stage, for the next

	conns   int // max_open_conns: a load ahead needs a second
	stageMu sync.Mutex
	staged  []*stage // batches loaded ahead of their Write (Prepare), oldest first

	mu      sync.Mutex // guards the fields below
	created bool       // the DDL ran (create_tables)
	packet  int        // the server's max_allowed_packet; 0 until read
	lookIn  *[]*table  // the tables Present searches; nil until its first call
}

// newOutput opens a pool; it contacts nothing until the first Write.
func newOutput(s outputs.Settings, c *Config) (*Output, error) {
	set, err := c.parse()
	if err != nil {
		return nil, err
	}
	mc, err := driverConfig(c, set)
	if err != nil {
		return nil, err
	}
	log := s.Logger
	if log == nil {
		log = zap.NewNop()
	}
	mc.Logger = driverLogger{log: log, password: c.Password}
	conn, err := mysql.NewConnector(mc)
	if err != nil {
		return nil, scrub(err, c.Password)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(c.MaxOpenConns)
	db.SetMaxIdleConns(min(c.MaxIdleConns, c.MaxOpenConns))
	return &Output{
		db: db, where: mc.Addr + "/" + c.Database, password: c.Password,
		tables: set.tables, create: c.CreateTables, pipeline: s.Pipeline, name: s.Name,
		present: newPresentCounter(s.Registerer), log: log, conns: c.MaxOpenConns,
	}, nil
}

// driverConfig is the driver's connection config: strict sessions in UTC
// with utf8mb4, so 4-byte UTF-8 survives and a value that does not fit
// fails.
func driverConfig(c *Config, s *settings) (*mysql.Config, error) {
	mc := mysql.NewConfig()
	mc.User, mc.Passwd, mc.DBName = c.User, c.Password, c.Database
	mc.Net, mc.Addr = "tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	mc.Timeout, mc.ReadTimeout, mc.WriteTimeout = s.connect, s.read, s.write
	mc.Collation = "utf8mb4_bin"
	mc.InterpolateParams = true
	mc.Params = map[string]string{"sql_mode": sqlMode, "time_zone": "'+00:00'",
		"innodb_lock_wait_timeout": strconv.Itoa(lockWaitSeconds)}
	tc, err := s.tls.config(c.Host)
	if err != nil {
		return nil, err
	}
	mc.TLS = tc
	return mc, nil
}

// Encoding makes the sender spool each batch as ndjson envelope lines.
func (o *Output) Encoding() (format, compression string) { return "ndjson", "none" }

// Key is the batch id: the primary key of its auditship_batches row.
func (o *Output) Key(b *event.Batch) string { return b.ID }

// Close rolls back a batch prepared and never written, and closes the
// pool.
func (o *Output) Close(context.Context) error {
	o.dropStages()
	return o.db.Close()
}

var (
	_ outputs.Journaled      = (*Output)(nil)
	_ outputs.Store          = (*Output)(nil)
	_ outputs.InlineManifest = (*Output)(nil)
	_ outputs.Preparer       = (*Output)(nil)
	_ outputs.DDLer          = (*Config)(nil)
)
