package azureblob

import (
	"fmt"
	"strings"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/template"
	"github.com/auditship/auditship/outputs/objectstore"
)

// sep joins the container's and the name's partitions: the template
// package never leaves a NUL inside a value.
const sep = "\x00"

// naming renders where a batch goes: a container from the container
// template, a blob name from the name template. Both read event fields, so
// the partition holds both.
type naming struct {
	container, name  *template.Template
	meta             *template.Template // the integrity chain's container
	codec            objectstore.Codec
	pipeline, output string
	seps             int    // NULs inside the container template's partitions
	fixed            string // the partition when neither template reads fields
	constant         bool
}

func newNaming(p parsed, pipeline, output string) *naming {
	n := &naming{container: p.container, name: p.name, meta: p.meta, codec: p.codec, pipeline: pipeline, output: output}
	n.seps = strings.Count(n.container.Partition(&event.Event{}, pipeline, output, nil), sep)
	if len(n.container.Fields())+len(n.name.Fields()) == 0 {
		n.fixed, n.constant = n.partition(&event.Event{}), true
	}
	return n
}

// partition is the container's partition, NUL, the name's. Container field
// values stay raw here: the whole rendered name is sanitised per batch.
func (n *naming) partition(e *event.Event) string {
	if n.constant {
		return n.fixed // no allocation per event
	}
	return n.container.Partition(e, n.pipeline, n.output, nil) + sep +
		n.name.Partition(e, n.pipeline, n.output, objectstore.SanitizeName)
}

// split undoes partition: the separator is the (seps+1)th NUL.
func (n *naming) split(p string) (container, name string) {
	at := -1
	for range n.seps + 1 {
		i := strings.Index(p[at+1:], sep)
		if i < 0 {
			return p, ""
		}
		at += 1 + i
	}
	return p[:at], p[at+1:]
}

// key is "CONTAINER/NAME.EXT". A rendered container that cannot be made
// valid leaves CONTAINER empty: Write rejects such a batch.
func (n *naming) key(b *event.Batch) string {
	cp, np := n.split(b.Partition)
	vars := vars(b)
	c, err := objectstore.SanitizeContainer(n.container.Render(cp, vars))
	if err != nil {
		c = ""
	}
	return c + "/" + n.name.Render(np, vars) + n.codec.Extension()
}

// containerError explains why b's container name is invalid.
func (n *naming) containerError(b *event.Batch) error {
	cp, _ := n.split(b.Partition)
	_, err := objectstore.SanitizeContainer(n.container.Render(cp, vars(b)))
	return err
}

func vars(b *event.Batch) template.BatchVars {
	return template.BatchVars{BatchID: b.ID, FirstSeq: b.FirstSeq, Time: b.Time}
}

// splitKey splits "CONTAINER/NAME"; container names hold no '/'.
func splitKey(key string) (container, name string) {
	container, name, _ = strings.Cut(key, "/")
	return container, name
}

// metaContainer is the container of the integrity chain's files: the
// meta template (meta_container, else container) rendered for an event
// without fields (they render "none"), then sanitised as containers are.
func (n *naming) metaContainer() (string, error) {
	p := n.meta.Partition(&event.Event{}, n.pipeline, n.output, nil)
	c, err := objectstore.SanitizeContainer(n.meta.Render(p, template.BatchVars{}))
	if err != nil {
		return "", fmt.Errorf("azure_blob: container of the integrity chain's files: %w (set meta_container)", err)
	}
	return c, nil
}

// listPrefixes are the prefixes that List narrows containers and blob names
// to: the sanitised literal text before a template's first placeholder.
func (n *naming) listPrefixes() (container string, exact bool, name string) {
	name, _, _ = strings.Cut(n.name.String(), "{{")
	lit, _, templated := strings.Cut(n.container.String(), "{{")
	container, err := objectstore.SanitizeContainer(lit)
	if err != nil {
		container = "" // too short to narrow anything: list all
	}
	return container, !templated, name
}
