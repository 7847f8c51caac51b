package mysql

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/outputs"
)

const checkpointText = "auditship/orders/db/s1\n7\nq2Hf1n2w0Qn8kKq2Hf1n2w0Qn8kKq2Hf1n2w0Qn8kK=\n" +
	"time 2024-05-13T08:00:00Z\n\n— auditship 😀 AbCdEf==\n"

// TestCheckpointCreateOnly: a checkpoint is stored as it is; the same
// bytes again are a success, other bytes a permanent key conflict naming
// it, the first bytes kept.
func TestCheckpointCreateOnly(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	name := "_auditship/checkpoints/orders/db/s1/00000000000000000007"
	for range 2 {
		if err := o.PutMeta(ctx, name, []byte(checkpointText)); err != nil {
			t.Fatal(err)
		}
	}
	err := o.PutMeta(ctx, name, []byte(checkpointText+"x"))
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") || !strings.Contains(err.Error(), name) {
		t.Errorf("permanent %v: %v", outputs.IsPermanent(err), err)
	}
	if got, err := o.GetMeta(ctx, name); err != nil || string(got) != checkpointText {
		t.Errorf("GetMeta = %q, %v", got, err)
	}
	if n := srv.count(t, db, "auditship_checkpoints", "`name` = ? AND `output` = 'db'", name); n != 1 {
		t.Errorf("%d rows", n)
	}
}

// TestMetaMissingAndRefused: a missing name is fs.ErrNotExist; replacing
// a manifest no batch row holds is a retryable error; names outside the
// chain's two directories, or the name columns, are refused permanently.
func TestMetaMissingAndRefused(t *testing.T) {
	srv := needServer(t)
	o, _ := srv.created(t, nil)
	ctx := context.Background()
	if err := o.prepare(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"_auditship/checkpoints/orders/db/s1/1", manifestName(3), "_auditship/other/x", "é"} {
		if _, err := o.GetMeta(ctx, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("GetMeta(%s): %v", name, err)
		}
	}
	err := o.PutMeta(ctx, manifestName(3), []byte("{}"))
	if err == nil || outputs.IsPermanent(err) || !strings.Contains(err.Error(), "no auditship_batches row") {
		t.Errorf("replace without a row: permanent %v: %v", outputs.IsPermanent(err), err)
	}
	for _, name := range []string{"_auditship/other/x", "x", "_auditship/checkpoints/é", "_auditship/checkpoints/a b",
		"_auditship/checkpoints/" + strings.Repeat("x", 500)} {
		if err := o.PutMeta(ctx, name, []byte("x")); !outputs.IsPermanent(err) {
			t.Errorf("PutMeta(%.40s): %v", name, err)
		}
	}
}

// TestListMetaOrderAndEscaping lists checkpoints and manifests in name
// order, only this output's, and a dir's %, _ and \ match only themselves.
func TestListMetaOrderAndEscaping(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	const cp = "_auditship/checkpoints/"
	names := []string{cp + "p_1/o/s/2", cp + "p_1/o/s/10", cp + "p_1/o/s-2/1", cp + "p_1/o/s/1", cp + "pX1/o/s/1",
		cp + "a%b/o/s/1", cp + "a-zz-b/o/s/1", cp + `a\b/o/s/1`, cp + "a/b/o/s/1"}
	for _, n := range names {
		if err := o.PutMeta(ctx, n, []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	srv.exec(t, "INSERT INTO `"+db+"`.`auditship_checkpoints` (`name`, `output`, `data`) VALUES (?, 'other', 'x')", cp+"p_1/o/s/3")
	for i := range 3 {
		b := withManifest(spooled(envelope(uint64(10-i), "workflow", "")), manifestName(2-i), "{}")
		if err := o.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	sorted := slices.Sorted(slices.Values(names))
	manifests := []string{manifestName(0), manifestName(1), manifestName(2)}
	for dir, want := range map[string][]string{
		cp + "p_1/": sorted[5:9], cp + "a%b/": {cp + "a%b/o/s/1"}, cp + `a\b/`: {cp + `a\b/o/s/1`},
		cp: sorted, "_auditship/manifests/orders/": manifests, "_auditship/": append(sorted, manifests...),
		"_auditship/manifests/orders/db/s1/0000000000000000000": manifests, "_auditship/nothing/": nil,
	} {
		if diff := cmp.Diff(want, listMeta(t, o, dir)); diff != "" {
			t.Errorf("ListMeta(%s) (-want +got):\n%s", dir, diff)
		}
	}
}

func listMeta(t *testing.T, o *Output, dir string) []string {
	t.Helper()
	var got []string
	for name, err := range o.ListMeta(context.Background(), dir) {
		if err != nil {
			t.Fatalf("ListMeta(%s): %v", dir, err)
		}
		got = append(got, name)
	}
	return got
}

// TestListMetaPages lists more names than one query reads, and stops
// when the caller does.
func TestListMetaPages(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	if err := o.prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	var want, tuples []string
	for i := range 2*listPage + 7 {
		want = append(want, fmt.Sprintf("_auditship/checkpoints/orders/db/s1/%020d", i))
		tuples = append(tuples, "('"+want[i]+"', 'db', 'x')")
	}
	srv.exec(t, "INSERT INTO `"+db+"`.`auditship_checkpoints` (`name`, `output`, `data`) VALUES "+strings.Join(tuples, ", "))
	if diff := cmp.Diff(want, listMeta(t, o, "_auditship/checkpoints/orders/")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	n := 0
	for range o.ListMeta(context.Background(), "_auditship/") {
		if n++; n == 3 {
			break
		}
	}
}

// TestListMetaErrorIsClassified: a missing table holds the output.
func TestListMetaErrorIsClassified(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	if err := o.prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.exec(t, "DROP TABLE `"+db+"`.`auditship_checkpoints`")
	for _, err := range o.ListMeta(context.Background(), "_auditship/checkpoints/") {
		if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "missing table") {
			t.Errorf("permanent %v: %v", outputs.IsPermanent(err), err)
		}
	}
}

// TestREADMEGrantsSuffice ships a batch with a refused event, replaces its
// manifest and writes a checkpoint as a user with only the README's
// grants (UPDATE per table, so that one can be revoked); without UPDATE on
// auditship_batches the replacement holds the output.
func TestREADMEGrantsSuffice(t *testing.T) {
	srv := needServer(t)
	admin, db := srv.created(t, nil)
	ctx := context.Background()
	if err := admin.prepare(ctx); err != nil {
		t.Fatal(err)
	}
	user := db[len(db)-8:] + "_u"
	srv.exec(t, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'grants-pw'")
	t.Cleanup(func() { srv.admin.Exec("DROP USER '" + user + "'@'%'") })
	for _, grant := range []string{"INSERT, SELECT ON `" + db + "`.*", "UPDATE ON `" + db + "`.`auditship_events`",
		"UPDATE ON `" + db + "`.`auditship_integration_events`", "UPDATE ON `" + db + "`.`auditship_batches`"} {
		srv.exec(t, "GRANT "+grant+" TO '"+user+"'@'%'")
	}
	c := srv.config(db)
	c.User, c.Password = user, "grants-pw"
	o := newTestOutput(t, c)
	long := `"identity":"` + strings.Repeat("i", 256) + `"`
	b := withManifest(spooled(envelope(1, "workflow", ""), envelope(2, "messaging", long)), manifestName(0), manifestBytes)
	if err := o.Write(ctx, b); !cmp.Equal(rejectedLines(err), []int{1}) {
		t.Fatalf("not line 1 rejected: %v", err)
	}
	for name, data := range map[string]string{b.ManifestName: `{"resealed":true}`, "_auditship/checkpoints/orders/db/s1/1": checkpointText} {
		if err := o.PutMeta(ctx, name, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	srv.exec(t, "REVOKE UPDATE ON `"+db+"`.`auditship_batches` FROM '"+user+"'@'%'")
	o = newTestOutput(t, c)
	if err := o.PutMeta(ctx, b.ManifestName, []byte(`{"again":true}`)); !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "UPDATE") {
		t.Errorf("replace without UPDATE: permanent %v: %v", outputs.IsPermanent(err), err)
	}
}

func rejectedLines(err error) []int {
	lines, _ := outputs.RejectedLines(err)
	return lines
}
