package e2e

import (
	"regexp"
	"testing"
	"time"
)

// TestS3Ship100k pipes 100,000 entries of several flows into two s3
// outputs (gzip and zstd, 20,000 events a batch at most) and reads every
// object back: each _id stored exactly once in each bucket, each object
// named by the Hire2Retire template after the flow of every line in it,
// its metadata matching its bytes, readable by gzip -dc / zstd -dc.
func TestS3Ship100k(t *testing.T) {
	t.Parallel()
	srv := sharedS3(t)
	gz, zst := srv.store(t, true), srv.store(t, true)
	cfg := config{dataDir: t.TempDir(), input: stdinInput(), outputs: []string{
		gz.output(storeOpts{name: "gz", interval: "1s", maxEvents: 20000}),
		zst.output(storeOpts{name: "zst", compression: "zstd", interval: "1s", maxEvents: 20000}),
	}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	const n = 100000
	ids := writeStdin(t, p, newEntryGen(t), &source{}, n)
	p.stdin.Close()
	if code := p.wait(120 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	for _, st := range []*s3Store{gz, zst} {
		objs := st.objects(t)
		s, err := tally(objs)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("bucket %s: %v", st.bucket, s)
		assertExact(t, s, ids)
		if len(objs) < 8 {
			t.Errorf("%d objects for 7 flows and 20,000 events a batch, want at least 8", len(objs))
		}
		checkFlows(t, objs, h2rName)
		checkMetadata(t, objs)
		checkCLI(t, objs)
	}
	checkLog(t, p)
}

// h2rName matches a key of the Hire2Retire template; group 1 is the flow.
var h2rName = regexp.MustCompile(`^Hire2Retire_(.+)_\d{8}T\d{6}Z_[0-9a-f]+-\d{20}\.ndjson\.(gz|zst)$`)

// checkFlows wants each object's key to match name, its first group
// being the flow of every line in the object.
func checkFlows(t *testing.T, objs []object, name *regexp.Regexp) {
	t.Helper()
	for _, obj := range objs {
		m := name.FindStringSubmatch(obj.key)
		if m == nil {
			t.Errorf("key %q does not match %v", obj.key, name)
			continue
		}
		lines, err := decodeObject(obj)
		if err != nil {
			t.Error(err)
			continue
		}
		for i, l := range lines {
			if l.flow != m[1] {
				t.Errorf("%s line %d: flow %q, not the key's %q", obj.key, i+1, l.flow, m[1])
				break
			}
		}
	}
}

func TestS3Outage(t *testing.T) {
	t.Parallel()
	srv, ps := privateS3(t)
	testOutage(t, srv.store(t, true), ps)
}

// gatedS3 is a bucket on the shared gateway that the agent reaches
// through a gate.
func gatedS3(t *testing.T, mode int32) (*s3Store, *gate) {
	t.Helper()
	srv := sharedS3(t)
	st := srv.store(t, true)
	g := newGate(t, srv.host, mode)
	st.endpoint = "http://" + g.addr()
	return st, g
}

func TestS3Kill9BeforeUpload(t *testing.T) {
	t.Parallel()
	st, g := gatedS3(t, gateDown)
	testKillBeforeUpload(t, st, g)
}

func TestS3Kill9AfterUpload(t *testing.T) {
	t.Parallel()
	st, g := gatedS3(t, gateNoReply)
	testKillAfterUpload(t, st, g)
}

func TestS3KeyConflict(t *testing.T) {
	t.Parallel()
	st, g := gatedS3(t, gateDown)
	testKeyConflict(t, st, g)
}

func TestS3WrongSecret(t *testing.T) {
	t.Parallel()
	srv := sharedS3(t)
	st := srv.store(t, true)
	st.secret = "wrong-secret-8f3a1c"
	testBadCredentials(t, st, "signature mismatch (check the secret access key)", st.secret, srv.secret)
}

func TestS3MissingBucket(t *testing.T) {
	t.Parallel()
	st := sharedS3(t).store(t, false)
	testMissingThenCreated(t, st, func() { st.create(t) }, "no such bucket")
}
