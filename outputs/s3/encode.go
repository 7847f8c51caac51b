package s3

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs/objectstore"
)

// scratch is what encoding one batch in memory takes; pooled, because
// compressors are costly to build and batches are large.
type scratch struct {
	buf bytes.Buffer
	enc *objectstore.Encoder
}

// encode turns a batch the sender did not spool into one that put can
// send: its events encoded in memory with the output's codec. The caller
// returns s to the pool once the batch is sent.
func (o *Output) encode(b *event.Batch) (*event.Batch, *scratch, error) {
	s, err := o.scratch()
	if err != nil {
		return nil, nil, err
	}
	for _, e := range b.Events {
		if err = s.enc.Encode(e); err != nil {
			break
		}
	}
	if err == nil {
		err = s.enc.Close()
	}
	if err != nil {
		o.scratches.Put(s)
		return nil, nil, err
	}
	return o.encoded(b, s), s, nil
}

func (o *Output) scratch() (*scratch, error) {
	if s, ok := o.scratches.Get().(*scratch); ok {
		s.buf.Reset()
		s.enc.Reset(&s.buf)
		return s, nil
	}
	s := &scratch{}
	enc, err := objectstore.NewEncoder(&s.buf, o.Codec, 0)
	s.enc = enc
	return s, err
}

// encoded is b as a journaling sender would have handed it over.
func (o *Output) encoded(b *event.Batch, s *scratch) *event.Batch {
	sum := sha256.Sum256(s.buf.Bytes())
	c := *b
	c.Key, c.Format, c.Compression = o.Key(b), o.Codec.Format, o.Codec.Compression
	c.ContentType, c.Body, c.Size = o.Codec.ContentType(), bytes.NewReader(s.buf.Bytes()), int64(s.buf.Len())
	c.SHA256 = hex.EncodeToString(sum[:])
	if c.Count == 0 {
		c.Count = s.enc.Count()
	}
	return &c
}
