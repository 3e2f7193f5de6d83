package repair

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/report"
)

// FuzzCleanXML checks the properties of clean-xml on any input: no panic;
// output that encoding/xml accepts unless a SyntaxError is returned; the
// same result whatever the chunking; idempotence; and input that is already
// well-formed passes unchanged.
func FuzzCleanXML(f *testing.F) {
	files, _ := filepath.Glob("testdata/cleanxml/*.xml")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err == nil {
			f.Add(b, false)
		}
	}
	for _, s := range []string{"<A>a\x0bb&c<d</A>", "<a><![CDATA[x]]></a>", "<!DOCTYPE a [<!ENTITY x 'y'>]><a/>", "<a b='&amp;'/>", "<?xml version='1.0'?><a>\xe9</a>", "<A>\xed\xa0\xbd\xed\xb8\x80</A>", "<A>]]\x00></A>"} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, moodle bool) {
		// With a report, so the findings' positions and samples are fuzzed too.
		opts := CleanOptions{Moodle: moodle, Report: report.New(0)}
		c, _ := NewCleaner(opts)
		out, _, err := transform.Bytes(c, in)
		c2, _ := NewCleaner(opts)
		out2, err2 := runChunked(c2, in, 5, 7)
		if (err == nil) != (err2 == nil) || err == nil && string(out) != string(out2) {
			t.Fatalf("chunking changed the result:\n%q %v\n%q %v", out, err, out2, err2)
		}
		if err != nil {
			return
		}
		if perr := parseXML(string(out)); perr != nil {
			t.Fatalf("output does not parse: %v\nin  %q\nout %q", perr, in, out)
		}
		again, err := CleanString(string(out), opts)
		if err != nil || again != string(out) {
			t.Fatalf("not idempotent: %v\nonce  %q\ntwice %q", err, out, again)
		}
		if !moodle && parseXML(string(in)) == nil && !strings.Contains(strings.ToLower(string(in)), "&#xd") && !strings.Contains(string(in), "&#5") {
			if string(out) != string(in) {
				t.Fatalf("well-formed input changed:\nin  %q\nout %q", in, out)
			}
		}
	})
}
