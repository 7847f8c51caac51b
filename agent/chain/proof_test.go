package chain_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/outputs"
)

func TestProveAndCheck(t *testing.T) {
	k := newKeys(t, "auditship-test")
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			st, _ := s.open(t)
			buildArchive(t, st, k, archiveHooks{})
			tests := []struct {
				stream     string
				seq, index uint64
				size       uint64
			}{
				{"s1", 1, 0, 4305},       // leftmost leaf
				{"s1", 706, 700, 4305},   // after the skip
				{"s1", 2000, 1994, 4305}, // in a level-10 subtree
				{"s1", 4310, 4304, 4305}, // rightmost leaf
				{"s2", 1, 0, 1700},       // gzip json_array
				{"s2", 1250, 1249, 1700},
			}
			for _, tt := range tests {
				id := chaintest.ID(tt.stream, tt.seq)
				p, err := chain.Prove(context.Background(), st, "orders", "archive", id)
				if err != nil {
					t.Fatalf("Prove %s seq %d: %v", tt.stream, tt.seq, err)
				}
				if p.LeafIndex != tt.index || p.TreeSize != tt.size || p.ID != id {
					t.Errorf("%s seq %d: leaf %d of %d (id %s), want %d of %d", tt.stream, tt.seq, p.LeafIndex, p.TreeSize, p.ID, tt.index, tt.size)
				}
				if err := chain.CheckProof(roundTrip(t, p), k.verifier); err != nil {
					t.Errorf("%s seq %d: CheckProof: %v", tt.stream, tt.seq, err)
				}
			}
		})
	}
}

func TestProveOtherPipelineSearch(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[0].open(t)
	buildArchive(t, st, k, archiveHooks{})
	p, err := chain.Prove(context.Background(), st, "", "archive", chaintest.ID("s2", 7))
	if err != nil || chain.CheckProof(p, k.verifier) != nil {
		t.Fatalf("Prove without a pipeline: %v", err)
	}
	_, err = chain.Prove(context.Background(), st, "orders", "archive", "no-such-id")
	if !errors.Is(err, chain.ErrNotFound) {
		t.Errorf("Prove of an unknown _id: %v, want ErrNotFound", err)
	}
}

func TestProveNeedsACoveringCheckpoint(t *testing.T) {
	ctx := context.Background()
	st := chaintest.NewMem()
	b := chaintest.New(st, chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s1"})
	must(t, errOf(b.Add(ctx, 10)))
	must(t, errOf(b.Checkpoint(ctx)))
	must(t, errOf(b.Add(ctx, 10)))
	_, err := chain.Prove(ctx, st, "orders", "archive", chaintest.ID("s1", 15))
	if err == nil || !strings.Contains(err.Error(), "no checkpoint") {
		t.Errorf("Prove of an event after the newest checkpoint: %v", err)
	}
}

func TestCheckProofRejectsTampering(t *testing.T) {
	k := newKeys(t, "auditship-test")
	st, _ := stores[0].open(t)
	buildArchive(t, st, k, archiveHooks{})
	good, err := chain.Prove(context.Background(), st, "orders", "archive", chaintest.ID("s1", 2000))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(p *chain.Proof)
	}{
		{"one byte of the line", func(p *chain.Proof) { p.Line = strings.Replace(p.Line, "completed", "completes", 1) }},
		{"one byte of a path hash", func(p *chain.Proof) { p.AuditPath[3][7] ^= 1 }},
		{"the tree size", func(p *chain.Proof) { p.TreeSize++ }},
		{"the leaf index", func(p *chain.Proof) { p.LeafIndex++ }},
		{"one byte of the signature", func(p *chain.Proof) { p.Checkpoint = flipSignature(t, p.Checkpoint) }},
		{"a path hash dropped", func(p *chain.Proof) { p.AuditPath = p.AuditPath[1:] }},
	}
	for _, tt := range tests {
		p := roundTrip(t, good)
		tt.edit(p)
		if err := chain.CheckProof(p, k.verifier); err == nil {
			t.Errorf("%s altered: CheckProof = nil, want an error", tt.name)
		}
	}
	if err := chain.CheckProof(roundTrip(t, good), newKeys(t, "auditship-test").verifier); err == nil {
		t.Error("another public key: CheckProof = nil, want an error")
	}
	if err := chain.CheckProof(roundTrip(t, good), k.verifier); err != nil {
		t.Errorf("the untouched proof: %v", err)
	}
}

// TestProveReadsLittle proves an event of a 100-batch archive: it opens
// the event's batch and those holding the low subtrees of its path only.
func TestProveReadsLittle(t *testing.T) {
	st, _ := bigArchive(t, 100_000, 1000)
	c := &countingReader{Reader: st}
	p, err := chain.Prove(context.Background(), c, "orders", "archive", chaintest.ID("s1", 54_321))
	if err != nil {
		t.Fatal(err)
	}
	if n := c.opens.Load(); n > 4 {
		t.Errorf("Prove opened %d batches of 100, want at most 4", n)
	}
	if p.TreeSize != 100_000 || p.LeafIndex != 54_320 {
		t.Errorf("leaf %d of %d", p.LeafIndex, p.TreeSize)
	}
}

type countingReader struct {
	chain.Reader
	opens atomic.Int64
}

func (c *countingReader) Open(ctx context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	c.opens.Add(1)
	return c.Reader.Open(ctx, ref)
}

// roundTrip is p written as JSON and read back, as `verify --proof` reads it.
func roundTrip(t *testing.T, p *chain.Proof) *chain.Proof {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var out chain.Proof
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// flipSignature changes one byte of a signed note's signature.
func flipSignature(t *testing.T, note string) string {
	t.Helper()
	i := strings.LastIndex(note, " ")
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(note[i+1:]))
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)-1] ^= 1
	return note[:i+1] + base64.StdEncoding.EncodeToString(sig) + "\n"
}

func errOf[T any](_ T, err error) error { return err }
