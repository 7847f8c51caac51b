package objectstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/auditship/auditship/internal/event"
)

var update = flag.Bool("update", false, "rewrite golden files")

var allCodecs = []Codec{
	{FormatNDJSON, CompressionNone}, {FormatNDJSON, CompressionGzip}, {FormatNDJSON, CompressionZstd},
	{FormatJSONArray, CompressionNone}, {FormatJSONArray, CompressionGzip}, {FormatJSONArray, CompressionZstd},
}

func encode(t testing.TB, c Codec, evs []*event.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := NewEncoder(&buf, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decompress(t *testing.T, c Codec, b []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(b)
	switch c.Compression {
	case CompressionGzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case CompressionZstd:
		zr, err := zstd.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decompress %s: %v", c.Compression, err)
	}
	return out
}

// want renders evs the way the codec's format should, from AppendJSON.
func want(c Codec, evs []*event.Event) []byte {
	var out []byte
	for i, ev := range evs {
		if c.Format == FormatJSONArray {
			out = append(out, map[bool]string{true: "[\n", false: ",\n"}[i == 0]...)
		}
		out = ev.AppendJSON(out)
		if c.Format == FormatNDJSON {
			out = append(out, '\n')
		}
	}
	if c.Format == FormatJSONArray {
		out = append(out, map[bool]string{true: "[]\n", false: "\n]\n"}[len(evs) == 0]...)
	}
	return out
}

func TestEncoderRoundTrip(t *testing.T) {
	for _, c := range allCodecs {
		for _, n := range []int{0, 1, 3, 2000} { // 2000 events cross flushSize
			evs := sampleEvents(n)
			got := decompress(t, c, encode(t, c, evs))
			if diff := cmp.Diff(string(want(c, evs)), string(got)); diff != "" {
				t.Fatalf("%v, %d events (-want +got):\n%s", c, n, diff)
			}
			if c.Format == FormatJSONArray {
				var arr []map[string]any
				if err := json.Unmarshal(got, &arr); err != nil || len(arr) != n {
					t.Fatalf("%v: %d elements, %v; want a JSON array of %d", c, len(arr), err, n)
				}
			}
		}
	}
}

func TestEncoderGolden(t *testing.T) {
	for _, c := range []Codec{{FormatNDJSON, CompressionNone}, {FormatJSONArray, CompressionNone}} {
		got := encode(t, c, sampleEvents(3))
		golden := filepath.Join("testdata", "three"+c.Extension())
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		wantb, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(wantb), string(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", golden, diff)
		}
	}
}

// TestEncoderStandardTools checks that gzip(1) and zstd(1) read our objects.
func TestEncoderStandardTools(t *testing.T) {
	tools := map[string]string{CompressionGzip: "gzip", CompressionZstd: "zstd"}
	evs := sampleEvents(500)
	for comp, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("%s not installed: skipped", tool)
			continue
		}
		c := Codec{FormatNDJSON, comp}
		name := filepath.Join(t.TempDir(), "batch"+c.Extension())
		if err := os.WriteFile(name, encode(t, c, evs), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := exec.Command(tool, "-dc", name).Output()
		if err != nil {
			t.Fatalf("%s -dc: %v", tool, err)
		}
		if !bytes.Equal(got, want(c, evs)) {
			t.Errorf("%s -dc output differs from the events encoded", tool)
		}
	}
}

func TestEncoderReset(t *testing.T) {
	for _, c := range allCodecs {
		var first, second bytes.Buffer
		enc, err := NewEncoder(&first, c, 0)
		if err != nil {
			t.Fatal(err)
		}
		enc.Encode(sampleEvents(1)[0])
		enc.Encode(sampleEvents(1)[0]) // unfinished: dropped by Reset
		enc.Reset(&second)
		evs := sampleEvents(5)
		for _, ev := range evs {
			enc.Encode(ev)
		}
		if err := enc.Close(); err != nil {
			t.Fatal(err)
		}
		if got := decompress(t, c, second.Bytes()); !bytes.Equal(got, want(c, evs)) {
			t.Errorf("%v: object after Reset differs", c)
		}
		if enc.Count() != 5 || enc.RawBytes() != int64(len(want(c, evs))) {
			t.Errorf("%v: Count, RawBytes = %d, %d; want 5, %d", c, enc.Count(), enc.RawBytes(), len(want(c, evs)))
		}
	}
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestEncoderStreams checks that the encoder never holds much more than
// flushSize: a 64 MiB batch must not sit in memory.
func TestEncoderStreams(t *testing.T) {
	var w countingWriter
	enc, _ := NewEncoder(&w, Codec{FormatNDJSON, CompressionNone}, 0)
	total := 0
	for _, ev := range sampleEvents(5000) {
		enc.Encode(ev)
		total += len(ev.AppendJSON(nil)) + 1
		if held := total - w.n; held > flushSize {
			t.Fatalf("after %d bytes, %d are held back; want at most %d", total, held, flushSize)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestEncoderWriteError(t *testing.T) {
	for _, c := range allCodecs {
		enc, _ := NewEncoder(failingWriter{}, c, 0)
		var err error
		for _, ev := range sampleEvents(3000) {
			if err = enc.Encode(ev); err != nil {
				break
			}
		}
		if err == nil {
			err = enc.Close()
		}
		if err == nil || enc.Close() == nil {
			t.Errorf("%v: no error from a failing writer", c)
		}
		if enc.Encode(sampleEvents(1)[0]) == nil {
			t.Errorf("%v: Encode after an error succeeded", c)
		}
	}
}

func TestNewEncoderBadLevel(t *testing.T) {
	if _, err := NewEncoder(io.Discard, Codec{FormatNDJSON, CompressionGzip}, 42); err == nil {
		t.Error("gzip level 42 accepted")
	}
	if _, err := NewEncoder(io.Discard, Codec{FormatNDJSON, "lz4"}, 0); err == nil {
		t.Error("compression lz4 accepted")
	}
}
