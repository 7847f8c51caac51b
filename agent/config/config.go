// Package config loads the agent's HCL configuration (SPEC §2): it merges
// defaults into pipelines, decodes every plugin block with its factory's
// config struct, and reports every problem at once as FILE:LINE:COL.
package config

import (
	"time"

	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/expr"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/processors"
)

// Registry lists the plugin factories by type.
type Registry struct {
	Inputs     map[string]inputs.Factory
	Processors map[string]processors.Factory
	Outputs    map[string]outputs.Factory
}

// Config is a loaded, validated configuration.
type Config struct {
	Files           []string      // the files read, in order
	DataDir         string        // "" when not set (the CLI applies the default)
	ShutdownTimeout time.Duration // default 30s
	MetricsAddr     string        // "" = disabled
	Pipelines       []*Pipeline   // every pipeline in file order, disabled ones included
}

// Pipeline is one pipeline after inheritance from defaults.
type Pipeline struct {
	Name       string
	Enabled    bool
	Buffer     Buffer
	Inputs     []*Input
	Processors []*Processor // inherited ones first, in order written
	Outputs    []*Output    // inherited ones first
}

// Buffer holds a pipeline's buffer settings.
type Buffer struct {
	MaxSize        int64  // default 1GiB
	WhenFull       string // block | drop_newest
	Fsync          string // batch | always | never
	MaxPartitions  int    // default 1000
	MaxRecordBytes int64  // default 16MiB
}

// Input is one input block with its common attributes decoded.
type Input struct {
	Type, Name   string
	Enabled      bool
	Factory      inputs.Factory
	Decode       format.Options
	Framing      record.Config
	FlushTimeout time.Duration // multiline.flush_timeout, default 1s
	Config       any           // the plugin's decoded config (Factory.NewConfig())
}

// Processor is one processor block.
type Processor struct {
	Type, Name string
	Enabled    bool
	Factory    processors.Factory
	Config     any
}

// Output is one output block with its common attributes decoded.
type Output struct {
	Type, Name             string
	Enabled                bool
	Factory                outputs.Factory
	When                   *expr.Program // nil: every event
	WhenSource             string
	Batch                  outputs.BatchConfig
	Retry                  Retry
	PermanentRetryInterval time.Duration // default 5m
	DigestInterval         time.Duration // default 1h
	SigningKey             string        // the private key (signed-note format); "": unsigned checkpoints
	CheckpointCopy         string        // another output of the pipeline that also stores the checkpoints
	IndexFields            []string      // top-level fields whose values each batch's index record holds; default index.DefaultFields
	Config                 any
}

// Retry bounds the exponential backoff of retryable errors.
type Retry struct {
	Initial, Max time.Duration // defaults 100ms and 30s
}
