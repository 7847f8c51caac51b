package chaintest

import (
	"os"
	"path/filepath"

	"github.com/auditship/auditship/agent/chain"
)

// Tamper changes a store behind its output's back, as someone with write
// access to the store would. Names are object keys or chain file names.
type Tamper interface {
	Read(name string) ([]byte, error)
	Replace(name string, data []byte) error // creates or replaces
	Remove(name string) error
}

// Dir tampers with a file output's directory.
type Dir string

func (d Dir) path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

// Read returns the file's bytes.
func (d Dir) Read(name string) ([]byte, error) { return os.ReadFile(d.path(name)) }

// Replace creates or replaces the file.
func (d Dir) Replace(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(d.path(name)), 0o700); err != nil {
		return err
	}
	return os.WriteFile(d.path(name), data, 0o600)
}

// Remove deletes the file.
func (d Dir) Remove(name string) error { return os.Remove(d.path(name)) }

// Forge rewrites batch i with its lines changed by edit (nil: dropped) and
// its manifest recomputed to match them, Prev kept: a forger who cannot
// rewrite what came after it.
func (b *Builder) Forge(tam Tamper, i int, edit func(seq uint64, line []byte) []byte) error {
	bt := b.Batches[i]
	m, err := readManifest(tam, bt.Manifest)
	if err != nil {
		return err
	}
	t := chain.NewTree()
	if i > 0 {
		pm, err := readManifest(tam, b.Batches[i-1].Manifest)
		if err != nil {
			return err
		}
		if t, err = chain.TreeFromFrontier(pm.SizeAfter, pm.Frontier); err != nil {
			return err
		}
	}
	var lines []Line
	for _, r := range m.Seqs {
		for s := r[0]; s <= r[1]; s++ {
			if l := edit(s, b.Line(s)); l != nil {
				lines = append(lines, ParseLine(l))
			}
		}
	}
	body, err := b.encode(lines)
	if err != nil {
		return err
	}
	nm := b.manifest(t, m.Prev, m.Skipped, m.Key, chain.Digest(body), lines)
	if err := tam.Replace(m.Key, body); err != nil {
		return err
	}
	return tam.Replace(bt.Manifest, nm.Marshal())
}

func readManifest(tam Tamper, name string) (*chain.Manifest, error) {
	raw, err := tam.Read(name)
	if err != nil {
		return nil, err
	}
	return chain.ParseManifest(raw)
}
