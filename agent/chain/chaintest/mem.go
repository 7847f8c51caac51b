package chaintest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// Mem is an in-memory store output (batches and chain files) that can be
// tampered with; Fail, when set, is returned by every read, as from a
// store that cannot be reached.
type Mem struct {
	mu    sync.Mutex
	files map[string][]byte
	Fail  error
}

// NewMem returns an empty store.
func NewMem() *Mem { return &Mem{files: map[string][]byte{}} }

// Write stores the batch's body under its key, create-only.
func (m *Mem) Write(_ context.Context, b *event.Batch) error {
	body, err := io.ReadAll(io.NewSectionReader(b.Body, 0, b.Size))
	if err != nil {
		return err
	}
	return m.create(b.Key, body)
}

func (m *Mem) create(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.files[name]; ok && !bytes.Equal(old, data) {
		return outputs.Permanent(fmt.Errorf("key conflict: %s", name))
	}
	m.files[name] = bytes.Clone(data)
	return nil
}

// Close does nothing.
func (m *Mem) Close(context.Context) error { return nil }

// List yields the batches (every name outside _auditship/), in key order.
func (m *Mem) List(_ context.Context, _ string) iter.Seq2[outputs.BatchRef, error] {
	return func(yield func(outputs.BatchRef, error) bool) {
		if m.Fail != nil {
			yield(outputs.BatchRef{}, m.Fail)
			return
		}
		for _, k := range m.names("") {
			if !strings.HasPrefix(k, outputs.MetaPrefix) && !yield(outputs.BatchRef{Key: k, Size: int64(len(m.get(k)))}, nil) {
				return
			}
		}
	}
}

// Open returns a batch's bytes.
func (m *Mem) Open(_ context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	b, err := m.GetMeta(context.Background(), ref.Key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// PutMeta stores a chain file, create-only.
func (m *Mem) PutMeta(_ context.Context, name string, data []byte) error { return m.create(name, data) }

// GetMeta returns a stored file.
func (m *Mem) GetMeta(_ context.Context, name string) ([]byte, error) {
	if m.Fail != nil {
		return nil, m.Fail
	}
	b := m.get(name)
	if b == nil {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return b, nil
}

// ListMeta yields the names under dir in name order.
func (m *Mem) ListMeta(_ context.Context, dir string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if m.Fail != nil {
			yield("", m.Fail)
			return
		}
		for _, k := range m.names(dir) {
			if !yield(k, nil) {
				return
			}
		}
	}
}

func (m *Mem) get(name string) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.files[name]
}

func (m *Mem) names(prefix string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.files {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Read returns a stored file or batch (Tamper).
func (m *Mem) Read(name string) ([]byte, error) {
	if b := m.get(name); b != nil {
		return bytes.Clone(b), nil
	}
	return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
}

// Replace creates or replaces a file or batch (Tamper).
func (m *Mem) Replace(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = bytes.Clone(data)
	return nil
}

// Remove deletes a file or batch (Tamper).
func (m *Mem) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.files, name)
	return nil
}

var (
	_ Target       = (*Mem)(nil)
	_ Tamper       = (*Mem)(nil)
	_ Tamper       = Dir("")
	_ chain.Reader = (*Mem)(nil)
)
