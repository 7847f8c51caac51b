package e2e

import (
	"testing"
	"time"
)

// Replay end to end (issue 11): the agent archives 2000 events (stdin)
// into a file, s3, azure_blob and mysql output at once, 50 events a
// batch; then, from each of the four stores, a time window and two
// workflow instances are replayed into a mysql database and an S3 bucket
// of their own. Each target's replay stream holds exactly the events the
// test computes from what it wrote, once; into mysql, the events stored
// already are skipped and counted, and a second replay (--again) adds
// nothing; `verify` finds both targets intact.

const replayCount = 2000

func TestReplay(t *testing.T) {
	t.Parallel()
	evs := replayEvents(replayCount)
	my := sharedMySQL(t)
	s3srv := sharedS3(t)
	src := map[string]string{
		"src_file": fileStoreOutput("src_file", tempDir(t, "src"), 50),
		"src_s3":   s3srv.store(t, true).output(storeOpts{name: "src_s3", maxEvents: 50}),
		"src_az":   sharedAzure(t).store(t).output(storeOpts{name: "src_az", maxEvents: 50}),
		"src_my":   my.database(t, true).output(myOpts{name: "src_my", create: true, events: 50}),
	}
	var blocks []string
	for _, b := range src {
		blocks = append(blocks, b)
	}
	began := time.Now()
	shipStdin(t, config{dataDir: t.TempDir(), input: stdinInput(), outputs: blocks}.write(t), evs)
	t.Logf("archive of %d events in 4 stores built in %v", replayCount, time.Since(began).Round(time.Millisecond))
	for name, block := range src {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testReplayFrom(t, name, block, evs, my, s3srv)
		})
	}
}

func testReplayFrom(t *testing.T, from, block string, evs []replayEvent, my myServer, s3srv *s3Server) {
	dm := my.database(t, true)
	ds := s3srv.store(t, true)
	cfg := replayConfig(t, block, dm.output(myOpts{name: "dst_my", create: true, events: 1000}),
		ds.output(storeOpts{name: "dst_s3", maxEvents: 1000}))
	data := t.TempDir()
	since, until := replayBase.Add(5000*time.Second), replayBase.Add(8000*time.Second)
	window := []string{"--since", since.Format(time.RFC3339), "--until", until.Format(time.RFC3339)}
	inWindow := want(evs, func(e replayEvent) bool { return !e.time.Before(since) && e.time.Before(until) })
	instances := []string{"--where", "workflowInstanceId in ['wi-015', 'wi-020']"}
	ofInstances := want(evs, func(e replayEvent) bool { return e.instance == "wi-015" || e.instance == "wi-020" })
	overlap := 0 // wi-015 (750..799) lies in the window (500..799)
	for n := range ofInstances {
		if inWindow[n] {
			overlap++
		}
	}

	// Into mysql: the window, then the instances (those in the window skipped).
	s := runReplay(t, cfg, data, from, "dst_my", window...)
	checkCounts(t, "window → mysql", s, len(inWindow), len(inWindow), 0)
	checkSelective(t, "window", s)
	streamRows(t, dm, s.stream).check(t, "window → mysql", inWindow)
	s = runReplay(t, cfg, data, from, "dst_my", instances...)
	checkCounts(t, "instances → mysql", s, len(ofInstances), len(ofInstances)-overlap, overlap)
	checkSelective(t, "instances", s)
	rows := allRows(t, dm)
	if want := len(inWindow) + len(ofInstances) - overlap; rows != want {
		t.Errorf("mysql holds %d rows after two replays, want %d", rows, want)
	}
	// The same window again: done already, then --again: all present.
	s = runReplay(t, cfg, data, from, "dst_my", window...)
	if s.shipped != len(inWindow) {
		t.Errorf("a completed replay run again: summary %+v, want the first run's", s)
	}
	s = runReplay(t, cfg, data, from, "dst_my", append(window, "--again")...)
	checkCounts(t, "window → mysql again", s, len(inWindow), 0, len(inWindow))
	if n := allRows(t, dm); n != rows {
		t.Errorf("the second replay changed the rows from %d to %d", rows, n)
	}

	// Into S3: each replay its own stream under replay/.
	s = runReplay(t, cfg, data, from, "dst_s3", window...)
	checkCounts(t, "window → s3", s, len(inWindow), len(inWindow), 0)
	streamObjects(t, ds, s.stream).check(t, "window → s3", inWindow)
	s = runReplay(t, cfg, data, from, "dst_s3", instances...)
	checkCounts(t, "instances → s3", s, len(ofInstances), len(ofInstances), 0)
	streamObjects(t, ds, s.stream).check(t, "instances → s3", ofInstances)

	verifyOK(t, cfg, "dst_my")
	verifyOK(t, cfg, "dst_s3")
}

func checkCounts(t *testing.T, what string, s replaySummary, matched, shipped, present int) {
	t.Helper()
	if s.matched != matched || s.shipped != shipped || s.present != present {
		t.Errorf("%s: %d matched, %d shipped, %d already present; want %d, %d, %d",
			what, s.matched, s.shipped, s.present, matched, shipped, present)
	}
	if s.read > s.selected || s.selected > s.listed || s.listed < replayCount/50 {
		t.Errorf("%s: %d batches listed, %d selected, %d read: want read <= selected <= listed, listed >= %d",
			what, s.listed, s.selected, s.read, replayCount/50)
	}
}

// checkSelective wants a selective query to read fewer batches than the
// store holds: the index rules the others out.
func checkSelective(t *testing.T, what string, s replaySummary) {
	t.Helper()
	if s.read >= s.listed {
		t.Errorf("%s: read %d of %d batches: the index ruled none out", what, s.read, s.listed)
	}
	t.Logf("%s: read %d of %d batches", what, s.read, s.listed)
}
