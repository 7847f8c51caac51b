// Package outputs defines the contract every output plugin implements.
package outputs

import (
	"context"
	"errors"
	"io"
	"iter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/event"
)

// Output writes one batch correctly and idempotently: writing the same
// batch again (same ID) must not store its events twice. Retries, batching
// and backoff live in the agent's sender, not here.
type Output interface {
	Write(ctx context.Context, b *event.Batch) error
	Close(ctx context.Context) error
}

// Partitioner is implemented by outputs whose keys are templated: the sender
// puts events of different partitions into different batches.
type Partitioner interface {
	Partition(e *event.Event) string
}

// Journaled is implemented by store outputs (file, s3, azure_blob). The
// sender renders each closed batch's key, encodes the batch into a spool
// file, journals it, and hands Write a batch with Key, Body, Size and
// SHA256 set (Events nil). After a crash the journaled batch is re-sent
// from the spool byte for byte, whatever the config now says; Write must
// then find its key holding the same SHA256 and count it as delivered.
type Journaled interface {
	Encoding() (format, compression string)
	Key(b *event.Batch) string
}

// KeySpacer is implemented by output configs that write named objects, so
// that validate can reject two outputs whose keys can collide. Dest names the
// location (directory, bucket/prefix, account/container template); Template
// is the key or name template.
type KeySpacer interface {
	KeySpace() (dest, template string)
}

// BatchConfig bounds a batch; a batch closes at whichever comes first.
type BatchConfig struct {
	MaxEvents int
	MaxBytes  int64 // uncompressed
	Interval  time.Duration
}

// Settings is what the agent hands an output besides its own config.
type Settings struct {
	Pipeline   string
	Name       string
	StateDir   string // this output's private directory under data_dir
	Logger     *zap.Logger
	Registerer prometheus.Registerer // const labels pipeline and output are set
}

// Factory creates one output type. BatchDefaults are the type's defaults
// that a `batch` block overrides attribute by attribute.
type Factory interface {
	Type() string
	NewConfig() any
	BatchDefaults() BatchConfig
	Create(s Settings, cfg any) (Output, error)
}

// BatchRef names one stored batch, as listed by a Store.
type BatchRef struct {
	Key      string            // the object key / file name, relative to the output's root
	Size     int64             // stored bytes
	Metadata map[string]string // user metadata written with it (stream, seqs, count, sha256)
}

// Store is implemented by outputs that can read back what they stored
// (file, s3, azure_blob), for verify and replay.
type Store interface {
	Output
	// List yields every batch stored for pipeline, in key order.
	List(ctx context.Context, pipeline string) iter.Seq2[BatchRef, error]
	// Open returns the stored bytes of ref, as written.
	Open(ctx context.Context, ref BatchRef) (io.ReadCloser, error)
}

// MetaPrefix starts the names of the integrity chain's files (manifests,
// checkpoints) in a store; List never yields them as batches.
const MetaPrefix = "_auditship/"

// MetaStore is implemented by stores that keep the integrity chain's
// files beside the batches (SPEC §6). Names are slash-separated, relative
// to the output's root (directory, bucket prefix, container), and start
// with MetaPrefix.
type MetaStore interface {
	// PutMeta stores data under name, create-only: a name already holding
	// the same bytes is a success (a manifest re-sent after a crash);
	// other bytes are a permanent key conflict.
	PutMeta(ctx context.Context, name string, data []byte) error
	// GetMeta returns the bytes stored under name, or an error wrapping
	// fs.ErrNotExist.
	GetMeta(ctx context.Context, name string) ([]byte, error)
	// ListMeta yields the names that start with dir (ending in "/"), in
	// name order.
	ListMeta(ctx context.Context, dir string) iter.Seq2[string, error]
}

// BodyDigestOptional is implemented by journaled outputs that need no
// SHA-256 of a batch's body when it is uncompressed ndjson and the output
// keeps an integrity chain (file, mysql): the chain's leaf hashes stand
// for it (the manifest then has no sha256, and verify checks the body is
// exactly its lines), so each stored byte is hashed once. Write gets
// b.SHA256 == "" for such batches.
type BodyDigestOptional interface {
	BodyDigestOptional() bool
}

// InlineManifest is implemented by stores that write a batch's manifest
// (event.Batch.Manifest, under ManifestName) in the batch's own
// transaction (mysql). The sender does not PutMeta it after the write,
// except to replace it when the store refused some of the batch's events
// (outputs.RejectedEvents): the manifest then no longer holds them.
type InlineManifest interface {
	MetaStore
	StoresManifest() bool
}

// Preparer is implemented by stores that can do the costly part of a
// write ahead of it (mysql: load the rows into a transaction left open),
// on the server's second core, while the batch before it is written. The
// sender calls Prepare with a closed batch that is not sealed yet (ID,
// Stream, Partition, sequence range, Count, Body and Size set; no Key,
// SHA256 or manifest) only while the batch before it is being written,
// so Prepare runs concurrently with Write. Prepare must not use b.Body
// after it returns. Nothing it does may be seen in the store before
// Write(b) of the same batch: Write uses the work only for the batch
// prepared, byte for byte, and the output discards work that no Write
// takes.
type Preparer interface {
	Prepare(ctx context.Context, b *event.Batch)
}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as one that retrying cannot fix (access denied, no
// such bucket). The sender holds the output and re-probes it slowly.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

type rejected struct{ err error }

func (r rejected) Error() string { return r.err.Error() }
func (r rejected) Unwrap() error { return r.err }

// Rejected marks err as the store refusing the batch for its own content
// (a name the store refuses, a value too long for its column): retrying
// cannot help, and holding it would block the batches behind it. The sender
// moves the batch to the output's dead-letter directory and goes on.
func Rejected(err error) error {
	if err == nil {
		return nil
	}
	return rejected{err}
}

// IsRejected reports whether err, or an error it wraps, was marked Rejected.
func IsRejected(err error) bool {
	var r rejected
	return errors.As(err, &r)
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// partly is a batch stored except some of its events, which the store
// refused for their own content.
type partly struct {
	err   error
	lines []int
}

func (p partly) Error() string { return p.err.Error() }
func (p partly) Unwrap() error { return p.err }

// RejectedEvents reports that Write stored the batch except the events on
// the given lines of its body (0-based, in body order), which the store
// refused for their own content (a value too long for its column). The
// batch counts as delivered; the sender moves those lines to the output's
// dead-letter directory. A re-send of the same batch must report the same
// lines again (the store remembers them with the batch), so that a crash
// between the store's commit and the dead-letter write loses nothing.
func RejectedEvents(err error, lines []int) error {
	if err == nil || len(lines) == 0 {
		return err
	}
	return partly{err: err, lines: lines}
}

// RejectedLines returns the lines of a RejectedEvents error.
func RejectedLines(err error) ([]int, bool) {
	var p partly
	if errors.As(err, &p) {
		return p.lines, true
	}
	return nil, false
}

// DDLer is implemented by output configs that need tables created (mysql):
// DDL returns the CREATE TABLE IF NOT EXISTS statements for the configured
// tables and the output's own, in order, for `auditship ddl`.
type DDLer interface {
	DDL() ([]string, error)
}
