package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/delivery"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/internal/dirwatch"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/processors"
)

// build creates a pipeline back to front: buffer, outputs and senders,
// processors, then inputs, so nothing is read before it can be kept.
func build(pc *config.Pipeline, opts Options, reg *metrics.Registry) (p *pipeline, err error) {
	dir := state.PipelineDir(opts.DataDir, pc.Name)
	_, statErr := os.Stat(dir)
	firstStart := errors.Is(statErr, os.ErrNotExist)
	if err := state.MkdirAll(dir); err != nil {
		return nil, err
	}
	stream, _, err := state.Stream(dir)
	if err != nil {
		return nil, err
	}
	log := opts.Logger.With(zap.String("pipeline", pc.Name))
	p = &pipeline{name: pc.Name, log: log, bufCfg: pc.Buffer, ch: make(chan readBatch, 4), kick: make(chan struct{}, 1),
		m: newPipelineMetrics(reg, pc.Name)}
	defer func() {
		if err != nil {
			p.close(context.Background())
		}
	}()
	if p.buf, err = openBuffer(dir, pc, log, reg); err != nil {
		return nil, err
	}
	if err = p.buildOutputs(pc, dir, stream, reg); err != nil {
		return nil, err
	}
	if err = p.buildProcessors(pc, reg); err != nil {
		return nil, err
	}
	return p, p.buildInputs(pc, dir, firstStart, reg, opts.watch)
}

func openBuffer(dir string, pc *config.Pipeline, log *zap.Logger, reg *metrics.Registry) (*buffer.Log, error) {
	return buffer.Open(buffer.Options{Dir: filepath.Join(dir, "buffer"), MaxSize: pc.Buffer.MaxSize,
		MaxRecordBytes: pc.Buffer.MaxRecordBytes, Fsync: pc.Buffer.Fsync, Logger: log,
		Registerer: prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": pc.Name}, reg)})
}

func (p *pipeline) buildOutputs(pc *config.Pipeline, dir, stream string, reg *metrics.Registry) error {
	capture := delivery.CaptureFields(pc.Outputs)
	if len(capture) > 0 {
		p.enc.Capture = event.NewCapture(capture)
	}
	for _, oc := range pc.Outputs {
		sdir := filepath.Join(dir, "outputs", url.PathEscape(oc.Name))
		if !oc.Enabled {
			if err := delivery.Disable(sdir); err != nil { // stops pinning the buffer
				return err
			}
			continue
		}
		s, err := delivery.New(delivery.Settings{Pipeline: pc.Name, Stream: stream, Output: oc,
			MaxPartitions: pc.Buffer.MaxPartitions, StateDir: sdir, Buffer: p.buf, Logger: p.log,
			Registry: reg, Kick: p.kick, Capture: capture})
		if err != nil {
			return fmt.Errorf("output %q: %w", oc.Name, err)
		}
		p.keepRaw = p.keepRaw || s.NeedsRaw()
		p.senders = append(p.senders, s)
	}
	return p.linkCheckpointCopies(pc)
}

// linkCheckpointCopies hands each output with checkpoint_copy the store
// of the output it names (validate checked that it exists and is enabled).
func (p *pipeline) linkCheckpointCopies(pc *config.Pipeline) error {
	byName := map[string]*delivery.Sender{}
	for _, s := range p.senders {
		byName[s.Name()] = s
	}
	for _, oc := range pc.Outputs {
		if !oc.Enabled || oc.CheckpointCopy == "" {
			continue
		}
		to, ok := byName[oc.CheckpointCopy]
		var m outputs.MetaStore
		if ok {
			m, ok = to.MetaStore()
		}
		if !ok {
			return fmt.Errorf("output %q: checkpoint_copy: output %q keeps no chain files", oc.Name, oc.CheckpointCopy)
		}
		byName[oc.Name].SetCheckpointCopy(m)
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
			Registerer: metrics.Wrap(reg, pc.Name, "processor", prc.Name)}, prc.Config)
		if err != nil {
			return fmt.Errorf("processor %q: %w", prc.Name, err)
		}
		p.procs = append(p.procs, namedProcessor{name: prc.Name, p: pr})
	}
	return nil
}

func (p *pipeline) buildInputs(pc *config.Pipeline, dir string, firstStart bool, reg *metrics.Registry,
	watch *dirwatch.Watcher) error {
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
			Registerer: metrics.Wrap(reg, pc.Name, "input", ic.Name), Decoder: format.NewParallel(ic.Decode, runtime.GOMAXPROCS(0)),
			Framing: ic.Framing, FlushTimeout: ic.FlushTimeout, Resume: p.resume(ic.Name), Watch: watch}, ic.Config)
		if err != nil {
			return fmt.Errorf("input %q: %w", ic.Name, err)
		}
		p.inputs = append(p.inputs, runningInput{name: ic.Name, in: in, m: newInputMetrics(reg, pc.Name, ic.Name),
			un: newNotAppended(metrics.Wrap(reg, pc.Name, "input", ic.Name))})
	}
	return nil
}

// resume looks up, for an input's source, where its last durable record
// in the buffer ends (SPEC §3: the later of checkpoint and buffer wins).
func (p *pipeline) resume(input string) func(string) (int64, bool) {
	marks := p.buf.Marks()
	return func(key string) (int64, bool) {
		v, ok := marks[input+"\x00"+key]
		if !ok || len(v) != 8 {
			return 0, false
		}
		return int64(binary.BigEndian.Uint64(v)), true
	}
}
