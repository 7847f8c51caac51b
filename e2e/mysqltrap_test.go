package e2e

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// commitTrap is a TCP proxy in front of a MySQL server that reads the
// protocol's packets both ways. When the server's OK to a COMMIT (a
// COM_QUERY whose text is COMMIT) arrives, it calls the hook before
// forwarding that OK; a hook that returns true (it killed the agent) drops
// the OK and closes the connection. So the agent dies right after its
// transaction committed and before it could save its cursor. TLS and
// protocol compression are not understood: the agent must use neither.
type commitTrap struct {
	ln       net.Listener
	upstream string
	commits  atomic.Int64 // COMMITs the server confirmed

	mu   sync.Mutex
	hook func(n int64) bool // n: commits so far, this one included
}

func newCommitTrap(t *testing.T, upstream string) *commitTrap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &commitTrap{ln: ln, upstream: upstream}
	t.Cleanup(func() { ln.Close() })
	go c.serve()
	return c
}

func (c *commitTrap) addr() string { return c.ln.Addr().String() }

// setHook sets what happens at each confirmed COMMIT; nil forwards it.
func (c *commitTrap) setHook(h func(n int64) bool) {
	c.mu.Lock()
	c.hook = h
	c.mu.Unlock()
}

func (c *commitTrap) fire() bool {
	n := c.commits.Add(1)
	c.mu.Lock()
	h := c.hook
	c.mu.Unlock()
	return h != nil && h(n)
}

func (c *commitTrap) serve() {
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		go c.proxy(conn)
	}
}

func (c *commitTrap) proxy(client net.Conn) {
	defer client.Close()
	up, err := net.Dial("tcp", c.upstream)
	if err != nil {
		return
	}
	defer up.Close()
	var pending atomic.Bool // a COMMIT went up; its reply is the next packet down
	go func() {
		forward(up, client, func(p []byte) bool {
			if isCommit(p) {
				pending.Store(true)
			}
			return true
		})
		up.Close()
	}()
	forward(client, up, func(p []byte) bool {
		return !pending.Swap(false) || !isOK(p) || !c.fire()
	})
}

// forward copies whole packets from src to dst while pass approves each
// (it sees continuations of over-long packets too, as packets whose
// payload is not a command: their sequence id is never 0).
func forward(dst io.Writer, src io.Reader, pass func(p []byte) bool) {
	r := bufio.NewReaderSize(src, 64<<10)
	for {
		p, err := readPacket(r)
		if err != nil || !pass(p) {
			return
		}
		if _, err := dst.Write(p); err != nil {
			return
		}
	}
}

// readPacket reads one packet: a 3-byte little-endian payload length, a
// sequence id, the payload. It returns the packet whole, header included.
func readPacket(r io.Reader) ([]byte, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := int(h[0]) | int(h[1])<<8 | int(h[2])<<16
	p := make([]byte, 4+n)
	copy(p, h[:])
	_, err := io.ReadFull(r, p[4:])
	return p, err
}

// isCommit: a command packet (sequence id 0; the handshake response and
// continuations have others) of type COM_QUERY (0x03) with text COMMIT.
func isCommit(p []byte) bool {
	return len(p) > 5 && p[3] == 0 && p[4] == 0x03 &&
		bytes.EqualFold(bytes.TrimSpace(p[5:]), []byte("COMMIT"))
}

// isOK: an OK packet (header 0x00) answering a command (sequence id 1).
func isOK(p []byte) bool {
	return len(p) > 4 && p[3] == 1 && p[4] == 0x00
}

// packet builds a MySQL packet with sequence id seq.
func packet(seq byte, payload []byte) []byte {
	n := len(payload)
	return append([]byte{byte(n), byte(n >> 8), byte(n >> 16), seq}, payload...)
}

// TestCommitTrapPackets: only a COM_QUERY command whose whole text is
// COMMIT is one; packets split whole across a stream of them.
func TestCommitTrapPackets(t *testing.T) {
	t.Parallel()
	query := func(seq byte, q string) []byte { return packet(seq, append([]byte{0x03}, q...)) }
	cases := []struct {
		p    []byte
		want bool
	}{
		{query(0, "COMMIT"), true},
		{query(0, " commit\n"), true},
		{query(0, "COMMIT AND CHAIN"), false},
		{query(0, "SELECT 'COMMIT'"), false},
		{query(1, "COMMIT"), false},                           // a handshake response or a continuation
		{packet(0, append([]byte{0x16}, "COMMIT"...)), false}, // COM_STMT_PREPARE
	}
	var stream bytes.Buffer
	for i, c := range cases {
		if got := isCommit(c.p); got != c.want {
			t.Errorf("case %d: isCommit(%q) = %v, want %v", i, c.p, got, c.want)
		}
		stream.Write(c.p)
	}
	long := packet(0, bytes.Repeat([]byte{'x'}, 70<<10)) // longer than the reader's buffer
	stream.Write(long)
	for i, c := range append(cases, struct {
		p    []byte
		want bool
	}{long, false}) {
		p, err := readPacket(&stream)
		if err != nil || !bytes.Equal(p, c.p) {
			t.Fatalf("packet %d read back as %.40q (%v), want %.40q", i, p, err, c.p)
		}
	}
	if !isOK(packet(1, []byte{0, 0, 0, 2, 0, 0, 0})) || isOK(packet(1, []byte{0xff, 0x15, 0x04})) {
		t.Error("isOK: an OK packet is 0x00 at sequence 1, an ERR packet 0xff is not one")
	}
}

// TestCommitTrap runs the mariadb client through the trap: the hook kills
// a stand-in process when the server confirms the COMMIT, the client never
// sees that OK (it loses the connection), and the transaction is committed
// on the server. With no hook, COMMITs pass and are counted.
func TestCommitTrap(t *testing.T) {
	t.Parallel()
	srv := sharedMySQL(t)
	db := uniqueName("e2e_trap_")
	srv.exec(t, "", "CREATE DATABASE "+db+"; CREATE TABLE "+db+".t (a INT PRIMARY KEY)")
	t.Cleanup(func() { srv.exec(t, "", "DROP DATABASE "+db) })
	trap := newCommitTrap(t, srv.addr)

	victim := exec.Command("sleep", "60")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { victim.Wait(); close(exited) }()
	trap.setHook(func(n int64) bool {
		victim.Process.Signal(syscall.SIGKILL)
		<-exited
		return true
	})
	_, stderr, err := srv.cli(t, trap.addr(), db, "BEGIN; INSERT INTO t VALUES (1); COMMIT; INSERT INTO t VALUES (2);")
	if err == nil || !strings.Contains(stderr, "Lost connection") {
		t.Errorf("client through the trap: %v, %q; want the connection lost at COMMIT", err, stderr)
	}
	select {
	case <-exited:
	default:
		t.Error("the hook did not run: the stand-in process is alive")
	}
	if got := srv.exec(t, db, "SELECT GROUP_CONCAT(a) FROM t"); got != "1\n" {
		t.Errorf("rows on the server: %q, want the committed 1 only", got)
	}

	trap.setHook(nil)
	if _, stderr, err := srv.cli(t, trap.addr(), db, "BEGIN; INSERT INTO t VALUES (3); commit;"); err != nil {
		t.Fatalf("client through the trap without a hook: %v: %s", err, stderr)
	}
	if n := trap.commits.Load(); n != 2 {
		t.Errorf("%d commits counted, want 2", n)
	}
}
