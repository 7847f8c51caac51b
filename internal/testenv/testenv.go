// Package testenv gives integration tests the endpoints of the real servers
// that scripts/services.sh started (S3 gateway, Azurite, MariaDB). A test
// whose server is missing skips in a plain `go test`, and fails when CI=true
// or AUDITSHIP_REQUIRE_SERVICES=1 (which `make test` and .ci/run set).
package testenv

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// EnvFile is where scripts/services.sh writes the endpoints.
func EnvFile() string {
	dir := os.Getenv("AUDITSHIP_SERVICES_DIR")
	if dir == "" {
		dir = "/tmp/auditship-services"
	}
	return filepath.Join(dir, "env")
}

// Required reports whether a missing server must fail the test.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("AUDITSHIP_REQUIRE_SERVICES") == "1"
}

// Get returns a setting: the environment first, then the services env file.
func Get(name string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	f, err := os.Open(EnvFile())
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && k == name {
			return v
		}
	}
	return ""
}

// Need returns the named settings, or skips (fails when Required) naming
// what is missing.
func Need(t testing.TB, names ...string) []string {
	t.Helper()
	vals := make([]string, len(names))
	for i, n := range names {
		if vals[i] = Get(n); vals[i] == "" {
			missing(t, n+" is not set; run scripts/services.sh start")
		}
	}
	return vals
}

// Reachable fails or skips unless host:port accepts a TCP connection.
func Reachable(t testing.TB, hostport string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", hostport, 2*time.Second)
	if err != nil {
		missing(t, hostport+" does not answer ("+err.Error()+"); run scripts/services.sh start")
		return
	}
	c.Close()
}

func missing(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatal(why)
	}
	t.Skip(why)
}
