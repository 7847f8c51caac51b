package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// spooled writes body to a spool file the way the agent does and returns
// the journaled batch that points at it.
func spooled(t *testing.T, dir, key, body string) *event.Batch {
	t.Helper()
	path := filepath.Join(dir, "spool-"+hex.EncodeToString([]byte(body)))
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sum := sha256.Sum256([]byte(body))
	return &event.Batch{Key: key, Body: f, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])}
}

// TestJournaledBatchIsLinkedNotCopied: a spooled batch on the archive's
// filesystem becomes the archived file by a hard link; a re-send of it
// succeeds; other bytes at the key are a key conflict.
func TestJournaledBatchIsLinkedNotCopied(t *testing.T) {
	o := newTestOutput(t, nil)
	spoolDir := t.TempDir()
	b := spooled(t, spoolDir, "p/x.ndjson", "{\"a\":1}\n")
	for i := range 2 {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	var st, sp syscall.Stat_t
	syscall.Stat(filepath.Join(o.dir, "p/x.ndjson"), &st)
	syscall.Stat(b.Body.(*os.File).Name(), &sp)
	if st.Ino != sp.Ino {
		t.Error("the archived file is a copy, not a link of the spool file")
	}
	other := spooled(t, spoolDir, "p/x.ndjson", "{\"b\":2}\n")
	err := o.Write(context.Background(), other)
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") {
		t.Fatalf("other bytes at the key: %v, want a permanent key conflict", err)
	}
}

// TestBatchWithoutDigestIsComparedByBytes: a batch whose chain stands for
// its sha256 (SHA256 "") is linked too; a re-send of it (same bytes, a
// copy of the spool after a crash) succeeds, other bytes are a conflict.
func TestBatchWithoutDigestIsComparedByBytes(t *testing.T) {
	o := newTestOutput(t, nil)
	spoolDir, otherDir := t.TempDir(), t.TempDir()
	b := spooled(t, spoolDir, "p/y.ndjson", "{\"a\":1}\n")
	b.SHA256 = ""
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	again := spooled(t, otherDir, "p/y.ndjson", "{\"a\":1}\n") // the same bytes in another inode
	again.SHA256 = ""
	if err := o.Write(context.Background(), again); err != nil {
		t.Fatalf("re-send of the same bytes: %v", err)
	}
	for _, body := range []string{"{\"a\":2}\n", "{\"a\":1}\n\n", "{\"a\":1}"} {
		other := spooled(t, otherDir, "p/y.ndjson", body)
		other.SHA256 = ""
		err := o.Write(context.Background(), other)
		if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") {
			t.Errorf("%q at the key: %v, want a permanent key conflict", body, err)
		}
	}
}
