package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"go.uber.org/zap"

	"github.com/auditship/auditship"
	"github.com/auditship/auditship/agent"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/state"
)

func cmdRun(args []string) int {
	fs := newFlagSet("run")
	path := fs.String("c", "", "config file or directory")
	dataDir := fs.String("data-dir", "", "state directory (overrides data_dir)")
	level := fs.String("log-level", "info", "debug|info|warn|error")
	var discard stringList
	fs.Var(&discard, "discard-state", "drop the state of a removed component (repeatable)")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	reload, stopReload := notifyReload() // before anything: SIGHUP must never kill a run
	defer stopReload()
	log, err := newLogger(*level)
	if err != nil {
		fmt.Fprintf(os.Stderr, "auditship run: %v\n", err)
		return exitUsage
	}
	defer log.Sync()
	cfg, ok := load(*path)
	if !ok {
		return exitUsage
	}
	setMemoryLimit(cfg)
	defer startProfile()()
	dir := firstNonEmpty(*dataDir, cfg.DataDir, defaultDataDir())
	ctx, stop := notifyContext(context.Background())
	defer stop()
	log.Info("starting", zap.String("version", version), zap.String("data_dir", dir))
	err = agent.Run(ctx, cfg, agent.Options{DataDir: dir, DiscardState: discard, Logger: log,
		Reload: reload, Load: reloader(*path)})
	return exitCode(log, err)
}

// reloader reads the config again from the same path for a SIGHUP; the
// agent logs its diagnostics.
func reloader(path string) func() (*config.Config, config.Diagnostics) {
	return func() (*config.Config, config.Diagnostics) {
		if path == "" {
			return config.LoadBytes(auditship.DefaultConfigName, auditship.DefaultConfig, agent.Components())
		}
		return config.Load(path, agent.Components())
	}
}

func exitCode(log *zap.Logger, err error) int {
	switch {
	case err == nil:
		log.Info("stopped")
		return exitOK
	case errors.Is(err, state.ErrLocked), errors.Is(err, agent.ErrRemovedState):
		log.Error("cannot start", zap.Error(err))
		return exitUsage
	default:
		log.Error("stopped with an error", zap.Error(err))
		return exitRuntime
	}
}

// The collector's defaults unless GOMEMLIMIT / GOGC say otherwise. The
// live heap is small and bounded (batches live in spool files), so the
// heap may grow to a few times it between collections — less GC work per
// event — while the soft limit caps it, keeping RSS under 64 MB. Each
// pipeline past the first adds pipelineMemory to the limit: its input,
// buffer and sender keep about half a MiB live, and a limit below the live
// heap has the collector run without a pause (100 pipelines × 100 lines/s:
// 131–137% of a core under 40 MiB, 114% under 100 MiB, RSS 118 MB).
const (
	defaultMemoryLimit = 40 << 20
	pipelineMemory     = 600 << 10
	defaultGCPercent   = 300
)

// memoryLimit is the default soft limit for cfg's enabled pipelines.
func memoryLimit(cfg *config.Config) int64 {
	n := 0
	for _, p := range cfg.Pipelines {
		if p.Enabled {
			n++
		}
	}
	return defaultMemoryLimit + int64(max(n-1, 0))*pipelineMemory
}

func setMemoryLimit(cfg *config.Config) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(cfg))
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}

// defaultDataDir is /var/lib/auditship for root, else the XDG state dir.
func defaultDataDir() string {
	if os.Geteuid() == 0 {
		return "/var/lib/auditship"
	}
	if x := os.Getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "auditship")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "state", "auditship")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
