package e2e

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
)

// TestExportLargeArchive measures issue 11's export target on an archive
// of E2E_EXPORT_EVENTS events (run only when set, e.g. 200000) in the
// store E2E_EXPORT_STORE (file, the default, or s3; E2E_EXPORT_COMPRESSION
// none by default), in batches of E2E_EXPORT_BATCH events (default 1000:
// what the file output's 1s interval cuts at 1,000 events/s; export reads
// whole batches, so one batch must be well under 1% of the archive):
// exporting one instance of 100 events reads under 1% of the archive's
// bytes and finishes in under 5 s.
func TestExportLargeArchive(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("E2E_EXPORT_EVENTS"))
	if n < 1000 {
		t.Skip("set E2E_EXPORT_EVENTS (e.g. 200000) to build and export from a large archive")
	}
	batch, _ := strconv.Atoi(os.Getenv("E2E_EXPORT_BATCH"))
	if batch <= 0 {
		batch = 1000
	}
	compression := cmp.Or(os.Getenv("E2E_EXPORT_COMPRESSION"), "none")
	keys := chainKeygen(t, "e2e-export")
	log := filepath.Join(t.TempDir(), "app.log")
	writeLargeLog(t, log, n)
	rig := largeRig(t, os.Getenv("E2E_EXPORT_STORE"))
	cfg := config{dataDir: t.TempDir(), input: fileInput(log),
		outputs: []string{rig.output(keys.attrs(), batch, compression)}}.write(t)
	began := time.Now()
	p := start(t, false, "run", "-c", cfg)
	if !waitFor(15*time.Minute, func() bool { return rig.size(t, "_auditship/checkpoints/") > 0 && rig.stored(t) >= n }) {
		t.Fatalf("not all %d events stored in 15 minutes", n)
	}
	p.stop(60 * time.Second)
	size := rig.size(t, "")
	t.Logf("%s: archived %d events in %v: %d bytes (%s), of which %d index records, %d manifests, %d checkpoints",
		rig.name, n, time.Since(began).Round(time.Second), size, compression, rig.size(t, "_auditship/index/"),
		rig.size(t, "_auditship/manifests/"), rig.size(t, "_auditship/checkpoints/"))
	instance := fmt.Sprintf("wf-%05d", n/200) // in the middle
	bundle := filepath.Join(t.TempDir(), "bundle")
	began = time.Now()
	out, stderr, code := runOnce(t, "export", "-c", cfg, "--from", chainOutput,
		"--where", "workflowInstanceId == '"+instance+"'", "--to-dir", bundle)
	took := time.Since(began)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, stderr)
	}
	info := readBundleInfo(t, bundle)
	share := float64(info.BytesRead) / float64(size)
	t.Logf("export of %s: %s; %.3f%% of the archive's bytes, wall %v", instance, strings.TrimSpace(out), 100*share, took.Round(time.Millisecond))
	if info.Events != 100 || share >= 0.01 || took >= 5*time.Second {
		t.Errorf("export: %d events, %.3f%% of the bytes, %v; want 100, under 1%%, under 5s", info.Events, 100*share, took)
	}
	checkBundleVerifies(t, bundle, keys.pub, 100)
}

// largeStore is where TestExportLargeArchive builds its archive.
type largeStore struct {
	name   string
	output func(attrs string, batch int, compression string) string
	size   func(t *testing.T, prefix string) int64 // bytes stored under prefix ("": all)
	stored func(t *testing.T) int                  // events the newest manifest says the tree holds
}

func largeRig(t *testing.T, name string) largeStore {
	switch name {
	case "", "file":
		dir := t.TempDir()
		return largeStore{name: "file",
			output: func(attrs string, batch int, compression string) string {
				return fmt.Sprintf(`  output "file" %q {
    path        = %q
    compression = %q
    %s
    batch {
      max_events = %d
    }
  }
`, chainOutput, dir, compression, attrs, batch)
			},
			size:   func(t *testing.T, prefix string) int64 { return dirSize(t, filepath.Join(dir, prefix)) },
			stored: func(t *testing.T) int { return newestTreeSize(t, fileMeta(dir)) }}
	case "s3":
		st := sharedS3(t).store(t, true)
		return largeStore{name: "s3",
			output: func(attrs string, batch int, compression string) string {
				return st.output(storeOpts{maxEvents: batch, compression: compression, interval: "1s", extra: attrs})
			},
			size:   func(t *testing.T, prefix string) int64 { return s3Size(t, st, prefix) },
			stored: func(t *testing.T) int { return newestTreeSize(t, s3Meta(st)) }}
	}
	t.Fatalf("E2E_EXPORT_STORE %q: want file or s3", name)
	return largeStore{}
}

// writeLargeLog writes n entries, instance wf-NNNNN holding entries
// [100·NNNNN, 100·NNNNN+100).
func writeLargeLog(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, 1<<20)
	for i := range n {
		line := fmt.Sprintf(`{"timestamp":%q,"workflowDefinitionId":"orders","workflowInstanceId":"wf-%05d","businessKey":"ORD-%05d","identity":"clerk","message":"step %d of a long-running order workflow with a realistic amount of text"}`,
			base.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i/100, i/100, i)
		buf = append(append(buf, line...), '\n')
		if len(buf) > 1<<20-512 {
			if _, err := f.Write(buf); err != nil {
				t.Fatal(err)
			}
			buf = buf[:0]
		}
	}
	if _, err := f.Write(buf); err != nil {
		t.Fatal(err)
	}
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var size int64
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			size += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return size
}

func readBundleInfo(t *testing.T, bundle string) *chain.BundleInfo {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(bundle, chain.BundleInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	info, err := chain.ParseBundleInfo(b)
	if err != nil {
		t.Fatal(err)
	}
	return info
}
