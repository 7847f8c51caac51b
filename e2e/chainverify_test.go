package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/chain"
)

// chainKeys is a key pair written by `auditship keygen`.
type chainKeys struct {
	priv, pub string // the files
}

func chainKeygen(t *testing.T, name string) chainKeys {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), name)
	out, stderr, code := runOnce(t, "keygen", "--out", prefix)
	if code != 0 {
		t.Fatalf("keygen: exit %d\n%s%s", code, out, stderr)
	}
	return chainKeys{priv: prefix + ".key", pub: prefix + ".pub"}
}

// attrs are the chain attributes of an output signing with the key.
func (k chainKeys) attrs() string {
	return fmt.Sprintf("digest_interval = \"2s\"\n    signing_key     = file(%q)\n", k.priv)
}

// signer signs as the agent does with this key.
func (k chainKeys) signer(t *testing.T) note.Signer {
	t.Helper()
	b, err := os.ReadFile(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// chainVerify runs verify --json on cfg's output and decodes its report.
// pub "" checks no signature; maxAge "" is verify's default. Exit 3
// (could not complete) fails the test: a tampered archive is exit 1.
func chainVerify(t *testing.T, cfg, pub, maxAge string) (int, *chain.Report) {
	t.Helper()
	args := []string{"verify", "-c", cfg, "--output", chainOutput, "--json"}
	if pub != "" {
		args = append(args, "--public-key", pub)
	}
	if maxAge != "" {
		args = append(args, "--max-age", maxAge)
	}
	out, stderr, code := runOnce(t, args...)
	if code != 0 && code != 1 {
		t.Fatalf("verify: exit %d, want 0 or 1\n%s%s", code, out, stderr)
	}
	var r chain.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	if (code == 0) != (len(r.Problems) == 0) {
		t.Errorf("verify exit %d with %d problems", code, len(r.Problems))
	}
	return code, &r
}

// wantProblems checks that verify exited 1 reporting exactly want: kind,
// name and sequence numbers (the message is not compared).
func wantProblems(t *testing.T, code int, r *chain.Report, want ...chain.Problem) {
	t.Helper()
	if code != 1 {
		t.Errorf("verify exit %d, want 1", code)
	}
	byKind := cmpopts.SortSlices(func(a, b chain.Problem) bool { return a.Kind+a.Name < b.Kind+b.Name })
	opts := cmp.Options{cmpopts.IgnoreFields(chain.Problem{}, "Message"), byKind, cmpopts.EquateEmpty()}
	if diff := cmp.Diff(want, r.Problems, opts); diff != "" {
		t.Errorf("problems (-want +got):\n%s\nall found:\n%s", diff, problemList(r))
	}
	for _, p := range r.Problems {
		if p.Message == "" {
			t.Errorf("problem %s %s has no message", p.Kind, p.Name)
		}
	}
}

func problemList(r *chain.Report) string {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  %s\n", p)
	}
	return b.String()
}

// The chain's files in a store (SPEC §6).
const (
	manifestsRoot   = "_auditship/manifests/"
	checkpointsRoot = "_auditship/checkpoints/"
)

// chainState is an archive's chain files: its manifests in tree order
// and its checkpoints in time order (the agent writes one stream).
type chainState struct {
	manifests   []namedManifest
	checkpoints []namedCheckpoint
}

type namedManifest struct {
	name string
	m    *chain.Manifest
}

type namedCheckpoint struct {
	name string
	raw  []byte
	c    chain.Checkpoint
}

func readChainState(t *testing.T, a chainArchive) chainState {
	t.Helper()
	var s chainState
	for _, name := range a.metaNames(t, manifestsRoot) {
		m, err := chain.ParseManifest(a.meta(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.manifests = append(s.manifests, namedManifest{name, m})
	}
	for _, name := range a.metaNames(t, checkpointsRoot) {
		raw := a.meta(t, name)
		c, _, err := chain.OpenCheckpoint(raw, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.checkpoints = append(s.checkpoints, namedCheckpoint{name, raw, c})
	}
	if len(s.manifests) < 4 || len(s.checkpoints) < 2 {
		t.Fatalf("%d manifests and %d checkpoints stored: too few to tamper with", len(s.manifests), len(s.checkpoints))
	}
	return s
}

// stream is the chain's stream (one data_dir: one stream).
func (s chainState) stream() string { return s.manifests[0].m.Stream }

// checkpointsAt lists the checkpoints of tree size n.
func (s chainState) checkpointsAt(n uint64) []namedCheckpoint {
	var out []namedCheckpoint
	for _, c := range s.checkpoints {
		if c.c.Size == n {
			out = append(out, c)
		}
	}
	return out
}

// middle is the index of a manifest in the middle of the chain holding
// at least 3 events, with one after it.
func (s chainState) middle(t *testing.T) int {
	t.Helper()
	for i := len(s.manifests) / 2; i < len(s.manifests)-1; i++ {
		if s.manifests[i].m.Count >= 3 {
			return i
		}
	}
	t.Fatal("no manifest of 3 events or more in the second half of the chain")
	return 0
}

// span is the lowest and highest sequence numbers a manifest holds or
// skips.
func span(m *chain.Manifest) chain.Run {
	r := chain.Run{^uint64(0), 0}
	widen := func(lo, hi uint64) { r[0], r[1] = min(r[0], lo), max(r[1], hi) }
	for _, s := range m.Seqs {
		widen(s[0], s[1])
	}
	for _, k := range m.Skipped {
		widen(k.From, k.To)
	}
	return r
}

func seqRun(seq uint64) []chain.Run { return []chain.Run{{seq, seq}} }

// lineSeq is the _seq of a stored envelope line.
func lineSeq(t *testing.T, line []byte) uint64 {
	t.Helper()
	var env struct {
		Seq *uint64 `json:"_seq"`
	}
	if err := json.Unmarshal(line, &env); err != nil || env.Seq == nil {
		t.Fatalf("no _seq in %.120q (%v)", line, err)
	}
	return *env.Seq
}

// alterByte changes one ASCII letter or digit inside a JSON string in
// the second half of line (past the _id and _seq): a copy, one byte
// different, still JSON.
func alterByte(t *testing.T, line []byte) []byte {
	t.Helper()
	out := slices.Clone(line)
	inString := false
	for i := 0; i < len(out); i++ {
		switch c := out[i]; {
		case c == '\\':
			if i+1 < len(out) && out[i+1] == 'u' {
				i += 4 // leave \uXXXX alone
			}
			i++
		case c == '"':
			inString = !inString
		case !inString || i < len(out)/2:
		case c >= 'a' && c < 'z', c >= '0' && c < '9':
			out[i]++
			return out
		case c == 'z', c == '9':
			out[i]--
			return out
		}
	}
	t.Fatalf("no letter or digit to alter in %.120q", line)
	return nil
}
