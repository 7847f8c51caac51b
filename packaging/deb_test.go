package packaging

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const unitPath = "/usr/lib/systemd/system/auditship.service"

// TestDeb installs the .deb on this machine, runs the installed binary on
// the installed config, verifies the unit, then removes and purges it.
func TestDeb(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("no dpkg on this machine")
	}
	lockMachine(t)
	refuseExisting(t)
	d := packages(t)
	t.Cleanup(func() {
		if err := dpkgRetry("--purge", "auditship"); err != nil {
			t.Error(err)
		}
	})
	dpkg(t, "-i", d.deb)

	checkInstalled(t)
	verifyUnit(t)
	runService(t)
	files, conffiles := installedFiles(t)

	dpkg(t, "-r", "auditship")
	checkRemoved(t, files, conffiles)
	dpkg(t, "--purge", "auditship")
	checkPurged(t, conffiles)
}

// lockMachine serializes the test between test runs on one machine (two
// developers' make test): the package and its paths are machine-wide.
func lockMachine(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "auditship-packaging-test.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
}

// refuseExisting stops the test before it would overwrite a real install.
func refuseExisting(t *testing.T) {
	t.Helper()
	if out, err := run("dpkg-query", "-W", "-f=${Status}", "auditship"); err == nil && !strings.Contains(out, "not-installed") {
		t.Fatalf("the auditship package is already on this machine (%s): `dpkg --purge auditship` first", out)
	}
	if _, err := os.Stat("/etc/auditship"); err == nil {
		t.Fatal("/etc/auditship exists and belongs to no package: move it away first")
	}
}

func checkInstalled(t *testing.T) {
	t.Helper()
	want := "auditship " + testVersion + " (commit " + testCommit + ", built " + testBuildDate + ")\n"
	if got := sh(t, "/usr/bin/auditship", "version"); got != want {
		t.Errorf("auditship version = %q, want %q", got, want)
	}
	if got := sh(t, "/usr/bin/auditship", "validate", "-c", "/etc/auditship"); !strings.HasPrefix(got, "config OK: 1 pipelines") {
		t.Errorf("auditship validate -c /etc/auditship = %q", got)
	}
	if pw := sh(t, "getent", "passwd", "auditship"); !strings.Contains(pw, "nologin") {
		t.Errorf("auditship user %q: want a nologin shell", pw)
	}
	installed, _ := os.ReadFile(unitPath)
	shipped, _ := os.ReadFile("systemd/auditship.service")
	if len(installed) == 0 || string(installed) != string(shipped) {
		t.Errorf("%s differs from packaging/systemd/auditship.service", unitPath)
	}
}

// verifyUnit runs systemd-analyze verify; any line about the unit fails.
func verifyUnit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Log("skip systemd-analyze verify: systemd-analyze is not installed")
		return
	}
	out, err := run("systemd-analyze", "verify", unitPath)
	if err != nil || strings.Contains(out, "auditship") {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
	} else if out != "" {
		t.Logf("systemd-analyze verify (not about the unit):\n%s", out)
	}
}

// installedFiles lists the package's regular files and its conffiles.
func installedFiles(t *testing.T) (files []string, conffiles map[string]bool) {
	t.Helper()
	for _, p := range strings.Fields(sh(t, "dpkg", "-L", "auditship")) {
		if fi, err := os.Lstat(p); err == nil && !fi.IsDir() {
			files = append(files, p)
		}
	}
	conffiles = map[string]bool{}
	for _, line := range strings.Split(sh(t, "dpkg-query", "-W", "-f=${Conffiles}", "auditship"), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			conffiles[f[0]] = true
		}
	}
	if len(files) != 4 || len(conffiles) != 2 {
		t.Fatalf("installed files %q, conffiles %v: want 4 files, 2 of them conffiles", files, conffiles)
	}
	return files, conffiles
}

func checkRemoved(t *testing.T, files []string, conffiles map[string]bool) {
	t.Helper()
	for _, f := range files {
		_, err := os.Lstat(f)
		switch {
		case conffiles[f] && err != nil:
			t.Errorf("dpkg -r removed the config file %s", f)
		case !conffiles[f] && !errors.Is(err, os.ErrNotExist):
			t.Errorf("dpkg -r left %s behind (%v)", f, err)
		}
	}
	if st, _ := run("dpkg-query", "-W", "-f=${Status}", "auditship"); !strings.Contains(st, "config-files") {
		t.Errorf("status after dpkg -r = %q, want config-files", st)
	}
}

func checkPurged(t *testing.T, conffiles map[string]bool) {
	t.Helper()
	for f := range conffiles {
		if _, err := os.Lstat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("dpkg --purge left %s (%v)", f, err)
		}
	}
	if _, err := os.Lstat("/etc/auditship"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dpkg --purge left /etc/auditship (%v)", err)
	}
}

// dpkg runs dpkg and stops the test if it fails.
func dpkg(t *testing.T, args ...string) {
	t.Helper()
	if err := dpkgRetry(args...); err != nil {
		t.Fatal(err)
	}
}

// dpkgRetry runs dpkg, waiting up to a minute for a lock held by another
// apt or dpkg.
func dpkgRetry(args ...string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := run("dpkg", args...)
		if err == nil {
			return nil
		}
		if !strings.Contains(out, "lock") || time.Now().After(deadline) {
			return fmt.Errorf("dpkg %s: %w\n%s", strings.Join(args, " "), err, out)
		}
		time.Sleep(2 * time.Second)
	}
}
