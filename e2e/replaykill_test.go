package e2e

import (
	"testing"
	"time"
)

// A replay killed with kill -9 mid-way, twice, then run again to its end
// ships the exact set, with no event twice (by _id nor by content), into
// mysql and into an S3 bucket; the replay stream verifies intact.

const replayKillCount = 20000

func TestReplayKillResume(t *testing.T) {
	t.Parallel()
	evs := replayEvents(replayKillCount)
	srcDir := tempDir(t, "src")
	shipStdin(t, config{dataDir: t.TempDir(), input: stdinInput(),
		outputs: []string{fileStoreOutput("src_file", srcDir, 1000)}}.write(t), evs)
	dm := sharedMySQL(t).database(t, true)
	ds := sharedS3(t).store(t, true)
	// A small buffer paces the reading by the delivery: the kills land
	// while the source is being read, not only while the buffer drains.
	cfg := config{input: stdinInput(), buffer: `max_size = "1MiB"`, outputs: []string{
		fileStoreOutput("src_file", srcDir, 1000),
		dm.output(myOpts{name: "dst_my", create: true, events: 100}),
		ds.output(storeOpts{name: "dst_s3", maxEvents: 200})}}.write(t)
	since := replayBase.Add(10000 * time.Second) // events 1000..19999
	all := want(evs, func(e replayEvent) bool { return !e.time.Before(since) })
	args := []string{"--since", since.Format(time.RFC3339)}
	t.Run("mysql", func(t *testing.T) {
		data := t.TempDir()
		rows := func() int { return dm.tryCount("SELECT (SELECT COUNT(*) FROM DB.auditship_events)") }
		s := replayKilled(t, cfg, data, "src_file", "dst_my", args, rows)
		if s.shipped+s.present > len(all) {
			t.Errorf("last run: %d shipped + %d already present > %d matching", s.shipped, s.present, len(all))
		}
		streamRows(t, dm, s.stream).check(t, "killed replay → mysql", all)
		verifyOK(t, cfg, "dst_my")
	})
	t.Run("s3", func(t *testing.T) {
		data := t.TempDir()
		objects := func() int { return len(ds.objects(t)) }
		s := replayKilled(t, cfg, data, "src_file", "dst_s3", args, objects)
		streamObjects(t, ds, s.stream).check(t, "killed replay → s3", all)
		verifyOK(t, cfg, "dst_s3")
	})
}

// replayKilled starts the replay, kills it with kill -9 once progress
// has grown past the last kill's, twice, then runs it to completion.
func replayKilled(t *testing.T, cfg, data, from, to string, args []string, progress func() int) replaySummary {
	t.Helper()
	last := 0
	for i := range 2 {
		p := start(t, false, append([]string{"replay", "-c", cfg, "--data-dir", data, "--from", from, "--to", to}, args...)...)
		if !waitFor(60*time.Second, func() bool { return progress() > last || !p.running() }) {
			t.Fatalf("kill %d: no progress in 60s", i)
		}
		if !p.running() {
			t.Fatalf("kill %d: replay ended before it could be killed (too fast: raise replayKillCount)", i)
		}
		p.kill()
		last = progress()
		t.Logf("kill %d at progress %d", i, last)
	}
	s := runReplay(t, cfg, data, from, to, args...)
	if s.matched >= replayKillCount-1000 {
		t.Errorf("the run after the kills matched %d events: it read the source from its start again", s.matched)
	}
	return s
}
