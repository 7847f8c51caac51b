package replay

import (
	"context"
	"net/url"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/delivery"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/outputs"
)

// KeyPrefix is where a replay's batches go in an object store or a file
// output: beside, never among, the pipeline's own keys.
const KeyPrefix = "replay/"

// presence is implemented by stores that keep each event once by _id
// (mysql): replay asks before buffering, so that an event stored already
// never enters the replay stream.
type presence interface {
	Present(ctx context.Context, ids []string) (map[string]bool, error)
}

// runner is one replay's machinery.
type runner struct {
	o       Options
	log     *zap.Logger
	reg     *metrics.Registry
	stream  string
	buf     *buffer.Log
	sender  *delivery.Sender
	kick    chan struct{}
	present presence // nil: the target does not dedupe by _id
	lookup  outputs.Output
}

func open(o Options) (r *runner, err error) {
	r = &runner{o: o, log: o.Logger.With(zap.String("pipeline", o.TargetPipeline)), reg: metrics.New(),
		kick: make(chan struct{}, 1)}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	if r.stream, _, err = state.Stream(o.Dir); err != nil {
		return nil, err
	}
	if r.buf, err = buffer.Open(buffer.Options{Dir: filepath.Join(o.Dir, "buffer"), MaxSize: o.Buffer.MaxSize,
		MaxRecordBytes: o.Buffer.MaxRecordBytes, Fsync: o.Buffer.Fsync, Logger: r.log,
		Registerer: prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": o.TargetPipeline}, r.reg)}); err != nil {
		return nil, err
	}
	if err = r.openSender(); err != nil {
		return nil, err
	}
	return r, r.openLookup()
}

func (r *runner) openSender() error {
	prefix := ""
	if _, named := r.o.Target.Config.(outputs.KeySpacer); named {
		prefix = KeyPrefix
	}
	s, err := delivery.New(delivery.Settings{Pipeline: r.o.TargetPipeline, Stream: r.stream, Output: r.o.Target,
		MaxPartitions: r.o.Buffer.MaxPartitions, StateDir: filepath.Join(r.o.Dir, "outputs", url.PathEscape(r.o.Target.Name)),
		Buffer: r.buf, Logger: r.log, Registry: r.reg, Kick: r.kick, KeyPrefix: prefix})
	r.sender = s
	return err
}

// openLookup opens a second handle on a target that dedupes by _id.
func (r *runner) openLookup() error {
	oc := r.o.Target
	out, err := oc.Factory.Create(outputs.Settings{Pipeline: r.o.TargetPipeline, Name: oc.Name,
		Logger: zap.NewNop(), Registerer: prometheus.NewRegistry()}, oc.Config)
	if err != nil {
		return err
	}
	if p, ok := out.(presence); ok {
		r.present, r.lookup = p, out
		return nil
	}
	return out.Close(context.Background())
}

func (r *runner) close() {
	ctx := context.Background()
	if r.lookup != nil {
		_ = r.lookup.Close(ctx)
	}
	if r.sender != nil {
		if err := r.sender.Close(ctx); err != nil {
			r.log.Warn("closing the target output", zap.Error(err))
		}
	}
	if r.buf != nil {
		if err := r.buf.Close(); err != nil {
			r.log.Error("closing the replay buffer", zap.Error(err))
		}
	}
}

// presentRows is what the target's Writes skipped as stored already: a
// safety net behind the lookup (an event that arrived meanwhile).
func (r *runner) presentRows() int64 {
	mfs, err := r.reg.Gather()
	if err != nil {
		return 0
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() == "auditship_mysql_rows_present_total" {
			for _, m := range mf.GetMetric() {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return int64(n)
}
