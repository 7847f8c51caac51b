package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestAzurePerFlowContainers pipes 20,000 entries of seven flows into an
// azure_blob output with container = "PREFIX-{{ workflowDefinitionId }}"
// and create_container: one container per flow, each line in the
// container of its flow, each _id stored exactly once.
func TestAzurePerFlowContainers(t *testing.T) {
	t.Parallel()
	st := sharedAzure(t).store(t)
	cfg := config{dataDir: t.TempDir(), input: stdinInput(), outputs: []string{
		st.output(storeOpts{compression: "zstd", interval: "1s", maxEvents: 5000}),
	}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	const n = 20000
	ids := writeStdin(t, p, newEntryGen(t), &source{}, n)
	p.stdin.Close()
	if code := p.wait(90 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	objs := st.objects(t)
	s, err := tally(objs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v in %d containers", s, len(st.containers(t)))
	assertExact(t, s, ids)
	checkContainers(t, st, objs)
	checkFlows(t, objs, azName)
	checkMetadata(t, objs)
	checkCLI(t, objs)
	checkLog(t, p)
}

// azName matches CONTAINER/BLOB of the Hire2Retire name template.
var azName = regexp.MustCompile(`^audit-[0-9a-f]+-[a-z0-9-]+/Hire2Retire_(.+)_\d{8}T\d{6}Z_[0-9a-f]+-\d{20}\.ndjson\.(gz|zst)$`)

// checkContainers wants one container per flow of the sample entries,
// and each line in the container named after its flow.
func checkContainers(t *testing.T, st *azStore, objs []object) {
	t.Helper()
	// "none": the chain's container, the template rendered without an event.
	flows := []string{"hire", "none", "onboarding", "onboarding-1", "onboarding-it", "orders", "orders-1-0", "retire"}
	var want []string
	for _, f := range flows {
		want = append(want, st.prefix+"-"+f)
	}
	got := st.containers(t)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}
	for _, obj := range objs {
		container, _, _ := strings.Cut(obj.key, "/")
		lines, err := decodeObject(obj)
		if err != nil {
			t.Error(err)
			continue
		}
		for i, l := range lines {
			if want := st.prefix + "-" + containerSafe(l.flow); container != want {
				t.Errorf("%s line %d: flow %q belongs in container %s", obj.key, i+1, l.flow, want)
				break
			}
		}
	}
}

// containerSafe is the README's rule for a flow in a container name:
// lower case, anything but a-z0-9 becomes "-", no double "-".
func containerSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	return strings.Trim(s, "-")
}

func TestAzureOutage(t *testing.T) {
	t.Parallel()
	srv, ps := privateAzure(t)
	testOutage(t, srv.store(t), ps)
}

// gatedAzure is containers on the shared Azurite that the agent reaches
// through a gate.
func gatedAzure(t *testing.T, mode int32) (*azStore, *gate) {
	t.Helper()
	srv := sharedAzure(t)
	st := srv.store(t)
	g := newGate(t, srv.host, mode)
	st.url = "http://" + g.addr() + "/" + srv.account
	return st, g
}

func TestAzureKill9BeforeUpload(t *testing.T) {
	t.Parallel()
	st, g := gatedAzure(t, gateDown)
	testKillBeforeUpload(t, st, g)
}

// TestAzureKill9AfterUpload uses an existing container: with
// create_container the first request the agent makes could be the
// container's creation, whose reply the gate would hold.
func TestAzureKill9AfterUpload(t *testing.T) {
	t.Parallel()
	st, g := gatedAzure(t, gateNoReply)
	st.create, st.container = false, st.prefix+"-main"
	if _, err := st.srv.admin.CreateContainer(context.Background(), st.container, nil); err != nil {
		t.Fatal(err)
	}
	testKillAfterUpload(t, st, g)
}

func TestAzureKeyConflict(t *testing.T) {
	t.Parallel()
	st, g := gatedAzure(t, gateDown)
	testKeyConflict(t, st, g)
}

func TestAzureWrongKey(t *testing.T) {
	t.Parallel()
	srv := sharedAzure(t)
	st := srv.store(t)
	st.key = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("wrong key "), 6))
	testBadCredentials(t, st, "403 AuthorizationFailure", st.key, srv.key)
}

func TestAzureMissingContainer(t *testing.T) {
	t.Parallel()
	st := sharedAzure(t).store(t)
	st.create, st.container = false, st.prefix+"-main"
	create := func() {
		if _, err := st.srv.admin.CreateContainer(context.Background(), st.container, nil); err != nil {
			t.Errorf("create container: %v", err)
		}
	}
	testMissingThenCreated(t, st, create, "ContainerNotFound")
}
