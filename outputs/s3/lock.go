package s3

import (
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/units"
)

// retention is a checked object_lock block.
type retention struct {
	mode   types.ObjectLockMode
	retain time.Duration
}

// parse checks the block; nil (no block) is no retention.
func (l *ObjectLock) parse() (*retention, error) {
	if l == nil {
		return nil, nil
	}
	r := &retention{mode: types.ObjectLockMode(l.Mode)}
	var errs []error
	if r.mode != types.ObjectLockModeGovernance && r.mode != types.ObjectLockModeCompliance {
		errs = append(errs, component.Errorf("object_lock.mode", "must be %q or %q, not %q",
			types.ObjectLockModeGovernance, types.ObjectLockModeCompliance, l.Mode))
	}
	var err error
	r.retain, err = units.LongDuration(l.Retain)
	switch {
	case err != nil:
		errs = append(errs, component.Errorf("object_lock.retain", "%v", err))
	case r.retain <= 0:
		errs = append(errs, component.Errorf("object_lock.retain", "must be longer than 0"))
	}
	return r, errors.Join(errs...)
}

// apply locks the object in puts until retain from now; a nil retention
// leaves the bucket's default. AWS wants Content-MD5 or
// x-amz-sdk-checksum-algorithm on such a put: the algorithm names the
// SHA-256 the put already carries (the SDK computes nothing more).
func (r *retention) apply(in *s3.PutObjectInput) {
	if r == nil {
		return
	}
	in.ObjectLockMode = r.mode
	in.ObjectLockRetainUntilDate = aws.Time(time.Now().Add(r.retain))
	in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
}
