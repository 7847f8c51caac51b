// Command runner times one benchmark command from start to exit and prints
// a table row from the child's rusage (user+sys CPU, ru_maxrss):
//
//	runner -label cat -events 2000000 -bytes 900000000 -stdin in.log -- cat
//
// With -watch DIR it also counts the lines of the finished *.ndjson files
// under DIR (what a file output delivered); with -until N it sends SIGTERM
// once that count reaches N, for commands that never end on their own,
// such as tailing a file. With -metrics URL it scrapes the agent's
// /metrics: -fsyncs NAME gives the fsync/s column, and -until-metric NAME
// makes -until watch that series instead of the files. -stat CMD runs after
// exit and reports what an object store holds (objects, bytes, events).
package main

import (
	"flag"
	"fmt"
	"net"
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

	metrics     string // URL of the agent's /metrics
	scrape      time.Duration
	fsyncs      string // counter shown as fsync/s
	untilMetric string // series -until watches instead of -watch
	stat        string // shell command run after exit, see storeStat
	eventsOut   bool   // the events column is what was delivered
	eventsFrom  string // or the last scraped value of this series
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
	flag.StringVar(&o.metrics, "metrics", "", "Prometheus /metrics URL of the command, scraped while it runs")
	flag.DurationVar(&o.scrape, "scrape", 200*time.Millisecond, "how often -metrics is scraped")
	flag.StringVar(&o.fsyncs, "fsyncs", "", "with -metrics: counter of fsyncs for the fsync/s column")
	flag.StringVar(&o.untilMetric, "until-metric", "", "with -metrics: SIGTERM once this series reaches -until")
	flag.StringVar(&o.stat, "stat", "", "shell command printing `objects stored_bytes raw_bytes events` after exit")
	flag.BoolVar(&o.eventsOut, "events-out", false, "count the events delivered (out) as the input events")
	flag.StringVar(&o.eventsFrom, "events-metric", "", "with -metrics: take the events column from this series")
	header := flag.Bool("header", false, "print the table header and targets, then exit")
	target := flag.String("target", "", "print a target row `label,events/s,CPU-s/M,RSS MB`, then exit")
	freePort := flag.Bool("free-port", false, "print a free 127.0.0.1 TCP port, then exit")
	flag.Parse()
	if done, err := oneShot(*header, *target, *freePort); done {
		if err != nil {
			fmt.Fprintln(os.Stderr, "runner:", err)
			os.Exit(2)
		}
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

// oneShot runs the modes that print one thing instead of a measurement.
func oneShot(header bool, target string, freePort bool) (bool, error) {
	switch {
	case header:
		printHeader(os.Stdout)
	case target != "":
		return true, printTarget(os.Stdout, target)
	case freePort:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return true, err
		}
		defer l.Close()
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
	default:
		return false, nil
	}
	return true, nil
}
