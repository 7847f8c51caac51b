package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/outputs"
	fileout "github.com/auditship/auditship/outputs/file"
)

// archiveConfig has one pipeline whose file output stores under %s.
const archiveConfig = `
pipeline "orders" {
  input "stdin" "in" {}
  output "file" "archive" {
    path            = %q
    digest_interval = "30m"
  }
  output "stdout" "console" {}
}
`

// signedArchive stores 3,000 events in three batches with checkpoints
// signed by the key keygen wrote under dir, and returns the config's
// path, the key prefix and the builder.
func signedArchive(t *testing.T) (cfgPath, keys string, b *chaintest.Builder) {
	t.Helper()
	dir := t.TempDir()
	keys = filepath.Join(dir, "audit")
	if code := run([]string{"keygen", "--out", keys}); code != exitOK {
		t.Fatalf("keygen exited %d", code)
	}
	priv, err := os.ReadFile(keys + ".key")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(priv)))
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, "archive")
	b = chaintest.New(fileStore(t, archive), chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s1",
		Signer: signer, Start: time.Now().Add(-10 * time.Minute), Every: time.Minute})
	ctx := context.Background()
	for range 3 {
		if _, err := b.Add(ctx, 1000); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return writeConfig(t, fmt.Sprintf(archiveConfig, archive)), keys, b
}

func fileStore(t *testing.T, dir string) chaintest.Target {
	t.Helper()
	f := fileout.NewFactory()
	c := f.NewConfig().(*fileout.Config)
	c.Path = dir
	out, err := f.Create(outputs.Settings{Pipeline: "orders", Name: "archive"}, c)
	if err != nil {
		t.Fatal(err)
	}
	return out.(chaintest.Target)
}

// runOut runs the command and returns its exit code and stdout.
func runOut(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var code int
	out := captureStdout(t, func() { code = run(args) })
	return code, out
}

func TestVerifyCommandIntact(t *testing.T) {
	cfg, keys, _ := signedArchive(t)
	code, out := runOut(t, "verify", "-c", cfg, "--output", "archive", "--public-key", keys+".pub")
	if code != exitOK || !strings.HasPrefix(out, "intact: ") || strings.Count(out, "\n") != 1 {
		t.Fatalf("verify exited %d, printed %q; want 0 and a one-line summary", code, out)
	}
	code, out = runOut(t, "verify", "-c", cfg, "--output", "archive", "--json")
	var r chain.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != exitOK || r.Events != 3000 || !r.Signed {
		t.Errorf("verify --json exited %d: %v\n%s", code, err, out)
	}
}

func TestVerifyCommandProblems(t *testing.T) {
	cfg, keys, b := signedArchive(t)
	other := filepath.Join(t.TempDir(), "other")
	if code := run([]string{"keygen", "--out", other}); code != exitOK {
		t.Fatal("keygen")
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"another key", []string{"--public-key", other + ".pub"}, chain.KindBadSignature + " " + b.Checkpoints[0]},
		{"max age", []string{"--max-age", "1s"}, chain.KindStale + " " + b.Checkpoints[2]},
	}
	for _, tt := range tests {
		code, out := runOut(t, append([]string{"verify", "-c", cfg, "--output", "archive"}, tt.args...)...)
		if code != exitRuntime || !strings.Contains(out, tt.want) {
			t.Errorf("%s: exited %d, printed\n%s\nwant 1 and a line with %q", tt.name, code, out, tt.want)
		}
	}
	dir := filepath.Dir(keys)
	if err := os.Remove(filepath.Join(dir, "archive", filepath.FromSlash(b.Batches[1].Key))); err != nil {
		t.Fatal(err)
	}
	code, out := runOut(t, "verify", "-c", cfg, "--output", "archive", "--pipeline", "orders")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitRuntime || len(lines) != 2 || !strings.HasPrefix(lines[0], chain.KindMissingBatch+" "+b.Batches[1].Key+" seqs 1001-2000: ") ||
		!strings.HasPrefix(lines[1], "1 problem: ") {
		t.Errorf("a batch removed: exited %d, printed\n%s", code, out)
	}
}

func TestVerifyCommandUsage(t *testing.T) {
	cfg, keys, _ := signedArchive(t)
	for _, args := range [][]string{
		{"-c", cfg},                     // no --output
		{"-c", cfg, "--output", "nope"}, // no such output
		{"-c", cfg, "--output", "archive", "--pipeline", "other"},
		{"-c", cfg, "--output", "console"}, // stdout keeps no chain
		{"-c", cfg, "--output", "archive", "--max-age", "soon"},
		{"-c", cfg, "--output", "archive", "--public-key", keys + ".key"}, // a private key
		{"-c", cfg, "--output", "archive", "--public-key", keys + ".missing"},
		{"--proof", "p.json"}, // no public key
		{"--proof", keys + ".missing", "--public-key", keys + ".pub"},
	} {
		if code, _ := runOut(t, append([]string{"verify"}, args...)...); code != exitUsage {
			t.Errorf("verify %v exited %d, want %d", args, code, exitUsage)
		}
	}
}

// TestVerifyCommandCannotComplete: a store that cannot be read (its path
// runs through a regular file) exits 3, never 1.
func TestVerifyCommandCannotComplete(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, fmt.Sprintf(archiveConfig, filepath.Join(dir, "file", "archive")))
	if code, out := runOut(t, "verify", "-c", cfg, "--output", "archive"); code != exitIncomplete {
		t.Errorf("verify of an unreadable store exited %d, printed %q; want %d", code, out, exitIncomplete)
	}
}

func TestMaxAgeDefaultsToTwiceTheDigestInterval(t *testing.T) {
	cfg, _, _ := signedArchive(t)
	c, ok := load(cfg)
	if !ok {
		t.Fatal("config")
	}
	stores, err := chainStores(c, "archive", "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(stores)
	if d, err := maxAgeOf("", stores); err != nil || d != time.Hour {
		t.Errorf("default max age %v, %v; want 1h (digest_interval 30m)", d, err)
	}
}
