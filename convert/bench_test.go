package convert

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

// benchSize reads MOODLEMIG_BENCH_SIZE ("5MB" default, "1GB", "200MB",
// plain bytes).
func benchSize(b *testing.B) int64 {
	s := strings.ToUpper(strings.TrimSpace(os.Getenv("MOODLEMIG_BENCH_SIZE")))
	if s == "" {
		return 5 << 20
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || n <= 0 {
		b.Fatalf("MOODLEMIG_BENCH_SIZE=%q: want a size such as 200MB or 1GB", os.Getenv("MOODLEMIG_BENCH_SIZE"))
	}
	return int64(n * float64(mult))
}

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
	size := benchSize(b)
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
