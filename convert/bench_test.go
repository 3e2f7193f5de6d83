package convert

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/benchkit"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop <-chan struct{}) *atomic.Uint64 {
	var peak atomic.Uint64
	go func() {
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return &peak
}

// BenchmarkConvert converts a generated 1.9 course whose moodle.xml is
// MOODLEMIG_BENCH_SIZE bytes (forum discussions fill it). It reports the
// moodle.xml throughput and the peak heap, which must stay flat as the size
// grows.
func BenchmarkConvert(b *testing.B) {
	size := benchkit.Size(b, 5<<20)
	dir := b.TempDir()
	zip := filepath.Join(dir, "course.zip")
	m, err := gen.WriteZip(zip, gen.Options{XMLSize: size, ZipLevel: 1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	src, err := backup.Open(ctx, zip, backup.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	b.SetBytes(m.XMLBytes)
	runtime.GC()
	stop := make(chan struct{})
	peak := peakHeap(stop)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		scratch := filepath.Join(dir, "scratch")
		res, err := Convert(ctx, src, report.New(0), Options{Scratch: scratch})
		if err != nil {
			b.Fatal(err)
		}
		if u := res.Audit.Unbalanced(); len(u) > 0 {
			b.Fatalf("audit: %v", u)
		}
		b.StopTimer()
		os.RemoveAll(scratch)
		b.StartTimer()
	}
	b.StopTimer()
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
