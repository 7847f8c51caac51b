package azureblob

import (
	"context"
	"io"
	"sort"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

func TestAzuriteListOpen(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, nil)
	other := create(t, a.config(), "other")
	ctx := context.Background()
	bodies := map[string][]byte{}
	var want []string
	for i, flow := range []string{"x", "x-y", "x", "z"} {
		b := spooled(t, o, "orders", plugintest.Events(i*10+1, 2, flow))
		write(t, o, b)
		bodies[b.Key] = bodyOf(b)
		want = append(want, b.Key)
	}
	write(t, other, spooled(t, other, "other", plugintest.Events(100, 1, "x")))
	a.put(t, a.prefix+"x/foreign.txt", []byte("not a batch"), false)
	sort.Strings(want)

	var got []string
	for ref, err := range o.List(ctx, "orders") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ref.Key)
		if ref.Size != int64(len(bodies[ref.Key])) || ref.Metadata["auditship_count"] != "2" {
			t.Errorf("%s: size %d, metadata %v", ref.Key, ref.Size, ref.Metadata)
		}
		if data := open(t, o, ref); !cmp.Equal(data, bodies[ref.Key]) {
			t.Errorf("%s: Open returned %d bytes, want the %d written", ref.Key, len(data), len(bodies[ref.Key]))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List keys (-want +got):\n%s", diff)
	}
}

func TestAzuriteListStops(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, nil)
	for i := range 3 {
		write(t, o, spooled(t, o, "orders", plugintest.Events(i*10+1, 1, "f"+strconv.Itoa(i))))
	}
	n := 0
	for range o.List(context.Background(), "orders") {
		if n++; n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("List went on to %d after the loop stopped", n)
	}
}

func TestAzuriteListConstantContainer(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { c.Container = a.prefix + "all" })
	if keys := a.keys(t, o); len(keys) != 0 {
		t.Fatalf("List of a container not created yet: %q", keys)
	}
	b := spooled(t, o, "orders", plugintest.Events(1, 1, "x"))
	write(t, o, b)
	if diff := cmp.Diff([]string{b.Key}, a.keys(t, o)); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

func write(t *testing.T, o *Output, b *event.Batch) {
	t.Helper()
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, o *Output, ref outputs.BatchRef) []byte {
	t.Helper()
	rc, err := o.Open(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
