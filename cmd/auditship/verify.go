package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/schollz/progressbar/v3"
	"go.uber.org/zap"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/outputs"
)

// exitIncomplete: verify could not complete (store unreachable, access
// denied), never a problem found in the archive (SPEC §1).
const exitIncomplete = 3

// verifyFlags are the flags of `auditship verify`.
type verifyFlags struct {
	config, output, pipeline, publicKey, maxAge, proof, bundle string
	json                                                       bool
}

func cmdVerify(args []string) int {
	fs := newFlagSet("verify")
	var f verifyFlags
	fs.StringVar(&f.config, "c", "", "config file or directory")
	fs.StringVar(&f.output, "output", "", "the output whose store is verified")
	fs.StringVar(&f.pipeline, "pipeline", "", "only this pipeline")
	fs.StringVar(&f.publicKey, "public-key", "", "the public key file (auditship keygen) checkpoints must be signed with")
	fs.StringVar(&f.maxAge, "max-age", "", "the newest checkpoint may be at most this old (default 2 × digest_interval)")
	fs.StringVar(&f.proof, "proof", "", "check this proof (auditship prove) offline")
	fs.StringVar(&f.bundle, "bundle", "", "check this bundle directory (auditship export) offline")
	fs.BoolVar(&f.json, "json", false, "print the report as JSON")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if f.proof != "" {
		return cmdCheckProof(os.Stdout, f.proof, f.publicKey)
	}
	if f.bundle != "" {
		return cmdCheckBundle(os.Stdout, f.bundle, f.publicKey, f.json)
	}
	return verifyStore(os.Stdout, f)
}

// verifyStore verifies the stores of an output named in the config.
func verifyStore(w io.Writer, f verifyFlags) int {
	if f.output == "" {
		return usageError("verify", "--output is required (or --proof FILE or --bundle DIR, with --public-key FILE)")
	}
	var v note.Verifier
	if f.publicKey != "" {
		var err error
		if v, err = readVerifier(f.publicKey); err != nil {
			return usageError("verify", err.Error())
		}
	}
	cfg, ok := load(f.config)
	if !ok {
		return exitUsage
	}
	stores, err := chainStores(cfg, f.output, f.pipeline)
	if err != nil {
		return usageError("verify", err.Error())
	}
	maxAge, err := maxAgeOf(f.maxAge, stores)
	if err != nil {
		return usageError("verify", err.Error())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	report, err := verifyAll(ctx, stores, chain.VerifyOptions{Pipeline: f.pipeline, Output: f.output,
		Verifier: v, MaxAge: maxAge, Now: time.Now()}, !f.json && isTerminal(os.Stderr))
	if err != nil {
		fmt.Fprintf(os.Stderr, "auditship verify: could not complete: %v\n", err)
		return exitIncomplete
	}
	return printReport(w, report, f.json)
}

// verifyAll verifies each store and merges the reports.
func verifyAll(ctx context.Context, stores []chainStore, o chain.VerifyOptions, bar bool) (*chain.Report, error) {
	var all *chain.Report
	for _, s := range stores {
		o.Pipeline = s.pipeline
		progress, done := progressBar(bar)
		o.Progress = progress
		r, err := chain.Verify(ctx, s.reader, o)
		done()
		_ = s.reader.Close(context.Background())
		if err != nil {
			return nil, err
		}
		if all == nil {
			all = r
		} else {
			all.Merge(r)
		}
	}
	return all, nil
}

// printReport prints the summary (exit 0), or every problem then the
// summary (exit 1); as JSON with asJSON.
func printReport(w io.Writer, r *chain.Report, asJSON bool) int {
	return printProblems(w, r, r.Problems, r.Summary(), asJSON)
}

// printProblems prints report r of a verify (an archive's or a bundle's):
// every problem then the summary, or r as JSON; exit 1 when there are
// problems.
func printProblems[P fmt.Stringer](w io.Writer, r any, problems []P, summary string, asJSON bool) int {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
	} else {
		for _, p := range problems {
			fmt.Fprintln(w, p.String())
		}
		fmt.Fprintln(w, summary)
	}
	if len(problems) > 0 {
		return exitRuntime
	}
	return exitOK
}

// progressBar shows bytes and events read on stderr, when it is a terminal.
func progressBar(show bool) (func(events, bytes int64), func()) {
	if !show {
		return nil, func() {}
	}
	bar := progressbar.NewOptions64(-1, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("verifying"), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(), progressbar.OptionSpinnerType(14))
	return func(events, bytes int64) {
			bar.Describe(fmt.Sprintf("verifying: %d events", events))
			_ = bar.Set64(bytes)
		}, func() {
			_ = bar.Finish()
		}
}

// chainStore is one store an output name resolves to, read back for
// verify and prove. pipeline is "" when every pipeline it holds is read.
type chainStore struct {
	pipeline string
	out      *config.Output
	reader   chain.Reader
}

// chainStores creates the stores of the outputs called name: the one of
// pipeline when it is set, else one per distinct destination across the
// pipelines (an inherited output is one store shared by all).
func chainStores(cfg *config.Config, name, pipeline string) ([]chainStore, error) {
	var out []chainStore
	seen := map[string]bool{}
	for _, p := range cfg.Pipelines {
		o := outputNamed(p, name)
		if o == nil || pipeline != "" && p.Name != pipeline {
			continue
		}
		dest := destination(p.Name, o)
		if seen[dest] {
			continue
		}
		seen[dest] = true
		r, err := openReader(p.Name, o)
		if err != nil {
			closeAll(out)
			return nil, err
		}
		out = append(out, chainStore{pipeline: pipeline, out: o, reader: r})
	}
	if len(out) == 0 {
		return nil, noOutput(name, pipeline)
	}
	return out, nil
}

func outputNamed(p *config.Pipeline, name string) *config.Output {
	for _, o := range p.Outputs {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// destination tells the stores apart: type and location when the output
// says where it writes, else one per pipeline.
func destination(pipeline string, o *config.Output) string {
	if ks, ok := o.Config.(outputs.KeySpacer); ok {
		dest, _ := ks.KeySpace()
		return o.Type + "\x00" + dest
	}
	return o.Type + "\x00pipeline\x00" + pipeline
}

// openReader creates an output to read its store (no data_dir needed).
func openReader(pipeline string, o *config.Output) (chain.Reader, error) {
	out, err := o.Factory.Create(outputs.Settings{Pipeline: pipeline, Name: o.Name, Logger: zap.NewNop(),
		Registerer: prometheus.NewRegistry()}, o.Config)
	if err != nil {
		return nil, fmt.Errorf("output %q of pipeline %q: %w", o.Name, pipeline, err)
	}
	r, ok := out.(chain.Reader)
	if !ok {
		_ = out.Close(context.Background())
		return nil, fmt.Errorf("output %q (type %s) keeps no integrity chain that can be read back "+
			"(its store does not implement outputs.Store and outputs.MetaStore)", o.Name, o.Type)
	}
	return r, nil
}

func closeAll(stores []chainStore) {
	for _, s := range stores {
		_ = s.reader.Close(context.Background())
	}
}

func noOutput(name, pipeline string) error {
	if pipeline != "" {
		return fmt.Errorf("pipeline %q has no output named %q", pipeline, name)
	}
	return fmt.Errorf("no pipeline has an output named %q", name)
}

// maxAgeOf is --max-age, by default twice the longest digest_interval of
// the outputs verified.
func maxAgeOf(flag string, stores []chainStore) (time.Duration, error) {
	if flag != "" {
		d, err := time.ParseDuration(flag)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("--max-age %q: want a duration like 2h", flag)
		}
		return d, nil
	}
	var longest time.Duration
	for _, s := range stores {
		longest = max(longest, s.out.DigestInterval)
	}
	if longest <= 0 {
		longest = time.Hour
	}
	return 2 * longest, nil
}

// readVerifier reads a public key file written by `auditship keygen`.
func readVerifier(path string) (note.Verifier, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--public-key: %w", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("--public-key %s: not a public key written by `auditship keygen`: %w", path, err)
	}
	return v, nil
}

func usageError(cmd, msg string) int {
	fmt.Fprintf(os.Stderr, "auditship %s: %s\n", cmd, msg)
	return exitUsage
}

// cmdCheckProof checks a proof file offline: exit 0 valid, 1 invalid.
func cmdCheckProof(w io.Writer, file, publicKey string) int {
	if publicKey == "" {
		return usageError("verify", "--proof needs --public-key FILE")
	}
	v, err := readVerifier(publicKey)
	if err != nil {
		return usageError("verify", err.Error())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return usageError("verify", fmt.Sprintf("--proof: %v", err))
	}
	var p chain.Proof
	if err = json.Unmarshal(b, &p); err == nil {
		err = chain.CheckProof(&p, v)
	}
	if err != nil {
		fmt.Fprintf(w, "proof invalid: %v\n", err)
		return exitRuntime
	}
	fmt.Fprintf(w, "proof valid: event %s is leaf %d of %s at tree size %d, signed by %s\n",
		p.ID, p.LeafIndex, p.Origin, p.TreeSize, v.Name())
	return exitOK
}
