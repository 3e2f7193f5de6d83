package xmlscan

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// tok is a token as a comparable value.
type tok struct {
	Kind    Kind
	Name    string
	Text    string
	Path    string
	Self    bool
	Partial bool
}

type scanResult struct {
	toks []tok
	raw  []byte
	errs []string // "kind@offset"
	err  error
}

func scanAll(r io.Reader, opts Options, diagnose bool) scanResult {
	var res scanResult
	if diagnose {
		opts.OnError = func(e *SyntaxError) {
			res.errs = append(res.errs, fmt.Sprintf("%s@%d", e.Kind, e.Pos.Offset))
		}
	}
	s := New(r, opts)
	for s.Next() {
		t := tok{Kind: s.Kind(), Path: string(s.Path()), Self: s.SelfClosing(), Partial: s.Partial()}
		switch s.Kind() {
		case StartElement:
			t.Name = string(s.Name())
			t.Text = string(s.Attrs())
		case EndElement, ProcInst:
			t.Name = string(s.Name())
			t.Text = string(s.Text())
		default:
			t.Text = string(s.Text())
		}
		res.toks = append(res.toks, t)
		res.raw = append(res.raw, s.Raw()...)
	}
	res.err = s.Err()
	return res
}

func TestTokens(t *testing.T) {
	in := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <INFO a='1' b=\"x&amp;y\">\n    <NAME>a&lt;b</NAME>\n    <E/>\n  <!-- c --><![CDATA[<x>]]></INFO>\n</MOODLE_BACKUP>\n"
	got := scanAll(strings.NewReader(in), Options{}, false)
	if got.err != nil {
		t.Fatal(got.err)
	}
	want := []tok{
		{Kind: ProcInst, Name: "xml", Text: `version="1.0" encoding="UTF-8"`},
		{Kind: CharData, Text: "\n"},
		{Kind: StartElement, Name: "MOODLE_BACKUP", Path: "MOODLE_BACKUP"},
		{Kind: CharData, Text: "\n  ", Path: "MOODLE_BACKUP"},
		{Kind: StartElement, Name: "INFO", Text: ` a='1' b="x&amp;y"`, Path: "MOODLE_BACKUP/INFO"},
		{Kind: CharData, Text: "\n    ", Path: "MOODLE_BACKUP/INFO"},
		{Kind: StartElement, Name: "NAME", Path: "MOODLE_BACKUP/INFO/NAME"},
		{Kind: CharData, Text: "a&lt;b", Path: "MOODLE_BACKUP/INFO/NAME"},
		{Kind: EndElement, Name: "NAME", Path: "MOODLE_BACKUP/INFO/NAME"},
		{Kind: CharData, Text: "\n    ", Path: "MOODLE_BACKUP/INFO"},
		{Kind: StartElement, Name: "E", Path: "MOODLE_BACKUP/INFO/E", Self: true},
		{Kind: CharData, Text: "\n  ", Path: "MOODLE_BACKUP/INFO"},
		{Kind: Comment, Text: " c ", Path: "MOODLE_BACKUP/INFO"},
		{Kind: CDATA, Text: "<x>", Path: "MOODLE_BACKUP/INFO"},
		{Kind: EndElement, Name: "INFO", Path: "MOODLE_BACKUP/INFO"},
		{Kind: CharData, Text: "\n", Path: "MOODLE_BACKUP"},
		{Kind: EndElement, Name: "MOODLE_BACKUP", Path: "MOODLE_BACKUP"},
		{Kind: CharData, Text: "\n"},
	}
	if d := cmp.Diff(want, got.toks); d != "" {
		t.Errorf("tokens (-want +got):\n%s", d)
	}
	if string(got.raw) != in {
		t.Errorf("raw tokens do not rebuild the input")
	}
}

// TestWellFormed uses the table of spec/repairs.md §1.1 (checked against
// encoding/xml) as the oracle.
func TestWellFormed(t *testing.T) {
	tests := []struct {
		name, body string
		kind       ErrorKind
		ok         bool
	}{
		{"vt", "x\x0By", ErrInvalidChar, false},
		{"nul", "x\x00y", ErrInvalidChar, false},
		{"del", "x\x7Fy", 0, true},
		{"c1", "x\xC2\x85y", 0, true},
		{"latin1", "x\xE9y", ErrInvalidUTF8, false},
		{"fffe", "x\xEF\xBF\xBEy", ErrInvalidChar, false},
		{"surrogate", "x\xED\xA0\x80y", ErrInvalidUTF8, false},
		{"ref11", "x&#11;y", ErrInvalidChar, false},
		{"ref0", "x&#0;y", ErrInvalidChar, false},
		{"refFFFE", "x&#xFFFE;y", ErrInvalidChar, false},
		{"ref128", "x&#128;y", 0, true},
		{"bare amp", "x & y", ErrEntity, false},
		{"nbsp", "x &nbsp; y", ErrEntity, false},
		{"lt", "x < y", ErrSyntax, false},
		{"gt", "x > y", 0, true},
		{"amp ok", "a&amp;b&quot;&apos;&#x41;&#65;", 0, true},
		{"mismatch", "<B></C>", ErrSyntax, false},
		{"unclosed", "<B>", ErrSyntax, false},
		{"bad tag", "<B x>y</B>", ErrSyntax, false},
		{"bad end", "</A><A>", ErrSyntax, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "<?xml version=\"1.0\"?>\n<A>" + tt.body + "</A>\n"
			res := scanAll(strings.NewReader(in), Options{}, false)
			if tt.ok {
				if res.err != nil {
					t.Fatalf("unexpected error: %v", res.err)
				}
				return
			}
			se, isSE := res.err.(*SyntaxError)
			if !isSE {
				t.Fatalf("err = %v, want a *SyntaxError", res.err)
			}
			if se.Kind != tt.kind {
				t.Errorf("kind = %v, want %v (%v)", se.Kind, tt.kind, se)
			}
			if se.Pos.Line != 2 {
				t.Errorf("line = %d, want 2", se.Pos.Line)
			}
			diag := scanAll(strings.NewReader(in), Options{}, true)
			if len(diag.errs) == 0 || diag.err != nil {
				t.Errorf("diagnose mode: errs %v err %v", diag.errs, diag.err)
			}
			if string(diag.raw) != in {
				t.Errorf("diagnose mode raw tokens do not rebuild the input:\n%q", diag.raw)
			}
		})
	}
}

func TestPositions(t *testing.T) {
	in := "<A>\n  <B>é\x01</B>\n  <C>ok\x0C</C></A>"
	var errs []*SyntaxError
	s := New(strings.NewReader(in), Options{OnError: func(e *SyntaxError) { errs = append(errs, e) }})
	for s.Next() {
	}
	if s.Err() != nil {
		t.Fatal(s.Err())
	}
	want := []Pos{{Line: 2, Column: 7, Offset: 11}, {Line: 3, Column: 8, Offset: 24}}
	if len(errs) != 2 {
		t.Fatalf("got %d errors, want 2: %v", len(errs), errs)
	}
	for i, e := range errs {
		if e.Pos != want[i] {
			t.Errorf("error %d at %v, want %v", i, e.Pos, want[i])
		}
	}
	if errs[0].Path != "A/B" || errs[1].Path != "A/C" {
		t.Errorf("paths %q %q", errs[0].Path, errs[1].Path)
	}
}

// TestSmallBuffers checks that buffer boundaries change nothing but the
// chunking of long text.
func TestSmallBuffers(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	inputs := []string{
		"<A>" + strings.Repeat("x&amp;é", 100) + "</A>",
		"<A>\x01" + strings.Repeat("\xE9 &bad; ", 50) + "<B/></C></A>",
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(b))
	}
	for i, in := range inputs {
		ref := scanAll(strings.NewReader(in), Options{}, true)
		for _, bs := range []int{16, 17, 64} {
			small := scanAll(iotest.OneByteReader(strings.NewReader(in)), Options{BufferSize: bs, MaxTokenSize: 64}, true)
			if d := cmp.Diff(ref.errs, small.errs); d != "" {
				t.Errorf("input %d buffer %d: errors differ:\n%s", i, bs, d)
			}
			if d := cmp.Diff(merge(ref.toks), merge(small.toks)); d != "" && small.err == nil {
				t.Errorf("input %d buffer %d: tokens differ:\n%s", i, bs, d)
			}
			if !bytes.Equal(ref.raw, []byte(in)) {
				t.Errorf("input %d: raw differs", i)
			}
			if small.err == nil && !bytes.Equal(small.raw, []byte(in)) {
				t.Errorf("input %d buffer %d: raw differs", i, bs)
			}
		}
	}
}

// merge joins Partial chunks of text.
func merge(toks []tok) []tok {
	var out []tok
	cont := false
	for _, t := range toks {
		if cont {
			out[len(out)-1].Text += t.Text
			out[len(out)-1].Partial = t.Partial
		} else {
			out = append(out, t)
		}
		cont = t.Partial
	}
	return out
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a&amp;amp;b", "a&amp;b"},
		{"&lt;p&gt;&quot;&apos;", `<p>"'`},
		{"&#233;&#xE9;", "éé"},
		{"x\r\ny\rz", "x\ny\nz"},
		{"& &nbsp; &#xD800;", "& &nbsp; &#xD800;"},
	}
	for _, tt := range tests {
		if got := string(Unescape(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNextAttr(t *testing.T) {
	rest := []byte(` a="1" b = 'x&amp;y' `)
	var got []string
	for {
		n, v, r, ok := NextAttr(rest)
		if !ok {
			break
		}
		got = append(got, string(n)+"="+string(Unescape(nil, v)))
		rest = r
	}
	if d := cmp.Diff([]string{"a=1", "b=x&y"}, got); d != "" {
		t.Error(d)
	}
}

func TestBOMAndEOF(t *testing.T) {
	res := scanAll(strings.NewReader("\xEF\xBB\xBF<?xml version=\"1.0\"?><A/>"), Options{}, false)
	if res.err != nil {
		t.Fatalf("BOM: %v", res.err)
	}
	res = scanAll(strings.NewReader("<A><B>text"), Options{}, false)
	se, ok := res.err.(*SyntaxError)
	if !ok || se.Kind != ErrTruncated || se.Pos.Offset != 10 {
		t.Fatalf("truncated: %v", res.err)
	}
	res = scanAll(strings.NewReader("<A/><B/>"), Options{}, false)
	if res.err == nil {
		t.Fatal("two roots accepted")
	}
	res = scanAll(strings.NewReader(""), Options{}, false)
	if res.err == nil {
		t.Fatal("empty input accepted")
	}
}

func TestAllocs(t *testing.T) {
	doc := []byte("<A>" + strings.Repeat("\n  <NAME>value &amp; more</NAME>", 2000) + "\n</A>\n")
	r := bytes.NewReader(doc)
	s := New(r, Options{})
	var text []byte
	allocs := testing.AllocsPerRun(10, func() {
		r.Reset(doc)
		s.Reset(r)
		for s.Next() {
			text = s.AppendText(text[:0])
		}
		if s.Err() != nil {
			t.Fatal(s.Err())
		}
	})
	if allocs > 0 {
		t.Errorf("%v allocations per document, want 0", allocs)
	}
}

func TestNonASCII(t *testing.T) {
	s := New(strings.NewReader("<A>abc</A><B>é</B>"), Options{OnError: func(*SyntaxError) {}})
	var got []bool
	for s.Next() {
		if s.Kind() == CharData {
			got = append(got, s.NonASCII())
		}
	}
	if d := cmp.Diff([]bool{false, true}, got); d != "" {
		t.Error(d)
	}
}

func TestKeep(t *testing.T) {
	in := "<A>\x01\x02\xff\xfe\x03</A>"
	asked, got := 0, 0
	s := New(strings.NewReader(in), Options{
		OnError: func(*SyntaxError) { got++ },
		Keep:    func(k ErrorKind) bool { asked++; return k == ErrInvalidUTF8 },
	})
	for s.Next() {
	}
	if asked != 5 || got != 2 {
		t.Errorf("asked %d, reported %d; want 5, 2", asked, got)
	}
}

func TestHasSpecial(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			var w [8]byte
			for i := range w {
				w[i] = 'a'
			}
			w[pos] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(w[i])
			}
			if special[c] && !hasSpecial(x) {
				t.Fatalf("byte 0x%02X at %d missed", c, pos)
			}
		}
	}
}
