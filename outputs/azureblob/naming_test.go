package azureblob

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

func TestKey(t *testing.T) {
	tests := []struct {
		name, container, tmpl string
		flow                  string
		want                  string
		meta                  string // meta_container
	}{
		{"per-flow container", "audit-{{ workflowDefinitionId }}", "", "Onboarding",
			"audit-onboarding/orders/2024/05/13/orders_20240513T080001Z_s1-00000000000000000001.ndjson.gz", ""},
		{"constant container", "Audit_Logs", "{{ workflowDefinitionId }}/{{ batch_id }}", "a/b",
			"audit-logs/a_b/s1-00000000000000000001.ndjson.gz", ""},
		{"several parts on both sides", "{{ pipeline }}-{{ workflowDefinitionId }}-{{ n }}-{{ output }}",
			"{{ n }}_{{ workflowDefinitionId }}_{{ output }}_{{ batch_id }}", "Flow",
			"orders-flow-0-archive/0_Flow_archive_s1-00000000000000000001.ndjson.gz", ""},
		{"batch-level specials in the container", "audit-{{ date }}", "{{ batch_id }}", "x",
			"audit-2024-05-13/s1-00000000000000000001.ndjson.gz", "audit-chain"},
		{"invalid container", "{{ workflowDefinitionId }}", "{{ batch_id }}", "!!",
			"/s1-00000000000000000001.ndjson.gz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newUnitOutput(t, func(c *Config) {
				c.Container, c.MetaContainer = tt.container, tt.meta
				if tt.tmpl != "" {
					c.Name = tt.tmpl
				}
			})
			b := spooled(t, o, "orders", plugintest.Events(1, 1, tt.flow))
			if b.Key != tt.want {
				t.Errorf("Key = %q, want %q", b.Key, tt.want)
			}
		})
	}
}

func TestPartitionSeparatesFlows(t *testing.T) {
	o := newUnitOutput(t, func(c *Config) { c.Name = "{{ n }}/{{ batch_id }}" })
	a, b := plugintest.Events(1, 1, "a")[0], plugintest.Events(1, 1, "b")[0]
	if o.Partition(a) == o.Partition(b) {
		t.Error("events of two containers share a partition")
	}
	if a2 := plugintest.Events(5, 1, "a")[0]; o.Partition(a) != o.Partition(a2) {
		t.Error("events of one container and name differ in partition")
	}
	if diff := cmp.Diff([]string{"workflowDefinitionId", "n"}, o.PartitionFields()); diff != "" {
		t.Errorf("PartitionFields (-want +got):\n%s", diff)
	}
}

func TestInvalidContainerIsRejected(t *testing.T) {
	o := newUnitOutput(t, func(c *Config) { c.Container = "{{ workflowDefinitionId }}" })
	err := o.Write(context.Background(), spooled(t, o, "orders", plugintest.Events(1, 2, "!!")))
	if !outputs.IsRejected(err) || !strings.Contains(err.Error(), `"!!"`) {
		t.Fatalf("Write = %v, want a rejection naming the rendered container", err)
	}
}

func TestSplit(t *testing.T) {
	for seps, p := range map[int]string{0: "c\x00n1\x00n2", 1: "c1\x00c2\x00n1\x00n2", 2: "a\x00b\x00c\x00n"} {
		n := &naming{seps: seps}
		c, name := n.split(p)
		if strings.Count(c, sep) != seps || c+sep+name != p {
			t.Errorf("split(%q) with %d = %q, %q", p, seps, c, name)
		}
	}
}

func TestListPrefixes(t *testing.T) {
	tests := []struct {
		container, name string
		wantC           string
		wantExact       bool
		wantN           string
	}{
		{"audit-{{ flow }}", "Hire2Retire_{{ flow }}_{{ batch_id }}", "audit", false, "Hire2Retire_"},
		{"Audit_Logs", "{{ batch_id }}", "audit-logs", true, ""},
		{"{{ pipeline }}-x", "{{ batch_id }}", "", false, ""},
	}
	for _, tt := range tests {
		o := newUnitOutput(t, func(c *Config) { c.Container, c.Name = tt.container, tt.name })
		c, exact, n := o.names.listPrefixes()
		if c != tt.wantC || exact != tt.wantExact || n != tt.wantN {
			t.Errorf("%q, %q: listPrefixes = %q, %v, %q", tt.container, tt.name, c, exact, n)
		}
	}
}

func TestConstantPartitionDoesNotAllocate(t *testing.T) {
	o := newUnitOutput(t, func(c *Config) { c.Container = "audit-{{ pipeline }}" })
	e := plugintest.Events(1, 1, "x")[0]
	if n := testing.AllocsPerRun(100, func() { o.Partition(e) }); n != 0 {
		t.Errorf("Partition allocates %v times per event", n)
	}
	if c, name := o.names.split(o.Partition(e)); c != "orders" || name != "orders\x00orders" {
		t.Errorf("constant partition splits into %q, %q", c, name)
	}
}
