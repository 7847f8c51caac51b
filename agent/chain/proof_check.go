package chain

import (
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// CheckProof checks a proof offline: the checkpoint's signature by v's
// key, that the checkpoint is the one the proof names (origin, tree
// size), and the audit path from the line's leaf hash to its root. A
// nil error means the line is in the log that key signed.
func CheckProof(p *Proof, v note.Verifier) error {
	if v == nil {
		return errors.New("a public key is needed to check a proof")
	}
	n, err := note.Open([]byte(p.Checkpoint), note.VerifierList(v))
	if err != nil {
		return fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return err
	}
	if p.Origin != "" && c.Origin != p.Origin {
		return fmt.Errorf("the checkpoint is of log %q, the proof says %q", c.Origin, p.Origin)
	}
	if c.Size != p.TreeSize {
		return fmt.Errorf("the checkpoint is of tree size %d, the proof says %d", c.Size, p.TreeSize)
	}
	line := p.line()
	if id, _, ok := envelopeHead(line); p.ID != "" && (!ok || string(id) != p.ID) {
		return fmt.Errorf("the line's _id is %q, the proof says %q", id, p.ID)
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(line)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, p.TreeSize, leaf, p.AuditPath, c.Root); err != nil {
		return fmt.Errorf("audit path: %w", err)
	}
	return nil
}
