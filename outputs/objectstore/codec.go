// Package objectstore holds what the stores that write one named object per
// batch share (file, s3, azure_blob): the codec (format and compression), the
// streaming encoder, the name template attributes, sanitisers and key
// rendering.
package objectstore

import (
	"errors"

	"github.com/auditship/auditship/internal/component"
)

// Formats and compressions a Codec accepts.
const (
	FormatNDJSON    = "ndjson"     // one envelope per line
	FormatJSONArray = "json_array" // one JSON array of envelopes

	CompressionNone = "none"
	CompressionGzip = "gzip"
	CompressionZstd = "zstd"
)

// Codec says how a batch is encoded into one object.
type Codec struct {
	Format      string
	Compression string
}

// NewCodec checks format and compression; errors name the attribute.
func NewCodec(format, compression string) (Codec, error) {
	var errs []error
	if format != FormatNDJSON && format != FormatJSONArray {
		errs = append(errs, component.Errorf("format", "must be %q or %q, not %q", FormatNDJSON, FormatJSONArray, format))
	}
	switch compression {
	case CompressionNone, CompressionGzip, CompressionZstd:
	default:
		errs = append(errs, component.Errorf("compression", "must be %q, %q or %q, not %q",
			CompressionNone, CompressionGzip, CompressionZstd, compression))
	}
	return Codec{Format: format, Compression: compression}, errors.Join(errs...)
}

// Extension is the name suffix: ".ndjson" or ".json", then ".gz" or ".zst".
func (c Codec) Extension() string {
	ext := ".ndjson"
	if c.Format == FormatJSONArray {
		ext = ".json"
	}
	switch c.Compression {
	case CompressionGzip:
		return ext + ".gz"
	case CompressionZstd:
		return ext + ".zst"
	}
	return ext
}

// ContentType is the object's media type. A compressed object is typed by
// its compression and stored without Content-Encoding, so that HTTP clients
// do not decompress it behind the reader's back.
func (c Codec) ContentType() string {
	switch {
	case c.Compression == CompressionGzip:
		return "application/gzip"
	case c.Compression == CompressionZstd:
		return "application/zstd"
	case c.Format == FormatJSONArray:
		return "application/json"
	}
	return "application/x-ndjson"
}
