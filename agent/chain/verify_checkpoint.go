package chain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// checkpointFact is one stored checkpoint, kept while its stream is read.
type checkpointFact struct {
	name    string
	cp      Checkpoint
	checked bool // compared with the tree at its size
}

// loadCheckpoints reads the stream's checkpoints in name (time) order,
// checking each on its own and against the ones before it; their roots
// are checked against the tree as it is recomputed.
func (s *streamCheck) loadCheckpoints(ctx context.Context) error {
	dir := CheckpointDir(s.id.pipeline, s.v.opts.Output, s.id.stream)
	earlier := map[string]bool{} // digests of the checkpoints read so far
	for name, err := range s.v.st.ListMeta(ctx, dir) {
		if err != nil {
			return fmt.Errorf("list %s: %w", dir, err)
		}
		raw, err := s.v.st.GetMeta(ctx, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // listed, then gone: the chain of the next one tells
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if c, ok := s.openCheckpoint(name, raw); ok {
			s.chainCheckpoint(name, c, earlier)
			s.want[c.Size] = append(s.want[c.Size], len(s.cps))
			s.cps = append(s.cps, checkpointFact{name: name, cp: c})
			s.v.seeCheckpoint(s.id.pipeline, name, c)
		}
		earlier[Digest(raw)] = true
	}
	return nil
}

// openCheckpoint parses and authenticates one checkpoint.
func (s *streamCheck) openCheckpoint(name string, raw []byte) (Checkpoint, bool) {
	v, r := s.v, s.v.report
	r.Checkpoints++
	c, signed, err := OpenCheckpoint(raw, v.opts.Verifier)
	if signed {
		v.signed++
	}
	switch {
	case errors.Is(err, ErrUnsigned):
		r.add(KindUnsigned, name, nil, "carries no signature, and a public key was given")
		err = nil
	case err != nil && signed && v.opts.Verifier != nil:
		r.add(KindBadSignature, name, nil, "%s", signatureProblem(err, v.opts.Verifier))
		c, _, err = OpenCheckpoint(raw, nil)
	}
	if err != nil {
		r.add(KindBadCheckpoint, name, nil, "unreadable: %v", err)
		return c, false
	}
	if want := Origin(s.id.pipeline, v.opts.Output, s.id.stream); c.Origin != want {
		r.add(KindBadCheckpoint, name, nil, "its origin is %q, not this log's %q", c.Origin, want)
		return c, false
	}
	return c, true
}

// signatureProblem explains a checkpoint whose signature did not verify.
func signatureProblem(err error, v note.Verifier) string {
	var une *note.UnverifiedNoteError
	if errors.As(err, &une) {
		var by []string
		for _, sig := range une.Note.UnverifiedSigs {
			by = append(by, sig.Name)
		}
		return fmt.Sprintf("signed by %s, not by the public key given (%s): another key, or a bad signature",
			strings.Join(by, ", "), v.Name())
	}
	return fmt.Sprintf("bad signature: %v", err)
}

// chainCheckpoint checks that c extends the checkpoints before it.
func (s *streamCheck) chainCheckpoint(name string, c Checkpoint, earlier map[string]bool) {
	r := s.v.report
	switch {
	case c.Prev == "" && len(earlier) > 0:
		r.add(KindCheckpointChain, name, nil, "names no previous checkpoint, after %d earlier ones", len(earlier))
	case c.Prev != "" && len(earlier) == 0:
		r.add(KindCheckpointChain, name, nil, "the stream's first stored checkpoint chains to sha256:%s: "+
			"the checkpoints before it are missing", c.Prev)
	case c.Prev != "" && !earlier[c.Prev]:
		r.add(KindCheckpointChain, name, nil, "chains to sha256:%s, which is no earlier checkpoint: "+
			"a checkpoint before it was removed or replaced", c.Prev)
	}
	if n := len(s.cps); n > 0 && c.Size < s.cps[n-1].cp.Size {
		r.add(KindCheckpointChain, name, nil, "its tree size %d is less than the %d of the checkpoint before it (%s)",
			c.Size, s.cps[n-1].cp.Size, s.cps[n-1].name)
	}
}

// checkAt compares the checkpoints at b's size with the tree there.
func (s *streamCheck) checkAt(b boundary) {
	r := s.v.report
	for _, i := range s.want[b.size] {
		f := &s.cps[i]
		if f.checked {
			continue
		}
		f.checked = true
		switch {
		case b.root == nil: // the tree there is unknown: what hid it is reported
		case !bytes.Equal(f.cp.Root, b.root):
			r.add(KindCheckpointRoot, f.name, nil, "its root %x at tree size %d is not the root %x recomputed from "+
				"the stored events: the history it signed was rewritten", f.cp.Root, b.size, b.root)
		case f.cp.Manifest != b.digest:
			r.add(KindCheckpointRoot, f.name, nil, "names sha256:%s as the last manifest at tree size %d; "+
				"the stored one is sha256:%s", f.cp.Manifest, b.size, b.digest)
		}
	}
}

// unmatchedCheckpoints reports checkpoints at sizes the manifests never
// reached (a truncated tail) or at no batch boundary.
func (s *streamCheck) unmatchedCheckpoints(end uint64) {
	r := s.v.report
	for _, f := range s.cps {
		switch {
		case f.checked:
		case f.cp.Size > end:
			r.add(KindTruncated, f.name, nil, "covers %d events, the stored manifests end at tree size %d: "+
				"the batches after it were removed", f.cp.Size, end)
		default:
			r.add(KindCheckpointRoot, f.name, nil, "its tree size %d is no batch boundary of the stored manifests", f.cp.Size)
		}
	}
}

// seeCheckpoint keeps the newest checkpoint per pipeline, for freshness.
func (v *verifier) seeCheckpoint(pipeline, name string, c Checkpoint) {
	if n, ok := v.newest[pipeline]; !ok || c.Time.After(n.cp.Time) {
		v.newest[pipeline] = checkpointFact{name: name, cp: c}
	}
	if c.Time.After(v.report.Newest) {
		v.report.Newest = c.Time
	}
}

// freshness checks, per pipeline, that there is a checkpoint and that the
// newest is at most MaxAge old: an older one means the tail after it may
// have been cut (batches, manifests and checkpoints removed).
func (v *verifier) freshness() {
	r := v.report
	r.Signed = r.Checkpoints > 0 && v.signed == r.Checkpoints
	r.SignaturesChecked = v.opts.Verifier != nil
	for _, p := range r.Pipelines {
		n, ok := v.newest[p]
		switch {
		case !ok && !v.noCheckpoint[p]:
			r.add(KindNoCheckpoint, metaRoot("checkpoints", p), nil, "no checkpoint of output %q in pipeline %q",
				v.opts.Output, p)
		case ok && v.opts.MaxAge > 0 && v.opts.Now.Sub(n.cp.Time) > v.opts.MaxAge:
			r.add(KindStale, n.name, nil, "the newest checkpoint of pipeline %q was written %s ago (%s), more than %s: "+
				"what was stored after it may have been cut", p, v.opts.Now.Sub(n.cp.Time).Round(time.Second),
				n.cp.Time.UTC().Format("2006-01-02T15:04:05Z"), v.opts.MaxAge)
		}
	}
	if len(r.Pipelines) == 0 {
		r.add(KindNoCheckpoint, metaRoot("checkpoints", ""), nil, "no manifest or checkpoint of output %q", v.opts.Output)
	}
}
