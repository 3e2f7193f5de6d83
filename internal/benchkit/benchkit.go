// Package benchkit holds what the benchmarks of every package share: the
// input size from MOODLEMIG_BENCH_SIZE, and throughput per CPU-second, which
// stays meaningful on a loaded machine where wall-clock MB/s do not.
package benchkit

import (
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/internal/bytesize"
)

// EnvSize is the environment variable that sets the benchmark input size,
// e.g. MOODLEMIG_BENCH_SIZE=1GB.
const EnvSize = "MOODLEMIG_BENCH_SIZE"

// Size returns the benchmark input size: MOODLEMIG_BENCH_SIZE, or def when
// it is unset.
func Size(tb testing.TB, def int64) int64 {
	s := os.Getenv(EnvSize)
	if s == "" {
		return def
	}
	n, err := bytesize.Parse(s)
	if err != nil || n == 0 {
		tb.Fatalf("%s=%q: want a size such as 64MB or 1GB", EnvSize, s)
	}
	return n
}

// CPUTime returns the user+system CPU time of the process so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU reports "cpu-MB/s": bytes processed (in all b.N iterations) per
// CPU-second since start, in the same MB (10^6 bytes) as the testing
// package's MB/s.
func ReportCPU(b *testing.B, start time.Duration, bytes int64) {
	if d := CPUTime() - start; d > 0 {
		b.ReportMetric(float64(bytes)/1e6/d.Seconds(), "cpu-MB/s")
	}
}
