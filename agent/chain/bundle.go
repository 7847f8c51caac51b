package chain

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// A bundle is a directory that `auditship export` writes and `auditship
// verify --bundle` checks offline (issue 11): the matching events as
// stored, an inclusion proof of each, the signed checkpoints they are
// proven against, the bundle's own list of _ids, what was asked, and a
// README saying how to check it.
const (
	BundleEvents      = "events.ndjson" // the event lines exactly as stored, one per line
	BundleProofs      = "proofs.ndjson" // one BundleProof per line, aligned with the events
	BundleIDs         = "ids.txt"       // the _id of each event, one per line
	BundleInfoFile    = "bundle.json"   // BundleInfo
	BundleReadme      = "README.txt"    // what the bundle is and how to check it
	BundleCheckpoints = "checkpoints"   // the checkpoint notes, as stored
	bundleVersion     = 1
	bundleCPPrefix    = BundleCheckpoints + "/"
)

// BundleProof is the inclusion proof of the event on the same line of
// events.ndjson: a Proof whose line is that event line and whose
// checkpoint is a file of the bundle.
type BundleProof struct {
	ID         string   `json:"id"`
	LeafHash   []byte   `json:"leaf_hash"` // SHA-256(0x00 ‖ line): names an altered event line apart from an altered proof
	LeafIndex  uint64   `json:"leaf_index"`
	TreeSize   uint64   `json:"tree_size"`
	AuditPath  [][]byte `json:"audit_path"`
	Checkpoint string   `json:"checkpoint"` // checkpoints/<file>
	Origin     string   `json:"origin"`
	Key        string   `json:"key"`
	BatchID    string   `json:"batch_id"`
}

// BundleInfo is bundle.json: what was asked, what the bundle holds, and
// the SHA-256 of each of its files.
type BundleInfo struct {
	Version         int               `json:"v"`
	Created         time.Time         `json:"created"`
	Output          string            `json:"output"`
	Pipeline        string            `json:"pipeline,omitempty"`
	Where           string            `json:"where,omitempty"`
	Since           *time.Time        `json:"since,omitempty"`
	Until           *time.Time        `json:"until,omitempty"`
	Events          int               `json:"events"`
	Streams         int               `json:"streams"`
	Checkpoints     int               `json:"checkpoints"`
	Signed          bool              `json:"signed"`                // every checkpoint carries a signature
	Batches         int               `json:"batches"`               // batches of the output's streams
	BatchesSelected int               `json:"batches_selected"`      // batches whose index may match: the ones read
	BytesRead       int64             `json:"bytes_read"`            // from the store: batch bodies as stored, index records, manifests, checkpoints
	ExprErrors      int               `json:"expr_errors,omitempty"` // lines --where failed on: counted as no match
	Files           map[string]string `json:"files"`                 // sha256 of each file, by name
}

// ParseBundleInfo decodes bundle.json.
func ParseBundleInfo(b []byte) (*BundleInfo, error) {
	var info BundleInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, fmt.Errorf("%s: %w", BundleInfoFile, err)
	}
	if info.Version != bundleVersion {
		return nil, fmt.Errorf("%s: version %d, want %d", BundleInfoFile, info.Version, bundleVersion)
	}
	return &info, nil
}

// checkpointFile names a checkpoint in a bundle by its log and size.
func checkpointFile(origin string, size uint64) string {
	name := strings.ReplaceAll(strings.TrimPrefix(origin, "auditship/"), "/", "_")
	return fmt.Sprintf("%s%s_%d.txt", bundleCPPrefix, url.PathEscape(name), size)
}
