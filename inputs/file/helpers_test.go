package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/event"
)

// env is one test's log directory and state directory.
type env struct {
	t     *testing.T
	logs  string
	state string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, logs: filepath.Join(root, "logs"), state: filepath.Join(root, "state")}
	for _, d := range []string{e.logs, e.state} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) path(name string) string { return filepath.Join(e.logs, name) }

// start creates an input over e.logs; mod adjusts the config and settings.
func (e *env) start(first bool, mod func(*Config, *inputs.Settings)) *input {
	e.t.Helper()
	cfg := NewConfig()
	cfg.Paths = []string{filepath.Join(e.logs, "*.log*")}
	cfg.ScanInterval = "50ms"
	s := inputs.Settings{
		Pipeline: "p", Name: "in", StateDir: e.state, FirstStart: first,
		Decoder: format.NewParallel(format.Options{Format: "auto", Input: "in"}, 2),
		Framing: record.Config{Format: "json"},
	}
	if mod != nil {
		mod(cfg, &s)
	}
	if err := cfg.Validate(); err != nil {
		e.t.Fatal(err)
	}
	in, err := newInput(cfg, s)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { in.Close(context.Background()) })
	return in
}

// write appends data to name, creating it.
func (e *env) write(name, data string) {
	e.t.Helper()
	f, err := os.OpenFile(e.path(name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		e.t.Fatal(err)
	}
}

// lines renders JSON lines tag-from .. tag-(to-1).
func lines(tag string, from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "{\"n\":\"%s-%04d\"}\n", tag, i)
	}
	return b.String()
}

// raws lists the raw lines of the events of data, in order.
func raws(data string) []string {
	if data == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(data, "\n"), "\n")
}

// got is what reads returned.
type got struct {
	events []*event.Event
	acks   []event.AckFunc
}

func (g *got) raws() []string {
	var out []string
	for _, e := range g.events {
		out = append(out, string(e.Raw))
	}
	return out
}

func (g *got) ackAll() {
	for _, a := range g.acks {
		a(nil)
	}
	g.acks = nil
}

// read reads until n events arrived or d passed.
func read(t *testing.T, in *input, n int, d time.Duration) *got {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	g := &got{}
	for len(g.events) < n {
		evs, ack, err := in.Read(ctx)
		if len(evs) > 0 {
			g.events = append(g.events, evs...)
			g.acks = append(g.acks, ack)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
	}
	return g
}

// expect reads exactly want (in any order across files, in order per file)
// and then nothing more for a while.
func expect(t *testing.T, in *input, want []string) *got {
	t.Helper()
	g := read(t, in, len(want), 5*time.Second)
	more := read(t, in, 1, 300*time.Millisecond)
	g.events, g.acks = append(g.events, more.events...), append(g.acks, more.acks...)
	if d := diffSet(want, g.raws()); d != "" {
		t.Fatalf("lines read (-want +got):\n%s", d)
	}
	return g
}

func hasFlag(e *event.Event, key string) bool {
	for _, f := range e.Meta {
		if string(f.Key) == key {
			return true
		}
	}
	return false
}
