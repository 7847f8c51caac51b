package azureblob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// events makes n events of flow, numbered from first.
// spooled makes the batch a sender hands to o: encoded with o's codec,
// hashed, keyed, Events nil.
func spooled(t testing.TB, o *Output, pipeline string, evs []*event.Event) *event.Batch {
	t.Helper()
	first := evs[0].Seq
	b := &event.Batch{
		Pipeline: pipeline, Output: "archive", Stream: "s1",
		ID: fmt.Sprintf("s1-%020d", first), FirstSeq: first, LastSeq: evs[len(evs)-1].Seq,
		Time: evs[0].Time, Partition: o.Partition(evs[0]), Count: len(evs),
	}
	codec := o.names.codec
	var buf bytes.Buffer
	enc, err := objectstore.NewEncoder(&buf, codec, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	b.Key, b.Body, b.Size, b.SHA256 = o.Key(b), bytes.NewReader(buf.Bytes()), int64(buf.Len()), hex.EncodeToString(sum[:])
	b.Format, b.Compression, b.ContentType = codec.Format, codec.Compression, codec.ContentType()
	return b
}

// bodyOf reads a spooled batch's bytes back.
func bodyOf(b *event.Batch) []byte {
	p := make([]byte, b.Size)
	b.Body.ReadAt(p, 0)
	return p
}

// newUnitOutput creates an output against an unreachable account, for
// tests that need no server.
func newUnitOutput(t *testing.T, edit func(*Config)) *Output {
	t.Helper()
	c := base()
	c.AccountURL = "http://127.0.0.1:1/acct"
	if edit != nil {
		edit(c)
	}
	return create(t, c, "orders")
}

func create(t *testing.T, c *Config, pipeline string) *Output {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := NewFactory().Create(outputs.Settings{Pipeline: pipeline, Name: "archive"}, c)
	if err != nil {
		t.Fatal(err)
	}
	return out.(*Output)
}
