package packaging

import (
	"bytes"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRPM checks the .rpm's file list, config files, scripts and version
// with rpm, installing Debian's rpm package when it is missing.
func TestRPM(t *testing.T) {
	d := packages(t)
	if !haveRPM(t) {
		checkRPMLead(t, d.rpm)
		return
	}
	want := []string{"/etc/auditship", "/etc/auditship/00-agent.hcl", "/etc/auditship/automatiko.hcl",
		"/usr/bin/auditship", unitPath}
	if got := strings.Fields(sh(t, "rpm", "-qpl", d.rpm)); !slices.Equal(got, want) {
		t.Errorf("rpm -qpl = %q, want %q", got, want)
	}
	if got := strings.Fields(sh(t, "rpm", "-qp", "--configfiles", d.rpm)); !slices.Equal(got, want[1:3]) {
		t.Errorf("rpm --configfiles = %q, want %q", got, want[1:3])
	}
	if got := sh(t, "rpm", "-qp", "--scripts", d.rpm); !strings.Contains(got, "useradd --system") {
		t.Errorf("rpm --scripts: no useradd in\n%s", got)
	}
	if got := sh(t, "rpm", "-qp", "--qf", "%{NAME} %{VERSION}", d.rpm); got != "auditship "+testVersion {
		t.Errorf("rpm name and version = %q", got)
	}
}

// haveRPM finds rpm, or installs it from Debian's packages when root
// (refreshing the package lists once if the first try fails).
func haveRPM(t *testing.T) bool {
	t.Helper()
	if _, err := exec.LookPath("rpm"); err == nil {
		return true
	}
	if os.Geteuid() != 0 {
		return false
	}
	install := []string{"install", "-y", "-q", "-o", "DPkg::Lock::Timeout=60", "rpm"}
	if _, err := run("apt-get", install...); err == nil {
		return true
	}
	run("apt-get", "update", "-q")
	out, err := run("apt-get", install...)
	if err != nil {
		t.Logf("apt-get install rpm: %v\n%s", err, out)
	}
	return err == nil
}

// checkRPMLead is the fallback without rpm: a non-empty file with the lead.
func checkRPMLead(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 1024 || !bytes.HasPrefix(b, []byte{0xed, 0xab, 0xee, 0xdb}) {
		t.Errorf("%s: not an rpm (%d bytes, %v)", path, len(b), err)
	}
	t.Log("rpm not available: checked only the rpm lead of the file nfpm wrote")
}
