// Command gen writes a deterministic stream of realistic Automatiko audit
// entries for the benchmarks:
//
//	go run ./scripts/bench/gen -n 2000000 -format json -seed 1 > audit.log
//
// The same flags always give the same bytes. -stats writes a JSON summary
// (entries, bytes, counts per category and per workflowDefinitionId, and
// how many entries the standard bench pipeline passes).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	n := flag.Int("n", 2000000, "number of entries")
	format := flag.String("format", "json", "json | plain")
	seed := flag.Uint64("seed", 1, "random seed")
	statsPath := flag.String("stats", "", "write a JSON summary to this file")
	flag.Parse()
	if err := run(os.Stdout, *n, *format, *seed, *statsPath); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, n int, format string, seed uint64, statsPath string) error {
	if format != "json" && format != "plain" {
		return fmt.Errorf("format %q: want json or plain", format)
	}
	w := bufio.NewWriterSize(out, 1<<20)
	g := newGen(w, seed, n, format == "plain")
	if err := g.run(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if statsPath == "" {
		return nil
	}
	b, err := json.MarshalIndent(g.stats, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(statsPath, append(b, '\n'), 0o644)
}
