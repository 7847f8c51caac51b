package e2e

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/testenv"
)

// privateServer is a store server of one test (versitygw or Azurite) on a
// port of its own with its own data dir, so that the test can stop and
// restart it without disturbing the others.
type privateServer struct {
	t    *testing.T
	name string
	args []string
	addr string // 127.0.0.1:PORT
	cmd  *exec.Cmd
	done chan struct{}
}

// toolPath finds a server binary built by scripts/services.sh: env names
// an override, else the first match of pattern in the tools cache.
func toolPath(t *testing.T, env, pattern string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	dir := os.Getenv("AUDITSHIP_TOOLS_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "auditship-tools")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(matches) == 0 {
		why := env + " is not set and no " + pattern + " in " + dir + "; run scripts/services.sh start"
		if testenv.Required() {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return matches[len(matches)-1]
}

// freePort returns a loopback port free right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startPrivate runs bin with args (which listen on port) and waits until
// the port answers.
func startPrivate(t *testing.T, name string, port int, args ...string) *privateServer {
	t.Helper()
	s := &privateServer{t: t, name: name, args: args, addr: "127.0.0.1:" + strconv.Itoa(port)}
	s.start()
	t.Cleanup(func() {
		if s.running() {
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

func (s *privateServer) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.args[0], s.args[1:]...)
	s.cmd.Stdout, s.cmd.Stderr = nil, nil
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", s.name, err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(s.cmd, s.done)
	if !waitFor(60*time.Second, s.answers) {
		s.t.Fatalf("%s does not answer on %s", s.name, s.addr)
	}
}

func (s *privateServer) answers() bool {
	c, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func (s *privateServer) running() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// stop ends the server with SIGTERM (SIGKILL after 10s) and waits until
// its port is closed.
func (s *privateServer) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	if !waitFor(10*time.Second, func() bool { return !s.answers() }) {
		s.t.Fatalf("%s still answers on %s after it stopped", s.name, s.addr)
	}
}

// restart starts the server again with the same data dir.
func (s *privateServer) restart() {
	s.t.Helper()
	s.start()
}

// gate is a TCP proxy in front of a store, to cut the agent off from it
// in ways a stopped server cannot: in mode holdReplies requests reach the
// store (an upload succeeds) but no reply ever comes back.
type gate struct {
	ln       net.Listener
	upstream string
	mode     atomic.Int32
}

const (
	gatePass    = iota
	gateDown    // connections are closed at once
	gateNoReply // requests pass, replies are dropped
)

func newGate(t *testing.T, upstream string, mode int32) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{ln: ln, upstream: upstream}
	g.mode.Store(mode)
	t.Cleanup(func() { ln.Close() })
	go g.serve()
	return g
}

func (g *gate) addr() string { return g.ln.Addr().String() }

func (g *gate) set(mode int32) { g.mode.Store(mode) }

func (g *gate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		go g.proxy(c)
	}
}

func (g *gate) proxy(c net.Conn) {
	defer c.Close()
	if g.mode.Load() == gateDown {
		return
	}
	up, err := net.Dial("tcp", g.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { io.Copy(up, c); up.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := up.Read(buf)
		mode := g.mode.Load()
		if mode == gateDown {
			return
		}
		if n > 0 && mode == gatePass {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
