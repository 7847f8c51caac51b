package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func opts(argv ...string) options {
	return options{label: "t", events: 1000, bytes: 1e6, poll: 5 * time.Millisecond, timeout: 20 * time.Second, argv: argv}
}

func TestMeasureStdinToStdout(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	data := strings.Repeat("line\n", 100000)
	if err := os.WriteFile(in, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	o := opts("cat")
	o.stdin, o.stdout = in, out
	r, err := measure(o)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	if string(got) != data || r.exitCode != 0 || r.failed() {
		t.Errorf("cat copied %d of %d bytes, exit %d", len(got), len(data), r.exitCode)
	}
	if r.maxRSS <= 0 || r.wall <= 0 || r.out != -1 {
		t.Errorf("rusage not read: %+v", r)
	}
}

func TestMeasureExitCode(t *testing.T) {
	r, err := measure(opts("sh", "-c", "exit 3"))
	if err != nil || r.exitCode != 3 || !r.failed() {
		t.Errorf("exit = %d, %v; want 3 and failed", r.exitCode, err)
	}
}

// TestUntil: a command that never ends is stopped with SIGTERM once the
// watched directory holds enough finished lines; temp files do not count.
func TestUntil(t *testing.T) {
	dir := t.TempDir()
	script := `trap 'exit 0' TERM
mkdir -p "$1/a"
printf 'x\nx\nx\n' > "$1/a/.auditship-tmp-1"
printf 'x\nx\n' > "$1/a/b1.ndjson"
printf 'x\n' > "$1/b2.ndjson"
while :; do sleep 0.01; done`
	o := opts("sh", "-c", script, "sh", dir)
	o.watch, o.until = dir, 3
	r, err := measure(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.killed, "sigterm@") || r.exitCode != 0 || r.out != 3 || r.failed() {
		t.Errorf("killed %q, exit %d, out %d; want sigterm, 0, 3", r.killed, r.exitCode, r.out)
	}
}

func TestTimeout(t *testing.T) {
	o := opts("sleep", "10")
	o.timeout = 50 * time.Millisecond
	r, err := measure(o)
	if err != nil || r.killed != "timeout" || r.exitCode != 137 || !r.failed() {
		t.Errorf("killed %q, exit %d, %v; want timeout, 137", r.killed, r.exitCode, err)
	}
}

func TestPrint(t *testing.T) {
	base := result{opts: options{label: "json", events: 2000000, bytes: 1e9}, wall: 4 * time.Second,
		cpu: 6 * time.Second, maxRSS: 48 << 20, out: 900000, fsyncRate: -1}
	withStore := base
	withStore.fsyncRate, withStore.store = 12.345, &storeStat{objects: 10, stored: 250, raw: 1000, events: 900000}
	tests := []struct {
		name string
		r    result
		want string
	}{
		{"plain", base, "json 2000000 4.00 500000 250.0 3.00 48.0 - - - 900000 0"},
		{"fsyncs and store", withStore, "json 2000000 4.00 500000 250.0 3.00 48.0 12.3 2.5 0.250 900000 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printHeader(&b)
			tt.r.print(&b)
			got := strings.Join(strings.Fields(strings.Split(b.String(), "\n")[2]), " ")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("row (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTarget(t *testing.T) {
	tests := []struct {
		spec, want string
	}{
		{"target (buffer),250000,4,64", "target (buffer) >=250000 <=4 <64"},
		{"target (backlog),,,64", "target (backlog) <64"},
		{"target (s3),150000,,", "target (s3) >=150000"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := printTarget(&b, tt.spec); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(strings.Fields(b.String()), " "); got != tt.want {
			t.Errorf("%q printed %q, want %q", tt.spec, got, tt.want)
		}
	}
	for _, bad := range []string{"x,1,2", "x,a,2,3"} {
		if err := printTarget(&bytes.Buffer{}, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
