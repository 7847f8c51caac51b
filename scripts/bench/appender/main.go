// Command appender appends lines of a source file to N files of one
// directory at a steady rate each, as N applications logging side by side
// would: the load of the scale bench (scale.sh).
//
//	appender -src audit.json.log -dir logs -files 100 -rate 100 -for 70s
//
// Every tick (10ms) each file gets the lines due since the last one, in
// one write(2); the source's lines are dealt round-robin and reused from
// the start when they run out. It prints the lines written per file.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	src := flag.String("src", "", "file of lines to append")
	dir := flag.String("dir", "", "directory of the files flow-N.log")
	files := flag.Int("files", 100, "number of files")
	rate := flag.Int("rate", 100, "lines per second per file")
	dur := flag.Duration("for", time.Minute, "how long to write")
	tick := flag.Duration("tick", 10*time.Millisecond, "write period")
	flag.Parse()
	n, err := run(*src, *dir, *files, *rate, *dur, *tick)
	if err != nil {
		fmt.Fprintln(os.Stderr, "appender:", err)
		os.Exit(1)
	}
	fmt.Println(n)
}

func readLines(name string) ([][]byte, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append(bytes.Clone(sc.Bytes()), '\n'))
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s: no lines", name)
	}
	return lines, sc.Err()
}

func openAll(dir string, n int) ([]*os.File, error) {
	fs := make([]*os.File, n)
	for i := range fs {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("flow-%d.log", i)), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	return fs, nil
}

// run writes for dur and returns the lines written to each file.
func run(src, dir string, files, rate int, dur, tick time.Duration) (int, error) {
	lines, err := readLines(src)
	if err != nil {
		return 0, err
	}
	fs, err := openAll(dir, files)
	if err != nil {
		return 0, err
	}
	start, next, written := time.Now(), 0, 0
	var buf []byte
	t := time.NewTicker(tick)
	defer t.Stop()
	for now := range t.C {
		el := min(now.Sub(start), dur)
		due := int(el.Seconds()*float64(rate)) - written
		for _, f := range fs {
			if due == 0 {
				break
			}
			buf = buf[:0]
			for range due {
				buf = append(buf, lines[next%len(lines)]...)
				next++
			}
			if _, err := f.Write(buf); err != nil {
				return written, err
			}
		}
		written += due
		if el >= dur {
			return written, nil
		}
	}
	return written, nil
}
