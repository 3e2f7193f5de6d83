package gen

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time of the process so far (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports throughput per CPU-second ("cpu-MB/s"): on a shared,
// loaded machine wall-clock MB/s understates what one core does.
func reportCPU(b *testing.B, cpu0 time.Duration, bytes int64) {
	if d := cpuTime() - cpu0; d > 0 {
		b.ReportMetric(float64(bytes)/1e6/d.Seconds(), "cpu-MB/s")
	}
}

// benchSize reads MOODLEMIG_BENCH_SIZE ("64MB", "1GB", "2000000"), default 64 MB.
func benchSize(b *testing.B) int64 {
	s := strings.ToUpper(strings.TrimSpace(os.Getenv("MOODLEMIG_BENCH_SIZE")))
	if s == "" {
		return 64 << 20
	}
	mult := int64(1)
	for suf, m := range map[string]int64{"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30} {
		if strings.HasSuffix(s, suf) {
			mult, s = m, strings.TrimSuffix(s, suf)
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		b.Fatalf("MOODLEMIG_BENCH_SIZE=%q: %v", os.Getenv("MOODLEMIG_BENCH_SIZE"), err)
	}
	return int64(n * float64(mult))
}

// BenchmarkWriteXML writes a moodle.xml of MOODLEMIG_BENCH_SIZE bytes to
// io.Discard. Memory must stay flat: allocs/op and B/op do not grow with
// the size.
func BenchmarkWriteXML(b *testing.B) {
	size := benchSize(b)
	for _, c := range []struct {
		name string
		o    Options
	}{
		{"clean-en", Options{XMLSize: size}},
		{"clean-ru", Options{XMLSize: size, Lang: "ru"}},
		{"mojibake-ru-1.5", Options{XMLSize: size, Lang: "ru", Version: "1.5", Damage: Damage{Charset: "auto"}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var n, total int64
			cpu0 := cpuTime()
			for b.Loop() {
				m, err := WriteXML(io.Discard, c.o)
				if err != nil {
					b.Fatal(err)
				}
				n = m.XMLBytes
				total += n
			}
			reportCPU(b, cpu0, total)
			b.SetBytes(n)
		})
	}
}

// BenchmarkWriteZip writes a whole backup zip of MOODLEMIG_BENCH_SIZE
// bytes of moodle.xml into a temporary folder.
func BenchmarkWriteZip(b *testing.B) {
	size := benchSize(b)
	dir := b.TempDir()
	b.ReportAllocs()
	var n, total int64
	cpu0 := cpuTime()
	for b.Loop() {
		m, err := WriteZip(filepath.Join(dir, "b.zip"), Options{XMLSize: size})
		if err != nil {
			b.Fatal(err)
		}
		n = m.XMLBytes
		total += n
	}
	reportCPU(b, cpu0, total)
	b.SetBytes(n)
}

// TestMemoryFlat checks streaming: writing 8 times more XML allocates no
// more (the allocation count of a run does not depend on Options.XMLSize).
func TestMemoryFlat(t *testing.T) {
	for _, o := range []Options{{}, {Lang: "ru"}, {Lang: "ja", Version: "1.5", Damage: Damage{Charset: "auto"}},
		{Damage: Damage{StripEntities: []string{"all"}, InvalidXMLChars: 5, RelativeLinks: 5}}} {
		allocs := func(size int64) float64 {
			o.XMLSize = size
			return testing.AllocsPerRun(1, func() {
				if _, err := WriteXML(io.Discard, o); err != nil {
					t.Fatal(err)
				}
			})
		}
		small, large := allocs(1<<20), allocs(8<<20)
		if large > small*1.2+100 && o.Damage.StripEntities == nil {
			t.Errorf("%+v: 1 MB: %.0f allocations, 8 MB: %.0f: memory grows with size", o, small, large)
		}
	}
}
