package azureblob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/auditship/auditship/outputs"
)

// storeError is an SDK error retold in one line that names no secret; the
// SDK error stays reachable through Unwrap for errors.As.
type storeError struct {
	msg string
	err error
}

func (e *storeError) Error() string { return e.msg }
func (e *storeError) Unwrap() error { return e.err }

func retell(err error, format string, args ...any) error {
	return &storeError{msg: fmt.Sprintf(format, args...), err: err}
}

const authHint = "check the credentials and, for Entra ID, the Storage Blob Data Contributor role"

// authCodes are the service's refusals that new credentials or rights fix.
var authCodes = []bloberror.Code{bloberror.AuthenticationFailed, bloberror.AuthorizationFailure,
	bloberror.AuthorizationPermissionMismatch, bloberror.InsufficientAccountPermissions,
	bloberror.AccountIsDisabled, bloberror.AuthorizationSourceIPMismatch, bloberror.AuthorizationProtocolMismatch}

// classify turns an error of operation op (e.g. "put audit-x/a.ndjson")
// into what the sender acts on: Permanent for refusals that retrying cannot
// fix, Rejected for a name the service refuses, else retryable.
func classify(op string, err error) error {
	var re *azcore.ResponseError
	var af *azidentity.AuthenticationFailedError
	var ce errCertificate
	var ue *url.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, err)
	case errors.As(err, &re):
		return classifyResponse(op, re)
	case errors.As(err, &ce):
		return outputs.Permanent(retell(err, "%s: %v", op, ce))
	case errors.As(err, &af):
		return classifySignIn(op, af)
	case isUnavailable(err):
		return outputs.Permanent(retell(err, "%s: %s", op, oneLine(err.Error())))
	case errors.As(err, &ue):
		return retell(err, "%s: %s %s: %v", op, ue.Op, redact(ue.URL), ue.Err)
	}
	return retell(err, "%s: %s", op, oneLine(err.Error()))
}

func classifyResponse(op string, re *azcore.ResponseError) error {
	code, status := bloberror.Code(re.ErrorCode), re.StatusCode
	msg := fmt.Sprintf("%s: %d %s", op, status, re.ErrorCode)
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden || hasCode(code, authCodes...):
		return outputs.Permanent(retell(re, "%s (%s)", msg, authHint))
	case code == bloberror.ContainerNotFound:
		return outputs.Permanent(retell(re, "%s: the container does not exist (create it, or set create_container = true)", msg))
	case code == bloberror.InvalidResourceName:
		return outputs.Rejected(retell(re, "%s: the service refuses this name", msg))
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500,
		code == bloberror.ContainerBeingDeleted, code == bloberror.BlobNotFound:
		return retell(re, "%s", msg)
	case status == http.StatusNotFound:
		return outputs.Permanent(retell(re, "%s: not found (check account_url or the connection string)", msg))
	case status >= 400:
		return outputs.Permanent(retell(re, "%s", msg))
	}
	return retell(re, "%s", msg)
}

// classifySignIn: Entra ID refusing the client is permanent; Entra ID
// failing (5xx) is not.
func classifySignIn(op string, af *azidentity.AuthenticationFailedError) error {
	err := retell(af, "%s: Entra ID sign-in failed: %s", op, oneLine(af.Error()))
	if af.RawResponse != nil && af.RawResponse.StatusCode >= 500 {
		return err
	}
	return outputs.Permanent(err)
}

// isUnavailable matches the errors azidentity marks as not worth retrying,
// such as "credential unavailable" (no managed identity on this host).
func isUnavailable(err error) bool {
	var u interface{ NonRetriable() }
	return errors.As(err, &u)
}

func hasCode(c bloberror.Code, codes ...bloberror.Code) bool {
	for _, x := range codes {
		if c == x {
			return true
		}
	}
	return false
}

// redact drops a URL's query, where a SAS token travels.
func redact(raw string) string {
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		return raw[:i] + "?REDACTED"
	}
	return raw
}

// oneLine keeps the first 300 bytes of a multi-line SDK message, on one line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
