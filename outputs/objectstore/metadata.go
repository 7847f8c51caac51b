package objectstore

import (
	"strconv"

	"github.com/auditship/auditship/internal/event"
)

// Metadata is the user metadata every object store writes with a batch, so
// that verify and replay can tell what an object holds without reading it.
// Keys are lower-case identifiers: Azure allows only C# identifiers, and
// S3 folds case.
func Metadata(b *event.Batch) map[string]string {
	return map[string]string{
		"auditship_stream":    b.Stream,
		"auditship_pipeline":  b.Pipeline,
		"auditship_batch_id":  b.ID,
		"auditship_first_seq": strconv.FormatUint(b.FirstSeq, 10),
		"auditship_last_seq":  strconv.FormatUint(b.LastSeq, 10),
		"auditship_count":     strconv.Itoa(b.Count),
		"auditship_sha256":    b.SHA256,
	}
}
