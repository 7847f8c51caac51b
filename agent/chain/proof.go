package chain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"unicode/utf8"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Proof is an RFC 6962 inclusion proof of one stored event (SPEC §6):
// the line is leaf LeafIndex of the tree of TreeSize leaves whose root
// the signed Checkpoint holds. Key, BatchID and Origin say where it came
// from; CheckProof reads only what it needs.
type Proof struct {
	Line       string   `json:"line"`                  // the event's envelope line as stored, without newline
	LineBytes  []byte   `json:"line_base64,omitempty"` // the line, when it is not valid UTF-8 (then Line is empty)
	LeafIndex  uint64   `json:"leaf_index"`
	TreeSize   uint64   `json:"tree_size"`
	AuditPath  [][]byte `json:"audit_path"` // base64 hashes, leaf to root
	Checkpoint string   `json:"checkpoint"` // the stored checkpoint note, signature included
	ID         string   `json:"id"`
	Key        string   `json:"key"`
	BatchID    string   `json:"batch_id"`
	Origin     string   `json:"origin"`
}

// line returns the proven line's bytes.
func (p *Proof) line() []byte {
	if p.LineBytes != nil {
		return p.LineBytes
	}
	return []byte(p.Line)
}

// ErrNotCovered means an event was stored after its stream's newest
// checkpoint: it cannot be proven until the next one.
var ErrNotCovered = errors.New("no checkpoint covers the event yet")

// ErrNotFound means no stored event has the _id asked for.
var ErrNotFound = errors.New("no stored event has this _id")

// Prove builds the inclusion proof of the stored event whose _id is id,
// against the newest checkpoint of its stream that covers it. It reads the
// manifests (their IDIndex finds the event's batch), the one batch that
// holds the event, and for the audit path the node hashes manifests
// record plus the batches holding the leaves of at most a few subtrees
// below NodeLevel: never the whole archive's data. pipeline "" searches
// every pipeline of the output.
func Prove(ctx context.Context, st Reader, pipeline, output, id string) (*Proof, error) {
	v := newVerifier(st, VerifyOptions{Pipeline: pipeline, Output: output})
	streams, err := v.discover(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range streams {
		p, err := newProver(ctx, st, output, s)
		if err != nil {
			return nil, err
		}
		found, err := p.find(ctx, id)
		if err != nil {
			return nil, err
		}
		if found != nil {
			return p.proveLeaf(ctx, found.m.SizeBefore+uint64(found.i), found.line)
		}
	}
	return nil, fmt.Errorf("_id %q in output %q: %w", id, output, ErrNotFound)
}

// prover builds the proofs of one stream's events against one checkpoint
// (the newest), keeping what it read: manifests, leaf hashes of recent
// batches and low subtree hashes. Proving many events of a stream reads
// each of those once.
type prover struct {
	st        Reader
	output    string
	s         streamID
	sizes     []uint64 // SizeBefore of the stream's manifests, in order
	manifests map[uint64]*Manifest
	batches   leafCache
	low       map[compact.NodeID][]byte
	leaves    LeafHasher
	rf        *compact.RangeFactory
	fnodes    map[uint64]map[compact.NodeID][]byte // frontier nodes by manifest's SizeAfter

	cpRead bool
	cpRaw  []byte // the newest checkpoint's stored bytes; nil: none
	cp     Checkpoint
}

// newProver lists the stream's manifests (names only).
func newProver(ctx context.Context, st Reader, output string, s streamID) (*prover, error) {
	p := &prover{st: st, output: output, s: s, manifests: map[uint64]*Manifest{}, low: map[compact.NodeID][]byte{},
		fnodes: map[uint64]map[compact.NodeID][]byte{}}
	if err := p.index(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// hit is the event found: its manifest and its position in the batch.
type hit struct {
	m    *Manifest
	i    int
	line []byte
}

// find scans the stream's manifests for id's key, and confirms each
// candidate against the stored line's _id.
func (p *prover) find(ctx context.Context, id string) (*hit, error) {
	key := IDKey([]byte(id))
	dir := ManifestDir(p.s.pipeline, p.output, p.s.stream)
	for name, err := range p.st.ListMeta(ctx, dir) {
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", dir, err)
		}
		m, err := p.readManifest(ctx, name)
		if err != nil {
			return nil, err
		}
		for i := 0; (i+1)*IDKeySize <= len(m.IDIndex); i++ {
			if !bytes.Equal(m.IDIndex[i*IDKeySize:(i+1)*IDKeySize], key[:]) {
				continue
			}
			line, err := p.lineAt(ctx, m, i)
			if err != nil {
				return nil, err
			}
			if got, _, ok := envelopeHead(line); ok && string(got) == id {
				return &hit{m: m, i: i, line: line}, nil
			}
		}
	}
	return nil, nil
}

func (p *prover) readManifest(ctx context.Context, name string) (*Manifest, error) {
	raw, err := p.st.GetMeta(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	m, err := ParseManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// lineAt reads line i of m's batch.
func (p *prover) lineAt(ctx context.Context, m *Manifest, i int) ([]byte, error) {
	var line []byte
	err := eachStoredLine(ctx, p.st, m, func(j int, l []byte) bool {
		if j == i {
			line = bytes.Clone(l)
		}
		return j < i
	})
	if err == nil && line == nil {
		err = fmt.Errorf("batch %s holds no line %d", m.Key, i)
	}
	return line, err
}

// proveLeaf builds the proof that line is leaf index, against the
// stream's newest checkpoint, and checks it before returning it.
func (p *prover) proveLeaf(ctx context.Context, index uint64, line []byte) (*Proof, error) {
	c, err := p.checkpoint(ctx, index)
	if err != nil {
		return nil, err
	}
	path, err := p.auditPath(ctx, index, c.Size)
	if err != nil {
		return nil, err
	}
	m, err := p.manifestAt(ctx, index)
	if err != nil {
		return nil, err
	}
	pr := &Proof{LeafIndex: index, TreeSize: c.Size, AuditPath: path, Checkpoint: string(p.cpRaw),
		ID: string(mustHeadID(line)), Key: m.Key, BatchID: m.BatchID, Origin: c.Origin}
	if utf8.Valid(line) {
		pr.Line = string(line)
	} else {
		pr.LineBytes = bytes.Clone(line)
	}
	err = proof.VerifyInclusion(rfc6962.DefaultHasher, index, c.Size, rfc6962.DefaultHasher.HashLeaf(line), path, c.Root)
	if err != nil {
		return nil, fmt.Errorf("the stored events do not match checkpoint of tree size %d (run verify): %w", c.Size, err)
	}
	return pr, nil
}

func mustHeadID(line []byte) []byte {
	id, _, _ := envelopeHead(line)
	return id
}

// checkpoint returns the stream's newest checkpoint, which must cover
// leaf index: checkpoints only grow, so no older one would.
func (p *prover) checkpoint(ctx context.Context, index uint64) (Checkpoint, error) {
	if !p.cpRead {
		raw, c, err := p.newestCheckpoint(ctx)
		if err != nil {
			return c, err
		}
		p.cpRaw, p.cp, p.cpRead = raw, c, true
	}
	if p.cpRaw == nil || p.cp.Size <= index {
		return p.cp, fmt.Errorf("%w: leaf %d of %s, whose newest checkpoint has tree size %d; wait for the next one (digest_interval)",
			ErrNotCovered, index, Origin(p.s.pipeline, p.output, p.s.stream), p.cp.Size)
	}
	return p.cp, nil
}

// newestCheckpoint reads the stream's checkpoints from the newest back
// (names sort by time) until one parses; nil when none does.
func (p *prover) newestCheckpoint(ctx context.Context) ([]byte, Checkpoint, error) {
	var names []string
	dir := CheckpointDir(p.s.pipeline, p.output, p.s.stream)
	for name, err := range p.st.ListMeta(ctx, dir) {
		if err != nil {
			return nil, Checkpoint{}, fmt.Errorf("list %s: %w", dir, err)
		}
		names = append(names, name)
	}
	for i := len(names) - 1; i >= 0; i-- {
		raw, err := p.st.GetMeta(ctx, names[i])
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, Checkpoint{}, fmt.Errorf("read %s: %w", names[i], err)
		}
		if c, _, err := OpenCheckpoint(raw, nil); err == nil {
			return raw, c, nil
		}
	}
	return nil, Checkpoint{}, nil
}
