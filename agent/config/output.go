package config

import (
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/auditship/auditship/internal/expr"
	"github.com/auditship/auditship/outputs"
)

const maxBatchBytes = 5 * gib

// outputs decodes the inherited outputs, then the pipeline's own.
func (l *loader) outputs(p *Pipeline, own []*hcl.Block) []*Output {
	var out []*Output
	for _, e := range l.inherit("output", l.defaults.outputs, own, l.singleFor("output")) {
		pl, ok := l.decodePlugin("output", e, outputSchema)
		if !ok {
			continue
		}
		o := l.output(e, pl)
		if p.Enabled {
			l.checkKeySpace(e, o)
		}
		out = append(out, o)
	}
	return out
}

// output reads the attributes every output accepts.
func (l *loader) output(e *entry, pl plugin) *Output {
	a, f := pl.common, l.reg.Outputs[e.typ]
	o := &Output{Type: e.typ, Name: e.name, Enabled: pl.enabled, Factory: f, Config: pl.cfg}
	o.When, o.WhenSource = l.when(a)
	o.Batch = l.batch(f.BatchDefaults(), l.nested(pl.blocks, "batch", batchSchema))
	o.Retry = l.retry(l.nested(pl.blocks, "retry", retrySchema))
	o.PermanentRetryInterval = a.duration("permanent_retry_interval", 5*time.Minute)
	o.DigestInterval = a.duration("digest_interval", time.Hour)
	if e.typ == "stdout" {
		l.notOnStdout(a, "digest_interval", "signing_key")
	} else {
		o.SigningKey = l.signingKey(a)
	}
	return o
}

// when compiles the output's filter expression.
func (l *loader) when(a attrs) (*expr.Program, string) {
	src := a.str("when", "")
	if src == "" {
		return nil, ""
	}
	prog, err := expr.Compile(src)
	if err != nil {
		a.errorf("when", "invalid expression: %v", err)
		return nil, src
	}
	return prog, src
}

// batch overrides the type's batch defaults with a batch block.
func (l *loader) batch(def outputs.BatchConfig, a attrs) outputs.BatchConfig {
	return outputs.BatchConfig{
		MaxEvents: a.count("max_events", def.MaxEvents, 1),
		MaxBytes:  a.size("max_bytes", def.MaxBytes, 1, maxBatchBytes),
		Interval:  a.duration("interval", def.Interval),
	}
}

func (l *loader) retry(a attrs) Retry {
	r := Retry{Initial: a.duration("initial_interval", 100*time.Millisecond), Max: a.duration("max_interval", 30*time.Second)}
	if r.Initial <= 0 && a.has("initial_interval") {
		a.errorf("initial_interval", "must be more than 0s")
	}
	if r.Max < r.Initial && a.has("max_interval") {
		a.errorf("max_interval", "must not be less than initial_interval (%s)", r.Initial)
	}
	return r
}

// signingKey resolves the key path against the config's directory; the
// file must exist.
func (l *loader) signingKey(a attrs) string {
	p := a.str("signing_key", "")
	if p == "" {
		return ""
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(l.dir, p)
	}
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		a.errorf("signing_key", "no key file at %s", p)
	}
	return p
}

// notOnStdout rejects attributes that only stores have (stdout has no chain).
func (l *loader) notOnStdout(a attrs, names ...string) {
	for _, n := range names {
		if a.has(n) {
			a.errorf(n, "not supported by stdout (it has no integrity chain)")
		}
	}
}
