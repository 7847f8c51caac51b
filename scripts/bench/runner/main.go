// Command runner times one benchmark command from start to exit and prints
// a table row from the child's rusage (user+sys CPU, ru_maxrss):
//
//	runner -label cat -events 2000000 -bytes 900000000 -stdin in.log -- cat
//
// With -watch DIR it also counts the lines of the finished *.ndjson files
// under DIR (what a file output delivered); with -until N it sends SIGTERM
// once that count reaches N, for commands that never end on their own,
// such as tailing a file.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

type options struct {
	label   string
	events  int64
	bytes   int64
	stdin   string
	stdout  string
	stderr  string
	watch   string
	until   int64
	poll    time.Duration
	timeout time.Duration
	argv    []string
}

func main() {
	var o options
	flag.StringVar(&o.label, "label", "", "row label")
	flag.Int64Var(&o.events, "events", 0, "events in the input, for events/s and CPU per million")
	flag.Int64Var(&o.bytes, "bytes", 0, "input bytes, for MB/s")
	flag.StringVar(&o.stdin, "stdin", "", "file to connect to the command's stdin (default /dev/null)")
	flag.StringVar(&o.stdout, "stdout", "", "file for the command's stdout (default /dev/null)")
	flag.StringVar(&o.stderr, "stderr", "", "file for the command's stderr (default: inherited)")
	flag.StringVar(&o.watch, "watch", "", "directory of *.ndjson output files to count lines in")
	flag.Int64Var(&o.until, "until", 0, "with -watch: SIGTERM the command once this many lines are out")
	flag.DurationVar(&o.poll, "poll", 20*time.Millisecond, "how often -watch looks")
	flag.DurationVar(&o.timeout, "timeout", 30*time.Minute, "SIGKILL the command after this long")
	header := flag.Bool("header", false, "print the table header and targets, then exit")
	flag.Parse()
	if *header {
		printHeader(os.Stdout)
		return
	}
	o.argv = flag.Args()
	if len(o.argv) == 0 {
		fmt.Fprintln(os.Stderr, "runner: no command given")
		os.Exit(2)
	}
	r, err := measure(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "runner:", err)
		os.Exit(1)
	}
	r.print(os.Stdout)
	if r.failed() {
		os.Exit(1)
	}
}
