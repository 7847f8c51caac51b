package e2e

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/testenv"
)

// newMySQLChainRig: the default tables on a MariaDB of the test's own,
// stopped for the outage; copies are databases of that server.
func newMySQLChainRig(t *testing.T) *chainRig {
	m := testenv.StartMariaDB(t)
	srv := myServer{user: "root", addr: m.Addr}
	d := srv.database(t, true)
	output := func(d *myDB) func(string) string {
		return func(attrs string) string {
			return d.output(myOpts{name: chainOutput, create: true, interval: "300ms", extra: attrs})
		}
	}
	return &chainRig{
		name: "mysql", output: output(d), down: m.Stop, up: m.Start, inline: true,
		wait: func(t *testing.T, ids []string) stored {
			return tallyRows(t, d.waitRows(t, len(ids), 60*time.Second, defaultTables...))
		},
		stored:  func(t *testing.T) stored { return tallyRows(t, d.rows(t, defaultTables...)) },
		archive: myArchive{d},
		copy: func(t *testing.T) chainCopy {
			dst := srv.database(t, true)
			copyDatabase(t, d, dst)
			return chainCopy{archive: myArchive{dst}, output: output(dst)}
		},
	}
}

// copyDatabase copies every table of src (events, auditship_batches,
// auditship_checkpoints) into dst with CREATE TABLE ... LIKE and
// INSERT ... SELECT.
func copyDatabase(t *testing.T, src, dst *myDB) {
	t.Helper()
	rows, err := src.root.Query("SHOW TABLES FROM `" + src.name + "`")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var tb string
		if err := rows.Scan(&tb); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	rows.Close()
	for _, tb := range tables {
		from, to := "`"+src.name+"`.`"+tb+"`", "`"+dst.name+"`.`"+tb+"`"
		dst.exec(t, "CREATE TABLE "+to+" LIKE "+from, "INSERT INTO "+to+" SELECT * FROM "+from)
	}
	if len(tables) < len(defaultTables)+2 {
		t.Fatalf("tables %v: want the default tables, %s and auditship_checkpoints", tables, batchesTable)
	}
}

// myArchive is a database changed with root's connection: a batch key is
// its batch_id, its events the rows of its stream and _seq range (in
// either table), a manifest the manifest column of its auditship_batches
// row, a checkpoint a row of auditship_checkpoints.
type myArchive struct{ d *myDB }

// chainCheckpointsTable holds the chain's checkpoints (SPEC §6).
const chainCheckpointsTable = "auditship_checkpoints"

// q qualifies the tables of a query: DB.x becomes `name`.x.
func (a myArchive) q(query string) string {
	return strings.ReplaceAll(query, "DB.", "`"+a.d.name+"`.")
}

func (a myArchive) batchRange(t *testing.T, key string) (stream string, first, last uint64) {
	t.Helper()
	err := a.d.root.QueryRow(a.q("SELECT `stream`, `first_seq`, `last_seq` FROM DB."+batchesTable+
		" WHERE `batch_id` = ? AND `output` = ?"), key, chainOutput).Scan(&stream, &first, &last)
	if err != nil {
		t.Fatalf("batch %s: %v", key, err)
	}
	return stream, first, last
}

// myEvent is one event row of a batch.
type myEvent struct {
	table string
	seq   uint64
	entry []byte
}

func (a myArchive) events(t *testing.T, key string) []myEvent {
	t.Helper()
	stream, first, last := a.batchRange(t, key)
	var out []myEvent
	for _, tb := range defaultTables {
		rows, err := a.d.root.Query(a.q("SELECT `_seq`, `entry` FROM DB."+tb+
			" WHERE `stream` = ? AND `_seq` BETWEEN ? AND ?"), stream, first, last)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			e := myEvent{table: tb}
			if err := rows.Scan(&e.seq, &e.entry); err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		rows.Close()
	}
	slices.SortFunc(out, func(x, y myEvent) int { return cmp.Compare(x.seq, y.seq) })
	return out
}

func (a myArchive) lines(t *testing.T, key string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, e := range a.events(t, key) {
		out = append(out, e.entry)
	}
	return out
}

// setLines updates the entry of each row whose line changed and deletes
// the rows of the lines gone, then the batch row's count, bytes and
// sha256 (of the entries, newline-terminated: what the store reads back).
func (a myArchive) setLines(t *testing.T, key string, lines [][]byte) string {
	t.Helper()
	stream, _, _ := a.batchRange(t, key)
	want := map[uint64][]byte{}
	for _, l := range lines {
		want[lineSeq(t, l)] = l
	}
	for _, e := range a.events(t, key) {
		l, ok := want[e.seq]
		switch {
		case !ok:
			a.d.execArgs(t, a.q("DELETE FROM DB."+e.table+" WHERE `stream` = ? AND `_seq` = ?"), stream, e.seq)
		case !bytes.Equal(l, e.entry):
			a.d.execArgs(t, a.q("UPDATE DB."+e.table+" SET `entry` = ? WHERE `stream` = ? AND `_seq` = ?"), string(l), stream, e.seq)
		}
	}
	body := append(bytes.Join(lines, []byte("\n")), '\n')
	sum := sha256.Sum256(body)
	a.d.execArgs(t, a.q("UPDATE DB."+batchesTable+" SET `count` = ?, `bytes` = ?, `sha256` = ? WHERE `batch_id` = ? AND `output` = ?"),
		len(lines), len(body), hex.EncodeToString(sum[:]), key, chainOutput)
	return hex.EncodeToString(sum[:])
}

// removeBatch deletes the batch's rows and its auditship_batches row,
// which holds its manifest.
func (a myArchive) removeBatch(t *testing.T, key string) {
	t.Helper()
	stream, first, last := a.batchRange(t, key)
	for _, tb := range defaultTables {
		a.d.execArgs(t, a.q("DELETE FROM DB."+tb+" WHERE `stream` = ? AND `_seq` BETWEEN ? AND ?"), stream, first, last)
	}
	a.d.execArgs(t, a.q("DELETE FROM DB."+batchesTable+" WHERE `batch_id` = ? AND `output` = ?"), key, chainOutput)
}

// swapBatches swaps what two auditship_batches rows say they hold (range,
// count, bytes, sha256), each keeping its batch_id and manifest: each
// batch then reads back the other's rows.
func (a myArchive) swapBatches(t *testing.T, k1, k2 string) {
	t.Helper()
	const cols = "`first_seq`, `last_seq`, `count`, `bytes`, `sha256`"
	read := func(key string) []any {
		var first, last, count, size uint64
		var sum string
		err := a.d.root.QueryRow(a.q("SELECT "+cols+" FROM DB."+batchesTable+" WHERE `batch_id` = ? AND `output` = ?"),
			key, chainOutput).Scan(&first, &last, &count, &size, &sum)
		if err != nil {
			t.Fatalf("batch %s: %v", key, err)
		}
		return []any{first, last, count, size, sum}
	}
	v1, v2 := read(k1), read(k2)
	set := "UPDATE DB." + batchesTable + " SET `first_seq` = ?, `last_seq` = ?, `count` = ?, `bytes` = ?, `sha256` = ? " +
		"WHERE `batch_id` = ? AND `output` = ?"
	a.d.execArgs(t, a.q(set), append(v2, k1, chainOutput)...)
	a.d.execArgs(t, a.q(set), append(v1, k2, chainOutput)...)
}

func (a myArchive) meta(t *testing.T, name string) []byte {
	t.Helper()
	query := "SELECT `data` FROM DB." + chainCheckpointsTable + " WHERE `name` = ?"
	switch {
	case strings.HasPrefix(name, manifestsRoot):
		query = "SELECT `manifest` FROM DB." + batchesTable + " WHERE `manifest_name` = ?"
	case strings.HasPrefix(name, indexRoot): // the index_record of its manifest's row
		query, name = "SELECT `index_record` FROM DB."+batchesTable+" WHERE `manifest_name` = ?", indexToManifest(name)
	}
	var data []byte
	if err := a.d.root.QueryRow(a.q(query), name).Scan(&data); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return data
}

// putMeta replaces a batch row's manifest, or creates or replaces a
// checkpoint's row.
func (a myArchive) putMeta(t *testing.T, name string, data []byte) {
	t.Helper()
	if strings.HasPrefix(name, indexRoot) {
		a.d.execArgs(t, a.q("UPDATE DB."+batchesTable+" SET `index_record` = ? WHERE `manifest_name` = ?"), data, indexToManifest(name))
		return
	}
	if strings.HasPrefix(name, manifestsRoot) {
		a.d.execArgs(t, a.q("UPDATE DB."+batchesTable+" SET `manifest` = ? WHERE `manifest_name` = ?"), string(data), name)
		if !bytes.Equal(a.meta(t, name), data) { // an unchanged row counts as not affected: read it back
			t.Fatalf("manifest %s: not replaced", name)
		}
		return
	}
	a.d.execArgs(t, a.q("INSERT INTO DB."+chainCheckpointsTable+" (`name`, `output`, `data`) VALUES (?, ?, ?) "+
		"ON DUPLICATE KEY UPDATE `data` = VALUES(`data`)"), name, chainOutput, string(data))
}

func (a myArchive) removeMeta(t *testing.T, name string) {
	t.Helper()
	if strings.HasPrefix(name, manifestsRoot) {
		t.Fatalf("remove %s: a manifest is its batch's row (removeBatch)", name)
	}
	if n := a.d.execArgs(t, a.q("DELETE FROM DB."+chainCheckpointsTable+" WHERE `name` = ?"), name); n != 1 {
		t.Fatalf("checkpoint %s: %d rows deleted, want 1", name, n)
	}
}

func (a myArchive) metaNames(t *testing.T, prefix string) []string {
	t.Helper()
	var out []string
	for _, query := range []string{"SELECT `name` FROM DB." + chainCheckpointsTable,
		"SELECT `manifest_name` FROM DB." + batchesTable + " WHERE `manifest_name` IS NOT NULL"} {
		rows, err := a.d.root.Query(a.q(query))
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(name, prefix) {
				out = append(out, name)
			}
		}
		rows.Close()
	}
	slices.Sort(out)
	return out
}

// execArgs runs one statement with arguments as root and returns the rows
// it affected.
func (d *myDB) execArgs(t *testing.T, query string, args ...any) int64 {
	t.Helper()
	res, err := d.root.Exec(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", firstLine(query), err)
	}
	n, _ := res.RowsAffected()
	return n
}

// updateRow changes a typed column of the row of seq in the batch, and
// its entry to match, as a DBA would: UPDATE ... SET col = new, entry =
// REPLACE(entry, old, new). It wants one row changed.
func (a myArchive) updateRow(t *testing.T, key string, seq uint64, col, field, from, to string) {
	t.Helper()
	stream, _, _ := a.batchRange(t, key)
	old, repl := fmt.Sprintf(`"%s":"%s"`, field, from), fmt.Sprintf(`"%s":"%s"`, field, to)
	var n int64
	for _, tb := range defaultTables {
		n += a.d.execArgs(t, a.q("UPDATE DB."+tb+" SET `"+col+"` = ?, `entry` = REPLACE(`entry`, ?, ?) "+
			"WHERE `stream` = ? AND `_seq` = ? AND `"+col+"` = ?"), to, old, repl, stream, seq, from)
	}
	if n != 1 {
		t.Fatalf("UPDATE %s of seq %d: %d rows changed, want 1", col, seq, n)
	}
}
