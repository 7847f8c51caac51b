package azureblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/auditship/auditship/outputs"
)

// responseError builds the SDK error of a service reply.
func responseError(status int, code string) error {
	req, _ := http.NewRequest(http.MethodPut, "https://acct.blob.core.windows.net/c/b?sig=SECRET", nil)
	resp := &http.Response{StatusCode: status, Status: http.StatusText(status), Request: req,
		Header: http.Header{"X-Ms-Error-Code": {code}}, Body: io.NopCloser(strings.NewReader(""))}
	return runtime.NewResponseError(resp)
}

type fate int

const (
	retryable fate = iota
	permanent
	rejected
)

func fateOf(err error) fate {
	switch {
	case outputs.IsRejected(err):
		return rejected
	case outputs.IsPermanent(err):
		return permanent
	}
	return retryable
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		want     fate
		wantText string
	}{
		{"bad key", responseError(403, "AuthenticationFailed"), permanent, "403 AuthenticationFailed (check the credentials"},
		{"no role", responseError(403, "AuthorizationPermissionMismatch"), permanent, "Storage Blob Data Contributor"},
		{"401 without code", responseError(401, ""), permanent, "401"},
		{"no container", responseError(404, "ContainerNotFound"), permanent, "create_container"},
		{"no account", responseError(404, "ResourceNotFound"), permanent, "check account_url"},
		{"bad name", responseError(400, "InvalidResourceName"), rejected, "refuses this name"},
		{"busy", responseError(503, "ServerBusy"), retryable, "503 ServerBusy"},
		{"internal", responseError(500, "InternalError"), retryable, "500"},
		{"throttled", responseError(429, ""), retryable, "429"},
		{"container being deleted", responseError(409, "ContainerBeingDeleted"), retryable, "409"},
		{"blob gone while comparing", responseError(404, "BlobNotFound"), retryable, "404"},
		{"lease", responseError(412, "LeaseIdMissing"), permanent, "412"},
		{"network", &url.Error{Op: "Put", URL: "https://acct.blob.core.windows.net/c/b?sv=1&sig=SECRET",
			Err: errors.New("connection refused")}, retryable, "Put https://acct.blob.core.windows.net/c/b?REDACTED: connection refused"},
		{"canceled", fmt.Errorf("send: %w", context.Canceled), retryable, "context canceled"},
		{"certificate", errCertificate{errors.New("client certificate: no such file")}, permanent, "no such file"},
		{"entra refuses", &azidentity.AuthenticationFailedError{RawResponse: &http.Response{StatusCode: 401}}, permanent,
			"Entra ID sign-in failed"},
		{"entra down", &azidentity.AuthenticationFailedError{RawResponse: &http.Response{StatusCode: 503}}, retryable,
			"Entra ID sign-in failed"},
		{"no managed identity", azidentity.NewCredentialUnavailableError("no managed identity endpoint"), permanent,
			"no managed identity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classify("put c/b", tt.err)
			if got := fateOf(err); got != tt.want {
				t.Errorf("fate %d, want %d: %v", got, tt.want, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantText) || strings.Contains(msg, "SECRET") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line containing %q, no secret", msg, tt.wantText)
			}
			if !errors.Is(err, tt.err) {
				t.Error("the SDK error is not wrapped")
			}
		})
	}
	if classify("x", nil) != nil {
		t.Error("classify(nil) != nil")
	}
}
