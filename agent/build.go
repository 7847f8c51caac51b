package agent

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/processors"
)

// pipelineDir is where a pipeline keeps its state under data_dir.
func pipelineDir(dataDir, name string) string {
	return filepath.Join(dataDir, "pipelines", url.PathEscape(name))
}

// build creates a pipeline back to front: state, outputs and senders,
// processors, then inputs, so nothing is read before it can be written.
func build(pc *config.Pipeline, opts Options, reg *metrics.Registry) (p *pipeline, err error) {
	dir := pipelineDir(opts.DataDir, pc.Name)
	_, statErr := os.Stat(dir)
	firstStart := errors.Is(statErr, os.ErrNotExist)
	if err := state.MkdirAll(dir); err != nil {
		return nil, err
	}
	stream, _, err := state.Stream(dir)
	if err != nil {
		return nil, err
	}
	seq, err := state.OpenSeq(dir)
	if err != nil {
		return nil, err
	}
	log := opts.Logger.With(zap.String("pipeline", pc.Name))
	p = &pipeline{name: pc.Name, log: log, seq: seq, ch: make(chan readBatch, 4)}
	defer func() {
		if err != nil {
			p.close(nilCtx())
		}
	}()
	if err = p.buildOutputs(pc, dir, stream, reg); err != nil {
		return nil, err
	}
	if err = p.buildProcessors(pc, reg); err != nil {
		return nil, err
	}
	return p, p.buildInputs(pc, dir, firstStart, reg)
}

func (p *pipeline) buildOutputs(pc *config.Pipeline, dir, stream string, reg *metrics.Registry) error {
	for _, oc := range pc.Outputs {
		if !oc.Enabled {
			continue
		}
		sdir := filepath.Join(dir, "outputs", url.PathEscape(oc.Name))
		if err := state.MkdirAll(sdir); err != nil {
			return err
		}
		log := p.log.With(zap.String("output", oc.Name))
		out, err := oc.Factory.Create(outputs.Settings{Pipeline: pc.Name, Name: oc.Name, StateDir: sdir,
			Logger: log, Registerer: wrap(reg, pc.Name, "output", oc.Name)}, oc.Config)
		if err != nil {
			return fmt.Errorf("output %q: %w", oc.Name, err)
		}
		s := &sender{pipeline: pc.Name, name: oc.Name, stream: stream, out: out, cfg: oc,
			maxPartitions: pc.Buffer.MaxPartitions, in: make(chan []item, 8), log: log,
			m: newOutputMetrics(reg, pc.Name, oc.Name)}
		s.part, _ = out.(outputs.Partitioner)
		_, s.lines = out.(outputs.LineWriter)
		p.senders = append(p.senders, s)
	}
	return nil
}

func (p *pipeline) buildProcessors(pc *config.Pipeline, reg *metrics.Registry) error {
	for _, prc := range pc.Processors {
		if !prc.Enabled {
			continue
		}
		pr, err := prc.Factory.Create(processors.Settings{Pipeline: pc.Name, Name: prc.Name,
			Logger:     p.log.With(zap.String("processor", prc.Name)),
			Registerer: wrap(reg, pc.Name, "processor", prc.Name)}, prc.Config)
		if err != nil {
			return fmt.Errorf("processor %q: %w", prc.Name, err)
		}
		p.procs = append(p.procs, pr)
	}
	return nil
}

func (p *pipeline) buildInputs(pc *config.Pipeline, dir string, firstStart bool, reg *metrics.Registry) error {
	for _, ic := range pc.Inputs {
		if !ic.Enabled {
			continue
		}
		sdir := filepath.Join(dir, "inputs", url.PathEscape(ic.Name))
		if err := state.MkdirAll(sdir); err != nil {
			return err
		}
		in, err := ic.Factory.Create(inputs.Settings{Pipeline: pc.Name, Name: ic.Name, StateDir: sdir,
			FirstStart: firstStart, Logger: p.log.With(zap.String("input", ic.Name)),
			Registerer: wrap(reg, pc.Name, "input", ic.Name), Decoder: format.NewDecoder(ic.Decode),
			Framing: ic.Framing, FlushTimeout: ic.FlushTimeout}, ic.Config)
		if err != nil {
			return fmt.Errorf("input %q: %w", ic.Name, err)
		}
		p.inputs = append(p.inputs, runningInput{name: ic.Name, in: in, m: newInputMetrics(reg, pc.Name, ic.Name)})
	}
	return nil
}

func wrap(reg *metrics.Registry, pipeline, kind, name string) prometheus.Registerer {
	return prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": pipeline, kind: name}, reg)
}
