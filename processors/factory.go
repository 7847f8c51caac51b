package processors

import "fmt"

// NewFactory builds a Factory from a processor's type name, its config
// constructor (defaults filled in) and its constructor.
func NewFactory[C any](typ string, newConfig func() *C, create func(Settings, *C) (Processor, error)) Factory {
	return factory[C]{typ: typ, newConfig: newConfig, create: create}
}

type factory[C any] struct {
	typ       string
	newConfig func() *C
	create    func(Settings, *C) (Processor, error)
}

func (f factory[C]) Type() string   { return f.typ }
func (f factory[C]) NewConfig() any { return f.newConfig() }

func (f factory[C]) Create(s Settings, cfg any) (Processor, error) {
	c, ok := cfg.(*C)
	if !ok {
		return nil, fmt.Errorf("%s processor: config is %T, not %T", f.typ, cfg, c)
	}
	return f.create(s, c)
}
