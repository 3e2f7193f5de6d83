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
	b    []byte
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
// way HTMLArea-era editors stored it.
func (t *tg) html(n int) string {
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
	return string(b)
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
	b = append(b, `<img src="`...)
	b = append(b, t.internal("/file.php/"+strconv.FormatInt(p.courseID, 10)+"/"+img)...)
	b = append(b, `" alt="`...)
	b = append(b, t.title()...)
	b = append(b, `" title="" width="320" height="240" style="border: 1px solid #999;" />`...)
	return b
}

// link appends one <a> element: mostly internal links of every form the 1.x
// encoder knew, some it did not, and external links with query strings.
func (t *tg) link(b []byte) []byte {
	p := t.g.p
	c := strconv.FormatInt(p.courseID, 10)
	var href string
	internal := true
	switch t.r.IntN(20) {
	case 0, 1:
		href = "/file.php/" + c + "/" + p.docs[t.r.IntN(len(p.docs))]
	case 2:
		href = "/file.php?file=/" + c + "/" + p.docs[t.r.IntN(len(p.docs))] + "&amp;forcedownload=1"
	case 3:
		href = "/course/view.php?id=" + c
	case 4:
		href = "/mod/forum/discuss.php?d=" + strconv.Itoa(10+t.r.IntN(90)) + "&amp;parent=" + strconv.Itoa(100+t.r.IntN(900))
	case 5:
		href = "/mod/forum/discuss.php?d=" + strconv.Itoa(10+t.r.IntN(90)) + "#" + strconv.Itoa(100+t.r.IntN(900))
	case 6:
		if m := p.modsOf("data"); len(m) > 0 {
			href = "/mod/data/view.php?d=" + strconv.FormatInt(m[0].id, 10) + "&rid=" + strconv.Itoa(1+t.r.IntN(50))
		} else {
			href = "/mod/forum/index.php?id=" + c
		}
	case 7:
		href = "/mod/" + []string{"forum", "quiz", "resource", "assignment", "glossary", "wiki"}[t.r.IntN(6)] + "/index.php?id=" + c
	case 8:
		if m := p.modsOf("survey"); len(m) > 0 {
			href = "/mod/survey/view.php?id=" + strconv.FormatInt(m[0].cmid, 10) // never encoded (§11.3)
			t.g.m.Links["unencoded"]++
		} else {
			href = "/course/view.php?id=" + c
		}
	case 9:
		href = "/file.php/" + strconv.FormatInt(p.courseID+40, 10) + "/shared/map.pdf" // another course's files
		t.g.m.Links["unencoded"]++
	case 10, 11:
		internal = false
		href = []string{"http://www.example.org/search?q=cell+biology&amp;lang=en", "https://en.wikipedia.org/wiki/Cell_(biology)",
			"http://video.example.com/watch?v=a1B2c3&amp;t=30s", "mailto:teacher@example.edu"}[t.r.IntN(4)]
		t.g.m.Links["external"]++
	default:
		m := p.mods[t.r.IntN(len(p.mods))]
		switch {
		case m.typ == "forum" && t.r.IntN(2) == 0:
			href = "/mod/forum/view.php?f=" + strconv.FormatInt(m.id, 10)
		case m.typ == "quiz" && t.r.IntN(2) == 0:
			href = "/mod/quiz/view.php?q=" + strconv.FormatInt(m.id, 10)
		case m.typ == "resource" && t.r.IntN(2) == 0:
			href = "/mod/resource/view.php?r=" + strconv.FormatInt(m.id, 10)
		case m.typ == "data" && t.r.IntN(2) == 0:
			href = "/mod/data/view.php?d=" + strconv.FormatInt(m.id, 10)
		case m.typ == "exercise" || m.typ == "label":
			href = "/course/view.php?id=" + c
		default:
			href = "/mod/" + m.typ + "/view.php?id=" + strconv.FormatInt(m.cmid, 10)
		}
		if m.typ == "survey" {
			t.g.m.Links["unencoded"]++
		}
	}
	b = append(b, `<a href="`...)
	if internal {
		href = t.internal(href)
	}
	b = append(b, href...)
	b = append(b, `" title="`...)
	b = append(b, t.title()...)
	b = append(b, `">`...)
	b = append(b, t.title()...)
	b = append(b, "</a>"...)
	return b
}

// internal returns the URL of a path on the source site, normally absolute
// (wwwroot + path), or in a form the 1.x writer did not encode when the
// RelativeLinks damage picks this link.
func (t *tg) internal(path string) string {
	g := t.g
	abs := g.p.www + path
	if !g.rel.hit() {
		return abs
	}
	var k, u string
	switch g.dmg.IntN(4) {
	case 0:
		k = "relative"
		if rest, ok := strings.CutPrefix(path, "/mod/"); ok {
			u = "../" + rest
		} else {
			u = "../.." + path
		}
	case 1:
		k = "root-relative"
		u = sitePath(g.p.www) + path
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
		return abs
	}
	return u
}

// sitePath is the path part of a wwwroot ("" or "/moodle").
func sitePath(www string) string {
	_, rest, _ := strings.Cut(www, "://")
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[i:]
	}
	return ""
}
