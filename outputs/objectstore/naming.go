package objectstore

import (
	"errors"
	"strings"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/template"
)

// DefaultName is the default name template of file and object keys.
const DefaultName = "{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ batch_time }}_{{ batch_id }}"

// NameTemplate parses a key or name template given in attribute attr. It
// must contain {{ batch_id }}: that is what makes a re-sent batch find its
// own key and keeps two batches (or two data_dirs) from sharing one.
func NameTemplate(attr, s string) (*template.Template, error) {
	t, err := template.Parse(s)
	if err != nil {
		return nil, component.Errorf(attr, "%v", err)
	}
	if !t.HasBatchID() {
		return nil, component.Errorf(attr, "must contain {{ batch_id }}, so that every batch gets its own name")
	}
	return t, nil
}

// Parse checks the attributes every store shares (format, compression and
// the name template in attribute nameAttr) and returns all problems joined.
func Parse(format, compression, nameAttr, name string) (Codec, *template.Template, error) {
	c, cerr := NewCodec(format, compression)
	t, terr := NameTemplate(nameAttr, name)
	return c, t, errors.Join(cerr, terr)
}

// Key renders the key of batch b: prefix (if any), '/', the template
// completed with the batch's specials, and the codec's extension.
func Key(t *template.Template, prefix string, b *event.Batch, c Codec) string {
	name := t.Render(b.Partition, template.BatchVars{BatchID: b.ID, FirstSeq: b.FirstSeq, Time: b.Time})
	name += c.Extension()
	if prefix = strings.TrimSuffix(prefix, "/"); prefix == "" {
		return name
	}
	return prefix + "/" + name
}
