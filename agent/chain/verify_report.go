package chain

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Problem kinds: what Verify found wrong, each naming the batch key, the
// manifest or the checkpoint, and the sequence numbers concerned.
const (
	KindAlteredEvent    = "altered-event"      // a stored line differs from its leaf hash
	KindRemovedEvent    = "removed-event"      // a line the manifest lists is not in the batch
	KindInsertedEvent   = "inserted-event"     // a line in the batch that the manifest does not list
	KindReorderedEvents = "reordered-events"   // the batch's lines are not in the manifest's order
	KindMissingBatch    = "missing-batch"      // a manifest whose batch object is gone
	KindUnreferenced    = "unreferenced-batch" // a stored object no manifest lists
	KindReplacedBatch   = "replaced-batch"     // an object holding none of its manifest's events
	KindSwappedBatches  = "swapped-batches"    // two objects holding each other's events
	KindUnreadable      = "unreadable-batch"   // an object that does not decode (compression, format)
	KindSHA256          = "sha256-mismatch"    // stored bytes differ from the manifest's sha256
	KindTreeMismatch    = "tree-mismatch"      // root, frontier or nodes differ from the recomputed tree
	KindBadManifest     = "bad-manifest"       // unreadable, misnamed or self-inconsistent manifest
	KindManifestChain   = "manifest-chain"     // prev digest or tree size does not follow the manifest before
	KindSeqGap          = "seq-gap"            // sequence numbers in no manifest: lost
	KindSeqOverlap      = "seq-overlap"        // sequence numbers in two manifests
	KindUnsigned        = "checkpoint-unsigned"
	KindBadSignature    = "checkpoint-signature" // badly signed, or by another key
	KindBadCheckpoint   = "bad-checkpoint"       // unreadable, or another log's origin
	KindCheckpointRoot  = "checkpoint-mismatch"  // not the recomputed tree at its size: a rewritten history
	KindCheckpointChain = "checkpoint-chain"     // its prev is not an earlier checkpoint, or its size goes back
	KindTruncated       = "truncated"            // a checkpoint covers more events than the manifests hold
	KindStale           = "checkpoint-stale"     // the newest checkpoint is older than MaxAge
	KindNoCheckpoint    = "no-checkpoint"
)

// Problem is one thing Verify found wrong.
type Problem struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`           // batch key, manifest or checkpoint name
	Seqs    []Run  `json:"seqs,omitempty"` // the sequence numbers concerned
	Message string `json:"message"`
}

func (p Problem) String() string {
	s := p.Kind + " " + p.Name
	if len(p.Seqs) > 0 {
		s += " seqs " + runsString(p.Seqs)
	}
	return s + ": " + p.Message
}

// Report is what Verify read and found.
type Report struct {
	Output            string    `json:"output"`
	Pipelines         []string  `json:"pipelines"`
	Streams           int       `json:"streams"`
	Batches           int64     `json:"batches"`
	Events            int64     `json:"events"`
	Bytes             int64     `json:"bytes"` // stored bytes read
	Checkpoints       int       `json:"checkpoints"`
	Newest            time.Time `json:"newest,omitzero"`    // the newest checkpoint's time
	Signed            bool      `json:"signed"`             // every checkpoint carries a signature
	SignaturesChecked bool      `json:"signatures_checked"` // against the public key given
	Problems          []Problem `json:"problems"`
}

func (r *Report) add(kind, name string, seqs []Run, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Kind: kind, Name: name, Seqs: seqs, Message: fmt.Sprintf(format, args...)})
}

// Summary is one line: what was verified and, when problems were found,
// how many of which kind.
func (r *Report) Summary() string {
	what := fmt.Sprintf("output %q: %s, %s, %s, %s, %s", r.Output, plural(len(r.Pipelines), "pipeline"),
		plural(r.Streams, "stream"), plural(r.Batches, "batch"), plural(r.Events, "event"), plural(r.Checkpoints, "checkpoint"))
	if !r.Newest.IsZero() {
		what += ", newest " + r.Newest.UTC().Format(time.RFC3339)
	}
	if len(r.Problems) > 0 {
		return fmt.Sprintf("%s: %s: %s", plural(len(r.Problems), "problem"), what, r.kindCounts())
	}
	switch {
	case r.Checkpoints == 0:
		return "intact: " + what
	case !r.Signed:
		return "intact: " + what + "; WARNING: checkpoints are unsigned (set signing_key)"
	case !r.SignaturesChecked:
		return "intact: " + what + "; checkpoints signed, signatures not checked (no public key given)"
	}
	return "intact: " + what + "; checkpoints signed by the public key"
}

func (r *Report) kindCounts() string {
	n := map[string]int{}
	for _, p := range r.Problems {
		n[p.Kind]++
	}
	kinds := make([]string, 0, len(n))
	for k := range n {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for i, k := range kinds {
		kinds[i] = fmt.Sprintf("%d %s", n[k], k)
	}
	return strings.Join(kinds, ", ")
}

// runsString renders runs as "5", "5-9", "5-9,12".
func runsString(runs []Run) string {
	parts := make([]string, len(runs))
	for i, r := range runs {
		parts[i] = fmt.Sprint(r[0])
		if r[1] != r[0] {
			parts[i] += fmt.Sprintf("-%d", r[1])
		}
	}
	return strings.Join(parts, ",")
}

// toRuns coalesces sequence numbers, sorted, into runs.
func toRuns(seqs []uint64) []Run {
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	var runs []Run
	for _, s := range seqs {
		if n := len(runs); n > 0 && (runs[n-1][1] == s || runs[n-1][1]+1 == s) {
			runs[n-1][1] = s
			continue
		}
		runs = append(runs, Run{s, s})
	}
	return runs
}

// plural renders "1 batch", "2 batches".
func plural[N int | int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "ch") {
		return fmt.Sprintf("%d %ses", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Merge adds o, the report of another store of the same output name
// (pipelines whose output blocks point elsewhere), to r.
func (r *Report) Merge(o *Report) {
	for _, p := range o.Pipelines {
		if !slices.Contains(r.Pipelines, p) {
			r.Pipelines = append(r.Pipelines, p)
		}
	}
	r.Signed = r.Signed && o.Signed || r.Checkpoints == 0 && o.Signed || o.Checkpoints == 0 && r.Signed
	r.Streams += o.Streams
	r.Batches += o.Batches
	r.Events += o.Events
	r.Bytes += o.Bytes
	r.Checkpoints += o.Checkpoints
	if o.Newest.After(r.Newest) {
		r.Newest = o.Newest
	}
	r.Problems = append(r.Problems, o.Problems...)
}
