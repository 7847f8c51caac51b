package azureblob

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/internal/units"
)

// putRecorder is a pipeline policy that keeps the headers of every Put
// Blob (a PUT without restype or comp), by blob path.
type putRecorder struct {
	mu   sync.Mutex
	puts map[string]http.Header
}

func (r *putRecorder) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	if q := raw.URL.Query(); raw.Method == http.MethodPut && q.Get("restype") == "" && q.Get("comp") == "" {
		r.mu.Lock()
		r.puts[raw.URL.Path] = raw.Header.Clone()
		r.mu.Unlock()
	}
	return req.Next()
}

// TestAzuriteImmutabilityHeaders: with an immutability block, every Put
// Blob the output sends (batch and chain file) asks for the version-level
// policy: x-ms-immutability-policy-mode and -until-date, retain from now.
// Azurite takes the headers but does not enforce the policy, so this
// checks the request rather than the store.
func TestAzuriteImmutabilityHeaders(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { c.Immutability = &Immutability{Mode: "locked", Retain: "7y"} })
	rec := &putRecorder{puts: map[string]http.Header{}}
	var err error
	o.client, err = azblob.NewClientFromConnectionString(a.conn, &azblob.ClientOptions{
		ClientOptions: azcore.ClientOptions{PerRetryPolicies: []policy.Policy{rec}}})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Now()
	b := spooled(t, o, "orders", plugintest.Events(1, 2, "flow"))
	write(t, o, b)
	if err := o.PutMeta(context.Background(), "_auditship/manifests/m.json", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	to := time.Now()
	for _, key := range []string{b.Key, o.meta + "/_auditship/manifests/m.json"} {
		h := rec.puts["/"+a.account+"/"+key]
		if h == nil {
			t.Fatalf("no Put Blob recorded for %s (recorded: %v)", key, rec.puts)
		}
		checkPolicy(t, key, h, "Locked", from.Add(7*units.Year), to.Add(7*units.Year))
	}
	c, name := splitKey(b.Key)
	props, err := a.client.ServiceClient().NewContainerClient(c).NewBlobClient(name).GetProperties(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the store reports the policy as mode %v until %v (Azurite: none, it does not keep them)",
		props.ImmutabilityPolicyMode, props.ImmutabilityPolicyExpiresOn)
}

// checkPolicy checks an upload's policy headers: mode, and an until-date
// between lo and hi (to the second: the header is an HTTP date).
func checkPolicy(t *testing.T, key string, h http.Header, mode string, lo, hi time.Time) {
	t.Helper()
	if got := header(h, "x-ms-immutability-policy-mode"); got != mode {
		t.Errorf("%s: x-ms-immutability-policy-mode %q, want %q", key, got, mode)
	}
	raw := header(h, "x-ms-immutability-policy-until-date")
	until, err := http.ParseTime(raw)
	if err != nil || until.Before(lo.Truncate(time.Second)) || until.After(hi) {
		t.Errorf("%s: x-ms-immutability-policy-until-date %q, want between %v and %v", key, raw, lo, hi)
	}
}

// header reads a header whatever its case: the SDK sets x-ms-* headers
// in lower case, bypassing http.Header's canonical keys.
func header(h http.Header, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// TestImmutabilityOptions: no block sets no policy; "unlocked" sets the
// Unlocked mode; every upload stays create-only.
func TestImmutabilityOptions(t *testing.T) {
	none := newUnitOutput(t, nil).uploadOptions(nil, "application/gzip")
	if none.ImmutabilityPolicyMode != nil || none.ImmutabilityPolicyExpiryTime != nil {
		t.Errorf("no immutability block: mode %v, expiry %v", none.ImmutabilityPolicyMode, none.ImmutabilityPolicyExpiryTime)
	}
	o := newUnitOutput(t, func(c *Config) { c.Immutability = &Immutability{Mode: "unlocked", Retain: "90d"} })
	before := time.Now()
	opts := o.uploadOptions(nil, "application/json")
	checkOptions(t, opts, before)
	for _, opts := range []*blockblob.UploadOptions{none, opts} {
		if m := opts.AccessConditions.ModifiedAccessConditions; m == nil || m.IfNoneMatch == nil || *m.IfNoneMatch != azcore.ETagAny {
			t.Error("upload is not create-only (If-None-Match: *)")
		}
	}
}

func checkOptions(t *testing.T, opts *blockblob.UploadOptions, before time.Time) {
	t.Helper()
	if opts.ImmutabilityPolicyMode == nil || !strings.EqualFold(string(*opts.ImmutabilityPolicyMode), "unlocked") {
		t.Errorf("mode %v, want Unlocked", opts.ImmutabilityPolicyMode)
	}
	exp := opts.ImmutabilityPolicyExpiryTime
	if exp == nil || exp.Before(before.Add(90*units.Day)) || exp.After(time.Now().Add(90*units.Day)) {
		t.Errorf("expiry %v, want 90 days from now", exp)
	}
}
