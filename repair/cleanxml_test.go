package repair

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/report"
)

const prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <COURSE>\n    <SUMMARY>"
const epilog = "</SUMMARY>\n  </COURSE>\n</MOODLE_BACKUP>\n"

func wrap(s string) string { return prolog + s + epilog }

// TestCleanSpecCases runs the test cases of spec repairs.md §1.6.
func TestCleanSpecCases(t *testing.T) {
	tests := []struct {
		name, in, want, code string
	}{
		{"1 VT", "a\x0Bb", "ab", CodeInvalidChar},
		{"2 FF", "a\x0Cb", "ab", CodeInvalidChar},
		{"3 NUL", "a\x00b", "ab", CodeInvalidChar},
		{"4 TAB LF CR kept", "a\t\n\rb", "a\t\n\rb", ""},
		{"5 DEL kept", "a\x7Fb", "a\x7Fb", ""},
		{"6 C1 kept", "a\xC2\x93b", "a\xC2\x93b", CodeC1Control},
		{"7 U+FFFE", "a\xEF\xBF\xBEb", "ab", CodeInvalidChar},
		{"7b U+FFFF", "a\xEF\xBF\xBFb", "ab", CodeInvalidChar},
		{"8 Latin-1 e-acute", "caf\xE9", "café", CodeMixedEncoding},
		{"9 0x80 euro", "a\x80b", "a€b", CodeMixedEncoding},
		{"10 truncated", "\xC3\xA9t\xC3", "ét", CodeTruncatedUTF8},
		{"10b lone E9 among UTF-8", "\xC3\xA9\xE9t", "é\uFFFDt", CodeInvalidUTF8},
		{"11 CESU-8", "a\xED\xA0\xBD\xED\xB8\x80b", "a\U0001F600b", CodeCESU8},
		{"11b lone surrogate", "\xC3\xA9\xED\xA0\x80b", "é\uFFFDb", CodeInvalidUTF8},
		{"12 &#11;", "a&#11;b", "ab", CodeForbiddenRef},
		{"13 &#xFFFE;", "a&#xFFFE;b", "ab", CodeForbiddenRef},
		{"13b &#0;", "a&#0;b", "ab", CodeForbiddenRef},
		{"13c &#xD800;", "a&#xD800;b", "ab", CodeForbiddenRef},
		{"14 &#128; legal", "a&#128;b", "a&#128;b", ""},
		{"15 bare &", "A & B", "A &amp; B", CodeBareAmpersand},
		{"16 &nbsp;", "&nbsp;", "&amp;nbsp;", CodeBareAmpersand},
		{"17 &amp;#11;", "&amp;#11;", "&amp;#11;", ""},
		{"18 stray <", "x < y", "x &lt; y", CodeStrayLT},
		{"& at end of value", "a&", "a&amp;", CodeBareAmpersand},
		{"&# without digits", "a&#;b", "a&amp;#;b", CodeBareAmpersand},
		{"too large ref", "&#x110000;", "&amp;#x110000;", CodeBareAmpersand},
		{"]]> in text", "a]]>b", "a]]&gt;b", CodeCDATAEnd},
		{"]]> after deletion", "a]]\x00>b", "a]]&gt;b", CodeCDATAEnd},
		{"< before digit", "1<2", "1&lt;2", CodeStrayLT},
		{"html in leaf", "a <b>bold</b> c", "a &lt;b>bold&lt;/b> c", CodeStrayLT},
		{"lower-case html first", "<p>x</p>", "&lt;p>x&lt;/p>", CodeStrayLT},
		{"php in leaf", "x <?php echo 1 ?>", "x &lt;?php echo 1 ?>", CodeStrayLT},
		{"comment kept", "a<!-- c -->b", "a<!-- c -->b", ""},
		{"cdata kept", "<![CDATA[a<b&c]]>", "<![CDATA[a<b&c]]>", ""},
		{"cdata forbidden", "<![CDATA[a\x01b]]>", "<![CDATA[ab]]>", CodeInvalidChar},
		{"valid refs", "&lt;&gt;&amp;&quot;&apos;&#233;&#xE9;", "&lt;&gt;&amp;&quot;&apos;&#233;&#xE9;", ""},
		{"CJK kept", "日本語のテキスト", "日本語のテキスト", ""},
		{"emoji kept", "\U0001F600", "\U0001F600", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := report.New(0)
			got, err := CleanString(wrap(tc.in), CleanOptions{Moodle: true, Report: rep})
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != wrap(tc.want) {
				t.Errorf("got  %q\nwant %q", strings.TrimSuffix(strings.TrimPrefix(got, prolog), epilog), tc.want)
			}
			if tc.code == "" {
				if n := len(rep.Findings()); n != 0 {
					t.Errorf("valid input gave findings: %v", rep.Findings())
				}
			} else if rep.Count(tc.code) == 0 {
				t.Errorf("no %s finding; got %v", tc.code, rep.Codes())
			}
			mustParse(t, got)
			// Chunk boundaries must not change anything.
			for _, n := range []int{1, 2, 3, 7} {
				c, _ := NewCleaner(CleanOptions{Moodle: true})
				got2, err := runChunked(c, []byte(wrap(tc.in)), n, n+1)
				if err != nil || string(got2) != got {
					t.Errorf("chunk %d: got %q, %v", n, got2, err)
				}
			}
		})
	}
}

func TestCleanFindingLocation(t *testing.T) {
	rep := report.New(0)
	in := wrap("ab\x0Bc")
	if _, err := CleanString(in, CleanOptions{Report: rep}); err != nil {
		t.Fatal(err)
	}
	f := rep.Findings()
	if len(f) != 1 {
		t.Fatalf("findings: %v", f)
	}
	wantOff := int64(strings.Index(in, "\x0B"))
	if f[0].Line != 4 || f[0].Column != 16 || f[0].Offset != wantOff {
		t.Errorf("at %d:%d offset %d, want 4:16 offset %d", f[0].Line, f[0].Column, f[0].Offset, wantOff)
	}
	if f[0].Path != "MOODLE_BACKUP/COURSE/SUMMARY" {
		t.Errorf("path %q", f[0].Path)
	}
	if f[0].Before != ` <SUMMARY>ab\x0Bc</SUMMARY>\x0A` || f[0].After != ` <SUMMARY>abc</SUMMARY>\x0A` {
		t.Errorf("samples %q -> %q", f[0].Before, f[0].After)
	}
}

func TestCleanReplaceMode(t *testing.T) {
	tests := []struct{ repl, in, want string }{
		{"", "a\x0Bb&#11;c\xC3\xA9\xFF", "a\uFFFDb\uFFFDcé\uFFFD"},
		{"?", "a\x0Bb&#11;c", "a?b?c"},
	}
	for _, tc := range tests {
		got, err := CleanString(wrap(tc.in), CleanOptions{Mode: Replace, Replacement: tc.repl})
		if err != nil || got != wrap(tc.want) {
			t.Errorf("replace %q: got %q, %v", tc.repl, got, err)
		}
	}
	for _, bad := range []string{"<", "&", "\x01", "\xFF", "-"} {
		if _, err := NewCleaner(CleanOptions{Mode: Replace, Replacement: bad}); err == nil {
			t.Errorf("replacement %q accepted", bad)
		}
	}
}

func TestCleanLatin1Lift(t *testing.T) {
	got, err := CleanString(wrap("\xCF\xF0\x80"), CleanOptions{Legacy: Latin1Lift})
	if err != nil || got != wrap("\u00CF\u00F0\u0080") {
		t.Errorf("got %q, %v", got, err)
	}
}

// TestCleanUnrepairable: damage with no unambiguous repair is an error that
// names the place.
func TestCleanUnrepairable(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"mismatch", "<A>\n  <B>x</B>\n  <C>y</A>\n</A>", "element <C> closed by </A>"},
		{"mismatch not moodle", "<a>\n  <b>x</b>\n  <c></d>\n</a>", "element <c> closed by </d>"},
		{"unknown end tag in leaf", "<A>\n  <C>y</D>\n</A>", "element <C> closed by </A>"},
		{"truncated", "<A>\n  <B>x</B>\n", "not closed"},
		{"stray between elements", "<A>\n  <B>x</B> < \n</A>", "starts no markup"},
		{"bad attribute", "<A x=1></A>", "unquoted"},
		{"latin-1 declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><A/>", "transcode"},
		{"comment --", "<A><!-- a -- b --></A>", "'--' inside a comment"},
		{"end tag at top", "</A>", "no open element"},
	}
	for _, tc := range tests {
		_, err := CleanString(tc.in, CleanOptions{Moodle: true})
		var se *SyntaxError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want SyntaxError with %q", tc.name, err, tc.msg)
			continue
		}
		if se.Line < 1 || se.Column < 1 {
			t.Errorf("%s: no position in %v", tc.name, se)
		}
	}
	_, err := CleanString("<?xml version=\"1.0\" encoding=\"windows-1251\"?><A/>", CleanOptions{})
	if !errors.Is(err, ErrNotUTF8Declared) {
		t.Errorf("declared windows-1251: %v", err)
	}
}

func mustParse(t testing.TB, s string) {
	t.Helper()
	if err := parseXML(s); err != nil {
		t.Fatalf("output does not parse: %v\n%q", err, s)
	}
}

func parseXML(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// runChunked drives t the way a careful caller does, but with src and dst
// windows of at most srcN and dstN bytes, to test every chunk boundary.
func runChunked(t transform.Transformer, in []byte, srcN, dstN int) ([]byte, error) {
	var out bytes.Buffer
	dst := make([]byte, dstN)
	for p := 0; ; {
		end := min(len(in), p+srcN)
		atEOF := end == len(in)
		nDst, nSrc, err := t.Transform(dst, in[p:end], atEOF)
		out.Write(dst[:nDst])
		p += nSrc
		switch {
		case err == transform.ErrShortDst:
			if nDst == 0 && nSrc == 0 {
				dst = make([]byte, 2*len(dst))
			}
		case err == transform.ErrShortSrc:
			if end == len(in) {
				return out.Bytes(), fmt.Errorf("short src at EOF")
			}
			if nSrc == 0 {
				srcN *= 2
			}
		case err != nil:
			return out.Bytes(), err
		case atEOF && p == len(in):
			return out.Bytes(), nil
		}
	}
}

// TestCleanSyntaxErrorAtEndOfInput is the regression test for a panic: a
// file cut mid-value (a PHP time-out) ends in an error whose position is one
// past the last byte, and the finding's sample must not slice beyond it.
func TestCleanSyntaxErrorAtEndOfInput(t *testing.T) {
	for _, in := range []string{"<A>x <", "<A><B>text", "<A>a\x0bb<"} {
		rep := report.New(0)
		_, err := CleanString(in, CleanOptions{Moodle: true, Report: rep})
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want a *SyntaxError", in, err)
			continue
		}
		if se.Offset > int64(len(in)) || rep.Count(CodeNotWellFormed) != 1 {
			t.Errorf("%q: offset %d (len %d), %d not-well-formed findings", in, se.Offset, len(in), rep.Count(CodeNotWellFormed))
		}
	}
}
