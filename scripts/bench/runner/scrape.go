package main

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// scraper reads named series from a Prometheus text endpoint. A name's
// value is the sum over its label sets (one per pipeline or output).
type scraper struct {
	url    string
	names  []string
	client *http.Client
	last   map[string]float64 // values of the last successful scrape
	at     time.Duration      // when it was taken, since start
}

func newScraper(url string, names ...string) *scraper {
	var ns []string
	for _, n := range names {
		if n != "" {
			ns = append(ns, n)
		}
	}
	return &scraper{url: url, names: ns, client: &http.Client{Timeout: time.Second}}
}

// scrape fetches the endpoint; failures (not listening yet, or already
// gone at exit) keep the previous values.
func (s *scraper) scrape(since time.Duration) {
	resp, err := s.client.Get(s.url)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	if vals, err := sumSeries(resp.Body, s.names); err == nil {
		s.last, s.at = vals, since
	}
}

// value returns the last scraped value of name, and whether there was one.
func (s *scraper) value(name string) (float64, bool) {
	v, ok := s.last[name]
	return v, ok
}

// sumSeries sums the samples of each wanted metric in the text format.
func sumSeries(r io.Reader, names []string) (map[string]float64, error) {
	vals := make(map[string]float64, len(names))
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest := splitName(line)
		for _, n := range names {
			if n == name {
				vals[n] += sampleValue(rest)
			}
		}
	}
	return vals, sc.Err()
}

// splitName separates the metric name from its labels and value.
func splitName(line string) (string, string) {
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return line, ""
	}
	return line[:i], line[i:]
}

// sampleValue reads the value after the labels (a timestamp may follow).
func sampleValue(rest string) float64 {
	if j := strings.LastIndexByte(rest, '}'); j >= 0 {
		rest = rest[j+1:]
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
