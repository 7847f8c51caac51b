package objectstore

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name                string
		format, compression string
		tmpl                string
		wantAttrs           []string
	}{
		{"default", "ndjson", "gzip", DefaultName, nil},
		{"no batch id", "ndjson", "gzip", "{{ pipeline }}/x", []string{"key"}},
		{"bad template", "ndjson", "gzip", "{{ pipeline }/{{ batch_id }}", []string{"key"}},
		{"all bad", "xml", "lz4", "x", []string{"format", "compression", "key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, tmpl, err := Parse(tt.format, tt.compression, "key", tt.tmpl)
			if diff := cmp.Diff(tt.wantAttrs, attrs(err)); diff != "" {
				t.Fatalf("attrs (-want +got):\n%s", diff)
			}
			if err == nil && tmpl.String() != tt.tmpl {
				t.Errorf("template = %q, want %q", tmpl.String(), tt.tmpl)
			}
		})
	}
}

func TestKey(t *testing.T) {
	tmpl, err := NameTemplate("name", DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	berlin := time.FixedZone("CEST", 2*3600)
	b := &event.Batch{Pipeline: "orders", Output: "archive", ID: "s1-00000000000000000042", FirstSeq: 42,
		Time: time.Date(2024, 5, 13, 1, 2, 3, 0, berlin)}
	b.Partition = tmpl.Partition(&event.Event{}, b.Pipeline, b.Output, SanitizeName)
	tests := []struct {
		prefix string
		codec  Codec
		want   string
	}{
		{"", Codec{FormatNDJSON, CompressionNone}, "orders/2024/05/12/orders_20240512T230203Z_s1-00000000000000000042.ndjson"},
		{"audit", Codec{FormatNDJSON, CompressionGzip}, "audit/orders/2024/05/12/orders_20240512T230203Z_s1-00000000000000000042.ndjson.gz"},
		{"audit/", Codec{FormatJSONArray, CompressionZstd}, "audit/orders/2024/05/12/orders_20240512T230203Z_s1-00000000000000000042.json.zst"},
	}
	for _, tt := range tests {
		if got := Key(tmpl, tt.prefix, b, tt.codec); got != tt.want {
			t.Errorf("Key(%q, %v) = %q, want %q", tt.prefix, tt.codec, got, tt.want)
		}
	}
}
