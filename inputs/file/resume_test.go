package file

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/auditship/auditship/inputs"
)

// TestResumeSkipsWhatTheBufferHolds: with no checkpoint, records ending at
// or before the buffer's mark for the source are not read again, and the
// events carry the source key the mark is looked up by.
func TestResumeSkipsWhatTheBufferHolds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	data := "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n"
	sid := sha256.Sum256([]byte(`{"a":1}`))
	key := hex.EncodeToString(sid[:])
	var asked []string
	in := e.start(true, func(_ *Config, s *inputs.Settings) {
		s.Resume = func(k string) (int64, bool) {
			asked = append(asked, k)
			return 16, k == key // the first two lines are durable
		}
	})
	e.write("a.log", data)
	g := expect(t, in, []string{`{"c":3}`})
	if got := g.events[0].Source.Key; got != key {
		t.Errorf("Source.Key = %q, want %q", got, key)
	}
	if len(asked) != 1 {
		t.Errorf("Resume asked %d times, want once per source", len(asked))
	}
}
