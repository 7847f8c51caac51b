package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
)

// exportFlags are the flags of `auditship export`.
type exportFlags struct {
	config, from, pipeline, where, since, until, dir string
}

// cmdExport writes the stored events matching --where and the time
// window, each with its inclusion proof, into a bundle directory that
// `verify --bundle` checks offline (issue 11).
func cmdExport(args []string) int {
	fs := newFlagSet("export")
	var f exportFlags
	fs.StringVar(&f.config, "c", "", "config file or directory")
	fs.StringVar(&f.from, "from", "", "the store output whose archive is read")
	fs.StringVar(&f.pipeline, "pipeline", "", "only this pipeline's events")
	fs.StringVar(&f.where, "where", "", "only events matching this expression")
	fs.StringVar(&f.since, "since", "", "only events at or after this time (RFC 3339, date, or duration back)")
	fs.StringVar(&f.until, "until", "", "only events before this time")
	fs.StringVar(&f.dir, "to-dir", "", "the bundle directory: new or empty")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if f.from == "" || f.dir == "" {
		return usageError("export", "--from OUTPUT and --to-dir DIR are required")
	}
	q, info, err := exportQuery(f, time.Now())
	if err != nil {
		return usageError("export", err.Error())
	}
	cfg, ok := load(f.config)
	if !ok {
		return exitUsage
	}
	stores, err := chainStores(cfg, f.from, f.pipeline)
	if err != nil {
		return usageError("export", err.Error())
	}
	defer closeAll(stores)
	w, err := chain.CreateBundle(f.dir, info)
	if errors.Is(err, chain.ErrBundleDirNotEmpty) {
		return usageError("export", "--to-dir "+err.Error())
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "auditship export: %v\n", err)
		return exitRuntime
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return exportTo(ctx, os.Stdout, stores, f, q, w)
}

// exportQuery compiles --where and reads the time window; info is what
// bundle.json records of the request.
func exportQuery(f exportFlags, now time.Time) (*index.Query, chain.BundleInfo, error) {
	info := chain.BundleInfo{Output: f.from, Pipeline: f.pipeline, Where: f.where}
	since, err := parseTimeFlag(f.since, now)
	if err != nil {
		return nil, info, fmt.Errorf("--since: %w", err)
	}
	until, err := parseTimeFlag(f.until, now)
	if err != nil {
		return nil, info, fmt.Errorf("--until: %w", err)
	}
	if !since.IsZero() {
		info.Since = &since
	}
	if !until.IsZero() {
		info.Until = &until
	}
	q, err := index.NewQuery(f.where, since, until)
	if err != nil {
		return nil, info, fmt.Errorf("--where: %w", err)
	}
	return q, info, nil
}

// exportTo exports from each store into w, then closes the bundle; on
// an error it removes what it wrote.
func exportTo(ctx context.Context, out io.Writer, stores []chainStore, f exportFlags, q *index.Query, w *chain.BundleWriter) int {
	began := time.Now()
	for _, s := range stores {
		stats, err := chain.Export(ctx, s.reader, chain.ExportOptions{Pipeline: s.pipeline, Output: f.from, Query: q}, w)
		w.Stats(stats)
		if err != nil {
			w.Abort()
			fmt.Fprintf(os.Stderr, "auditship export: %v (nothing written)\n", err)
			return exitRuntime
		}
	}
	info, err := w.Close(time.Now())
	if err != nil {
		w.Abort()
		fmt.Fprintf(os.Stderr, "auditship export: %v (nothing written)\n", err)
		return exitRuntime
	}
	fmt.Fprintf(out, "exported %d events of %d streams to %s: %d of %d batches read (%d bytes), %d checkpoints (%s), in %v\n",
		info.Events, info.Streams, f.dir, info.BatchesSelected, info.Batches, info.BytesRead, info.Checkpoints,
		signedText(info.Signed), time.Since(began).Round(time.Millisecond))
	if info.ExprErrors > 0 {
		fmt.Fprintf(out, "--where failed on %d events (counted as no match)\n", info.ExprErrors)
	}
	return exitOK
}

func signedText(signed bool) string {
	if signed {
		return "signed"
	}
	return "NOT all signed: the archive has no signing_key"
}
