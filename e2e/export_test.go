package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
)

// Export end to end (issue 11): the real agent archives a log of ten
// workflow instances into each store, signing its checkpoints; `export`
// of one instance writes a bundle holding exactly that instance's events
// (computed here from the lines written), read from fewer batches than
// the archive has (the index skips the others); `verify --bundle` finds it
// intact, and fails, naming the problem, on a copy with one event line
// altered, one proof altered, the checkpoint altered, or an event removed
// while its _id stays in ids.txt.

func TestExportFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testExport(t, exportRig{name: "file",
		output: func(attrs string) string { return exportFileOutput(dir, attrs) },
		wait:   func(t *testing.T, ids []string) { waitStored(t, dir, ids, 60*time.Second) }})
}

func TestExportS3(t *testing.T) {
	t.Parallel()
	st := sharedS3(t).store(t, true)
	testExport(t, exportRig{name: "s3",
		output: func(attrs string) string { return st.output(storeOpts{maxEvents: exportBatch, extra: attrs}) },
		wait:   func(t *testing.T, ids []string) { waitObjects(t, st, ids, 60*time.Second) }})
}

func TestExportAzure(t *testing.T) {
	t.Parallel()
	st := sharedAzure(t).store(t)
	testExport(t, exportRig{name: "azure_blob",
		output: func(attrs string) string { return st.output(storeOpts{maxEvents: exportBatch, extra: attrs}) },
		wait:   func(t *testing.T, ids []string) { waitObjects(t, st, ids, 60*time.Second) }})
}

func TestExportMySQL(t *testing.T) {
	t.Parallel()
	d := sharedMySQL(t).database(t, true)
	testExport(t, exportRig{name: "mysql",
		output: func(attrs string) string {
			return d.output(myOpts{name: chainOutput, create: true, events: exportBatch, extra: attrs})
		},
		wait: func(t *testing.T, ids []string) { d.waitRows(t, len(ids), 60*time.Second, defaultTables...) }})
}

// exportRig is one store under the export test.
type exportRig struct {
	name   string
	output func(attrs string) string // output "arch" with the chain attributes
	wait   func(t *testing.T, ids []string)
}

// The archive: exportLines entries in batches of exportBatch; instance
// wf-NN holds entries [80·NN, 80·NN+80), and wf-04 also entries 10 and
// 790 (the first and the last batch).
const (
	exportLines    = 800
	exportBatch    = 50
	exportInstance = "wf-04"
)

func exportInstanceOf(i int) string {
	if i == 10 || i == 790 {
		return exportInstance
	}
	return fmt.Sprintf("wf-%02d", i/80)
}

// writeExportLog writes the whole log at once and returns every entry's
// _id and those of exportInstance, in order.
func writeExportLog(t *testing.T, path string) (all, want []string) {
	t.Helper()
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	var b strings.Builder
	var src source
	for i := range exportLines {
		line := fmt.Sprintf(`{"timestamp":%q,"workflowDefinitionId":"orders","workflowInstanceId":%q,"businessKey":"ORD-%04d","identity":"clerk","message":"step %d"}`,
			base.Add(time.Duration(i)*time.Second).Format(time.RFC3339), exportInstanceOf(i), i/80, i)
		id := src.add([]byte(line))
		all = append(all, id)
		if exportInstanceOf(i) == exportInstance {
			want = append(want, id)
		}
		b.WriteString(line + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return all, want
}

func exportFileOutput(dir, attrs string) string {
	return fmt.Sprintf(`  output "file" %q {
    path = %q
    %s
    batch {
      interval   = "300ms"
      max_events = %d
    }
  }
`, chainOutput, dir, attrs, exportBatch)
}

func testExport(t *testing.T, rig exportRig) {
	keys := chainKeygen(t, "e2e-export")
	log := filepath.Join(t.TempDir(), "app.log")
	all, want := writeExportLog(t, log)
	cfg := config{dataDir: t.TempDir(), input: fileInput(log), outputs: []string{rig.output(keys.attrs())}}.write(t)
	p := start(t, false, "run", "-c", cfg)
	rig.wait(t, all)
	p.stop(15 * time.Second) // the shutdown checkpoint covers every event
	bundle := filepath.Join(t.TempDir(), "bundle")
	began := time.Now()
	out, stderr, code := runOnce(t, "export", "-c", cfg, "--from", chainOutput,
		"--where", "workflowInstanceId == '"+exportInstance+"'", "--to-dir", bundle)
	if code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out, stderr)
	}
	t.Logf("%s: %s (wall %v)", rig.name, strings.TrimSpace(out), time.Since(began).Round(time.Millisecond))
	checkExported(t, bundle, want)
	checkBundleVerifies(t, bundle, keys.pub, len(want))
	t.Run("tamper", func(t *testing.T) { testBundleTamper(t, bundle, keys.pub) })
	t.Run("usage", func(t *testing.T) { testExportUsage(t, cfg, bundle) })
}

// checkExported wants exactly the instance's events, in the order
// written, and fewer batches read than the archive has.
func checkExported(t *testing.T, bundle string, want []string) {
	t.Helper()
	var got []string
	for _, line := range bundleLines(t, bundle, chain.BundleEvents) {
		var env struct {
			ID       string `json:"_id"`
			Instance string `json:"workflowInstanceId"`
		}
		if err := json.Unmarshal([]byte(line), &env); err != nil || env.Instance != exportInstance {
			t.Errorf("event line of instance %q (%v): %.120s", env.Instance, err, line)
		}
		got = append(got, env.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("bundle holds %d events, want the %d of %s in order\n got %v\nwant %v", len(got), len(want), exportInstance, got, want)
	}
	if ids := bundleLines(t, bundle, chain.BundleIDs); !slices.Equal(ids, want) {
		t.Errorf("ids.txt lists %d _ids, want the %d exported", len(ids), len(want))
	}
	b, err := os.ReadFile(filepath.Join(bundle, chain.BundleInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	info, err := chain.ParseBundleInfo(b)
	if err != nil {
		t.Fatal(err)
	}
	min := exportLines / exportBatch
	if info.Events != len(want) || info.Checkpoints != 1 || !info.Signed || info.Batches < min {
		t.Errorf("bundle.json: %d events, %d checkpoints, signed %v, %d batches; want %d, 1, true, at least %d",
			info.Events, info.Checkpoints, info.Signed, info.Batches, len(want), min)
	}
	// wf-04 is in 4 batches of at least 16 when each holds exportBatch
	// events; batches cut by the interval hold fewer, so allow a few more.
	if info.BatchesSelected >= info.Batches || info.BatchesSelected > 8 {
		t.Errorf("export read %d of %d batches: the index should have ruled out all but the few holding %s",
			info.BatchesSelected, info.Batches, exportInstance)
	}
}

func bundleLines(t *testing.T, dir, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// checkBundleVerifies wants verify --bundle to exit 0 with its summary.
func checkBundleVerifies(t *testing.T, bundle, pub string, n int) {
	t.Helper()
	out, stderr, code := runOnce(t, "verify", "--bundle", bundle, "--public-key", pub)
	if code != 0 || !strings.HasPrefix(out, fmt.Sprintf("bundle intact: %d events of 1 streams", n)) {
		t.Fatalf("verify --bundle: exit %d, want 0 and a summary of %d events\n%s%s", code, n, out, stderr)
	}
	t.Logf("verify --bundle: %s", strings.TrimSpace(out))
}

// testExportUsage: exit 2 for a bundle dir that is not empty and for
// verify --bundle without a public key; nothing of the bundle touched.
func testExportUsage(t *testing.T, cfg, bundle string) {
	before := bundleLines(t, bundle, chain.BundleIDs)
	if _, stderr, code := runOnce(t, "export", "-c", cfg, "--from", chainOutput, "--to-dir", bundle); code != 2 || !strings.Contains(stderr, "not empty") {
		t.Errorf("export into a non-empty dir: exit %d, want 2 saying so\n%s", code, stderr)
	}
	if _, stderr, code := runOnce(t, "verify", "--bundle", bundle); code != 2 {
		t.Errorf("verify --bundle without --public-key: exit %d, want 2\n%s", code, stderr)
	}
	if after := bundleLines(t, bundle, chain.BundleIDs); !slices.Equal(before, after) {
		t.Error("the refused export changed the bundle")
	}
}
