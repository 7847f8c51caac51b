package s3

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/auditship/auditship/outputs"
)

// permanentCodes are the S3 error codes that retrying cannot fix, with the
// explanation an operator needs. The SDK's own text follows it.
var permanentCodes = map[string]string{
	"AccessDenied":                 "access denied (check credentials and the bucket policy)",
	"AllAccessDisabled":            "access denied (all access to this bucket is disabled)",
	"InvalidAccessKeyId":           "unknown access key id (check credentials)",
	"XAdminUserNotFound":           "unknown access key id (check credentials)", // Versity gateway
	"SignatureDoesNotMatch":        "signature mismatch (check the secret access key)",
	"ExpiredToken":                 "credentials expired (renew the session token)",
	"InvalidToken":                 "invalid session token (check credentials)",
	"TokenRefreshRequired":         "credentials expired (renew the session token)",
	"AccountProblem":               "the AWS account has a problem (contact AWS)",
	"NoSuchBucket":                 "no such bucket (create it or fix bucket)",
	"PermanentRedirect":            "the bucket is in another region (fix region or endpoint)",
	"AuthorizationHeaderMalformed": "the bucket is in another region (fix region)",
	"InvalidBucketName":            "invalid bucket name",
	"KMS.NotFoundException":        "KMS key not found (fix kms_key_id)",
	"KMS.DisabledException":        "KMS key disabled",
	"KMS.AccessDeniedException":    "access denied to the KMS key",
}

// rejectedCodes are errors about the batch itself: the sender
// dead-letters it and goes on.
var rejectedCodes = map[string]string{
	"KeyTooLongError": "rendered key too long (over 1024 bytes)",
	"EntityTooLarge":  "batch too large for one PutObject",
	// The spooled bytes no longer match the sha256 journaled with them:
	// re-sending them cannot succeed, and the store kept nothing.
	"BadDigest":                   "the spooled bytes do not match the batch's sha256 (spool damaged)",
	"XAmzContentChecksumMismatch": "the spooled bytes do not match the batch's sha256 (spool damaged)",
}

// classify marks err permanent or rejected when S3 says retrying cannot
// help; throttling, 5xx and network errors are returned as they are, for
// the sender to retry.
func (o *Output) classify(op, key string, err error) error {
	code, status := apiCode(err)
	if msg, ok := rejectedCodes[code]; ok {
		return outputs.Rejected(fmt.Errorf("s3 bucket %s: %s %s: %s: %w", o.bucket, op, key, msg, err))
	}
	msg, ok := permanentCodes[code]
	switch {
	case !ok && strings.HasPrefix(code, "KMS."):
		msg, ok = "KMS error", true
	case !ok && (status == 401 || status == 403):
		msg, ok = "access denied (check credentials and the bucket policy)", true
	}
	if ok {
		return outputs.Permanent(fmt.Errorf("s3 bucket %s: %s: %w", o.bucket, msg, err))
	}
	return fmt.Errorf("s3 %s %s: %w", op, key, err)
}

// apiCode returns S3's error code and the HTTP status, if err came from a
// response.
func apiCode(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// isStatus reports whether err is an HTTP response with one of codes or
// statuses: S3 answers HEAD requests without an error body.
func isStatus(err error, codes []string, statuses ...int) bool {
	code, status := apiCode(err)
	for _, c := range codes {
		if code == c {
			return true
		}
	}
	for _, s := range statuses {
		if status == s {
			return true
		}
	}
	return false
}
