package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditship/auditship/agent/chain/chaintest"
)

func TestProveThenVerifyProof(t *testing.T) {
	cfg, keys, _ := signedArchive(t)
	code, out := runOut(t, "prove", "-c", cfg, "--output", "archive", "--id", chaintest.ID("s1", 1234))
	if code != exitOK {
		t.Fatalf("prove exited %d", code)
	}
	proof := filepath.Join(t.TempDir(), "proof.json")
	if err := os.WriteFile(proof, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	code, msg := runOut(t, "verify", "--proof", proof, "--public-key", keys+".pub")
	if code != exitOK || !strings.HasPrefix(msg, "proof valid: event "+chaintest.ID("s1", 1234)+" is leaf 1233 ") {
		t.Errorf("verify --proof exited %d: %s", code, msg)
	}
	forged := strings.Replace(out, `completed`, `cancelled`, 1)
	if err := os.WriteFile(proof, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, msg := runOut(t, "verify", "--proof", proof, "--public-key", keys+".pub"); code != exitRuntime ||
		!strings.HasPrefix(msg, "proof invalid: ") {
		t.Errorf("verify --proof of an altered line exited %d: %s", code, msg)
	}
	if err := os.WriteFile(proof, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _ := runOut(t, "verify", "--proof", proof, "--public-key", keys+".pub"); code != exitRuntime {
		t.Errorf("verify --proof of a file that is no proof exited %d, want %d", code, exitRuntime)
	}
}

func TestProveCommandErrors(t *testing.T) {
	cfg, _, _ := signedArchive(t)
	for _, tt := range []struct {
		args []string
		want int
	}{
		{[]string{"-c", cfg, "--output", "archive"}, exitUsage},              // no --id
		{[]string{"-c", cfg, "--id", "x"}, exitUsage},                        // no --output
		{[]string{"-c", cfg, "--output", "console", "--id", "x"}, exitUsage}, // no chain
		{[]string{"-c", cfg, "--output", "archive", "--id", "no-such-event"}, exitRuntime},
	} {
		if code, out := runOut(t, append([]string{"prove"}, tt.args...)...); code != tt.want || out != "" {
			t.Errorf("prove %v exited %d, printed %q; want %d and nothing", tt.args, code, out, tt.want)
		}
	}
}
