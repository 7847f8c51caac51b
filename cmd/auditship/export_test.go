package main

import (
	"strings"
	"testing"
	"time"
)

func TestExportQuery(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f := exportFlags{from: "arch", where: "workflowInstanceId == 'wf-1'", since: "2026-11-01", until: "36h"}
	q, info, err := exportQuery(f, now)
	if err != nil {
		t.Fatal(err)
	}
	since, until := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), now.Add(-36*time.Hour)
	if !q.Since.Equal(since) || !q.Until.Equal(until) || q.Where == nil {
		t.Errorf("query: since %v, until %v, where %v", q.Since, q.Until, q.Where)
	}
	if info.Output != "arch" || info.Where != f.where || !info.Since.Equal(since) || !info.Until.Equal(until) {
		t.Errorf("bundle.json request: %+v", info)
	}
	if _, info, _ := exportQuery(exportFlags{from: "arch"}, now); info.Since != nil || info.Until != nil {
		t.Error("open bounds are recorded as times")
	}
	for flag, bad := range map[string]exportFlags{
		"--where": {where: "workflowInstanceId =="},
		"--since": {since: "yesterday"},
		"--until": {until: "soon"},
	} {
		if _, _, err := exportQuery(bad, now); err == nil || !strings.HasPrefix(err.Error(), flag) {
			t.Errorf("%s %+v: %v, want an error naming the flag", flag, bad, err)
		}
	}
}

func TestExportUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--to-dir", t.TempDir()},
		{"--from", "arch"},
		{"--from", "arch", "--to-dir", t.TempDir(), "--where", "a =="},
	} {
		if code := cmdExport(args); code != exitUsage {
			t.Errorf("export %q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code := cmdCheckBundle(new(strings.Builder), t.TempDir(), "", false); code != exitUsage {
		t.Errorf("verify --bundle without --public-key: exit %d, want %d", code, exitUsage)
	}
}
