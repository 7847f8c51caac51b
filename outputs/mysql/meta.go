package mysql

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"strconv"
	"strings"

	"github.com/auditship/auditship/outputs"
)

// The integrity chain's files (SPEC §6) are rows: a manifest is its
// batch's auditship_batches row (written by Write, in the batch's
// transaction), a checkpoint a row of auditship_checkpoints. A batch's
// index record (issue 11) is the index_record column of its row, served
// under the index name that parallels its manifest's (_auditship/index/
// instead of _auditship/manifests/).
const (
	checkpointsPrefix = outputs.MetaPrefix + "checkpoints/"
	indexPrefix       = outputs.MetaPrefix + "index/"
	manifestsPrefix   = outputs.MetaPrefix + "manifests/"
)

// metaKind is where the chain files under prefix are kept: in nameCol,
// under stored instead of prefix when it is set.
type metaKind struct {
	prefix, table, nameCol, dataCol string
	stored                          string
}

var (
	checkpointsKind = metaKind{prefix: checkpointsPrefix, table: checkpointsTable, nameCol: "name", dataCol: "data"}
	indexKind       = metaKind{prefix: indexPrefix, table: batchesTable, nameCol: "manifest_name", dataCol: "index_record",
		stored: manifestsPrefix}
	manifestsKind = metaKind{prefix: manifestsPrefix, table: batchesTable, nameCol: "manifest_name", dataCol: "manifest"}
	// metaKinds, in name order (checkpoints/ < index/ < manifests/).
	metaKinds = []metaKind{checkpointsKind, indexKind, manifestsKind}
)

// toStored is the value of k's name column for name (under k.prefix).
func (k metaKind) toStored(name string) string {
	if k.stored == "" {
		return name
	}
	return k.stored + strings.TrimPrefix(name, k.prefix)
}

// fromStored is the chain name of a value of k's name column.
func (k metaKind) fromStored(v string) string {
	if k.stored == "" {
		return v
	}
	return k.prefix + strings.TrimPrefix(v, k.stored)
}

// kindOf is the kind of a chain file's name.
func kindOf(name string) (metaKind, bool) {
	for _, k := range metaKinds {
		if strings.HasPrefix(name, k.prefix) {
			return k, true
		}
	}
	return metaKind{}, false
}

// maxMetaName is the width of the name columns.
const maxMetaName = 512

// metaName reports whether name fits the ascii_bin name columns: printable
// ASCII without spaces (their PAD SPACE comparison would ignore trailing
// ones), at most maxMetaName bytes.
func metaName(name string) bool {
	if len(name) > maxMetaName {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] <= ' ' || name[i] > '~' {
			return false
		}
	}
	return true
}

// PutMeta stores a checkpoint create-only (the same bytes already there
// are a success, other bytes a permanent key conflict), or replaces the
// manifest of a stored batch after the store refused some of its events
// (outputs.InlineManifest): Write stored the first manifest. Like Write it
// runs the DDL first with create_tables; GetMeta and ListMeta only read.
func (o *Output) PutMeta(ctx context.Context, name string, data []byte) error {
	k, ok := kindOf(name)
	if !ok || k.stored != "" || !metaName(name) { // index records come with their batch only
		return outputs.Permanent(fmt.Errorf("mysql %s: chain file %q: not a name under %s or %s (printable ASCII, at most %d bytes)",
			o.where, name, checkpointsPrefix, manifestsPrefix, maxMetaName))
	}
	if err := o.prepare(ctx); err != nil { // create_tables: a checkpoint may come first
		return err
	}
	var err error
	if k.prefix == checkpointsPrefix {
		err = o.putCheckpoint(ctx, name, data)
	} else {
		err = o.replaceManifest(ctx, name, data)
	}
	if isValueError(err) { // retrying cannot make it fit
		return outputs.Permanent(o.classify("put "+name, err))
	}
	return o.classify("put "+name, err)
}

// putCheckpoint inserts a checkpoint's row; a row of that name already
// there must hold the same bytes.
func (o *Output) putCheckpoint(ctx context.Context, name string, data []byte) error {
	_, err := o.db.ExecContext(ctx, "INSERT INTO `"+checkpointsTable+"` (`name`, `output`, `data`) VALUES (?, ?, ?)",
		name, o.name, string(data))
	if code(err) != erDupEntry {
		return err
	}
	held, err := readMeta(ctx, o.db, checkpointsKind, name, "")
	if err != nil {
		return err
	}
	if !bytes.Equal(held, data) {
		return outputs.Permanent(fmt.Errorf("key conflict: other data already there (sha256 %x, ours %x)",
			sha256.Sum256(held), sha256.Sum256(data)))
	}
	return nil
}

// replaceManifest rewrites the manifest of this output's batch row that
// holds name, in one transaction. No such row yet is a retryable error.
func (o *Output) replaceManifest(ctx context.Context, name string, data []byte) error {
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	held, err := readMeta(ctx, tx, manifestsKind, name, " AND `output` = ? FOR UPDATE", o.name)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("no %s row of this output holds the manifest (its batch is not stored)", batchesTable)
	case err != nil || bytes.Equal(held, data):
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE `"+batchesTable+"` SET `manifest` = ? WHERE `manifest_name` = ? AND `output` = ?",
		string(data), name, o.name); err != nil {
		return err
	}
	return tx.Commit()
}

// querier is a pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readMeta reads the bytes stored under name; where adds conditions (its
// args after name). A NULL manifest or index record is no row.
func readMeta(ctx context.Context, q querier, k metaKind, name, where string, args ...any) ([]byte, error) {
	var data []byte
	err := q.QueryRowContext(ctx, "SELECT `"+k.dataCol+"` FROM `"+k.table+"` WHERE `"+k.nameCol+"` = ?"+where,
		append([]any{k.toStored(name)}, args...)...).Scan(&data)
	if err == nil && data == nil {
		err = sql.ErrNoRows
	}
	return data, err
}

// GetMeta returns the bytes stored under name: a checkpoint's row, or the
// manifest or index record of the batch row that holds its manifest name.
// Missing is an error wrapping fs.ErrNotExist.
func (o *Output) GetMeta(ctx context.Context, name string) ([]byte, error) {
	k, ok := kindOf(name)
	if !ok || !metaName(name) {
		return nil, fmt.Errorf("mysql %s: chain file %q: %w", o.where, name, fs.ErrNotExist)
	}
	data, err := readMeta(ctx, o.db, k, name, "")
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("mysql %s: chain file %s: %w", o.where, name, fs.ErrNotExist)
	}
	return data, o.classify("read "+name, err)
}

// listPage is how many names one query of ListMeta reads: no connection
// is held while the caller works on the names yielded.
const listPage = 1000

// ListMeta yields this output's chain file names that start with dir, in
// name order: checkpoints from auditship_checkpoints, manifests from
// auditship_batches, index records from the rows that have one (a dir
// above several kinds yields them all).
func (o *Output) ListMeta(ctx context.Context, dir string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if dir != "" && !metaName(dir) {
			return // no name starts with it
		}
		for _, k := range metaKinds {
			sub := dir
			switch {
			case strings.HasPrefix(k.prefix, dir):
				sub = k.prefix // all of the kind
			case !strings.HasPrefix(dir, k.prefix):
				continue
			}
			if !o.listMeta(ctx, k, sub, yield) {
				return
			}
		}
	}
}

// listMeta yields the names of kind k under dir, a page at a time; false
// when it stopped (the caller's choice or an error).
func (o *Output) listMeta(ctx context.Context, k metaKind, dir string, yield func(string, error) bool) bool {
	after := ""
	for {
		page, err := o.metaPage(ctx, k, dir, after)
		if err != nil {
			yield("", o.classify("list "+dir, err))
			return false
		}
		for _, name := range page {
			if !yield(name, nil) {
				return false
			}
		}
		if len(page) < listPage {
			return true
		}
		after = page[len(page)-1]
	}
}

// metaPage reads up to listPage names of kind k under dir after after.
func (o *Output) metaPage(ctx context.Context, k metaKind, dir, after string) ([]string, error) {
	col, held := "`"+k.nameCol+"`", ""
	if k.stored != "" { // a row without an index record has none to list
		held = " AND `" + k.dataCol + "` IS NOT NULL"
	}
	if after != "" {
		after = k.toStored(after)
	}
	rows, err := o.db.QueryContext(ctx, "SELECT "+col+" FROM `"+k.table+"` WHERE `output` = ? AND "+col+" LIKE ? AND "+
		col+" > ?"+held+" ORDER BY "+col+" LIMIT "+strconv.Itoa(listPage), o.name, likePrefix(k.toStored(dir)), after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		page = append(page, k.fromStored(name))
	}
	return page, rows.Err()
}

// likePrefix is a LIKE pattern matching the strings that start with s:
// its %, _ and \ escaped with \, the default escape character of both
// servers (the sessions do not set NO_BACKSLASH_ESCAPES).
func likePrefix(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '_' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String() + "%"
}

// StoresManifest reports that Write stores each batch's manifest in its
// auditship_batches row, in the batch's transaction.
func (o *Output) StoresManifest() bool { return true }

// BodyDigestOptional: mysql computes its own sha256 of the entries it
// stores (auditship_batches.sha256); the sender need not hash the spool
// when the output keeps a chain (outputs.BodyDigestOptional).
func (o *Output) BodyDigestOptional() bool { return true }
