package e2e

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newFileChainRig: a file output; its outage is the directory replaced by
// a regular file (root ignores modes, so no chmod).
func newFileChainRig(t *testing.T) *chainRig {
	dir := t.TempDir()
	output := func(dir string) func(string) string {
		return func(attrs string) string {
			return fileOutputWith(chainOutput, dir, outOpts{interval: "400ms", extra: attrs})
		}
	}
	return &chainRig{
		name: "file", output: output(dir),
		down: func() { blockOutput(t, dir) }, up: func() { restoreOutput(t, dir) },
		wait: func(t *testing.T, ids []string) stored { return waitStored(t, dir, ids, 60*time.Second) },
		stored: func(t *testing.T) stored {
			s, err := readStored(dir)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		archive: blobArchive{dirBlobs(dir)},
		copy: func(t *testing.T) chainCopy {
			dst := copyDir(t, dir)
			return chainCopy{archive: blobArchive{dirBlobs(dst)}, output: output(dst)}
		},
	}
}

// newS3ChainRig: a bucket on a versitygw of the test's own, stopped for
// the outage; copies are buckets of that gateway.
func newS3ChainRig(t *testing.T) *chainRig {
	srv, ps := privateS3(t)
	st := srv.store(t, true)
	output := func(st *s3Store) func(string) string {
		return func(attrs string) string { return st.output(storeOpts{interval: "500ms", extra: attrs}) }
	}
	return &chainRig{
		name: "s3", output: output(st), down: ps.stop, up: ps.restart,
		wait: func(t *testing.T, ids []string) stored {
			s, _ := waitObjects(t, st, ids, 60*time.Second)
			return s
		},
		stored:  func(t *testing.T) stored { return tallyOrFail(t, st.objects(t)) },
		archive: blobArchive{s3Blobs{st}},
		copy: func(t *testing.T) chainCopy {
			dst := copyBucket(t, st)
			return chainCopy{archive: blobArchive{s3Blobs{dst}}, output: output(dst)}
		},
	}
}

func tallyOrFail(t *testing.T, objs []object) stored {
	t.Helper()
	s, err := tally(objs)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// azCopies is how many accounts besides the default one the Azure rig's
// Azurite has: one per tamper case.
const azCopies = 12

// newAzureChainRig: containers PREFIX-FLOW on an Azurite of the test's
// own, stopped for the outage. A batch key names its container, so a copy
// goes to another account of that Azurite under the same names.
func newAzureChainRig(t *testing.T) *chainRig {
	srv, ps, accounts := privateAzureAccounts(t, azCopies)
	st := srv.store(t)
	output := func(st *azStore) func(string) string {
		return func(attrs string) string { return st.output(storeOpts{interval: "500ms", extra: attrs}) }
	}
	var used atomic.Int32
	return &chainRig{
		name: "azure_blob", output: output(st), down: ps.stop, up: ps.restart,
		wait: func(t *testing.T, ids []string) stored {
			s, _ := waitObjects(t, st, ids, 60*time.Second)
			return s
		},
		stored:  func(t *testing.T) stored { return tallyOrFail(t, st.objects(t)) },
		archive: blobArchive{azBlobs{st}},
		copy: func(t *testing.T) chainCopy {
			i := int(used.Add(1)) - 1
			if i >= len(accounts) {
				t.Fatalf("more than %d copies of the Azure archive: raise azCopies", len(accounts))
			}
			dst := (&azServer{account: accounts[i], key: srv.key}).connect(t, "http://"+ps.addr+"/"+accounts[i])
			cp := copyContainers(t, st, dst)
			return chainCopy{archive: blobArchive{azBlobs{cp}}, output: output(cp)}
		},
	}
}

// privateAzureAccounts is privateAzure with n more accounts (AZURITE_ACCOUNTS,
// the dev account kept), all with the dev account's key.
func privateAzureAccounts(t *testing.T, n int) (*azServer, *privateServer, []string) {
	t.Helper()
	shared := sharedAzure(t)
	bin := toolPath(t, "AUDITSHIP_AZURITE_BLOB", filepath.Join("azurite*", "node_modules", ".bin", "azurite-blob"))
	accounts := make([]string, n)
	spec := []string{shared.account + ":" + shared.key}
	for i := range accounts {
		accounts[i] = fmt.Sprintf("e2ecopy%d", i)
		spec = append(spec, accounts[i]+":"+shared.key)
	}
	port := freePort(t)
	ps := startPrivate(t, "azurite", port, "env", "AZURITE_ACCOUNTS="+strings.Join(spec, ";"), bin,
		"--location", t.TempDir(), "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
		"--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry")
	srv := &azServer{account: shared.account, key: shared.key}
	return srv.connect(t, "http://"+ps.addr+"/"+shared.account), ps, accounts
}
