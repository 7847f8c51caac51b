package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/zstd"

	"github.com/auditship/auditship/internal/testenv"
)

const body = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n"

func gz(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zst(t *testing.T, s string) []byte {
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll([]byte(s), nil)
}

func TestCountObject(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		wantErr bool
	}{
		{"b.ndjson", []byte(body), false},
		{"b.ndjson.gz", gz(t, body), false},
		{"b.ndjson.zst", zst(t, body), false},
		{"b.ndjson.gz", []byte(body), true}, // not gzip
	}
	for _, tt := range tests {
		raw, lines, err := countObject(bytes.NewReader(tt.data), tt.name, make([]byte, 7))
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s of plain bytes: no error", tt.name)
			}
			continue
		}
		if err != nil || raw != int64(len(body)) || lines != 3 {
			t.Errorf("%s: %d bytes, %d lines, %v; want %d, 3", tt.name, raw, lines, err, len(body))
		}
	}
}

// checkRun creates the store, puts two objects with put, and checks the
// line storestat prints and that -delete leaves nothing.
func checkRun(t *testing.T, st store, put func(name string, data []byte) error) {
	t.Helper()
	if err := run(&bytes.Buffer{}, st, true, false); err != nil {
		t.Fatal(err)
	}
	a, b := gz(t, body), []byte("x\n")
	if err := put("p/a.ndjson.gz", a); err != nil {
		t.Fatal(err)
	}
	if err := put("p/b.ndjson", b); err != nil {
		t.Fatal(err)
	}
	// The integrity chain's files are no batches: not counted.
	if err := put("_auditship/manifests/p/o/s/00000000000000000000.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, st, false, true); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintln(2, len(a)+len(b), len(body)+2, 4)
	if out.String() != want {
		t.Errorf("printed %q, want %q", out.String(), want)
	}
	if objs, err := st.list(context.Background()); err == nil {
		t.Errorf("after -delete, list found %d objects and no error", len(objs))
	}
}

func unique(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}

func TestS3(t *testing.T) {
	v := testenv.Need(t, "AUDITSHIP_TEST_S3_ENDPOINT", "AUDITSHIP_TEST_S3_ACCESS_KEY", "AUDITSHIP_TEST_S3_SECRET_KEY")
	testenv.Reachable(t, strings.TrimPrefix(v[0], "http://"))
	st := newS3(v[0], unique("storestat"), v[1], v[2])
	checkRun(t, st, func(name string, data []byte) error {
		_, err := st.c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &st.bucket, Key: &name,
			Body: bytes.NewReader(data)})
		return err
	})
}

func TestAzure(t *testing.T) {
	conn := testenv.Need(t, "AUDITSHIP_TEST_AZURE_CONN")[0]
	testenv.Reachable(t, "127.0.0.1:10000")
	st, err := newAzure(conn, unique("storestat"))
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, st, func(name string, data []byte) error {
		_, err := st.c.UploadBuffer(context.Background(), st.container, name, data, &azblob.UploadBufferOptions{})
		return err
	})
}
