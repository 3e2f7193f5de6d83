package inspect

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/moodlemig/moodlemig/internal/benchkit"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

// BenchmarkInspect inspects a generated backup zip whose moodle.xml has
// the size of MOODLEMIG_BENCH_SIZE; MB/s are of moodle.xml (inflate
// included).
func BenchmarkInspect(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.zip")
	m, err := gen.WriteZip(path, gen.Options{Seed: 1, XMLSize: benchkit.Size(b, 64<<20), ZipLevel: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(m.XMLBytes)
	b.ResetTimer()
	c0, n := benchkit.CPUTime(), 0
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
	benchkit.ReportCPU(b, c0, (m.XMLBytes)*int64(n))
}

// BenchmarkScanXML is the moodle.xml pass alone, on an uncompressed file.
func BenchmarkScanXML(b *testing.B) {
	path := filepath.Join(b.TempDir(), "moodle.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	m, err := gen.WriteXML(w, gen.Options{Seed: 1, XMLSize: benchkit.Size(b, 64<<20)})
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
	c0, n := benchkit.CPUTime(), 0
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
	benchkit.ReportCPU(b, c0, (m.XMLBytes)*int64(n))
}
