package charset

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

func genFile(tb testing.TB, dir string, o gen.Options) (string, int64) {
	path := filepath.Join(dir, "moodle.xml")
	m, err := gen.WriteXMLFile(path, o)
	if err != nil {
		tb.Fatal(err)
	}
	return path, m.XMLBytes
}

func open(tb testing.TB, path string) (*os.File, io.Reader) {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	return f, bufio.NewReaderSize(f, 256<<10)
}

// transcodeFile runs both passes (prescan, then transcode to io.Discard).
func transcodeFile(tb testing.TB, path string, opts Options, buf []byte) {
	f, r := open(tb, path)
	ev, err := Prescan(r)
	f.Close()
	if err != nil {
		tb.Fatal(err)
	}
	t, err := NewTranscoder(ev, opts)
	if err != nil {
		tb.Fatal(err)
	}
	f, r = open(tb, path)
	defer f.Close()
	if _, err := io.CopyBuffer(io.Discard, transform.NewReader(r, t), buf); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkTranscode streams a generated moodle.xml of MOODLEMIG_BENCH_SIZE
// bytes through both passes of transcode. SetBytes counts the input once,
// so MB/s is per input byte for the whole stage (two passes).
func BenchmarkTranscode(b *testing.B) {
	size := benchkit.Size(b, 64<<20)
	for _, c := range []struct {
		name string
		o    gen.Options
	}{
		{"utf8-1.9-en", gen.Options{XMLSize: size}},
		{"lifted-1.5-ru", gen.Options{XMLSize: size, Lang: "ru", Version: "1.5", Damage: gen.Damage{Charset: "auto"}}},
		{"lifted-1.5-fr", gen.Options{XMLSize: size, Lang: "fr", Version: "1.5", Damage: gen.Damage{Charset: "auto"}}},
		{"lifted-1.5-ja", gen.Options{XMLSize: size, Lang: "ja", Version: "1.5", Damage: gen.Damage{Charset: "auto"}}},
		{"raw-1.5-ru", gen.Options{XMLSize: size, Lang: "ru", Version: "1.5", Damage: gen.Damage{Charset: "auto", RawLegacyBytes: true}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			path, n := genFile(b, b.TempDir(), c.o)
			buf := make([]byte, 64<<10)
			opts := Options{Report: report.New(0)}
			b.SetBytes(n)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := benchkit.CPUTime()
			runs := 0
			for b.Loop() {
				transcodeFile(b, path, opts, buf)
				runs++
			}
			benchkit.ReportCPU(b, cpu0, int64(runs)*n)
		})
	}
}

// TestTranscodeMemoryFlat: transcoding 8 times more input allocates about
// the same (a few buffers, one per field size class), not more.
func TestTranscodeMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 18 MB")
	}
	dir := t.TempDir()
	alloc := func(size int64) uint64 {
		path, _ := genFile(t, dir, gen.Options{XMLSize: size, Lang: "ru", Version: "1.5", Damage: gen.Damage{Charset: "auto"}})
		buf := make([]byte, 64<<10)
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		transcodeFile(t, path, Options{Report: report.New(0)}, buf)
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	small, large := alloc(2<<20), alloc(16<<20)
	t.Logf("allocated %d B for 2 MB, %d B for 16 MB", small, large)
	if large > 2*small+(1<<20) {
		t.Errorf("allocation grows with input: %d B for 2 MB, %d B for 16 MB", small, large)
	}
}

// BenchmarkTranscodeCore measures each pass alone on an in-memory
// moodle.xml, without I/O: the prescan, and the Transform pass with the
// evidence already gathered.
func BenchmarkTranscodeCore(b *testing.B) {
	size := min(benchkit.Size(b, 64<<20), 256<<20)
	for _, c := range []struct {
		name string
		o    gen.Options
	}{
		{"utf8-1.9-en", gen.Options{XMLSize: size}},
		{"lifted-1.5-ru", gen.Options{XMLSize: size, Lang: "ru", Version: "1.5", Damage: gen.Damage{Charset: "auto"}}},
		{"lifted-1.5-ja", gen.Options{XMLSize: size, Lang: "ja", Version: "1.5", Damage: gen.Damage{Charset: "auto"}}},
	} {
		var in strings.Builder
		if _, err := gen.WriteXML(&in, c.o); err != nil {
			b.Fatal(err)
		}
		src := in.String()
		ev, err := Prescan(strings.NewReader(src))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/prescan", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			cpu0, runs := benchkit.CPUTime(), 0
			for b.Loop() {
				if _, err := Prescan(strings.NewReader(src)); err != nil {
					b.Fatal(err)
				}
				runs++
			}
			benchkit.ReportCPU(b, cpu0, int64(runs)*int64(len(src)))
		})
		for _, withReport := range []bool{true, false} {
			name := c.name + "/transform"
			var sink report.Sink = report.New(0)
			if !withReport {
				name, sink = name+"-no-findings", nil
			}
			b.Run(name, func(b *testing.B) {
				t, err := NewTranscoder(ev, Options{Report: sink})
				if err != nil {
					b.Fatal(err)
				}
				dst := make([]byte, 256<<10)
				bsrc := []byte(src)
				b.SetBytes(int64(len(src)))
				b.ReportAllocs()
				cpu0, runs := benchkit.CPUTime(), 0
				for b.Loop() {
					t.Reset()
					for p := 0; p < len(src); {
						end := min(len(src), p+64<<10)
						_, n, err := t.Transform(dst, bsrc[p:end], end == len(src))
						if err != nil && err != transform.ErrShortDst {
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
}
