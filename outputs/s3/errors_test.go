package s3

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/auditship/auditship/outputs"
)

// apiError is what the SDK returns for an S3 error response.
func apiError(status int, code string) error {
	var err error = &smithy.GenericAPIError{Code: code, Message: "the service says no"}
	if code == "" {
		err = errors.New("no body")
	}
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: status}}
	return &smithy.OperationError{ServiceID: "S3", OperationName: "PutObject",
		Err: &smithyhttp.ResponseError{Response: resp, Err: err}}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err            error
		kind, contains string
	}{
		{apiError(403, "AccessDenied"), "permanent", "s3 bucket acme-audit: access denied"},
		{apiError(403, "InvalidAccessKeyId"), "permanent", "unknown access key id"},
		{apiError(403, "SignatureDoesNotMatch"), "permanent", "check the secret access key"},
		{apiError(400, "ExpiredToken"), "permanent", "credentials expired"},
		{apiError(404, "NoSuchBucket"), "permanent", "s3 bucket acme-audit: no such bucket"},
		{apiError(301, "PermanentRedirect"), "permanent", "another region"},
		{apiError(400, "KMS.KMSInvalidStateException"), "permanent", "KMS error"},
		{apiError(403, ""), "permanent", "access denied"},
		{apiError(400, "KeyTooLongError"), "rejected", "put k: rendered key too long"},
		{apiError(503, "SlowDown"), "retryable", "s3 put k"},
		{apiError(500, "InternalError"), "retryable", "s3 put k"},
		{apiError(404, "NoSuchKey"), "retryable", "s3 put k"},
		{&smithy.OperationError{Err: errors.New("dial tcp: connection refused")}, "retryable", "connection refused"},
		{context.DeadlineExceeded, "retryable", "deadline exceeded"},
	}
	o := &Output{bucket: "acme-audit"}
	for _, tt := range tests {
		got := o.classify("put", "k", tt.err)
		kind := "retryable"
		switch {
		case outputs.IsPermanent(got):
			kind = "permanent"
		case outputs.IsRejected(got):
			kind = "rejected"
		}
		if kind != tt.kind || !strings.Contains(got.Error(), tt.contains) || !errors.Is(got, tt.err) {
			t.Errorf("classify(%v) = %s %q, want %s containing %q and wrapping it", tt.err, kind, got, tt.kind, tt.contains)
		}
	}
}
