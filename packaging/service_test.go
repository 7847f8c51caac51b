package packaging

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// serviceScript runs the unit's ExecStart as the auditship user in a
// network namespace of its own (so port 9464 is free whatever else runs),
// reads /healthz and /readyz, then stops it with SIGTERM as systemd would.
const serviceScript = `set -u
ip link set lo up
setpriv --reuid=auditship --regid=auditship --init-groups \
	/usr/bin/auditship run -c /etc/auditship --data-dir /var/lib/auditship 2>"$1" &
pid=$!
get() {
	exec 3<>/dev/tcp/127.0.0.1/9464 || return 1
	printf 'GET %s HTTP/1.0\r\n\r\n' "$1" >&3
	head -n 1 <&3
	exec 3<&-
}
for i in $(seq 100); do get /healthz >/dev/null 2>&1 && break; sleep 0.1; done
echo "healthz: $(get /healthz)"
echo "readyz: $(get /readyz)"
kill -TERM "$pid"
wait "$pid"
echo "exit: $?"
`

var status200 = regexp.MustCompile(`(?m)^(healthz|readyz): HTTP/1\.[01] 200 `)

// runService starts the installed agent on the installed config the way
// the unit does, with the state directory systemd would create.
func runService(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"unshare", "ip", "setpriv", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("skip running the service: no %s", tool)
			return
		}
	}
	if !makeStateDir(t) {
		return
	}
	log := t.TempDir() + "/agent.log"
	out, err := run("unshare", "--net", "--", "bash", "-c", serviceScript, "sh", log)
	agentLog, _ := os.ReadFile(log)
	if err != nil || len(status200.FindAllString(out, -1)) != 2 || !strings.Contains(out, "exit: 0") {
		t.Errorf("service run: %v\n%s\nagent log:\n%s", err, out, agentLog)
	}
	if strings.Contains(string(agentLog), `"level":"error"`) {
		t.Errorf("the agent logged errors:\n%s", agentLog)
	}
	if fi, err := os.Stat("/var/lib/auditship/archive"); err != nil || !fi.IsDir() {
		t.Errorf("the example output did not create /var/lib/auditship/archive: %v", err)
	}
}

// makeStateDir does what StateDirectory=auditship does at start (the test
// has no systemd), and removes it afterwards; an existing one is left alone.
func makeStateDir(t *testing.T) bool {
	t.Helper()
	const dir = "/var/lib/auditship"
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Logf("skip running the service: %s exists (%v) and is not the test's", dir, err)
		return false
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sh(t, "chown", "auditship:auditship", dir)
	return true
}
