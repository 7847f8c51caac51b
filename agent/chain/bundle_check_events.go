package chain

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/transparency-dev/merkle/rfc6962"
)

// lineReader reads a bundle file line by line (1-based numbers).
type lineReader struct {
	f *os.File
	r *bufio.Reader
	n int
}

func (c *bundleCheck) open(name string) *lineReader {
	f, err := os.Open(filepath.Join(c.dir, name))
	if err != nil {
		c.problem(BundleUnreadable, name, 0, "", "%v", err)
		return nil
	}
	return &lineReader{f: f, r: bufio.NewReaderSize(f, 64<<10)}
}

// next returns the next line without its newline; ok false at the end.
func (l *lineReader) next() (line []byte, ok bool, err error) {
	if l == nil {
		return nil, false, nil
	}
	b, err := l.r.ReadBytes('\n')
	if len(b) == 0 && errors.Is(err, io.EOF) {
		return nil, false, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	l.n++
	return trimLine(b), true, nil
}

func (l *lineReader) close() {
	if l != nil {
		_ = l.f.Close()
	}
}

// events reads events.ndjson and proofs.ndjson in step and checks each
// event against its proof.
func (c *bundleCheck) events() {
	ev, pr := c.open(BundleEvents), c.open(BundleProofs)
	defer ev.close()
	defer pr.close()
	for {
		line, okE, errE := ev.next()
		proofLine, okP, errP := pr.next()
		if errE != nil || errP != nil {
			c.problem(BundleUnreadable, BundleEvents, ev.n, "", "%v", errors.Join(errE, errP))
			return
		}
		switch {
		case !okE && !okP:
			return
		case !okP:
			c.report.Events++
			c.seen(ev.n, line)
			c.problem(BundleProofMissing, BundleEvents, ev.n, string(mustHeadID(line)), "the event line has no proof line")
		case !okE:
			bp, _ := decodeProof(proofLine)
			id := ""
			if bp != nil {
				id = bp.ID
			}
			c.problem(BundleEventMissing, BundleProofs, pr.n, id, "a proof with no event line")
		default:
			c.report.Events++
			c.event(ev.n, line, proofLine)
		}
	}
}

// seen records an event line's _id, reporting a duplicate.
func (c *bundleCheck) seen(n int, line []byte) {
	id, _, ok := envelopeHead(line)
	if !ok {
		return
	}
	if first, dup := c.ids[string(id)]; dup {
		c.problem(BundleDuplicate, BundleEvents, n, string(id), "the same event as line %d", first)
		return
	}
	c.ids[string(id)] = n
}

// event checks event line n against its proof.
func (c *bundleCheck) event(n int, line, proofLine []byte) {
	c.seen(n, line)
	id, _, isEnv := envelopeHead(line)
	bp, err := decodeProof(proofLine)
	if err != nil {
		c.problem(BundleProofAltered, BundleProofs, n, string(id), "not a proof: %v", err)
		return
	}
	if !isEnv {
		c.problem(BundleEventAltered, BundleEvents, n, bp.ID, "not an event envelope line (it must start with _id and _seq)")
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(line)
	lineMatches := bytes.Equal(leaf, bp.LeafHash)
	if lineMatches && isEnv && string(id) != bp.ID {
		c.problem(BundleProofAltered, BundleProofs, n, string(id), "the proof names _id %q", bp.ID)
	}
	c.order(n, bp)
	cp := c.checkpoint(bp.Checkpoint, n, bp.ID)
	if cp == nil {
		if !lineMatches && isEnv {
			c.problem(BundleEventAltered, BundleEvents, n, bp.ID, "the line is not the leaf its proof proves")
		}
		return
	}
	c.path(n, leaf, lineMatches, bp, cp)
}

// path checks the proof's path to cp's root, telling an altered event
// line (the proof holds for its recorded leaf hash) from an altered proof.
func (c *bundleCheck) path(n int, leaf []byte, lineMatches bool, bp *BundleProof, cp *Checkpoint) {
	if cp.Origin != bp.Origin || cp.Size != bp.TreeSize {
		c.problem(BundleProofAltered, BundleProofs, n, bp.ID, "the proof is of %s at tree size %d, its checkpoint of %s at %d",
			bp.Origin, bp.TreeSize, cp.Origin, cp.Size)
		return
	}
	switch {
	case lineMatches && leafOK(bp, cp, leaf):
		c.report.Proven++
	case lineMatches:
		c.problem(BundleProofAltered, BundleProofs, n, bp.ID, "the audit path does not lead to the root of %s", bp.Checkpoint)
	case leafOK(bp, cp, bp.LeafHash):
		c.problem(BundleEventAltered, BundleEvents, n, bp.ID, "the line is not leaf %d of %s, which its proof proves", bp.LeafIndex, bp.Origin)
	case leafOK(bp, cp, leaf):
		c.problem(BundleProofAltered, BundleProofs, n, bp.ID, "its leaf_hash is not the event line's")
	default:
		c.problem(BundleEventAltered, BundleEvents, n, bp.ID, "the line is not the leaf its proof proves")
		c.problem(BundleProofAltered, BundleProofs, n, bp.ID, "the audit path does not lead to the root of %s", bp.Checkpoint)
	}
}

// order wants the events of one log in storage order, each once.
func (c *bundleCheck) order(n int, bp *BundleProof) {
	next, ok := c.last[bp.Origin]
	switch {
	case ok && bp.LeafIndex+1 == next:
		c.problem(BundleDuplicate, BundleProofs, n, bp.ID, "leaf %d of %s again", bp.LeafIndex, bp.Origin)
	case ok && bp.LeafIndex < next:
		c.problem(BundleOutOfOrder, BundleProofs, n, bp.ID, "leaf %d of %s comes after leaf %d", bp.LeafIndex, bp.Origin, next-1)
	}
	if !ok {
		c.report.Streams++
	}
	c.last[bp.Origin] = max(next, bp.LeafIndex+1)
}

// idList checks ids.txt against the event lines: each _id listed once,
// each listed one present, each present one listed.
func (c *bundleCheck) idList() {
	r := c.open(BundleIDs)
	defer r.close()
	if r == nil {
		return
	}
	listed := map[string]int{}
	for {
		id, ok, err := r.next()
		if err != nil {
			c.problem(BundleUnreadable, BundleIDs, r.n, "", "%v", err)
			return
		}
		if !ok {
			break
		}
		if first, dup := listed[string(id)]; dup {
			c.problem(BundleDuplicate, BundleIDs, r.n, string(id), "listed again (first on line %d)", first)
			continue
		}
		listed[string(id)] = r.n
		if _, ok := c.ids[string(id)]; !ok {
			c.problem(BundleEventMissing, BundleIDs, r.n, string(id), "listed, but no line of %s holds it", BundleEvents)
		}
	}
	var unlisted []int
	byLine := map[int]string{}
	for id, n := range c.ids {
		if _, ok := listed[id]; !ok {
			unlisted, byLine[n] = append(unlisted, n), id
		}
	}
	slices.Sort(unlisted)
	for _, n := range unlisted {
		c.problem(BundleEventUnlisted, BundleEvents, n, byLine[n], "the event is not listed in %s", BundleIDs)
	}
}

// counts compares bundle.json's counts with what the files hold.
func (c *bundleCheck) counts(info *BundleInfo) {
	if info == nil {
		return
	}
	if info.Events != c.report.Events {
		c.problem(BundleCountMismatch, BundleInfoFile, 0, "", "it says %d events, %s holds %d", info.Events, BundleEvents, c.report.Events)
	}
	if info.Checkpoints != c.report.Checkpoints {
		c.problem(BundleCountMismatch, BundleInfoFile, 0, "", "it says %d checkpoints, %s/ holds %d", info.Checkpoints, BundleCheckpoints, c.report.Checkpoints)
	}
}
