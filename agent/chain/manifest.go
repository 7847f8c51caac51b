package chain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
)

// ManifestVersion is the manifest format written here.
const ManifestVersion = 1

// Manifest describes one stored batch and chains it to the one before
// (SPEC §6). Its stored bytes are exactly Marshal's: the journal keeps
// them, so a batch re-sent after a crash stores the same manifest.
type Manifest struct {
	Version     int      `json:"v"`
	Pipeline    string   `json:"pipeline"`
	Output      string   `json:"output"`
	Stream      string   `json:"stream"`
	Epoch       uint64   `json:"epoch"` // restarts of the output's chain
	BatchID     string   `json:"batch_id"`
	Key         string   `json:"key"`
	Format      string   `json:"format"`      // ndjson | json_array, as stored
	Compression string   `json:"compression"` // none | gzip | zstd
	FirstSeq    uint64   `json:"first_seq"`
	LastSeq     uint64   `json:"last_seq"`
	Count       int      `json:"count"`
	Seqs        []Run    `json:"seqs"` // the sequence numbers held, in storage order
	SizeBefore  uint64   `json:"tree_size_before"`
	SizeAfter   uint64   `json:"tree_size_after"`
	RootAfter   []byte   `json:"root_after"`
	SHA256      string   `json:"sha256"`          // of the stored bytes; "": an uncompressed ndjson body that is exactly its leaves, one per line
	Prev        string   `json:"prev,omitempty"`  // sha256 of the previous manifest's bytes
	Index       string   `json:"index,omitempty"` // sha256 of the batch's index record (agent/index), stored under IndexName
	Sources     []Source `json:"sources"`         // the source byte ranges the batch's events came from
	Skipped     []Skip   `json:"skipped"`         // sequence numbers passed over since the previous manifest
	Nodes       []Node   `json:"nodes,omitempty"` // perfect subtrees (level >= NodeLevel) this batch completed
	Frontier    [][]byte `json:"frontier"`        // the tree's compact range after this batch
	IDIndex     []byte   `json:"id_index"`        // IDKey of each stored event's _id, in storage order
	LeafIndex   []byte   `json:"leaf_index"`      // the first LeafKeySize bytes of each leaf hash, in storage order
}

// Run is an inclusive range of sequence numbers.
type Run [2]uint64

// Source is the byte range [From, To) of one source (input and source
// id) that a batch's events were read from.
type Source struct {
	Input    string `json:"input"`
	SourceID string `json:"source_id"`
	From     int64  `json:"from"`
	To       int64  `json:"to"`
}

// Skip is an inclusive range of sequence numbers that no batch of this
// output holds, and why: "filtered" (the output's when), "dropped"
// (processor or drop_newest: Detail names which, Events how many events
// the drop record stands for), "dead-lettered", "rejected", "corrupt"
// (lost to a damaged buffer frame) or "before-start" (written before the
// output was enabled).
type Skip struct {
	From   uint64 `json:"from"`
	To     uint64 `json:"to"`
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
	Events int    `json:"events,omitempty"`
}

// Skip reasons.
const (
	SkipFiltered     = "filtered"
	SkipDropped      = "dropped"
	SkipDeadLettered = "dead-lettered"
	SkipRejected     = "rejected"
	SkipCorrupt      = "corrupt"
	SkipBeforeStart  = "before-start"
)

// Marshal returns the manifest's stored bytes.
func (m *Manifest) Marshal() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // only plain fields: cannot happen
	}
	return b
}

// ParseManifest decodes stored manifest bytes.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("manifest version %d, want %d", m.Version, ManifestVersion)
	}
	return &m, nil
}

// Digest is the hex SHA-256 of stored bytes (a manifest's, a checkpoint's).
func Digest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ManifestDir is where an output's manifests of one pipeline and stream
// live in its store; names sort in tree order.
func ManifestDir(pipeline, output, stream string) string {
	return streamDir("_auditship/manifests/", pipeline, output, stream)
}

// ManifestName is the name of the manifest of the batch that starts at
// tree size before.
func ManifestName(pipeline, output, stream string, before uint64) string {
	return fmt.Sprintf("%s%020d.json", ManifestDir(pipeline, output, stream), before)
}

// LeafKeySize is the length of one entry of a manifest's LeafIndex: enough
// for verify to name the one event of a batch that was altered, removed or
// moved.
const LeafKeySize = 4

// IDKeySize is the length of one entry of a manifest's IDIndex.
const IDKeySize = 6

// IDKey is the index key of an event _id: the first IDKeySize bytes of
// its SHA-256. Only a filter for `prove`: the event line it finds is
// checked against the _id itself.
// The default _id, 32 hex digits of a SHA-256 already, is decoded
// instead of hashed again.
func IDKey(id []byte) [IDKeySize]byte {
	var full [16]byte
	if len(id) == 32 {
		if _, err := hex.Decode(full[:], id); err == nil {
			return [IDKeySize]byte(full[:IDKeySize])
		}
	}
	s := sha256.Sum256(id)
	return [IDKeySize]byte(s[:IDKeySize])
}

// streamDir is the directory of one pipeline's, output's and stream's
// chain files of a kind (manifests, checkpoints, index records, index
// summaries): <kind><pipeline>/<output>/<stream>/, names path-escaped.
func streamDir(kind, pipeline, output, stream string) string {
	return kind + url.PathEscape(pipeline) + "/" + url.PathEscape(output) + "/" + stream + "/"
}
