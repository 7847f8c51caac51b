package packaging

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
)

// TestSystemdUnit checks the hardening and lifecycle settings the unit
// must keep, and that systemd waits longer than the agent drains.
func TestSystemdUnit(t *testing.T) {
	unit := readUnit(t, "systemd/auditship.service")
	want := map[string]string{
		"User":            "auditship",
		"StateDirectory":  "auditship",
		"ProtectSystem":   "strict",
		"NoNewPrivileges": "true",
		"PrivateTmp":      "true",
		"Restart":         "on-failure",
		"ExecStart":       "/usr/bin/auditship run -c /etc/auditship --data-dir /var/lib/auditship",
		"ExecReload":      "/bin/kill -HUP $MAINPID",
		"WantedBy":        "multi-user.target",
	}
	for k, v := range want {
		if unit[k] != v {
			t.Errorf("%s=%q, want %q", k, unit[k], v)
		}
	}
	stop, err := time.ParseDuration(unit["TimeoutStopSec"] + "s")
	if err != nil {
		t.Fatalf("TimeoutStopSec=%q: %v", unit["TimeoutStopSec"], err)
	}
	if drain := exampleConfig(t).ShutdownTimeout; stop <= drain {
		t.Errorf("TimeoutStopSec %v is not above shutdown_timeout %v", stop, drain)
	}
}

// TestExampleConfig validates /etc/auditship as packaged, with the
// components the binary registers.
func TestExampleConfig(t *testing.T) {
	cfg := exampleConfig(t)
	if p, i, o := cfg.Counts(); p != 1 || i != 1 || o != 1 {
		t.Errorf("example config counts %d pipelines, %d inputs, %d outputs; want 1, 1, 1", p, i, o)
	}
	if cfg.MetricsAddr == "" {
		t.Error("example config sets no metrics_addr: nothing would serve /healthz")
	}
}

func exampleConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, diags := config.Load("etc/auditship", agent.Components())
	for _, d := range diags {
		t.Error(d.String())
	}
	if cfg == nil {
		t.FailNow()
	}
	return cfg
}

// readUnit reads key=value lines of a unit file (the last one wins).
func readUnit(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			kv[k] = v
		}
	}
	return kv
}
