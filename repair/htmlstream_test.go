package repair

import (
	"bytes"

	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/moodlemig/moodlemig/report"
)

// findingLines renders findings one per line for golden files.
func findingLines(r *report.Report) string {
	var b strings.Builder
	for _, f := range r.Findings() {
		fmt.Fprintf(&b, "%s %d:%d @%d %s fixed=%v %q -> %q\n", f.Code, f.Line, f.Column, f.Offset, f.Path, f.Fixed, f.Before, f.After)
	}
	return b.String()
}

// golden compares got with testdata/<dir>/<name>.golden (or rewrites it
// with -update).
func golden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", dir, name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestHTMLReaderGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/html/*.xml")
	if len(files) == 0 {
		t.Fatal("no testdata/html/*.xml")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".xml")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rep := report.New(0)
			out, err := io.ReadAll(NewHTMLReader(bytes.NewReader(in), HTMLStreamOptions{Report: rep}))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "html", name, string(out)+"-- findings --\n"+findingLines(rep))
			// Idempotent: a second pass changes nothing.
			again, err := io.ReadAll(NewHTMLReader(bytes.NewReader(out), HTMLStreamOptions{}))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, out) {
				t.Errorf("second pass changed the output:\n%s", cmp.Diff(string(out), string(again)))
			}
		})
	}
}

// TestHTMLReaderChunks reads through a one-byte reader: the result must not
// depend on how the input is cut.
func TestHTMLReaderChunks(t *testing.T) {
	in, err := os.ReadFile("testdata/html/course.xml")
	if err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(NewHTMLReader(bytes.NewReader(in), HTMLStreamOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := io.ReadAll(NewHTMLReader(&oneByteReader{in}, HTMLStreamOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole, bits) {
		t.Error(cmp.Diff(string(whole), string(bits)))
	}
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func TestHTMLReaderOversizeAndTruncated(t *testing.T) {
	big := "<MOODLE_BACKUP><COURSE><HEADER><SUMMARY>p" + strings.Repeat("x", 100) + "/p</SUMMARY></HEADER></COURSE></MOODLE_BACKUP>"
	rep := report.New(0)
	out, err := io.ReadAll(NewHTMLReader(strings.NewReader(big), HTMLStreamOptions{MaxField: 50, Report: rep}))
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != big {
		t.Errorf("oversize field changed")
	}
	if rep.Count("html.oversize") != 1 {
		t.Errorf("findings %v, want one html.oversize", rep.Counts())
	}
	_, err = io.ReadAll(NewHTMLReader(strings.NewReader("<MOODLE_BACKUP><COURSE><HEADER><SUMMARY>pHi/p"), HTMLStreamOptions{}))
	if err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated input: err = %v, want a truncation error", err)
	}
}

// TestAppendEscapedIsEscapeXML checks the shortcut the stream takes: a
// rebuilt field escaped through its marks equals escapeXML of the whole
// field, on damaged fields (with inline starts put back, entities and
// comments) and on pieces of them.
func TestAppendEscapedIsEscapeXML(t *testing.T) {
	var r rebuilder
	n := 0
	for _, h := range corpus(1500) {
		d := DamageLibxml2(h)
		for _, s := range []string{d, d[:len(d)/2], d[len(d)/3:], "!-- note --" + d} {
			out, _, _, rewritten := r.repair(s, HTMLOptions{MinConfidence: 0.01})
			if !rewritten {
				continue
			}
			n++
			want := escapeXML(nil, out)
			if got := r.appendEscaped(nil); !bytes.Equal(got, want) {
				t.Fatalf("field %q:\n got %q\nwant %q", s, got, want)
			}
		}
	}
	if n < 3000 {
		t.Fatalf("only %d fields rebuilt", n)
	}
}
