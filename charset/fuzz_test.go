package charset

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/report"
)

// FuzzTranscode checks, on any input and any from option: no panic; the
// output is valid UTF-8; the scanner's shortcuts change neither evidence,
// output nor findings; the result does not depend on how the input is
// chunked; and transcoding twice gives the same as once.
func FuzzTranscode(f *testing.F) {
	files, _ := filepath.Glob("testdata/transcode/*.xml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b, uint8(0), true)
		}
	}
	f.Add([]byte("<A><LANG>ru</LANG><B>\xcf\xf0</B></A>"), uint8(3), false)
	f.Add([]byte("<?xml version='1.0' encoding='big5'?><A>\xa7\x41</A>"), uint8(0), true)
	names := append([]string{"auto"}, Names()...)
	f.Fuzz(func(t *testing.T, in []byte, fromIdx uint8, fix bool) {
		opts := Options{From: names[int(fromIdx)%len(names)], FixMojibake: fix, KeepUndecided: true}
		if fromIdx&0x80 != 0 {
			opts.SiteLang = "ru"
		}
		// With an explicit charset (from or site-lang) on a pre-1.6 file
		// with no LANG to rename, a second run re-reads text in
		// U+00A0–U+00FF as lifted: the stage guards with Facts.Charset.
		// Idempotence is a property of auto on the file's own evidence.
		checkTwice := opts.From == "auto" && opts.SiteLang == ""
		ev, err := Prescan(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		rep := report.New(0)
		opts.Report = rep
		tr, err := NewTranscoder(ev, opts)
		if err != nil {
			return // refused, with a reason
		}
		out, _, err := transform.Bytes(tr, in)
		if err != nil {
			t.Fatalf("transform: %v", err)
		}
		// The scanner's shortcuts change nothing: the general path gives
		// the same output and findings.
		gev, err := prescanWith(bytes.NewReader(in), true)
		if err != nil || !cmp.Equal(gev, ev, cmp.AllowUnexported(Evidence{}, lateUser{})) {
			t.Fatalf("shortcuts changed the evidence: %v\n%s", err, cmp.Diff(ev, gev, cmp.AllowUnexported(Evidence{}, lateUser{})))
		}
		grep := report.New(0)
		gopts := opts
		gopts.Report = grep
		gtr, _ := NewTranscoder(gev, gopts)
		gtr.s.general = true
		gout, _, gerr := transform.Bytes(gtr, in)
		if gerr != nil || !bytes.Equal(gout, out) || !cmp.Equal(grep.Findings(), rep.Findings()) || !cmp.Equal(grep.Counts(), rep.Counts()) {
			t.Fatalf("shortcuts changed the result: %v\n%q\n%q\n%s", gerr, out, gout, cmp.Diff(rep.Findings(), grep.Findings()))
		}
		if !utf8.Valid(out) {
			t.Fatalf("output not UTF-8: %q -> %q", in, out)
		}
		tr2, _ := NewTranscoder(ev, opts)
		r := transform.NewReader(&oneByte{in}, tr2)
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r); err != nil || !bytes.Equal(buf.Bytes(), out) {
			t.Fatalf("chunking changed the result: %v\n%q\n%q", err, out, buf.Bytes())
		}
		if !checkTwice {
			return
		}
		ev2, _ := Prescan(bytes.NewReader(out))
		tr3, err := NewTranscoder(ev2, opts)
		if err != nil {
			return
		}
		again, _, err := transform.Bytes(tr3, out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %v\nin    %q\nonce  %q\ntwice %q", err, in, out, again)
		}
	})
}

// oneByte reads one byte at a time.
type oneByte struct{ b []byte }

func (o *oneByte) Read(p []byte) (int, error) {
	if len(o.b) == 0 {
		return 0, io.EOF
	}
	p[0] = o.b[0]
	o.b = o.b[1:]
	return 1, nil
}
