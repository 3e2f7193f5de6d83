package gen

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// tg makes text for one part of the course from its own random stream.
type tg struct {
	g    *gen
	r    *rand.Rand
	lang language
	b    []byte // html and plain results
	u    []byte // URL being built
	mod  string // module type whose text this is ("" outside activities)
}

func (g *gen) tg(parts ...any) *tg {
	return &tg{g: g, r: g.rng(parts...), lang: languages[g.o.Lang]}
}

func (t *tg) pick(s []string) string { return s[t.r.IntN(len(s))] }

func (t *tg) sentence() string { return t.pick(t.lang.sentences) }
func (t *tg) title() string    { return t.pick(t.lang.titles) }

// plain returns n sentences of plain text.
func (t *tg) plain(n int) string {
	b := t.b[:0]
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t.sentence()...)
	}
	t.b = b
	return string(b)
}

// html returns stored HTML of n blocks: paragraphs, lists, tables, headings,
// images, styled text, entities, links and snippets in other scripts, the
// way HTMLArea-era editors stored it. The result is valid until the next
// call.
func (t *tg) html(n int) []byte {
	if t.g.o.lean {
		n = 1
	}
	b := t.b[:0]
	for i := 0; i < n; i++ {
		switch t.r.IntN(12) {
		case 0, 1, 2, 3:
			b = append(b, "<p>"...)
			b = t.inline(b, 1+t.r.IntN(3))
			b = append(b, "</p>"...)
		case 4:
			tag := "ul"
			if t.r.IntN(2) == 0 {
				tag = "ol"
			}
			b = append(b, '<')
			b = append(b, tag...)
			b = append(b, '>')
			for j := 2 + t.r.IntN(3); j > 0; j-- {
				b = append(b, "<li>"...)
				b = t.inline(b, 1)
				b = append(b, "</li>"...)
			}
			b = append(b, "</"...)
			b = append(b, tag...)
			b = append(b, '>')
		case 5:
			b = append(b, `<table border="1" cellpadding="4" cellspacing="0" style="width: 90%; border-collapse: collapse;"><tbody><tr><th>`...)
			b = append(b, t.title()...)
			b = append(b, "</th><th>Score&nbsp;/&nbsp;20</th></tr>"...)
			for j := 1 + t.r.IntN(3); j > 0; j-- {
				b = append(b, `<tr><td valign="top">`...)
				b = append(b, t.sentence()...)
				b = append(b, "</td><td>"...)
				b = strconv.AppendInt(b, int64(t.r.IntN(21)), 10)
				b = append(b, "</td></tr>"...)
			}
			b = append(b, "</tbody></table>"...)
		case 6:
			b = append(b, `<p style="text-align: center;">`...)
			b = t.image(b)
			b = append(b, "<br />"...)
			b = append(b, t.sentence()...)
			b = append(b, "</p>"...)
		case 7:
			b = append(b, `<p><span style="color: rgb(153, 51, 0); font-weight: bold;">`...)
			b = append(b, t.title()...)
			b = append(b, `</span>&nbsp;&ndash; <font face="Arial, Helvetica" size="2">`...)
			b = append(b, t.sentence()...)
			b = append(b, "</font></p>"...)
		case 8:
			s := foreignSnippets[t.r.IntN(len(foreignSnippets))]
			b = append(b, `<p>`...)
			b = append(b, t.sentence()...)
			b = append(b, ` <span lang="`...)
			b = append(b, s.lang...)
			b = append(b, `" xml:lang="`...)
			b = append(b, s.lang...)
			b = append(b, `">`...)
			b = append(b, s.text...)
			b = append(b, "</span></p>"...)
		case 9:
			b = append(b, "<h3>"...)
			b = append(b, t.title()...)
			b = append(b, "</h3><p>"...)
			b = t.inline(b, 2)
			b = append(b, "</p>"...)
		case 10:
			b = append(b, "<p>Tom &amp; Jerry&#8217;s caf&eacute; &lt;3 &copy; 2008 &mdash; "...)
			b = append(b, t.sentence()...)
			b = append(b, "</p>"...)
		default:
			b = append(b, "<p>"...)
			b = t.link(b)
			b = append(b, "</p>"...)
		}
	}
	t.b = b
	return b
}

// inline appends n sentences with inline markup and links.
func (t *tg) inline(b []byte, n int) []byte {
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		switch t.r.IntN(8) {
		case 0:
			b = append(b, "<strong>"...)
			b = append(b, t.sentence()...)
			b = append(b, "</strong>"...)
		case 1:
			b = append(b, "<em>"...)
			b = append(b, t.sentence()...)
			b = append(b, "</em>"...)
		case 2:
			b = append(b, t.sentence()...)
			b = append(b, ' ')
			b = t.link(b)
		default:
			b = append(b, t.sentence()...)
		}
	}
	return b
}

// image appends an <img> of a course file, linked the way the editor stored
// it (an absolute file.php URL on the source site).
func (t *tg) image(b []byte) []byte {
	p := t.g.p
	img := p.images[t.r.IntN(len(p.images))]
	u := append(t.u[:0], "/file.php/"...)
	u = strconv.AppendInt(u, p.courseID, 10)
	u = append(u, '/')
	u = append(u, img...)
	t.u = u
	b = append(b, `<img src="`...)
	b = t.internal(b, u)
	b = append(b, `" alt="`...)
	b = append(b, t.title()...)
	b = append(b, `" title="" width="320" height="240" style="border: 1px solid #999;" />`...)
	return b
}

var externalLinks = []string{"http://www.example.org/search?q=cell+biology&amp;lang=en", "https://en.wikipedia.org/wiki/Cell_(biology)",
	"http://video.example.com/watch?v=a1B2c3&amp;t=30s", "mailto:teacher@example.edu"}

// link appends one <a> element: mostly internal links of every form the 1.x
// encoder knew, some it did not, and external links with query strings.
func (t *tg) link(b []byte) []byte {
	p := t.g.p
	r := t.r
	u := t.u[:0]
	internal := true
	switch r.IntN(20) {
	case 0, 1:
		u = append(u, "/file.php/"...)
		u = strconv.AppendInt(u, p.courseID, 10)
		u = append(u, '/')
		u = append(u, p.docs[r.IntN(len(p.docs))]...)
	case 2:
		u = append(u, "/file.php?file=/"...)
		u = strconv.AppendInt(u, p.courseID, 10)
		u = append(u, '/')
		u = append(u, p.docs[r.IntN(len(p.docs))]...)
		u = append(u, "&amp;forcedownload=1"...)
	case 3:
		u = append(u, "/course/view.php?id="...)
		u = strconv.AppendInt(u, p.courseID, 10)
	case 4:
		u = append(u, "/mod/forum/discuss.php?d="...)
		u = strconv.AppendInt(u, int64(10+r.IntN(90)), 10)
		u = append(u, "&amp;parent="...)
		u = strconv.AppendInt(u, int64(100+r.IntN(900)), 10)
	case 5:
		u = append(u, "/mod/forum/discuss.php?d="...)
		u = strconv.AppendInt(u, int64(10+r.IntN(90)), 10)
		u = append(u, '#')
		u = strconv.AppendInt(u, int64(100+r.IntN(900)), 10)
	case 6:
		if m := p.modsOf("data"); len(m) > 0 {
			u = append(u, "/mod/data/view.php?d="...)
			u = strconv.AppendInt(u, m[0].id, 10)
			u = append(u, "&rid="...)
			u = strconv.AppendInt(u, int64(1+r.IntN(50)), 10)
		} else {
			u = append(u, "/mod/forum/index.php?id="...)
			u = strconv.AppendInt(u, p.courseID, 10)
		}
	case 7:
		u = append(u, "/mod/"...)
		u = append(u, []string{"forum", "quiz", "resource", "assignment", "glossary", "wiki"}[r.IntN(6)]...)
		u = append(u, "/index.php?id="...)
		u = strconv.AppendInt(u, p.courseID, 10)
	case 8:
		if m := p.modsOf("survey"); len(m) > 0 {
			u = append(u, "/mod/survey/view.php?id="...) // never encoded (§11.3)
			u = strconv.AppendInt(u, m[0].cmid, 10)
			t.g.m.Links["unencoded"]++
		} else {
			u = append(u, "/course/view.php?id="...)
			u = strconv.AppendInt(u, p.courseID, 10)
		}
	case 9:
		// another course's files: not encoded, except when that course's id
		// starts with this one's (C=5, file.php/57/…): then the writer's
		// prefix replacement gives "$@FILEPHP@$7/…" (spec §11.1)
		u = append(u, "/file.php/"...)
		if r.IntN(2) == 0 {
			u = strconv.AppendInt(u, p.courseID*10+7, 10)
			t.g.m.Links["filephp-collision"]++
		} else {
			u = strconv.AppendInt(u, p.courseID+40, 10)
			t.g.m.Links["unencoded"]++
		}
		u = append(u, "/shared/map.pdf"...)
	case 10, 11:
		internal = false
		u = append(u, externalLinks[r.IntN(len(externalLinks))]...)
		t.g.m.Links["external"]++
	default:
		m := p.mods[r.IntN(len(p.mods))]
		switch {
		case m.typ == "forum" && r.IntN(2) == 0:
			u = append(u, "/mod/forum/view.php?f="...)
			u = strconv.AppendInt(u, m.id, 10)
		case m.typ == "quiz" && r.IntN(2) == 0:
			u = append(u, "/mod/quiz/view.php?q="...)
			u = strconv.AppendInt(u, m.id, 10)
		case m.typ == "resource" && r.IntN(2) == 0:
			u = append(u, "/mod/resource/view.php?r="...)
			u = strconv.AppendInt(u, m.id, 10)
		case m.typ == "data" && r.IntN(2) == 0:
			u = append(u, "/mod/data/view.php?d="...)
			u = strconv.AppendInt(u, m.id, 10)
		case m.typ == "label":
			u = append(u, "/course/view.php?id="...)
			u = strconv.AppendInt(u, p.courseID, 10)
		default:
			u = append(u, "/mod/"...)
			u = append(u, m.typ...)
			u = append(u, "/view.php?id="...)
			u = strconv.AppendInt(u, m.cmid, 10)
		}
		if m.typ == "survey" {
			t.g.m.Links["unencoded"]++
		}
	}
	t.u = u
	b = append(b, `<a href="`...)
	if internal {
		b = t.internal(b, u)
	} else {
		b = append(b, u...)
	}
	b = append(b, `" title="`...)
	b = append(b, t.title()...)
	b = append(b, `">`...)
	b = append(b, t.title()...)
	b = append(b, "</a>"...)
	return b
}

// internal appends the URL of a path on the source site, normally absolute
// (wwwroot + path), or in a form the 1.x writer did not encode when the
// RelativeLinks damage picks this link.
func (t *tg) internal(b, path []byte) []byte {
	g := t.g
	if g.noRel || !g.countRel() {
		b = append(b, g.p.www...)
		return append(b, path...)
	}
	abs := g.p.www + string(path)
	var k, u string
	kinds := 4
	own := "/mod/" + t.mod + "/"
	if t.mod != "" && strings.HasPrefix(string(path), own) {
		kinds = 5 // a link from a module's text to the same module's script
	}
	switch g.dmg.IntN(kinds) {
	case 4:
		k = "bare"
		u = strings.TrimPrefix(string(path), own)
	case 0:
		k = "relative"
		if rest, ok := strings.CutPrefix(string(path), "/mod/"); ok {
			u = "../" + rest
		} else {
			u = "../.." + string(path)
		}
	case 1:
		k = "root-relative"
		u = sitePath(g.p.www) + string(path)
	case 2:
		k = "scheme"
		if s, ok := strings.CutPrefix(abs, "http://"); ok {
			u = "https://" + s
		} else {
			u = "http://" + strings.TrimPrefix(abs, "https://")
		}
	default:
		k = "www"
		scheme, host, _ := strings.Cut(abs, "://")
		if h, ok := strings.CutPrefix(host, "www."); ok {
			u = scheme + "://" + h
		} else {
			u = scheme + "://www." + host
		}
	}
	g.pending = append(g.pending, pendingSpot{kind: "relative-link:" + k, clean: abs, damaged: u})
	if g.o.Clean {
		return append(b, abs...)
	}
	return append(b, u...)
}

// countRel counts a candidate for the relative-links damage and reports
// whether this one is damaged.
func (g *gen) countRel() bool {
	g.internalLinks++
	return g.rel.hit()
}

// sitePath is the path part of a wwwroot ("" or "/moodle").
func sitePath(www string) string {
	_, rest, _ := strings.Cut(www, "://")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return ""
}
