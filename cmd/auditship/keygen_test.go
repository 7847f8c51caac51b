package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
)

func TestKeygenWritesAKeyPair(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "prod audit+1")
	if code, _ := runOut(t, "keygen", "--out", prefix); code != exitOK {
		t.Fatalf("keygen exited %d", code)
	}
	priv, pub := readKeyFile(t, prefix+".key", 0o600), readKeyFile(t, prefix+".pub", 0o644)
	s, err := note.NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "prodaudit1" || v.Name() != s.Name() || v.KeyHash() != s.KeyHash() {
		t.Errorf("key names %q, %q (hash %x, %x), want one pair named prodaudit1", s.Name(), v.Name(), s.KeyHash(), v.KeyHash())
	}
	// the private key is what signing_key takes
	cfg := writeConfig(t, `pipeline "p" {
  input "stdin" "in" {}
  output "file" "a" {
    path        = "`+filepath.ToSlash(t.TempDir())+`"
    signing_key = "`+filepath.ToSlash(prefix)+`.key"
  }
}`)
	if _, diags := config.Load(cfg, agent.Components()); len(diags) > 0 {
		t.Errorf("signing_key = the keygen file: %v", diags)
	}
}

func TestKeygenRefusesToOverwrite(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(prefix+".pub", []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _ := runOut(t, "keygen", "--out", prefix); code != exitUsage {
		t.Errorf("keygen over an existing .pub exited %d, want %d", code, exitUsage)
	}
	if _, err := os.Stat(prefix + ".key"); !os.IsNotExist(err) {
		t.Errorf("a .key was written beside the existing .pub: %v", err)
	}
	if b, _ := os.ReadFile(prefix + ".pub"); string(b) != "keep me" {
		t.Errorf("the existing .pub was changed: %q", b)
	}
	if code, _ := runOut(t, "keygen"); code != exitUsage {
		t.Errorf("keygen without --out exited %d, want %d", code, exitUsage)
	}
}

func TestKeyName(t *testing.T) {
	for in, want := range map[string]string{"prod-audit_1.v2": "prod-audit_1.v2", "a b+c/d": "abcd", "+++": "auditship", "..": "auditship"} {
		if got := keyName(in); got != want {
			t.Errorf("keyName(%q) = %q, want %q", in, got, want)
		}
	}
}

func readKeyFile(t *testing.T, path string, mode os.FileMode) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), mode)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
