package xmlscan

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/internal/benchkit"
)

// benchDoc builds a moodle.xml-like document of about n bytes: indented
// leaf elements with short values, HTML text with entities, some non-ASCII.
func benchDoc(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <COURSE>\n    <MODULES>\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "      <MOD>\n        <ID>%d</ID>\n        <MODTYPE>forum</MODTYPE>\n        <NAME>Forum n° %d</NAME>\n", i, i)
		b.WriteString("        <INTRO>&lt;p&gt;Welcome to the &lt;strong&gt;discussion&lt;/strong&gt; about cells &amp;amp; tissues, see $@FILEPHP@$$@SLASH@$pics$@SLASH@$cell.png&lt;/p&gt;</INTRO>\n")
		b.WriteString("        <TIMEMODIFIED>1237043000</TIMEMODIFIED>\n      </MOD>\n")
	}
	b.WriteString("    </MODULES>\n  </COURSE>\n</MOODLE_BACKUP>\n")
	return b.Bytes()
}

func BenchmarkScan(b *testing.B) {
	doc := benchDoc(8 << 20)
	r := bytes.NewReader(doc)
	s := New(r, Options{})
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	c0, n := benchkit.CPUTime(), 0
	for b.Loop() {
		n++
		r.Reset(doc)
		s.Reset(r)
		for s.Next() {
		}
		if s.Err() != nil {
			b.Fatal(s.Err())
		}
	}
	benchkit.ReportCPU(b, c0, (int64(len(doc)))*int64(n))
}

func BenchmarkScanText(b *testing.B) {
	doc := benchDoc(8 << 20)
	r := bytes.NewReader(doc)
	s := New(r, Options{})
	var text []byte
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	c0, n := benchkit.CPUTime(), 0
	for b.Loop() {
		n++
		r.Reset(doc)
		s.Reset(r)
		for s.Next() {
			if s.Kind() == CharData {
				text = s.AppendText(text[:0])
			}
		}
	}
	benchkit.ReportCPU(b, c0, (int64(len(doc)))*int64(n))
}

// BenchmarkEncodingXML is the standard library on the same input, for
// comparison.
func BenchmarkEncodingXML(b *testing.B) {
	doc := benchDoc(8 << 20)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		d := xml.NewDecoder(strings.NewReader(string(doc)))
		for {
			_, err := d.RawToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
