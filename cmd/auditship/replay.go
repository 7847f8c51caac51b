package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/schollz/progressbar/v3"
	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/agent/replay"
	"github.com/auditship/auditship/agent/state"
)

// replayMemoryLimit is replay's soft Go memory limit (see setMemoryLimit):
// with two mysql batches of 2,500 events loading at once, 32 MiB made the
// heap's goal its live size (a collection every 10 ms, 40 s for a 1M
// replay against 33 s); 36 MiB keeps peak RSS near 58 MB.
const replayMemoryLimit = 36 << 20

// replayFlags are the flags of `auditship replay`.
type replayFlags struct {
	config, dataDir, level string
	req                    replay.Request
	again                  bool
}

func cmdReplay(args []string) int {
	fs := newFlagSet("replay")
	var f replayFlags
	fs.StringVar(&f.config, "c", "", "config file or directory")
	fs.StringVar(&f.req.From, "from", "", "the store output read back")
	fs.StringVar(&f.req.To, "to", "", "the output the events are shipped to")
	fs.StringVar(&f.req.Pipeline, "pipeline", "", "only this pipeline's batches; the pipeline of --to")
	fs.StringVar(&f.req.Where, "where", "", "only events matching this expression")
	fs.StringVar(&f.req.Since, "since", "", "only events at or after this time (RFC 3339, date, or duration back)")
	fs.StringVar(&f.req.Until, "until", "", "only events before this time")
	fs.StringVar(&f.dataDir, "data-dir", "", "state directory (overrides data_dir)")
	fs.StringVar(&f.level, "log-level", "info", "debug|info|warn|error")
	fs.BoolVar(&f.again, "again", false, "replay again although a replay with these arguments completed")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if f.req.From == "" || f.req.To == "" || f.req.From == f.req.To {
		return usageError("replay", "--from OUTPUT and --to OUTPUT are required and must differ")
	}
	log, err := newLogger(f.level)
	if err != nil {
		return usageError("replay", err.Error())
	}
	defer log.Sync()
	cfg, ok := load(f.config)
	if !ok {
		return exitUsage
	}
	setMemoryLimit(cfg)
	if os.Getenv("GOMEMLIMIT") == "" {
		// Replay mostly waits on stores: a tight heap keeps its RSS under
		// 64 MB, whatever the archive's size.
		debug.SetMemoryLimit(replayMemoryLimit)
	}
	defer startProfile()()
	return replayWith(cfg, f, log)
}

func replayWith(cfg *config.Config, f replayFlags, log *zap.Logger) int {
	opts, closeSrc, err := replayOptions(cfg, f.req)
	if err != nil {
		return usageError("replay", err.Error())
	}
	defer closeSrc()
	dir := f.req.Dir(firstNonEmpty(f.dataDir, cfg.DataDir, defaultDataDir()))
	lock, err := state.Acquire(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "auditship replay: %v\n", err)
		return exitRuntime
	}
	defer lock.Release()
	if code, done := replayDone(dir, f.again); done {
		return code
	}
	if opts.Query, err = replayQuery(dir, f.req); err != nil {
		return usageError("replay", err.Error())
	}
	opts.Dir, opts.Logger = dir, log.With(zap.String("replay", f.req.ID()))
	return runReplay(opts)
}

// replayDone handles a replay that completed before: its summary again
// (exit 0), or, with --again, its state cleared for a new stream.
func replayDone(dir string, again bool) (int, bool) {
	sum, done, err := replay.Done(dir)
	switch {
	case err != nil:
		fmt.Fprintf(os.Stderr, "auditship replay: %v\n", err)
		return exitRuntime, true
	case !done:
		return 0, false
	case !again:
		fmt.Printf("replay already complete (%s; --again replays anew): %s\n", dir, sum)
		return exitOK, true
	}
	if err := clearState(dir); err != nil {
		fmt.Fprintf(os.Stderr, "auditship replay: %v\n", err)
		return exitRuntime, true
	}
	return 0, false
}

// clearState removes a completed replay's state but its lock.
func clearState(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != "lock" {
			if err := os.RemoveAll(dir + "/" + e.Name()); err != nil {
				return err
			}
		}
	}
	return nil
}

// replayQuery compiles --where with the time window kept in dir.
func replayQuery(dir string, r replay.Request) (*index.Query, error) {
	since, until, err := replay.Window(dir, r, func() (since, until time.Time, err error) {
		now := time.Now()
		if since, err = parseTimeFlag(r.Since, now); err != nil {
			return since, until, fmt.Errorf("--since: %w", err)
		}
		if until, err = parseTimeFlag(r.Until, now); err != nil {
			return since, until, fmt.Errorf("--until: %w", err)
		}
		return since, until, nil
	})
	if err != nil {
		return nil, err
	}
	q, err := index.NewQuery(r.Where, since, until)
	if err != nil {
		return nil, fmt.Errorf("--where: %w", err)
	}
	return q, nil
}

// replayOptions resolves --from and --to in the config.
func replayOptions(cfg *config.Config, r replay.Request) (replay.Options, func(), error) {
	tp, to, err := targetOutput(cfg, r.To, r.Pipeline)
	if err != nil {
		return replay.Options{}, nil, err
	}
	stores, err := chainStores(cfg, r.From, r.Pipeline)
	if err != nil {
		return replay.Options{}, nil, err
	}
	if len(stores) > 1 {
		closeAll(stores)
		return replay.Options{}, nil, fmt.Errorf("--from %q names %d stores (one per pipeline): choose one with --pipeline", r.From, len(stores))
	}
	return replay.Options{Source: stores[0].reader, SourceOutput: r.From, SourcePipeline: r.Pipeline,
		Target: to, TargetPipeline: tp.Name, Buffer: tp.Buffer}, func() { closeAll(stores) }, nil
}

// targetOutput finds the --to output: in --pipeline, or in the one
// pipeline that has it.
func targetOutput(cfg *config.Config, name, pipeline string) (*config.Pipeline, *config.Output, error) {
	var found []*config.Pipeline
	for _, p := range cfg.Pipelines {
		if outputNamed(p, name) != nil && (pipeline == "" || p.Name == pipeline) {
			found = append(found, p)
		}
	}
	switch {
	case len(found) == 0:
		return nil, nil, noOutput(name, pipeline)
	case len(found) > 1:
		return nil, nil, fmt.Errorf("--to %q is an output of %d pipelines: choose one with --pipeline", name, len(found))
	}
	return found[0], outputNamed(found[0], name), nil
}

// runReplay runs the replay with a progress bar on a terminal, else a
// log line every 10 s, and prints the summary.
func runReplay(opts replay.Options) int {
	ctx, stop := notifyContext(context.Background())
	defer stop()
	done := replayProgress(&opts, isTerminal(os.Stderr))
	sum, err := replay.Run(ctx, opts)
	done()
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, replay.ErrUndelivered):
		fmt.Fprintf(os.Stderr, "auditship replay: interrupted (%d matching events taken into the replay in this run); "+
			"run the same command to continue\n", sum.Shipped)
		return exitRuntime
	case err != nil:
		opts.Logger.Error("replay failed; its state is kept: run the same command to continue", zap.Error(err))
		return exitRuntime
	}
	fmt.Println(sum)
	return exitOK
}

// replayProgress sets opts.Progress: a bar (batches, events, rate, ETA)
// or periodic log lines. The returned func ends it.
func replayProgress(opts *replay.Options, terminal bool) func() {
	if terminal {
		return progressOnBar(opts, os.Stderr)
	}
	log, last := opts.Logger, time.Now()
	opts.Progress = func(p replay.Progress) {
		if time.Since(last) < 10*time.Second {
			return
		}
		last = time.Now()
		log.Info("replay progress", zap.Int("batches", p.Batches), zap.Int("batches_total", p.BatchesTotal),
			zap.Int64("events_read", p.Events), zap.Int64("events_total", p.EventsTotal),
			zap.Int64("events_matched", p.Matched), zap.Int64("events_present", p.Present),
			zap.Int64("events_delivered", p.Delivered), zap.Bool("reading", p.Reading))
	}
	return func() {}
}

func progressOnBar(opts *replay.Options, w io.Writer) func() {
	var bar *progressbar.ProgressBar
	delivering := false
	opts.Progress = func(p replay.Progress) {
		if bar == nil {
			bar = progressbar.NewOptions64(max(p.EventsTotal, 1), progressbar.OptionSetWriter(w),
				progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("events"),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		if p.Reading {
			bar.Describe(fmt.Sprintf("replay: batch %d/%d, %d matched, %d delivered", p.Batches, p.BatchesTotal,
				p.Matched, p.Delivered))
			_ = bar.Set64(p.Events)
			return
		}
		// The source is read: the bar follows the delivery of what is left.
		if !delivering {
			delivering = true
			bar.Reset()
		}
		bar.ChangeMax64(max(p.Queued, 1))
		bar.Describe(fmt.Sprintf("replay: source read (%d matched); delivering", p.Matched))
		_ = bar.Set64(p.Delivered)
	}
	return func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
}
