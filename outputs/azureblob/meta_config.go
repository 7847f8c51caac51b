package azureblob

import (
	"errors"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/template"
	"github.com/auditship/auditship/internal/units"
)

// parseMeta parses the template of the integrity chain's container:
// meta_container, else container. It must not read batch-level specials
// ({{ date }}, {{ batch_id }}...): every chain file of the output goes to
// one container.
func (c *Config) parseMeta() (*template.Template, error) {
	if c.MetaContainer == "" {
		t, err := template.Parse(c.Container)
		if err == nil && perBatch(t) {
			return nil, component.Errorf("container", "renders per batch, so set meta_container: "+
				"the one container for the integrity chain's files (manifests, checkpoints)")
		}
		return t, nil // a bad container is parseContainer's to report
	}
	t, err := parseContainer("meta_container", c.MetaContainer)
	if err == nil && perBatch(t) {
		return nil, component.Errorf("meta_container", "must render without a batch: "+
			"no {{ date }}, {{ hour }}, {{ batch_time }}, {{ batch_id }} or {{ first_seq }}")
	}
	return t, err
}

// perBatch reports whether t reads batch-level specials.
func perBatch(t *template.Template) bool {
	p := t.Partition(&event.Event{}, "pipeline", "output", nil)
	other := template.BatchVars{BatchID: "b", FirstSeq: 1, Time: time.Unix(1e9, 0)}
	return t.Render(p, template.BatchVars{}) != t.Render(p, other)
}

// immutability is a checked immutability block.
type immutability struct {
	mode   blob.ImmutabilityPolicySetting
	retain time.Duration
}

var immutabilityModes = map[string]blob.ImmutabilityPolicySetting{
	"unlocked": blob.ImmutabilityPolicySettingUnlocked,
	"locked":   blob.ImmutabilityPolicySettingLocked,
}

// parse checks the block; nil (no block) is no policy.
func (i *Immutability) parse() (*immutability, error) {
	if i == nil {
		return nil, nil
	}
	var errs []error
	h := &immutability{mode: immutabilityModes[i.Mode]}
	if h.mode == "" {
		errs = append(errs, component.Errorf("immutability.mode", "must be \"unlocked\" or \"locked\", not %q", i.Mode))
	}
	var err error
	h.retain, err = units.LongDuration(i.Retain)
	switch {
	case err != nil:
		errs = append(errs, component.Errorf("immutability.retain", "%v", err))
	case h.retain <= 0:
		errs = append(errs, component.Errorf("immutability.retain", "must be longer than 0"))
	}
	return h, errors.Join(errs...)
}

// apply sets the policy on an upload, expiring retain from now; a nil
// immutability leaves the container's default.
func (h *immutability) apply(o *blockblob.UploadOptions) {
	if h == nil {
		return
	}
	until := time.Now().Add(h.retain)
	o.ImmutabilityPolicyMode, o.ImmutabilityPolicyExpiryTime = &h.mode, &until
}
