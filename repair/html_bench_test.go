package repair

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/moodlemig/moodlemig/internal/benchkit"
	"github.com/moodlemig/moodlemig/report"
)

// docReader generates a moodle.xml-shaped document of about size bytes on
// the fly: a course with sections and many forum posts whose MESSAGE holds
// corpus HTML, escaped as the 1.x writer did; damagedPct of the HTML fields
// carry the libxml2 damage, and links use the forms encode-links rewrites.
type docReader struct {
	g          *corpusGen
	size, n    int64
	buf        []byte
	damagedPct int
	post       int
	closed     bool
	fields     []string
}

func newDocReader(size int64, damagedPct int) *docReader {
	d := &docReader{g: newCorpusGen(7), size: size, damagedPct: damagedPct}
	for i := 0; i < 512; i++ { // a pool, so generation costs little
		d.fields = append(d.fields, d.g.field())
	}
	d.buf = append(d.buf, `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <INFO>
    <ORIGINAL_WWWROOT>http://moodle.example.edu</ORIGINAL_WWWROOT>
  </INFO>
  <COURSE>
    <HEADER>
      <ID>5</ID>
    </HEADER>
    <SECTIONS>
      <SECTION>
        <ID>1</ID>
        <MODS>
`...)
	for i := 1; i <= 900; i++ {
		d.buf = fmt.Appendf(d.buf, "          <MOD>\n            <ID>%d</ID>\n            <TYPE>%s</TYPE>\n            <INSTANCE>%d</INSTANCE>\n          </MOD>\n",
			i, []string{"forum", "quiz", "glossary", "resource"}[i%4], i)
	}
	d.buf = append(d.buf, "        </MODS>\n      </SECTION>\n    </SECTIONS>\n    <MODULES>\n      <MOD>\n        <ID>12</ID>\n        <MODTYPE>forum</MODTYPE>\n        <DISCUSSIONS>\n          <DISCUSSION>\n            <ID>31</ID>\n            <POSTS>\n"...)
	return d
}

func (d *docReader) Read(p []byte) (int, error) {
	for len(d.buf) < len(p) && !d.closed {
		if d.n+int64(len(d.buf)) >= d.size {
			d.buf = append(d.buf, "            </POSTS>\n          </DISCUSSION>\n        </DISCUSSIONS>\n      </MOD>\n    </MODULES>\n  </COURSE>\n</MOODLE_BACKUP>\n"...)
			d.closed = true
			break
		}
		d.post++
		h := d.fields[d.post%len(d.fields)]
		if d.post%100 < d.damagedPct {
			h = DamageLibxml2(h)
		}
		d.buf = fmt.Appendf(d.buf, "              <POST>\n                <ID>%d</ID>\n                <SUBJECT>Re: week %d</SUBJECT>\n                <MESSAGE>", d.post, d.post%40)
		d.buf = escapeXML(d.buf, h)
		d.buf = append(d.buf, "</MESSAGE>\n                <FORMAT>1</FORMAT>\n              </POST>\n"...)
	}
	if len(d.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, d.buf)
	d.buf = d.buf[:copy(d.buf, d.buf[n:])]
	d.n += int64(n)
	return n, nil
}

// benchFile writes a generated document of the bench size into the
// benchmark's temporary folder and returns its path.
func benchFile(b *testing.B, damagedPct int) string {
	size := benchkit.Size(b, 64<<20)
	path := filepath.Join(b.TempDir(), "moodle.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := io.Copy(w, newDocReader(size, damagedPct)); err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchStream(b *testing.B, damagedPct int, wrap func(r io.Reader) io.Reader) {
	path := benchFile(b, damagedPct)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	buf := make([]byte, 256<<10)
	b.ResetTimer()
	cpu0 := benchkit.CPUTime()
	runs := 0
	for b.Loop() {
		runs++
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, wrap(f), buf); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	benchkit.ReportCPU(b, cpu0, int64(runs)*st.Size())
}

// BenchmarkRepairHTML streams a generated moodle.xml (MOODLEMIG_BENCH_SIZE)
// through repair-html: typical input (5% of the HTML fields damaged) and a
// worst case (every field damaged).
func BenchmarkRepairHTML(b *testing.B) {
	for _, pct := range []int{5, 100} {
		b.Run(fmt.Sprintf("damaged=%d%%", pct), func(b *testing.B) {
			benchStream(b, pct, func(r io.Reader) io.Reader { return NewHTMLReader(r, HTMLStreamOptions{}) })
		})
	}
	// As the stage runs it: every finding goes to a report.
	b.Run("damaged=100%-report", func(b *testing.B) {
		benchStream(b, 100, func(r io.Reader) io.Reader {
			return NewHTMLReader(r, HTMLStreamOptions{Report: report.New(0)})
		})
	})
	// As the stage runs it on a big moodle.xml: on two cores (MB/s is wall
	// time; cpu-MB/s counts both cores).
	for _, pct := range []int{5, 100} {
		b.Run(fmt.Sprintf("damaged=%d%%-report-2cores", pct), func(b *testing.B) {
			benchStream(b, pct, func(r io.Reader) io.Reader {
				return NewHTMLReader(r, HTMLStreamOptions{Report: report.New(0), Parallel: true})
			})
		})
	}
}

// TestStreamMemoryFlat streams a document of the bench size (64 MB unless
// MOODLEMIG_BENCH_SIZE says otherwise) through both filters, generated on
// the fly, and checks that the heap in use stays under 64 MB.
func TestStreamMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams the bench size")
	}
	size := benchkit.Size(t, 64<<20)
	site := &LinkSite{WWWRoot: "http://moodle.example.edu", CourseID: 5, CMs: map[int64]string{}}
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"repair-html":  func(r io.Reader) io.Reader { return NewHTMLReader(r, HTMLStreamOptions{}) },
		"encode-links": func(r io.Reader) io.Reader { return NewLinkReader(r, site, LinkStreamOptions{}) },
	} {
		runtime.GC()
		var peak uint64
		r := wrap(newDocReader(size, 50))
		buf := make([]byte, 64<<10)
		var total int64
		for {
			n, err := r.Read(buf)
			total += int64(n)
			if total%(8<<20) < int64(n) {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %d MB streamed, peak heap in use %.1f MB", name, total>>20, float64(peak)/(1<<20))
		if peak > 64<<20 {
			t.Errorf("%s: peak heap %d MB > 64 MB", name, peak>>20)
		}
	}
}

// BenchmarkRepairHTMLField rebuilds damaged corpus fields one by one (no
// XML around them): the cost of the rebuild alone.
func BenchmarkRepairHTMLField(b *testing.B) {
	var ds []string
	n := 0
	for _, h := range corpus(500) {
		d := DamageLibxml2(h)
		ds = append(ds, d)
		n += len(d)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range ds {
			RepairHTMLField(d, HTMLOptions{})
		}
	}
}
