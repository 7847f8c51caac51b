package testenv

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// MariaDB is a private mariadbd for one test, which the test may stop
// (an outage) and start again on the same port and data: a copy of the
// template datadir that scripts/services.sh builds, a free port, a socket
// of its own. Root has an empty password; the database `test` exists.
type MariaDB struct {
	DSN  string // root@tcp(127.0.0.1:PORT)/test, for go-sql-driver/mysql
	Addr string // 127.0.0.1:PORT

	t        testing.TB
	bin, dir string
	args     []string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// StartMariaDB starts a private MariaDB for t and waits until it accepts
// connections; t's cleanup kills it. Without the template or mariadbd it
// skips (fails when Required).
func StartMariaDB(t testing.TB) *MariaDB {
	t.Helper()
	v := Need(t, "AUDITSHIP_TEST_MARIADB_TEMPLATE", "AUDITSHIP_TEST_MARIADBD")
	m := &MariaDB{t: t, bin: v[1], dir: t.TempDir()}
	data := filepath.Join(m.dir, "data")
	if err := copyTemplate(v[0], data); err != nil {
		missing(t, "MariaDB template "+v[0]+": "+err.Error()+"; run scripts/services.sh start")
	}
	t.Cleanup(m.kill)
	var err error
	for range 3 { // a port found free may be taken before mariadbd binds it
		if err = m.listen(data); err != nil {
			t.Fatal(err)
		}
		if err = m.start(); err == nil {
			return m
		}
	}
	t.Fatalf("private MariaDB: %v", err)
	return nil
}

// copyTemplate copies the pristine datadir and adds the database `test`
// (in MariaDB a database is a directory of the datadir).
func copyTemplate(template, data string) error {
	if err := os.CopyFS(data, os.DirFS(template)); err != nil {
		return err
	}
	return os.Mkdir(filepath.Join(data, "test"), 0o700)
}

// listen picks a free port and sets the server's arguments for it.
func (m *MariaDB) listen(data string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	// A socket path must stay under 108 bytes; t.TempDir's may not.
	sdir, err := os.MkdirTemp("", "mdb")
	if err != nil {
		return err
	}
	m.t.Cleanup(func() { os.RemoveAll(sdir) })
	u, err := user.Current()
	if err != nil {
		return err
	}
	m.Addr = "127.0.0.1:" + strconv.Itoa(port)
	m.DSN = "root@tcp(" + m.Addr + ")/test"
	m.args = []string{"--no-defaults", "--user=" + u.Username, "--datadir=" + data,
		"--bind-address=127.0.0.1", "--port=" + strconv.Itoa(port), "--socket=" + filepath.Join(sdir, "sock"),
		"--pid-file=" + filepath.Join(m.dir, "mariadbd.pid"), "--innodb-log-file-size=16M"}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts the server again after Stop or Kill, on the same port and
// data, and waits until it accepts connections (a restart takes ~2 s).
func (m *MariaDB) Start() {
	m.t.Helper()
	if err := m.start(); err != nil {
		m.t.Fatalf("private MariaDB: %v", err)
	}
}

func (m *MariaDB) start() error {
	logf, err := os.OpenFile(filepath.Join(m.dir, "mariadbd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(m.bin, m.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	m.cmd, m.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(m.exited)
	if err := m.ready(60 * time.Second); err != nil {
		m.kill()
		return fmt.Errorf("%v; its log:\n%s", err, m.logTail())
	}
	return nil
}

// ready waits until the server greets a client: the MySQL handshake
// (protocol version 10), not merely an open port.
func (m *MariaDB) ready(d time.Duration) error {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		select {
		case <-m.exited:
			return fmt.Errorf("mariadbd on %s exited at start", m.Addr)
		default:
		}
		if greets(m.Addr) {
			return nil
		}
	}
	return fmt.Errorf("mariadbd on %s not ready after %v", m.Addr, d)
}

// greets reports whether addr sends a MySQL initial handshake packet.
func greets(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	var hdr [5]byte // 3 bytes length, 1 sequence, then the protocol version
	_, err = io.ReadFull(c, hdr[:])
	return err == nil && hdr[4] == 10
}

// Stop shuts the server down cleanly (SIGTERM) and waits for it to exit.
func (m *MariaDB) Stop() { m.signal(syscall.SIGTERM, 60*time.Second) }

// Kill ends the server at once (SIGKILL), as a crash would.
func (m *MariaDB) Kill() { m.signal(syscall.SIGKILL, 10*time.Second) }

func (m *MariaDB) kill() {
	if m.cmd != nil {
		m.signal(syscall.SIGKILL, 10*time.Second)
	}
}

func (m *MariaDB) signal(sig syscall.Signal, wait time.Duration) {
	m.t.Helper()
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Signal(sig)
	select {
	case <-m.exited:
	case <-time.After(wait):
		m.cmd.Process.Kill()
		<-m.exited
		m.t.Errorf("mariadbd on %s ignored %v for %v: killed", m.Addr, sig, wait)
	}
	m.cmd = nil
}

func (m *MariaDB) logTail() string {
	b, _ := os.ReadFile(filepath.Join(m.dir, "mariadbd.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
