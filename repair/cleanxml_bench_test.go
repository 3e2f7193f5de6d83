package repair

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/internal/benchkit"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

// genFile writes a generated moodle.xml to a temporary file.
func genFile(tb testing.TB, dir string, o gen.Options) (string, int64) {
	path := filepath.Join(dir, "moodle.xml")
	m, err := gen.WriteXMLFile(path, o)
	if err != nil {
		tb.Fatal(err)
	}
	return path, m.XMLBytes
}

// cleanFile streams path through a Cleaner to io.Discard.
func cleanFile(tb testing.TB, path string, c *Cleaner, buf []byte) {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	c.Reset()
	// A buffered source, as a zip entry reader is: the measure is the
	// cleaner, not 4 KB read system calls.
	if _, err := io.CopyBuffer(io.Discard, transform.NewReader(bufio.NewReaderSize(f, 256<<10), c), buf); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkCleanXML streams a generated moodle.xml of MOODLEMIG_BENCH_SIZE
// bytes through clean-xml: valid (the pass-through fast path), and with
// damage in 1 value out of ~1000.
func BenchmarkCleanXML(b *testing.B) {
	size := benchkit.Size(b, 64<<20)
	for _, c := range []struct {
		name string
		o    gen.Options
	}{
		{"valid-en", gen.Options{XMLSize: size}},
		{"valid-ru", gen.Options{XMLSize: size, Lang: "ru"}},
		{"valid-ja", gen.Options{XMLSize: size, Lang: "ja"}},
		{"damaged-1.9", gen.Options{XMLSize: size, Damage: gen.Damage{InvalidXMLChars: int(size / 20000)}}},
		{"damaged-1.5", gen.Options{XMLSize: size, Version: "1.5", Damage: gen.Damage{InvalidXMLChars: int(size / 20000)}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			path, n := genFile(b, b.TempDir(), c.o)
			cl, err := NewCleaner(CleanOptions{Moodle: true, Report: report.New(0)})
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 64<<10)
			b.SetBytes(n)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := benchkit.CPUTime()
			runs := 0
			for b.Loop() {
				cleanFile(b, path, cl, buf)
				runs++
			}
			benchkit.ReportCPU(b, cpu0, int64(runs)*n)
		})
	}
}

// TestCleanMemoryFlat: cleaning 8 times more input allocates no more.
func TestCleanMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 18 MB")
	}
	dir := t.TempDir()
	alloc := func(size int64) uint64 {
		path, _ := genFile(t, filepath.Join(dir), gen.Options{XMLSize: size, Lang: "ru", Damage: gen.Damage{InvalidXMLChars: 50}})
		c, _ := NewCleaner(CleanOptions{Moodle: true, Report: report.New(0)})
		buf := make([]byte, 64<<10)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		cleanFile(t, path, c, buf)
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	small, large := alloc(2<<20), alloc(16<<20)
	t.Logf("allocated %d B for 2 MB, %d B for 16 MB", small, large)
	if large > 2*small+(256<<10) {
		t.Errorf("allocation grows with input: %d B for 2 MB, %d B for 16 MB", small, large)
	}
}

// BenchmarkCleanXMLCore calls Transform directly on 64 KB windows of an
// in-memory moodle.xml (no reader, no I/O): the cleaner's own speed.
func BenchmarkCleanXMLCore(b *testing.B) {
	size := min(benchkit.Size(b, 64<<20), 256<<20)
	for _, c := range []struct {
		name string
		o    gen.Options
	}{
		{"valid-en", gen.Options{XMLSize: size}},
		{"valid-ja", gen.Options{XMLSize: size, Lang: "ja"}},
		{"damaged-1.9", gen.Options{XMLSize: size, Damage: gen.Damage{InvalidXMLChars: int(size / 20000)}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var in strings.Builder
			if _, err := gen.WriteXML(&in, c.o); err != nil {
				b.Fatal(err)
			}
			src := []byte(in.String())
			cl, _ := NewCleaner(CleanOptions{Moodle: true, Report: report.New(0)})
			dst := make([]byte, 128<<10)
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := benchkit.CPUTime()
			runs := 0
			for b.Loop() {
				cl.Reset()
				for p := 0; p < len(src); {
					end := min(len(src), p+64<<10)
					_, n, err := cl.Transform(dst, src[p:end], end == len(src))
					if err != nil && err != transform.ErrShortSrc {
						b.Fatal(err)
					}
					p += n
				}
				runs++
			}
			benchkit.ReportCPU(b, cpu0, int64(runs)*int64(len(src)))
		})
	}
}
