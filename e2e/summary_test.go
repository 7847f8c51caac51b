package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
)

// Index summaries end to end (issue 11): the real agent archives
// summaryLines entries into the S3 server (gzip, batches of summaryBatch)
// and writes, at its checkpoints, the index summary columns of the
// batches it stored. verify finds them agreeing with the index records.
// An export of one business key reads the businessKey column of each
// segment and the index records of the few batches it leaves in: fewer
// bytes than the same export with the summaries removed (every batch's
// record read), the same batches selected and exactly the key's events.
// A column altered to hide the key's batch makes export miss its events,
// and verify exit 1 naming the column.
const (
	summaryLines = 20000 // writeLargeLog: ORD-NNNNN holds entries [100·N, 100·N+100)
	summaryBatch = 200
	summaryKey   = "ORD-00100"
	summaryRoot  = "_auditship/index-summary/"
)

func TestSummaryExportS3(t *testing.T) {
	t.Parallel()
	st := sharedS3(t).store(t, true)
	arch := blobArchive{s3Blobs{st}}
	keys := chainKeygen(t, "e2e-summary")
	log := filepath.Join(t.TempDir(), "app.log")
	writeLargeLog(t, log, summaryLines)
	cfg := config{dataDir: t.TempDir(), input: fileInput(log), outputs: []string{
		st.output(storeOpts{maxEvents: summaryBatch, compression: "gzip", interval: "1s", extra: keys.attrs()})}}.write(t)
	p := start(t, false, "run", "-c", cfg)
	if !waitFor(3*time.Minute, func() bool {
		return s3Size(t, st, "_auditship/checkpoints/") > 0 && newestTreeSize(t, s3Meta(st)) >= summaryLines
	}) {
		t.Fatalf("not all %d events stored in 3 minutes", summaryLines)
	}
	p.stop(30 * time.Second) // the shutdown checkpoint writes the last segment
	sums := arch.metaNames(t, summaryRoot)
	if len(sums) == 0 {
		t.Fatal("the agent wrote no index summary")
	}
	size := s3Size(t, st, "")
	t.Logf("archive: %d bytes, %d of them index records, %d in %d summary columns", size,
		s3Size(t, st, indexRoot), s3Size(t, st, summaryRoot), len(sums))

	if code, r := chainVerify(t, cfg, keys.pub, "1h"); code != 0 {
		t.Fatalf("verify of the archive as written: exit %d, problems %v", code, r.Problems)
	}

	where := "businessKey == '" + summaryKey + "'"
	with, withEvents := summaryExport(t, cfg, where)
	t.Logf("with summaries: %d of %d batches selected, %d bytes read (%.3f%% of the archive)",
		with.BatchesSelected, with.Batches, with.BytesRead, 100*float64(with.BytesRead)/float64(size))

	// the same export without summaries: every batch's index record read
	saved := map[string][]byte{}
	for _, name := range sums {
		saved[name] = arch.meta(t, name)
		arch.removeMeta(t, name)
	}
	without, withoutEvents := summaryExport(t, cfg, where)
	t.Logf("without summaries: %d of %d batches selected, %d bytes read (%.3f%% of the archive)",
		without.BatchesSelected, without.Batches, without.BytesRead, 100*float64(without.BytesRead)/float64(size))
	if !bytes.Equal(withEvents, withoutEvents) || with.BatchesSelected != without.BatchesSelected {
		t.Errorf("the exports differ: %d and %d batches selected, events equal %v",
			with.BatchesSelected, without.BatchesSelected, bytes.Equal(withEvents, withoutEvents))
	}
	// the records of the batches ruled out are not read: at least half of
	// what all index records take
	if drop := without.BytesRead - with.BytesRead; drop < s3Size(t, st, indexRoot)/2 {
		t.Errorf("summaries saved %d bytes of %d read; the index records take %d", drop, without.BytesRead, s3Size(t, st, indexRoot))
	}
	for name, data := range saved {
		arch.putMeta(t, name, data)
	}

	// a businessKey column altered to hide the key's batch
	var altered string
	for _, name := range sums {
		if !strings.Contains(name, "/field.businessKey.json") {
			continue
		}
		col, err := index.ParseSummary(saved[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range col.Batches {
			if e := &col.Batches[i]; e.Set != nil && e.Set.Has(summaryKey) {
				e.Set = &index.FieldSet{} // no value: the batch holds no business key at all
				altered = name
			}
		}
		if altered == name {
			data, gz := col.Marshal()
			arch.removeMeta(t, name)
			if altered = strings.TrimSuffix(name, ".gz"); gz {
				altered += ".gz"
			}
			arch.putMeta(t, altered, data)
			break
		}
	}
	if altered == "" {
		t.Fatalf("no businessKey column names a batch holding %s", summaryKey)
	}
	if info, _ := summaryExport(t, cfg, where); info.Events != 0 {
		t.Errorf("the altered column hid nothing: %d events exported", info.Events)
	}
	code, r := chainVerify(t, cfg, keys.pub, "1h")
	found := false
	for _, pr := range r.Problems {
		found = found || pr.Kind == chain.KindIndex && pr.Name == altered && strings.Contains(pr.Message, "disagrees")
	}
	if code != 1 || !found {
		t.Errorf("verify of the altered column: exit %d, problems %v; want 1 and one of kind index naming %s", code, r.Problems, altered)
	}
}

// summaryExport exports where into a new bundle and returns its
// bundle.json and events.ndjson, which must hold exactly summaryKey's
// entries in order (any when the export found none).
func summaryExport(t *testing.T, cfg, where string) (*chain.BundleInfo, []byte) {
	t.Helper()
	bundle := filepath.Join(t.TempDir(), "bundle")
	out, stderr, code := runOnce(t, "export", "-c", cfg, "--from", chainOutput, "--where", where, "--to-dir", bundle)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, stderr)
	}
	info := readBundleInfo(t, bundle)
	if info.Events == 0 {
		return info, nil
	}
	lines := bundleLines(t, bundle, chain.BundleEvents)
	var first int
	fmt.Sscanf(summaryKey, "ORD-%d", &first)
	for i, line := range lines {
		var env struct {
			Key     string `json:"businessKey"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(line), &env); err != nil {
			t.Fatalf("event line %d: %v", i, err)
		}
		if want := fmt.Sprintf("step %d of", 100*first+i); env.Key != summaryKey || !strings.HasPrefix(env.Message, want) {
			t.Errorf("event %d: %s, %q; want %s, %q...", i, env.Key, env.Message, summaryKey, want)
		}
	}
	if len(lines) != 100 || info.Events != 100 {
		t.Errorf("exported %d events (bundle.json %d), want the 100 of %s", len(lines), info.Events, summaryKey)
	}
	return info, []byte(strings.Join(lines, "\n"))
}
