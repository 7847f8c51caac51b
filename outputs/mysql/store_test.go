package mysql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// TestStoreRoundTrip writes two batches across both default tables and
// reads them back: List in first_seq order, Open's bytes hashing to the
// batch row's sha256 (the body's when nothing was rejected).
func TestStoreRoundTrip(t *testing.T) {
	srv := needServer(t)
	o, _ := srv.created(t, nil)
	b1 := spooled(envelope(1, "workflow", wfItems), envelope(2, "messaging", msgItems), envelope(3, "timer", ""))
	b2 := spooled(envelope(4, "messaging", msgItems), envelope(5, "workflow", `"businessKey":"😀"`))
	for _, b := range []*event.Batch{b2, b1} {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for ref, err := range o.List(context.Background(), "orders") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ref.Key)
		body := open(t, o, ref)
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != ref.Metadata["auditship_sha256"] {
			t.Errorf("%s: Open hashes to %s, the batch row says %s", ref.Key, got, ref.Metadata["auditship_sha256"])
		}
		want := map[string]string{b1.ID: b1.SHA256, b2.ID: b2.SHA256}[ref.Key]
		if ref.Metadata["auditship_sha256"] != want || ref.Size != int64(len(body)) {
			t.Errorf("%s: metadata %v, size %d", ref.Key, ref.Metadata, ref.Size)
		}
	}
	if diff := cmp.Diff([]string{b1.ID, b2.ID}, keys); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	for _, err := range o.List(context.Background(), "other") {
		t.Errorf("List of another pipeline yields: %v", err)
	}
}

// TestOpenLeavesOutRejected: the batch row hashes what was stored, so a
// rejected line is left out of Open and of its sha256.
func TestOpenLeavesOutRejected(t *testing.T) {
	srv := needServer(t)
	o, _ := srv.created(t, nil)
	lines := []string{envelope(7, "workflow", ""), envelope(8, "workflow", `"identity":"`+strings.Repeat("i", 256)+`"`), envelope(9, "messaging", "")}
	if _, ok := outputs.RejectedLines(o.Write(context.Background(), spooled(lines...))); !ok {
		t.Fatal("line 1 was not rejected")
	}
	for ref, err := range o.List(context.Background(), "orders") {
		if err != nil {
			t.Fatal(err)
		}
		body := open(t, o, ref)
		sum := sha256.Sum256(body)
		if want := lines[0] + "\n" + lines[2] + "\n"; string(body) != want || hex.EncodeToString(sum[:]) != ref.Metadata["auditship_sha256"] {
			t.Errorf("Open = %q, sha256 %x, row %v", body, sum, ref.Metadata)
		}
		if ref.Metadata["auditship_count"] != "2" || ref.Metadata["auditship_first_seq"] != "7" || ref.Metadata["auditship_last_seq"] != "9" {
			t.Errorf("metadata %v", ref.Metadata)
		}
	}
}

func open(t *testing.T, o *Output, ref outputs.BatchRef) []byte {
	t.Helper()
	rc, err := o.Open(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	body, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return body
}
