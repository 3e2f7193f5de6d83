package gen

import (
	"io"
	"path/filepath"
	"testing"

	"github.com/moodlemig/moodlemig/internal/benchkit"
)

// BenchmarkWriteXML writes a moodle.xml of MOODLEMIG_BENCH_SIZE bytes to
// io.Discard. Memory must stay flat: allocs/op and B/op do not grow with
// the size.
func BenchmarkWriteXML(b *testing.B) {
	size := benchkit.Size(b, 64<<20)
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
			cpu0 := benchkit.CPUTime()
			for b.Loop() {
				m, err := WriteXML(io.Discard, c.o)
				if err != nil {
					b.Fatal(err)
				}
				n = m.XMLBytes
				total += n
			}
			benchkit.ReportCPU(b, cpu0, total)
			b.SetBytes(n)
		})
	}
}

// BenchmarkWriteZip writes a whole backup zip of MOODLEMIG_BENCH_SIZE
// bytes of moodle.xml into a temporary folder.
func BenchmarkWriteZip(b *testing.B) {
	size := benchkit.Size(b, 64<<20)
	dir := b.TempDir()
	b.ReportAllocs()
	var n, total int64
	cpu0 := benchkit.CPUTime()
	for b.Loop() {
		m, err := WriteZip(filepath.Join(dir, "b.zip"), Options{XMLSize: size})
		if err != nil {
			b.Fatal(err)
		}
		n = m.XMLBytes
		total += n
	}
	benchkit.ReportCPU(b, cpu0, total)
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
