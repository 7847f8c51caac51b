package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/internal/expr"
	"github.com/auditship/auditship/outputs"
)

const maxBatchBytes = 5 * gib

// outputs decodes the inherited outputs, then the pipeline's own.
func (l *loader) outputs(p *Pipeline, own []*hcl.Block) []*Output {
	var out []*Output
	var common []attrs
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
		common = append(common, pl.common)
	}
	checkpointCopies(p.Name, out, common)
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
		l.notOnStdout(a, "digest_interval", "signing_key", "checkpoint_copy", "index_fields")
	} else {
		o.SigningKey = l.signingKey(a)
		o.CheckpointCopy = a.str("checkpoint_copy", "")
		o.IndexFields = indexFields(a)
	}
	if o.DigestInterval <= 0 && a.has("digest_interval") {
		a.errorf("digest_interval", "must be more than 0s")
	}
	return o
}

// indexFields reads index_fields: distinct top-level field names (an
// event's own keys or envelope keys such as category); nested paths are
// not indexed.
func indexFields(a attrs) []string {
	if !a.has("index_fields") {
		return slices.Clone(index.DefaultFields)
	}
	fields := a.strs("index_fields")
	for i, f := range fields {
		switch {
		case f == "":
			a.errorf("index_fields", "element %d is empty", i+1)
		case strings.ContainsAny(f, ".[]"):
			a.errorf("index_fields", "%q: only top-level fields can be indexed, not a nested path", f)
		case strings.ContainsAny(f, "\"\\") || strings.IndexFunc(f, func(r rune) bool { return r < ' ' }) >= 0:
			a.errorf("index_fields", "%q: a quote, backslash or control character cannot be indexed", f)
		case slices.Index(fields, f) < i:
			a.errorf("index_fields", "%q is listed twice", f)
		}
	}
	return fields
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

// signingKey returns the private key that signs checkpoints: the value
// itself (`file("signing.key")`) or, for a value that is not a key, the
// contents of the file it names, resolved against the config's
// directory. The key must be one `auditship keygen` wrote.
func (l *loader) signingKey(a attrs) string {
	v := a.str("signing_key", "")
	if v == "" {
		return ""
	}
	key := strings.TrimSpace(v)
	if !strings.HasPrefix(key, "PRIVATE+KEY+") {
		p := v
		if !filepath.IsAbs(p) {
			p = filepath.Join(l.dir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			a.errorf("signing_key", "neither a private key nor a readable key file: %v", err)
			return ""
		}
		key = strings.TrimSpace(string(b))
	}
	if _, err := note.NewSigner(key); err != nil {
		a.errorf("signing_key", "not a private key written by `auditship keygen`: %v", err)
		return ""
	}
	return key
}

// checkpointCopies checks that each checkpoint_copy names another enabled
// output of the pipeline that keeps files (not stdout).
func checkpointCopies(pipeline string, outs []*Output, common []attrs) {
	byName := map[string]*Output{}
	for _, o := range outs {
		byName[o.Name] = o
	}
	for i, o := range outs {
		if o.CheckpointCopy == "" || !o.Enabled {
			continue
		}
		to, ok := byName[o.CheckpointCopy]
		switch {
		case !ok || !to.Enabled:
			common[i].errorf("checkpoint_copy", "no enabled output %q in pipeline %q", o.CheckpointCopy, pipeline)
		case to == o:
			common[i].errorf("checkpoint_copy", "names this output itself; name another output")
		case to.Type == "stdout":
			common[i].errorf("checkpoint_copy", "output %q is stdout, which keeps no files", o.CheckpointCopy)
		}
	}
}

// notOnStdout rejects attributes that only stores have (stdout has no chain).
func (l *loader) notOnStdout(a attrs, names ...string) {
	for _, n := range names {
		if a.has(n) {
			a.errorf(n, "not supported by stdout (it has no integrity chain)")
		}
	}
}
