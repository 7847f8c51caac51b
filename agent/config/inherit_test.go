package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/outputs"
)

const inheritSrc = `
defaults {
  processor "categories" "audit" {
    include = ["workflow"]
  }
  processor "set" "env" {
    fields = { environment = "prod" }
  }
  output "s3" "archive" {
    bucket = "acme-audit"
    prefix = "audit"
    batch {
      interval   = "1h"
      max_events = 10
    }
  }
  output "mysql" "db" {
    host = "db1"
    tls {
      ca_file = "ca.pem"
    }
    table "events" {
      columns = { id = "_id" }
    }
    table "children" {
      columns = { id = "_id" }
    }
  }
  output "stdout" "console" {}
  buffer {
    max_size  = "2GiB"
    when_full = "drop_newest"
  }
}

pipeline "orders" {
  input "stdin" "in" {}
  processor "filter" "orders" {
    when = "workflowDefinitionId == 'orders'"
  }
  processor "set" "env" {
    fields = { environment = "staging" }
  }
  output "s3" "archive" {
    prefix = "audit/orders"
    batch {
      max_events = 20
    }
  }
  output "mysql" "db" {
    tls {
      cert_file = "cert.pem"
    }
    table "only" {
      columns = { id = "_id" }
    }
  }
  output "stdout" "console" {
    enabled = false
  }
  buffer {
    fsync = "always"
  }
}

pipeline "off" {
  enabled = false
  input "stdin" "in" {}
}
`

func TestInheritance(t *testing.T) {
	cfg := loadString(t, inheritSrc)
	if len(cfg.Pipelines) != 2 {
		t.Fatalf("got %d pipelines", len(cfg.Pipelines))
	}
	p := cfg.Pipelines[0]
	t.Run("processors in order, inherited first, overridden in place", func(t *testing.T) {
		var got []string
		for _, pr := range p.Processors {
			got = append(got, pr.Type+"/"+pr.Name)
		}
		want := []string{"categories/audit", "set/env", "filter/orders"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Error(diff)
		}
		if diff := cmp.Diff(&setConfig{Fields: map[string]string{"environment": "staging"}}, p.Processors[1].Config); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("override attribute by attribute", func(t *testing.T) {
		want := &s3Config{Bucket: "acme-audit", Prefix: "audit/orders", Key: "{{ pipeline }}_{{ batch_id }}"}
		if diff := cmp.Diff(want, p.Outputs[0].Config); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("nested batch merges over the type defaults", func(t *testing.T) {
		want := outputs.BatchConfig{MaxEvents: 20, MaxBytes: 64 << 20, Interval: time.Hour}
		if diff := cmp.Diff(want, p.Outputs[0].Batch); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("single block merges, repeated blocks replace", func(t *testing.T) {
		want := &mysqlConfig{Host: "db1", TLS: &tlsBlock{CAFile: "ca.pem", CertFile: "cert.pem"},
			Tables: []tableBlock{{Name: "only", Columns: map[string]string{"id": "_id"}}}}
		if diff := cmp.Diff(want, p.Outputs[1].Config); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("enabled = false turns an inherited output off", func(t *testing.T) {
		got := []bool{p.Outputs[0].Enabled, p.Outputs[1].Enabled, p.Outputs[2].Enabled}
		if diff := cmp.Diff([]bool{true, true, false}, got); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("buffer merges with defaults", func(t *testing.T) {
		want := Buffer{MaxSize: 2 << 30, WhenFull: "drop_newest", Fsync: "always", MaxPartitions: 1000, MaxRecordBytes: 16 << 20}
		if diff := cmp.Diff(want, p.Buffer); diff != "" {
			t.Error(diff)
		}
	})
	t.Run("a disabled pipeline is kept and inherits", func(t *testing.T) {
		off := cfg.Pipelines[1]
		if off.Enabled || off.Name != "off" || len(off.Outputs) != 3 || len(off.Processors) != 2 {
			t.Errorf("got %+v", off)
		}
		if diff := cmp.Diff(Buffer{MaxSize: 2 << 30, WhenFull: "drop_newest", Fsync: "batch", MaxPartitions: 1000, MaxRecordBytes: 16 << 20}, off.Buffer); diff != "" {
			t.Error(diff)
		}
	})
}

// The defaults' own blocks are not changed by a pipeline's override: a
// second pipeline sees the original values.
func TestInheritanceDoesNotLeak(t *testing.T) {
	cfg := loadString(t, `
defaults {
  output "s3" "archive" {
    bucket = "b"
    batch {
      max_events = 5
    }
  }
}
pipeline "a" {
  input "stdin" "in" {}
  output "s3" "archive" {
    bucket = "other"
    batch {
      max_events = 6
    }
  }
}
pipeline "b" {
  input "file" "in" {
    paths = ["/x"]
  }
}
`)
	b := cfg.Pipelines[1].Outputs[0]
	if diff := cmp.Diff(&s3Config{Bucket: "b", Key: "{{ pipeline }}_{{ batch_id }}"}, b.Config); diff != "" {
		t.Error(diff)
	}
	if b.Batch.MaxEvents != 5 {
		t.Errorf("max_events = %d, want 5", b.Batch.MaxEvents)
	}
}

// A disabled block is decoded leniently: required attributes and the
// plugin's own checks are skipped (SPEC's `output "mysql" "db" { enabled = false }`).
func TestDisabledBlockLenient(t *testing.T) {
	cfg := loadString(t, `
pipeline "p" {
  input "file" "in" {
    enabled  = false
    start_at = "whenever"
  }
  input "stdin" "std" {}
  output "mysql" "db" {
    enabled = false
  }
  output "stdout" "out" {}
}
`)
	p := cfg.Pipelines[0]
	if p.Inputs[0].Enabled || !p.Inputs[1].Enabled || p.Outputs[0].Enabled || !p.Outputs[1].Enabled {
		t.Errorf("enabled flags wrong: %+v %+v", p.Inputs, p.Outputs)
	}
}

func TestWhenCompiled(t *testing.T) {
	cfg := loadString(t, `
defaults {
  output "stdout" "out" {
    when = "category == 'workflow'"
  }
}
pipeline "p" {
  input "stdin" "in" {}
  output "file" "archive" {
    path = "/tmp/a"
  }
}
`)
	outs := cfg.Pipelines[0].Outputs
	if outs[0].When == nil || outs[0].WhenSource != "category == 'workflow'" {
		t.Errorf("when not compiled: %+v", outs[0])
	}
	if outs[1].When != nil || outs[1].WhenSource != "" {
		t.Errorf("unexpected when: %+v", outs[1])
	}
}
