package chain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// BundleProblemKind names what is wrong with a bundle.
type BundleProblemKind string

// The problems CheckBundle reports.
const (
	BundleEventAltered       BundleProblemKind = "event altered"       // the line is not the leaf its proof proves
	BundleProofAltered       BundleProblemKind = "proof altered"       // unreadable, or its path does not reach the checkpoint's root
	BundleProofMissing       BundleProblemKind = "proof missing"       // an event line with no proof line
	BundleEventMissing       BundleProblemKind = "event missing"       // an _id of ids.txt, or a proof, with no event line
	BundleEventUnlisted      BundleProblemKind = "event not listed"    // an event line whose _id ids.txt lacks
	BundleDuplicate          BundleProblemKind = "duplicate"           // an _id twice in events.ndjson or ids.txt
	BundleOutOfOrder         BundleProblemKind = "out of order"        // events of a stream not in storage order
	BundleCheckpointAltered  BundleProblemKind = "checkpoint altered"  // unreadable or badly signed
	BundleCheckpointUnsigned BundleProblemKind = "checkpoint unsigned" // no signature, and a key was given
	BundleCheckpointMissing  BundleProblemKind = "checkpoint missing"  // a proof names a checkpoint the bundle lacks
	BundleFileAltered        BundleProblemKind = "file altered"        // its SHA-256 is not the one bundle.json lists
	BundleCountMismatch      BundleProblemKind = "count mismatch"      // bundle.json's counts are not what the files hold
	BundleUnreadable         BundleProblemKind = "unreadable"          // a file of the bundle is missing or cannot be read
)

// BundleProblem is one problem found in a bundle: the file and line
// (1-based, 0 for the whole file) and the event's _id when known.
type BundleProblem struct {
	Kind   BundleProblemKind `json:"kind"`
	File   string            `json:"file"`
	Line   int               `json:"line,omitempty"`
	ID     string            `json:"id,omitempty"`
	Detail string            `json:"detail"`
}

func (p BundleProblem) String() string {
	where := p.File
	if p.Line > 0 {
		where = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.ID != "" {
		return fmt.Sprintf("%s: %s: _id %s: %s", where, p.Kind, p.ID, p.Detail)
	}
	return fmt.Sprintf("%s: %s: %s", where, p.Kind, p.Detail)
}

// BundleReport is what CheckBundle found.
type BundleReport struct {
	Events      int             `json:"events"`  // event lines read
	Proven      int             `json:"proven"`  // events whose proof checked against a good checkpoint
	Streams     int             `json:"streams"` // logs (origins) the proofs are of
	Checkpoints int             `json:"checkpoints"`
	Signer      string          `json:"signer,omitempty"` // the key the checkpoints were checked with
	Problems    []BundleProblem `json:"problems"`
}

// Summary is the one line verify --bundle prints.
func (r *BundleReport) Summary() string {
	signed := "signatures not checked"
	if r.Signer != "" {
		signed = "signed by " + r.Signer
	}
	if len(r.Problems) > 0 {
		return fmt.Sprintf("bundle NOT intact: %d problems; %d of %d events proven against %d checkpoints (%s)",
			len(r.Problems), r.Proven, r.Events, r.Checkpoints, signed)
	}
	return fmt.Sprintf("bundle intact: %d events of %d streams, each proven against one of %d checkpoints %s",
		r.Events, r.Streams, r.Checkpoints, signed)
}

// CheckBundle checks a bundle offline: every event line against its
// proof, every proof against its checkpoint, every checkpoint's
// signature by v's key (nil: signatures are not checked), and that
// events.ndjson, proofs.ndjson, ids.txt and bundle.json agree. Problems
// are in the report; an error means dir is not a bundle at all.
func CheckBundle(dir string, v note.Verifier) (*BundleReport, error) {
	if _, err := os.Stat(filepath.Join(dir, BundleEvents)); err != nil {
		return nil, fmt.Errorf("%s is not a bundle: %w", dir, err)
	}
	c := &bundleCheck{dir: dir, v: v, report: &BundleReport{Problems: []BundleProblem{}},
		cps: map[string]*Checkpoint{}, cpSeen: map[string]bool{}, last: map[string]uint64{},
		ids: map[string]int{}}
	if v != nil {
		c.report.Signer = v.Name()
	}
	c.checkpoints()
	c.events()
	c.idList()
	c.counts(c.info()) // the digests last: they say which file changed, not what
	return c.report, nil
}

// bundleCheck is one CheckBundle's state.
type bundleCheck struct {
	dir    string
	v      note.Verifier
	report *BundleReport
	cps    map[string]*Checkpoint // by file name; nil: altered or unsigned
	cpSeen map[string]bool        // missing checkpoints already reported
	last   map[string]uint64      // the last leaf index seen per origin, plus one
	ids    map[string]int         // _id → its line in events.ndjson
}

func (c *bundleCheck) problem(kind BundleProblemKind, file string, line int, id, format string, args ...any) {
	c.report.Problems = append(c.report.Problems, BundleProblem{Kind: kind, File: file, Line: line, ID: id,
		Detail: fmt.Sprintf(format, args...)})
}

// info reads bundle.json and checks each file's SHA-256 against it.
func (c *bundleCheck) info() *BundleInfo {
	b, err := os.ReadFile(filepath.Join(c.dir, BundleInfoFile))
	if err != nil {
		c.problem(BundleUnreadable, BundleInfoFile, 0, "", "%v", err)
		return nil
	}
	info, err := ParseBundleInfo(b)
	if err != nil {
		c.problem(BundleUnreadable, BundleInfoFile, 0, "", "%v", err)
		return nil
	}
	for _, name := range sortedKeys(info.Files) {
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			c.problem(BundleFileAltered, BundleInfoFile, 0, "", "it lists %q, not a file of the bundle", name)
			continue
		}
		got, err := os.ReadFile(filepath.Join(c.dir, filepath.FromSlash(name)))
		switch {
		case err != nil:
			c.problem(BundleFileAltered, name, 0, "", "listed in bundle.json, cannot be read: %v", err)
		case Digest(got) != info.Files[name]:
			c.problem(BundleFileAltered, name, 0, "", "its SHA-256 is %s, bundle.json says %s", Digest(got), info.Files[name])
		}
	}
	return info
}

// checkpoints opens every checkpoint file, checking its signature.
func (c *bundleCheck) checkpoints() {
	entries, err := os.ReadDir(filepath.Join(c.dir, BundleCheckpoints))
	if err != nil {
		c.problem(BundleUnreadable, BundleCheckpoints, 0, "", "%v", err)
		return
	}
	for _, e := range entries {
		name := bundleCPPrefix + e.Name()
		raw, err := os.ReadFile(filepath.Join(c.dir, BundleCheckpoints, e.Name()))
		if err != nil {
			c.problem(BundleUnreadable, name, 0, "", "%v", err)
			c.cps[name] = nil
			continue
		}
		c.report.Checkpoints++
		cp, signed, err := OpenCheckpoint(raw, c.v)
		switch {
		case err == ErrUnsigned || c.v != nil && !signed:
			c.problem(BundleCheckpointUnsigned, name, 0, "", "the checkpoint carries no signature: it proves nothing about who wrote it")
			c.cps[name] = nil
		case err != nil:
			c.problem(BundleCheckpointAltered, name, 0, "", "%v", err)
			c.cps[name] = nil
		default:
			c.cps[name] = &cp
		}
	}
}

// checkpoint returns the good checkpoint a proof names, reporting a
// missing one once.
func (c *bundleCheck) checkpoint(name string, line int, id string) *Checkpoint {
	cp, ok := c.cps[name]
	if !ok && !c.cpSeen[name] {
		c.cpSeen[name] = true
		c.problem(BundleCheckpointMissing, BundleProofs, line, id, "its checkpoint %q is not in the bundle", name)
	}
	return cp
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// leafOK reports whether the proof's path leads from leaf to cp's root.
func leafOK(bp *BundleProof, cp *Checkpoint, leaf []byte) bool {
	return proof.VerifyInclusion(rfc6962.DefaultHasher, bp.LeafIndex, bp.TreeSize, leaf, bp.AuditPath, cp.Root) == nil
}

// trimLine drops a line's newline.
func trimLine(b []byte) []byte { return bytes.TrimSuffix(b, []byte("\n")) }

// isCheckpointName is whether a proof's checkpoint names a file of the
// bundle's checkpoints directory.
func isCheckpointName(name string) bool {
	rest, ok := strings.CutPrefix(name, bundleCPPrefix)
	return ok && rest != "" && !strings.ContainsAny(rest, `/\`) && rest != ".." && rest != "."
}

// decodeProof parses one proofs.ndjson line.
func decodeProof(b []byte) (*BundleProof, error) {
	var bp BundleProof
	if err := json.Unmarshal(b, &bp); err != nil {
		return nil, err
	}
	if !isCheckpointName(bp.Checkpoint) {
		return nil, fmt.Errorf("checkpoint %q is not a file of %s/", bp.Checkpoint, BundleCheckpoints)
	}
	return &bp, nil
}
