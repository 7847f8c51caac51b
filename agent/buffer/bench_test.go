package buffer

import (
	"context"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// BenchmarkAppend appends batches of 400 records of 600 bytes; run it with
// -benchtime=2500x to append 1M records. fsync=batch should reach at least
// 80% of fsync=never. Nothing is trimmed: deleting segments whose pages are
// still dirty would spare "never" its disk writes and flatter it.
func BenchmarkAppend(b *testing.B) {
	for _, mode := range []string{FsyncNever, FsyncBatch, FsyncAlways} {
		b.Run(mode, func(b *testing.B) {
			l := openLog(b, Options{Dir: b.TempDir(), Fsync: mode, MaxSize: 8 << 30})
			kinds, payloads := batch(1, 400, 600)
			b.SetBytes(400 * 600)
			b.ReportAllocs()
			start := time.Now()
			b.ResetTimer()
			for i := range b.N {
				l.SetMark("input/fp", []byte{byte(i), 0, 0, 0, 0, 0, 0, 0})
				if err := l.Append(kinds, payloads, nil); err != nil {
					b.Fatal(err)
				}
			}
			for l.Durable() < l.NextSeq()-1 {
				time.Sleep(100 * time.Microsecond) // count the last fsync in
			}
			b.StopTimer()
			el := time.Since(start).Seconds()
			b.ReportMetric(float64(b.N*400)/el, "records/s")
			b.ReportMetric(fsyncs(l)/el, "fsyncs/s")
		})
	}
}

// BenchmarkAppendSmall appends one 300-byte record per call with a mark
// set, the worst case for per-write framing (an input acking each line).
func BenchmarkAppendSmall(b *testing.B) {
	l := openLog(b, Options{Dir: b.TempDir(), Fsync: FsyncNever, MaxSize: 8 << 30})
	kinds, payloads := batch(1, 1, 300)
	b.SetBytes(300)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		l.SetMark("input/fp", []byte{byte(i), 0, 0, 0, 0, 0, 0, 0})
		if err := l.Append(kinds, payloads, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	l.mu.Lock()
	defer l.mu.Unlock()
	b.ReportMetric(float64(l.bytes)/float64(b.N), "disk-B/op")
}

func fsyncs(l *Log) float64 {
	var m dto.Metric
	l.m.fsyncs.Write(&m)
	return m.GetCounter().GetValue()
}

// BenchmarkRead reads 600-byte records through a Reader.
func BenchmarkRead(b *testing.B) {
	l := openLog(b, Options{Dir: b.TempDir(), Fsync: FsyncNever, MaxSize: 8 << 30})
	kinds, payloads := batch(1, 400, 600)
	for l.NextSeq() <= uint64(b.N) {
		if err := l.Append(kinds, payloads, nil); err != nil {
			b.Fatal(err)
		}
	}
	r, err := l.NewReader(1)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	b.SetBytes(600)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := r.Next(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
