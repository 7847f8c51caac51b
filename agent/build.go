package agent

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
	"github.com/auditship/auditship/processors"
)

// pipelineDir is where a pipeline keeps its state under data_dir.
func pipelineDir(dataDir, name string) string {
	return filepath.Join(dataDir, "pipelines", url.PathEscape(name))
}

// build creates a pipeline back to front: buffer, outputs and senders,
// processors, then inputs, so nothing is read before it can be kept.
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
	return p, p.buildInputs(pc, dir, firstStart, reg)
}

func openBuffer(dir string, pc *config.Pipeline, log *zap.Logger, reg *metrics.Registry) (*buffer.Log, error) {
	return buffer.Open(buffer.Options{Dir: filepath.Join(dir, "buffer"), MaxSize: pc.Buffer.MaxSize,
		MaxRecordBytes: pc.Buffer.MaxRecordBytes, Fsync: pc.Buffer.Fsync, Logger: log,
		Registerer: prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": pc.Name}, reg)})
}

func (p *pipeline) buildOutputs(pc *config.Pipeline, dir, stream string, reg *metrics.Registry) error {
	for _, oc := range pc.Outputs {
		sdir := filepath.Join(dir, "outputs", url.PathEscape(oc.Name))
		if !oc.Enabled {
			if err := removeCursor(sdir); err != nil { // stops pinning the buffer
				return err
			}
			continue
		}
		s, err := p.newSender(pc, oc, sdir, stream, reg)
		if err != nil {
			return fmt.Errorf("output %q: %w", oc.Name, err)
		}
		p.senders = append(p.senders, s)
	}
	return nil
}

func (p *pipeline) newSender(pc *config.Pipeline, oc *config.Output, sdir, stream string, reg *metrics.Registry) (*sender, error) {
	spool := filepath.Join(sdir, "pending")
	if err := state.MkdirAll(spool); err != nil {
		return nil, err
	}
	log := p.log.With(zap.String("output", oc.Name))
	out, err := oc.Factory.Create(outputs.Settings{Pipeline: pc.Name, Name: oc.Name, StateDir: sdir,
		Logger: log, Registerer: wrap(reg, pc.Name, "output", oc.Name)}, oc.Config)
	if err != nil {
		return nil, err
	}
	s := &sender{pipeline: pc.Name, name: oc.Name, stream: stream, out: out, cfg: oc,
		maxPartitions: pc.Buffer.MaxPartitions, log: log, m: newOutputMetrics(reg, pc.Name, oc.Name),
		buf: p.buf, spoolDir: spool, kick: p.kick}
	s.part, _ = out.(outputs.Partitioner)
	s.needFields = oc.When != nil || needsFields(out)
	if r, ok := out.(interface{ NeedsRaw() bool }); ok && r.NeedsRaw() {
		p.keepRaw = true
	}
	return s, s.openState(sdir)
}

// needsFields reports whether an output's partitions read event fields.
func needsFields(out outputs.Output) bool {
	pf, ok := out.(interface{ PartitionFields() []string })
	if !ok {
		_, part := out.(outputs.Partitioner)
		return part
	}
	return len(pf.PartitionFields()) > 0
}

// openState loads the cursor (a new or re-enabled output starts at the
// head of the buffer) and, for a journaled output, the journal and spool.
func (s *sender) openState(sdir string) error {
	var err error
	if s.cur, err = loadCursor(sdir); err != nil {
		return err
	}
	if !s.cur.exists {
		s.cur.next = s.buf.NextSeq()
		if err := s.cur.save(); err != nil {
			return err
		}
	}
	s.position.Store(s.cur.next)
	j, ok := s.out.(outputs.Journaled)
	if !ok {
		return cleanSpool(s.spoolDir)
	}
	s.journaled = j
	f, c := j.Encoding()
	if s.codec, err = objectstore.NewCodec(f, c); err != nil {
		return err
	}
	if s.jr, err = openJournal(sdir); err != nil {
		return err
	}
	return cleanSpool(s.spoolDir)
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
		p.procs = append(p.procs, namedProcessor{name: prc.Name, p: pr})
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
			Framing: ic.Framing, FlushTimeout: ic.FlushTimeout, Resume: p.resume(ic.Name)}, ic.Config)
		if err != nil {
			return fmt.Errorf("input %q: %w", ic.Name, err)
		}
		p.inputs = append(p.inputs, runningInput{name: ic.Name, in: in, m: newInputMetrics(reg, pc.Name, ic.Name),
			un: newNotAppended(wrap(reg, pc.Name, "input", ic.Name))})
	}
	return nil
}

func wrap(reg *metrics.Registry, pipeline, kind, name string) prometheus.Registerer {
	return prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": pipeline, kind: name}, reg)
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
