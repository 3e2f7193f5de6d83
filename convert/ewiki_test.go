package convert

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEwikiToHTML(t *testing.T) {
	md := ewikiOptions{}
	tests := []struct {
		name string
		in   string
		opt  ewikiOptions
		want string
	}{
		{"paragraph", "Hello world", md, "<p>Hello world</p>"},
		{"two paragraphs", "one\ntwo\n\nthree", md, "<p>one\ntwo</p>\n<p>three</p>"},
		{"heading large", "!!! Title", md, "<h2>Title</h2>"},
		{"heading medium", "!! Title", md, "<h3>Title</h3>"},
		{"heading small", "! Title", md, "<h4>Title</h4>"},
		{"bold underscores", "a __b__ c", md, "<p>a <strong>b</strong> c</p>"},
		{"bold stars", "a **b** c", md, "<p>a <strong>b</strong> c</p>"},
		{"bold quotes", "a '''b''' c", md, "<p>a <strong>b</strong> c</p>"},
		{"italic", "a ''b'' c", md, "<p>a <em>b</em> c</p>"},
		{"bold italic", "'''''x'''''", md, "<p><strong><em>x</em></strong></p>"},
		{"superscript", "x^^2^^", md, "<p>x<sup>2</sup></p>"},
		{"monospace", "==code==", md, "<p><code>code</code></p>"},
		{"unpaired marker kept", "a ** b", md, "<p>a ** b</p>"},
		{"line break", "a%%%b", md, "<p>a<br />b</p>"},
		{"rule", "----", md, "<hr />"},
		{"bullets", "* a\n* b", md, "<ul><li>a</li>\n<li>b</li></ul>"},
		{"dash bullets", "- a\n- b", md, "<ul><li>a</li>\n<li>b</li></ul>"},
		{"numbered", "# a\n# b", md, "<ol><li>a</li>\n<li>b</li></ol>"},
		{"nested", "* a\n** b\n* c", md, "<ul><li>a<ul><li>b</li></ul>\n</li>\n<li>c</li></ul>"},
		{"list kind change", "* a\n# b", md, "<ul><li>a</li></ul>\n<ol><li>b</li></ol>"},
		{"list then text", "* a\nafter", md, "<ul><li>a</li></ul>\n<p>after</p>"},
		{"table", "|a|b|\n|1|2|", md, "<table>\n<tr><td>a</td><td>b</td></tr>\n<tr><td>1</td><td>2</td></tr>\n</table>"},
		{"page link", "see [Reading list]", md, "<p>see [[Reading list]]</p>"},
		{"page link with title", "see [the list|Reading list]", md, "<p>see [[Reading list|the list]]</p>"},
		{"quoted title", `see ["the list" ReadingList]`, md, "<p>see [[ReadingList|the list]]</p>"},
		{"camel case", "see CellTheory now", md, "<p>see [[CellTheory]] now</p>"},
		{"camel case off", "see CellTheory now", ewikiOptions{NoCamelCase: true}, "<p>see CellTheory now</p>"},
		{"camel case escaped", "see !CellTheory now", md, "<p>see CellTheory now</p>"},
		{"url link", "[http://x.org/a | Site]", md, `<p><a href="http://x.org/a">Site</a></p>`},
		{"url title after", "[http://x.org/a Site]", md, `<p><a href="http://x.org/a">Site</a></p>`},
		{"image", "[http://x.org/a.png]", md, `<p><img src="http://x.org/a.png" alt="" /></p>`},
		{"bare url", "go to http://x.org/CamelCase/a__b__ now.", md, `<p>go to <a href="http://x.org/CamelCase/a__b__">http://x.org/CamelCase/a__b__</a> now.</p>`},
		{"html escaped in markup mode", "<b>x</b> & y", md, "<p>&lt;b&gt;x&lt;/b&gt; &amp; y</p>"},
		{"safe html kept", "<b>x</b> __y__", ewikiOptions{HTMLMode: 1}, "<p><b>x</b> <strong>y</strong></p>"},
		{"html only untouched", "<p>__x__ [Y]</p>", ewikiOptions{HTMLMode: 2}, "<p>__x__ [Y]</p>"},
		{"pre block", "<pre>\n* not a list\n  a<b\n</pre>\nafter", md, "<pre>* not a list\n  a&lt;b\n</pre>\n<p>after</p>"},
		{"crlf", "a\r\n\r\nb", md, "<p>a</p>\n<p>b</p>"},
		{"empty", "", md, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ewikiToHTML(tc.in, tc.opt); got != tc.want {
				t.Errorf("ewikiToHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzEwikiToHTML checks that any page converts without panicking, keeps
// valid UTF-8 valid, and in markup mode leaves no raw '<' of the input.
func FuzzEwikiToHTML(f *testing.F) {
	for _, s := range []string{"!!! T\n* a\n## b\n|x|y|", "[a|b] CamelCase __x__ ''y''", "<pre>\nx\n", "[http://a.org/b.png]", "* a\n** b\n*** c\n# d"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, mode int) {
		opt := ewikiOptions{HTMLMode: mode & 3}
		out := ewikiToHTML(s, opt)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid input %q", s)
		}
		if opt.HTMLMode == 0 && strings.Contains(s, "<script") && strings.Contains(out, "<script") {
			t.Fatalf("markup-mode page kept a raw <script>: %q", out)
		}
	})
}
