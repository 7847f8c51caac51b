package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/auditship/auditship/internal/testenv"
)

// myServer is a MariaDB reached as root, from AUDITSHIP_TEST_MYSQL_DSN
// (user[:password]@tcp(host:port)/db, as scripts/services.sh writes it).
type myServer struct {
	user, password, addr string
}

var dsnForm = regexp.MustCompile(`^([^:@]*)(?::([^@]*))?@tcp\(([^)]+)\)/`)

// sharedMySQL is the MariaDB scripts/services.sh started.
func sharedMySQL(t *testing.T) myServer {
	t.Helper()
	dsn := testenv.Need(t, "AUDITSHIP_TEST_MYSQL_DSN")[0]
	m := dsnForm.FindStringSubmatch(dsn)
	if m == nil {
		t.Fatalf("AUDITSHIP_TEST_MYSQL_DSN %q is not user[:password]@tcp(host:port)/db", dsn)
	}
	testenv.Reachable(t, m[3])
	return myServer{user: m[1], password: m[2], addr: m[3]}
}

// uniqueName returns prefix and 8 random hex digits: a database or user
// name of this test alone.
func uniqueName(prefix string) string {
	var r [4]byte
	rand.Read(r[:])
	return prefix + hex.EncodeToString(r[:])
}

// cli runs the mariadb client at addr with sql on stdin (batch mode:
// tab-separated rows, no headers) and returns its stdout, stderr and error.
func (s myServer) cli(t *testing.T, addr, db, sql string) (string, string, error) {
	t.Helper()
	bin, err := exec.LookPath("mariadb")
	if err != nil {
		why := "no mariadb client in PATH; run scripts/services.sh start"
		if testenv.Required() {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	host, port, _ := strings.Cut(addr, ":")
	args := []string{"--no-defaults", "--protocol=TCP", "-h" + host, "-P" + port, "-u" + s.user,
		"--skip-ssl", "--batch", "--skip-column-names", "--connect-timeout=5"}
	if s.password != "" {
		args = append(args, "-p"+s.password)
	}
	if db != "" {
		args = append(args, db)
	}
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(sql), &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// exec runs sql on the server itself, failing the test on an error.
func (s myServer) exec(t *testing.T, db, sql string) string {
	t.Helper()
	out, stderr, err := s.cli(t, s.addr, db, sql)
	if err != nil {
		t.Fatalf("mariadb %s: %v: %s", firstLine(sql), err, stderr)
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
