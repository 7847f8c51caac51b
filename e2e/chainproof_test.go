package e2e

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/auditship/auditship/agent/chain"
)

// testProofs proves a stored event from the middle of the run with
// `auditship prove` and checks the proof offline with `verify --proof`:
// valid as written; invalid with one byte altered in the line, in an
// audit path hash, in the tree size or in the checkpoint's signature.
func testProofs(t *testing.T, run *chainRun) {
	t.Parallel()
	id := run.ids[len(run.ids)/2]
	out, stderr, code := runOnce(t, "prove", "-c", run.cfg, "--output", chainOutput, "--id", id)
	if code != 0 {
		t.Fatalf("prove --id %s: exit %d\n%s", id, code, stderr)
	}
	var p chain.Proof
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("prove output: %v\n%s", err, out)
	}
	if p.ID != id || !strings.HasPrefix(p.Line, `{"_id":"`+id+`"`) || len(p.AuditPath) == 0 || p.LeafIndex >= p.TreeSize {
		t.Fatalf("proof of %s: id %s, leaf %d of %d, %d path hashes, line %.80q", id, p.ID, p.LeafIndex, p.TreeSize, len(p.AuditPath), p.Line)
	}
	t.Logf("event %s: leaf %d of %d, %d audit path hashes, in %s", id, p.LeafIndex, p.TreeSize, len(p.AuditPath), p.Key)
	checkProof(t, run, "as written", p, 0)
	cases := []struct {
		name string
		edit func(p *chain.Proof)
	}{
		{"line", func(p *chain.Proof) { p.Line = string(alterByte(t, []byte(p.Line))) }},
		{"audit path", func(p *chain.Proof) { p.AuditPath[len(p.AuditPath)/2][7] ^= 0x01 }},
		{"tree size", func(p *chain.Proof) { p.TreeSize++ }},
		{"signature", func(p *chain.Proof) { p.Checkpoint = alterSignature(t, p.Checkpoint) }},
	}
	for _, c := range cases {
		q := p
		q.AuditPath = make([][]byte, len(p.AuditPath))
		for i, h := range p.AuditPath {
			q.AuditPath[i] = append([]byte(nil), h...)
		}
		c.edit(&q)
		checkProof(t, run, "with one byte altered in the "+c.name, q, 1)
	}
}

// checkProof writes p to a file and wants verify --proof to exit with want.
func checkProof(t *testing.T, run *chainRun, what string, p chain.Proof, want int) {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	file := writeFile(t, "proof.json", string(b))
	out, stderr, code := runOnce(t, "verify", "--proof", file, "--public-key", run.keys.pub)
	if code != want {
		t.Errorf("verify --proof %s: exit %d, want %d\n%s%s", what, code, want, out, stderr)
		return
	}
	first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	t.Logf("verify --proof %s: %s", what, first)
}

// alterSignature changes one byte of the Ed25519 signature (not of the
// key hash before it) in a signed note's signature line.
func alterSignature(t *testing.T, note string) string {
	t.Helper()
	i := strings.LastIndex(note, "\n— ")
	if i < 0 {
		t.Fatalf("no signature line in %q", note)
	}
	line := strings.TrimSuffix(note[i+1:], "\n")
	sp := strings.LastIndexByte(line, ' ')
	sig, err := base64.StdEncoding.DecodeString(line[sp+1:])
	if err != nil || len(sig) != 4+64 {
		t.Fatalf("signature %q: %d bytes (%v), want a key hash and an Ed25519 signature", line[sp+1:], len(sig), err)
	}
	sig[4+32] ^= 0x01
	return note[:i+1] + line[:sp+1] + base64.StdEncoding.EncodeToString(sig) + "\n"
}
