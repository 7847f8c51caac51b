package s3

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

// TestSilentStoreIsRetryable: a store that takes the request and never
// answers makes Write fail, retryable, instead of hanging.
func TestSilentStoreIsRetryable(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stop }))
	defer srv.Close()
	defer close(stop)
	defer func(d time.Duration) { responseTimeout = d }(responseTimeout)
	responseTimeout = 100 * time.Millisecond

	c := newConfig()
	c.Bucket, c.Endpoint, c.ForcePathStyle, c.AccessKeyID, c.SecretAccessKey = "acme-audit", srv.URL, true, "AK", "SK"
	o := newTestOutput(t, c)
	b, _ := spooled(t, o, plugintest.Events(1, 1, "flow"))
	start := time.Now()
	err := o.Write(context.Background(), b)
	if err == nil || outputs.IsPermanent(err) || outputs.IsRejected(err) {
		t.Fatalf("Write to a silent store = %v, want a retryable error", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Write took %v", d)
	}
}
