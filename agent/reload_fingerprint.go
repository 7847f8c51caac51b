package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/auditship/auditship/agent/config"
)

// fingerprints digests, per pipeline, what its effective config is made
// of: the source text of every defaults block (inherited by all), of the
// pipeline's own block, the contents of the files their file() calls
// read, and each output's signing key. Two configs whose pipeline has the
// same fingerprint build the same pipeline (env() is the same process
// environment). Comparing source rather than the decoded structs is what
// makes this reliable: those hold compiled expressions, templates and
// hcl.Expression values that have no meaningful equality. The cost is
// conservatism: an edited comment inside the block, or any change to
// defaults, restarts the pipeline — harmless, a restart loses nothing.
// A file that cannot be read again gives every pipeline a fingerprint of
// its own, so all of them count as changed.
func fingerprints(cfg *config.Config) map[string]string {
	src := readSources(cfg.Files)
	out := map[string]string{}
	for _, pc := range cfg.Pipelines {
		h := sha256.New()
		if src.broken {
			h.Write([]byte(pc.Name + "\x00unreadable"))
		}
		for _, b := range src.defaults {
			h.Write(b)
		}
		h.Write([]byte{0})
		for _, b := range src.pipelines[pc.Name] {
			h.Write(b)
		}
		h.Write([]byte{0})
		for _, path := range src.files(pc.Name) {
			data, _ := os.ReadFile(path)
			h.Write([]byte(path + "\x00"))
			h.Write(data)
		}
		for _, oc := range pc.Outputs {
			h.Write([]byte(oc.Name + "\x00" + oc.SigningKey + "\x00"))
		}
		out[pc.Name] = hex.EncodeToString(h.Sum(nil))
	}
	return out
}

// sources are the blocks of a config's files that pipelines come from.
type sources struct {
	defaults  [][]byte
	pipelines map[string][][]byte
	fileRefs  map[string][]string // "" (defaults) or pipeline -> file() paths
	broken    bool
}

func readSources(files []string) *sources {
	s := &sources{pipelines: map[string][][]byte{}, fileRefs: map[string][]string{}}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			s.broken = true
			continue
		}
		f, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
		if diags.HasErrors() {
			s.broken = true
			continue
		}
		s.addFile(data, filepath.Dir(name), f.Body.(*hclsyntax.Body))
	}
	return s
}

func (s *sources) addFile(data []byte, dir string, body *hclsyntax.Body) {
	for _, b := range body.Blocks {
		text := data[b.Range().Start.Byte:b.Range().End.Byte]
		switch {
		case b.Type == "defaults":
			s.defaults = append(s.defaults, text)
			s.fileRefs[""] = append(s.fileRefs[""], fileCalls(b.Body, dir)...)
		case b.Type == "pipeline" && len(b.Labels) == 1:
			n := b.Labels[0]
			s.pipelines[n] = append(s.pipelines[n], text)
			s.fileRefs[n] = append(s.fileRefs[n], fileCalls(b.Body, dir)...)
		}
	}
}

// files lists the paths file() reads for a pipeline, defaults first.
func (s *sources) files(pipeline string) []string {
	return append(append([]string(nil), s.fileRefs[""]...), s.fileRefs[pipeline]...)
}

// fileCalls finds the file("path") calls with a literal path in body, as
// config's file() resolves them (relative to the config's directory).
func fileCalls(body *hclsyntax.Body, dir string) []string {
	var paths []string
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		call, ok := n.(*hclsyntax.FunctionCallExpr)
		if !ok || call.Name != "file" || len(call.Args) == 0 {
			return nil
		}
		v, diags := call.Args[0].Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			return nil
		}
		p := v.AsString()
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		paths = append(paths, p)
		return nil
	})
	return paths
}
