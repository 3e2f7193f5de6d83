package inspect

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

// benchSize is the moodle.xml size of the benchmarks: MOODLEMIG_BENCH_SIZE
// (e.g. 100MB, 1GB), default 64MB.
func benchSize(b *testing.B) int64 {
	s := strings.ToUpper(strings.TrimSpace(os.Getenv("MOODLEMIG_BENCH_SIZE")))
	if s == "" {
		return 64 << 20
	}
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suf) {
			s, mult = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		b.Fatalf("MOODLEMIG_BENCH_SIZE: %v", err)
	}
	return int64(n * float64(mult))
}

// cpuTime returns the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds "cpu-MB/s": bytes per CPU second, which stays meaningful
// on a loaded machine where wall-clock MB/s do not.
func reportCPU(b *testing.B, start time.Duration, bytes int64, n int) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(bytes)*float64(n)/(1<<20)/d.Seconds(), "cpu-MB/s")
	}
}

// BenchmarkInspect inspects a generated backup zip whose moodle.xml has
// the size of MOODLEMIG_BENCH_SIZE; MB/s are of moodle.xml (inflate
// included).
func BenchmarkInspect(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.zip")
	m, err := gen.WriteZip(path, gen.Options{Seed: 1, XMLSize: benchSize(b), ZipLevel: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(m.XMLBytes)
	b.ResetTimer()
	c0, n := cpuTime(), 0
	for b.Loop() {
		n++
		r, err := Inspect(context.Background(), path, Options{})
		if err != nil || r.Failed() {
			b.Fatal(err, r.Error)
		}
		if r.Counts.Posts != m.Posts {
			b.Fatalf("posts %d, want %d", r.Counts.Posts, m.Posts)
		}
	}
	reportCPU(b, c0, m.XMLBytes, n)
}

// BenchmarkScanXML is the moodle.xml pass alone, on an uncompressed file.
func BenchmarkScanXML(b *testing.B) {
	path := filepath.Join(b.TempDir(), "moodle.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	m, err := gen.WriteXML(w, gen.Options{Seed: 1, XMLSize: benchSize(b)})
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(m.XMLBytes)
	b.ResetTimer()
	c0, n := cpuTime(), 0
	for b.Loop() {
		n++
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		res := &Result{Counts: Counts{Activities: map[string]int{}, Questions: map[string]int{}}}
		if err := scan1x(context.Background(), f, report.New(20), res, 20); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	reportCPU(b, c0, m.XMLBytes, n)
}
