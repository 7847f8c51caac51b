package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// object is one stored object or blob, read back behind the agent's back.
// For Azure the key is CONTAINER/BLOB, as the journal records it.
type object struct {
	key  string
	body []byte            // the stored bytes, still compressed
	meta map[string]string // user metadata, keys lower-cased
}

// objectStore is a bucket (S3) or a set of containers (Azure) of one test.
type objectStore interface {
	output(o storeOpts) string                 // the agent's output block
	objects(t *testing.T) []object             // everything stored so far
	put(t *testing.T, key string, body []byte) // an object the agent did not write
}

// storeOpts tune an object store output. Zero values give the defaults
// below: gzip, a 500ms batch interval, backoff capped at 1s.
type storeOpts struct {
	name        string // output name; empty: "arch"
	compression string
	interval    string
	maxEvents   int
	extra       string // more attributes
}

// h2rKey is the Hire2Retire key template (SPEC §5).
const h2rKey = "Hire2Retire_{{ workflowDefinitionId }}_{{ batch_time }}_{{ batch_id }}"

// common renders what every store output block shares.
func (o storeOpts) common() string {
	if o.compression == "" {
		o.compression = "gzip"
	}
	if o.interval == "" {
		o.interval = "500ms"
	}
	batch := fmt.Sprintf("interval = %q", o.interval)
	if o.maxEvents > 0 {
		batch += fmt.Sprintf("\n      max_events = %d", o.maxEvents)
	}
	return fmt.Sprintf(`    compression = %q
    permanent_retry_interval = "2s"
    %s
    batch {
      %s
    }
    retry {
      initial_interval = "50ms"
      max_interval     = "1s"
    }
  }
`, o.compression, o.extra, batch)
}

func (o storeOpts) outputName() string {
	if o.name == "" {
		return "arch"
	}
	return o.name
}

// entry is what the tests check of one stored line.
type entry struct{ id, flow string }

// decodeObject decompresses an object by its extension and parses its lines.
func decodeObject(obj object) ([]entry, error) {
	r, err := decompress(obj.key, bytes.NewReader(obj.body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", obj.key, err)
	}
	var out []entry
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var env struct {
			ID   string `json:"_id"`
			Flow string `json:"workflowDefinitionId"`
		}
		if err := json.Unmarshal(sc.Bytes(), &env); err != nil || env.ID == "" {
			return nil, fmt.Errorf("%s:%d: no _id in %.200q (%v)", obj.key, len(out)+1, sc.Text(), err)
		}
		out = append(out, entry{env.ID, env.Flow})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", obj.key, err)
	}
	return out, nil
}

// tally counts the lines and _ids of objs, as readStored does for files.
func tally(objs []object) (stored, error) {
	s := stored{ids: map[string]int{}, files: len(objs)}
	for _, obj := range objs {
		lines, err := decodeObject(obj)
		if err != nil {
			return s, err
		}
		for _, l := range lines {
			s.lines++
			s.ids[l.id]++
		}
	}
	return s, nil
}

// waitObjects polls st until every wanted _id is stored or d passes.
func waitObjects(t *testing.T, st objectStore, want []string, d time.Duration) (stored, []object) {
	t.Helper()
	var s stored
	var objs []object
	var err error
	ok := waitFor(d, func() bool {
		objs = st.objects(t)
		s, err = tally(objs)
		return err == nil && len(s.missing(want)) == 0
	})
	if !ok {
		t.Fatalf("after %v: %v (err %v); %d of %d entries missing, e.g. %v",
			d, s, err, len(s.missing(want)), len(want), head(s.missing(want)))
	}
	return s, objs
}

// checkMetadata wants each object's auditship_count and auditship_sha256
// to match what it holds.
func checkMetadata(t *testing.T, objs []object) {
	t.Helper()
	for _, obj := range objs {
		lines, err := decodeObject(obj)
		if err != nil {
			t.Error(err)
			continue
		}
		sum := sha256.Sum256(obj.body)
		if got := obj.meta["auditship_sha256"]; got != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: auditship_sha256 %q, body hashes to %x", obj.key, got, sum)
		}
		if got := obj.meta["auditship_count"]; got != strconv.Itoa(len(lines)) {
			t.Errorf("%s: auditship_count %q, %d lines", obj.key, got, len(lines))
		}
	}
}

// checkCLI decompresses each object with gzip -dc or zstd -dc, as an
// operator would, and wants the bytes the Go decoder gives.
func checkCLI(t *testing.T, objs []object) {
	t.Helper()
	for _, obj := range objs {
		tool := map[bool]string{true: "gzip", false: "zstd"}[strings.HasSuffix(obj.key, ".gz")]
		cmd := exec.Command(tool, "-dc")
		cmd.Stdin = bytes.NewReader(obj.body)
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s -dc %s: %v", tool, obj.key, err)
			continue
		}
		r, _ := decompress(obj.key, bytes.NewReader(obj.body))
		var want bytes.Buffer
		if _, err := want.ReadFrom(r); err != nil || !bytes.Equal(out, want.Bytes()) {
			t.Errorf("%s -dc %s: %d bytes, the Go decoder gives %d (%v)", tool, obj.key, len(out), want.Len(), err)
		}
	}
}

// byKey indexes objects by key.
func byKey(objs []object) map[string]object {
	m := make(map[string]object, len(objs))
	for _, o := range objs {
		m[o.key] = o
	}
	return m
}
