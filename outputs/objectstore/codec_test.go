package objectstore

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/component"
)

func TestCodecNames(t *testing.T) {
	tests := []struct {
		codec     Codec
		ext, mime string
	}{
		{Codec{FormatNDJSON, CompressionNone}, ".ndjson", "application/x-ndjson"},
		{Codec{FormatNDJSON, CompressionGzip}, ".ndjson.gz", "application/gzip"},
		{Codec{FormatNDJSON, CompressionZstd}, ".ndjson.zst", "application/zstd"},
		{Codec{FormatJSONArray, CompressionNone}, ".json", "application/json"},
		{Codec{FormatJSONArray, CompressionGzip}, ".json.gz", "application/gzip"},
		{Codec{FormatJSONArray, CompressionZstd}, ".json.zst", "application/zstd"},
	}
	for _, tt := range tests {
		if got := tt.codec.Extension(); got != tt.ext {
			t.Errorf("%v.Extension() = %q, want %q", tt.codec, got, tt.ext)
		}
		if got := tt.codec.ContentType(); got != tt.mime {
			t.Errorf("%v.ContentType() = %q, want %q", tt.codec, got, tt.mime)
		}
	}
}

func TestNewCodec(t *testing.T) {
	tests := []struct {
		format, compression string
		wantAttrs           []string
	}{
		{"ndjson", "none", nil},
		{"json_array", "zstd", nil},
		{"csv", "gzip", []string{"format"}},
		{"ndjson", "bzip2", []string{"compression"}},
		{"", "", []string{"format", "compression"}},
	}
	for _, tt := range tests {
		_, err := NewCodec(tt.format, tt.compression)
		if diff := cmp.Diff(tt.wantAttrs, attrs(err)); diff != "" {
			t.Errorf("NewCodec(%q, %q) attrs (-want +got):\n%s", tt.format, tt.compression, diff)
		}
	}
}

// attrs lists the attributes err's AttrErrors name.
func attrs(err error) []string {
	var out []string
	for _, ae := range component.AttrErrors(err) {
		out = append(out, ae.Attr)
	}
	return out
}
