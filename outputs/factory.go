package outputs

import "fmt"

// NewFactory builds a Factory from a plugin's type name, its config
// constructor (defaults filled in), its batch defaults and its constructor.
func NewFactory[C any](typ string, newConfig func() *C, batch BatchConfig,
	create func(Settings, *C) (Output, error)) Factory {
	return factory[C]{typ: typ, newConfig: newConfig, batch: batch, create: create}
}

type factory[C any] struct {
	typ       string
	newConfig func() *C
	batch     BatchConfig
	create    func(Settings, *C) (Output, error)
}

func (f factory[C]) Type() string               { return f.typ }
func (f factory[C]) NewConfig() any             { return f.newConfig() }
func (f factory[C]) BatchDefaults() BatchConfig { return f.batch }

func (f factory[C]) Create(s Settings, cfg any) (Output, error) {
	c, ok := cfg.(*C)
	if !ok {
		return nil, fmt.Errorf("%s output: config is %T, not %T", f.typ, cfg, c)
	}
	return f.create(s, c)
}
