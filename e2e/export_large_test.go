package e2e

import (
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

// TestExportLargeArchive measures issue 11's export target on a file
// archive of E2E_EXPORT_EVENTS events (run only when set, e.g. 200000)
// in batches of E2E_EXPORT_BATCH events (default 1000: what the file
// output's 1s interval cuts at 1,000 events/s; export reads whole
// batches, so one batch must be well under 1% of the archive):
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
	keys := chainKeygen(t, "e2e-export")
	log, dir := filepath.Join(t.TempDir(), "app.log"), t.TempDir()
	all := writeLargeLog(t, log, n)
	cfg := config{dataDir: t.TempDir(), input: fileInput(log), outputs: []string{fmt.Sprintf(`  output "file" %q {
    path = %q
    %s
    batch {
      max_events = %d
    }
  }
`, chainOutput, dir, keys.attrs(), batch)}}.write(t)
	began := time.Now()
	p := start(t, false, "run", "-c", cfg)
	waitStored(t, dir, all[len(all)-1:], 10*time.Minute)
	p.stop(60 * time.Second)
	size := dirSize(t, dir)
	t.Logf("archived %d events in %v: %d bytes, of which %d index records, %d manifests, %d checkpoints", n,
		time.Since(began).Round(time.Second), size, dirSize(t, filepath.Join(dir, "_auditship", "index")),
		dirSize(t, filepath.Join(dir, "_auditship", "manifests")), dirSize(t, filepath.Join(dir, "_auditship", "checkpoints")))
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

// writeLargeLog writes n entries, instance wf-NNNNN holding entries
// [100·NNNNN, 100·NNNNN+100); it returns the last entry's _id only.
func writeLargeLog(t *testing.T, path string, n int) []string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	var src source
	var last string
	buf := make([]byte, 0, 1<<20)
	for i := range n {
		line := fmt.Sprintf(`{"timestamp":%q,"workflowDefinitionId":"orders","workflowInstanceId":"wf-%05d","businessKey":"ORD-%05d","identity":"clerk","message":"step %d of a long-running order workflow with a realistic amount of text"}`,
			base.Add(time.Duration(i)*time.Second).Format(time.RFC3339), i/100, i/100, i)
		last = src.add([]byte(line))
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
	return []string{last}
}

func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var size int64
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
