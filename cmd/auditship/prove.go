package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/auditship/auditship/agent/chain"
)

// cmdProve writes the inclusion proof of one stored event as JSON.
func cmdProve(args []string) int {
	fs := newFlagSet("prove")
	path := fs.String("c", "", "config file or directory")
	name := fs.String("output", "", "the output whose store holds the event")
	pipeline := fs.String("pipeline", "", "only this pipeline")
	id := fs.String("id", "", "the event's _id")
	if !parseFlags(fs, args) {
		return exitUsage
	}
	if *name == "" || *id == "" {
		return usageError("prove", "--output and --id are required")
	}
	cfg, ok := load(*path)
	if !ok {
		return exitUsage
	}
	stores, err := chainStores(cfg, *name, *pipeline)
	if err != nil {
		return usageError("prove", err.Error())
	}
	defer closeAll(stores)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := proveIn(ctx, stores, *name, *id)
	if err != nil {
		fmt.Fprintf(os.Stderr, "auditship prove: %v\n", err)
		return exitRuntime
	}
	return writeProof(os.Stdout, p)
}

// proveIn looks for the event in each store in turn.
func proveIn(ctx context.Context, stores []chainStore, output, id string) (*chain.Proof, error) {
	err := chain.ErrNotFound
	for _, s := range stores {
		var p *chain.Proof
		if p, err = chain.Prove(ctx, s.reader, s.pipeline, output, id); err == nil {
			return p, nil
		}
		if !errors.Is(err, chain.ErrNotFound) {
			return nil, err
		}
	}
	return nil, err
}

func writeProof(w io.Writer, p *chain.Proof) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		fmt.Fprintf(os.Stderr, "auditship prove: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
