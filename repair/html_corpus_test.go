package repair

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// corpusGen writes well-formed HTML fields shaped like what the 1.x editors
// (HTMLArea, and hand-typed HTML in plain text areas) stored: XHTML tags in
// lower case, quoted attributes, <br />, entities for '&', '<', '>' and
// '"' in text, non-ASCII text as raw UTF-8. Its vocabulary deliberately holds
// words that look like tag names (a, b, i, u, p, by, in, bold, table) and
// entity names (not, part), so the repair is tested on the ambiguous cases.
type corpusGen struct {
	r *rand.Rand
}

func newCorpusGen(seed uint64) *corpusGen {
	return &corpusGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var corpusWords = strings.Fields(`the a an and or of to in on at by for with from is are be as it this that
students will read write submit discuss answer question week module course forum quiz lesson chapter
assignment resource glossary wiki topic introduction summary bold italic underline table list paragraph
print page link image header footer please note before after during each every your our their
biology history chemistry physics mathematics literature language grammar vocabulary essay report
project group team deadline friday monday tuesday results grade marks points exam test practice
important optional required useful example examples online offline upload download file files
book books article articles video videos audio slides notes reading readings homework exercise
by up us if so no not part sum copy image real in is it be bad bit big ball pen pi us under upper
ideas idea input item items about above across again already also always among another any
span strong emphasis sub sup font center top bottom left right middle`)

var corpusNames = strings.Fields(`Alice Bob Carol Dave Emma Frank Grace Henry Isabel Jack Moodle Europe Paris
London Berlin Tokyo Monday Friday January March Python Java Excel Word PowerPoint Internet Biology
Unit Week Part Chapter Section Lesson Topic Quiz Forum Glossary`)

var corpusIntl = strings.Fields(`café naïve résumé Müller Straße Ελληνικά русский язык 日本語 中文 español
año niño façade Zürich São Paulo Dvořák Łódź übung Ärger fiancée crème brûlée`)

func (g *corpusGen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *corpusGen) chance(p float64) bool     { return g.r.Float64() < p }

// sentence returns plain words with the odd name, number, foreign word
// and punctuation; no markup.
func (g *corpusGen) sentence(min, max int) string {
	n := min + g.r.IntN(max-min+1)
	var b strings.Builder
	for k := 0; k < n; k++ {
		if k > 0 {
			b.WriteByte(' ')
		}
		switch x := g.r.IntN(100); {
		case x < 8:
			b.WriteString(g.pick(corpusNames))
		case x < 12:
			b.WriteString(g.pick(corpusIntl))
		case x < 15 && k > 0: // sentences seldom open with a bare number
			fmt.Fprintf(&b, "%d", g.r.IntN(2000))
		case x < 17:
			b.WriteString("it's")
		default:
			w := g.pick(corpusWords)
			if k == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
		}
		if k < n-1 && g.chance(0.06) {
			b.WriteString(g.pick([]string{",", ";", ":", " -", " /", "?"}))
		}
	}
	b.WriteString(g.pick([]string{".", ".", ".", "!", "?", ":"}))
	return b.String()
}

var corpusEntities = []string{"&nbsp;", "&amp;", "&lt;", "&gt;", "&quot;", "&eacute;", "&rsquo;",
	"&#8217;", "&copy;", "&ndash;", "&mdash;", "&hellip;", "&#39;", "&uuml;", "&egrave;", "&#x2019;", "&laquo;", "&raquo;"}

// inline returns text with inline markup.
func (g *corpusGen) inline() string {
	parts := []string{}
	n := 1 + g.r.IntN(4)
	for k := 0; k < n; k++ {
		s := g.sentence(2, 12)
		switch x := g.r.IntN(100); {
		case x < 12:
			tag := g.pick([]string{"b", "strong", "em", "i", "u", "strong", "b", "sub", "sup"})
			words := strings.Fields(s)
			a := g.r.IntN(len(words))
			e := a + 1 + g.r.IntN(min(3, len(words)-a))
			words[a] = "<" + tag + ">" + words[a]
			words[e-1] = words[e-1] + "</" + tag + ">"
			s = strings.Join(words, " ")
		case x < 30:
			s = s + " " + g.link()
		case x < 36:
			s = s + " " + g.span()
		case x < 40:
			s = s + "<br />" + g.sentence(2, 8)
		case x < 50:
			// Entities where typists put them: accents and apostrophes
			// inside words, &nbsp; between them, &amp; and symbols
			// standing alone or in R&amp;D.
			words := strings.Fields(s)
			a := g.r.IntN(len(words))
			switch ent := g.pick(corpusEntities); ent {
			case "&nbsp;":
				words[a] += ent
			case "&eacute;", "&uuml;", "&egrave;":
				words[a] = words[a][:1] + ent + words[a][1:]
			case "&rsquo;", "&#8217;", "&#39;", "&#x2019;":
				words[a] += ent + "s"
			case "&hellip;":
				words[a] += ent
			case "&laquo;":
				words[a] = ent + words[a] + "&raquo;"
			case "&quot;":
				words[a] = ent + words[a] + ent
			case "&amp;":
				if g.chance(0.3) {
					words[a] = g.pick([]string{"R&amp;D", "Q&amp;A", "AT&amp;T"})
				} else {
					words[a] = ent + " " + words[a]
				}
			default:
				words[a] = ent + " " + words[a]
			}
			s = strings.Join(words, " ")
		case x < 53:
			s = s + " " + g.image()
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func (g *corpusGen) url() string {
	id := g.r.IntN(900) + 1
	switch g.r.IntN(14) {
	case 0:
		return fmt.Sprintf("view.php?id=%d", id)
	case 1:
		return fmt.Sprintf("../forum/view.php?id=%d", id)
	case 2:
		return fmt.Sprintf("http://moodle.example.edu/mod/resource/view.php?id=%d", id)
	case 3:
		return fmt.Sprintf("/mod/%s/view.php?id=%d", g.pick([]string{"forum", "quiz", "glossary", "resource"}), id)
	case 4:
		return fmt.Sprintf("http://moodle.example.edu/mod/forum/discuss.php?d=%d&amp;parent=%d", id, id*3)
	case 5:
		return fmt.Sprintf("http://moodle.example.edu/file.php/%d/docs/%s.pdf", 2+g.r.IntN(9), g.pick(corpusWords))
	case 6:
		return fmt.Sprintf("http://www.%s.%s/%s.html", g.pick(corpusWords), g.pick([]string{"org", "com", "edu", "co.uk", "de"}), g.pick(corpusWords))
	case 7:
		return fmt.Sprintf("$@FORUMVIEWBYID*%d@$", id)
	case 8:
		return fmt.Sprintf("$@FILEPHP@$$@SLASH@$pics$@SLASH@$%s.jpg", g.pick(corpusWords))
	case 9:
		return "mailto:" + strings.ToLower(g.pick(corpusNames)) + "@example.edu"
	case 10:
		return fmt.Sprintf("http://www.google.com/search?q=%s&amp;hl=en", g.pick(corpusWords))
	case 11:
		return fmt.Sprintf("https://en.wikipedia.org/wiki/%s", g.pick(corpusNames))
	case 12:
		return fmt.Sprintf("http://moodle.example.edu/course/view.php?id=%d", id)
	default:
		return fmt.Sprintf("http://www.%s.org/", g.pick(corpusWords))
	}
}

func (g *corpusGen) link() string {
	u := g.url()
	attrs := fmt.Sprintf(` href="%s"`, u)
	if g.chance(0.2) {
		attrs += ` target="_blank"`
	}
	if g.chance(0.08) {
		attrs += fmt.Sprintf(` title="%s"`, strings.TrimRight(g.sentence(1, 4), ".!?:"))
	}
	var text string
	switch x := g.r.IntN(10); {
	case x < 6:
		text = strings.TrimRight(g.sentence(1, 4), ".!?:")
		text = strings.ToUpper(text[:1]) + text[1:]
	case x < 7:
		text = strings.TrimPrefix(strings.TrimPrefix(u, "http://"), "https://")
		if strings.Contains(text, "&amp;") || strings.Contains(text, "$@") {
			text = "here"
		}
	case x < 9:
		text = g.pick([]string{"here", "this page", "the forum", "Click here", "link", "more"})
	default:
		text = g.image()
	}
	return "<a" + attrs + ">" + text + "</a>"
}

func (g *corpusGen) style() string {
	decls := []string{}
	for k := 0; k < 1+g.r.IntN(3); k++ {
		switch g.r.IntN(9) {
		case 0:
			decls = append(decls, fmt.Sprintf("color: #%06x;", g.r.IntN(1<<24)))
		case 1:
			decls = append(decls, fmt.Sprintf("font-size: %dpt;", 8+g.r.IntN(20)))
		case 2:
			decls = append(decls, "font-family: "+g.pick([]string{"Arial, Helvetica, sans-serif", "Verdana", "'Times New Roman', Times, serif", "Courier New, monospace"})+";")
		case 3:
			decls = append(decls, "font-weight: bold;")
		case 4:
			decls = append(decls, "text-align: "+g.pick([]string{"center", "left", "right", "justify"})+";")
		case 5:
			decls = append(decls, fmt.Sprintf("background-color: #%06x;", g.r.IntN(1<<24)))
		case 6:
			decls = append(decls, fmt.Sprintf("margin-left: %dpx;", 10*g.r.IntN(8)))
		case 7:
			decls = append(decls, "text-decoration: underline;")
		default:
			decls = append(decls, "color: "+g.pick(colorNames)+";")
		}
	}
	return strings.Join(decls, " ")
}

func (g *corpusGen) span() string {
	text := strings.TrimRight(g.sentence(1, 5), ".!?:")
	if g.chance(0.25) {
		return fmt.Sprintf(`<font color="#%06x"%s>%s</font>`, g.r.IntN(1<<24), g.pick([]string{"", ` size="2"`, ` face="Arial, Helvetica, sans-serif"`}), text)
	}
	return fmt.Sprintf(`<span style="%s">%s</span>`, g.style(), text)
}

func (g *corpusGen) image() string {
	src := g.pick([]string{
		fmt.Sprintf("http://moodle.example.edu/file.php/%d/pics/%s.jpg", 2+g.r.IntN(9), g.pick(corpusWords)),
		fmt.Sprintf("$@FILEPHP@$$@SLASH@$images$@SLASH@$%s.png", g.pick(corpusWords)),
		fmt.Sprintf("pix/%s.gif", g.pick(corpusWords)),
		"http://www.example.org/logo.png",
	})
	attrs := fmt.Sprintf(` src="%s"`, src)
	alt := strings.TrimRight(g.sentence(1, 5), ".!?:")
	if g.chance(0.1) {
		alt = g.pick(corpusIntl) + " " + alt
	}
	attrs += fmt.Sprintf(` alt="%s"`, alt)
	if g.chance(0.5) {
		attrs += fmt.Sprintf(` width="%d" height="%d"`, 50+g.r.IntN(500), 50+g.r.IntN(400))
	}
	if g.chance(0.3) {
		attrs += ` border="0"`
	}
	if g.chance(0.15) {
		attrs += ` align="` + g.pick([]string{"left", "right", "middle"}) + `"`
	}
	return "<img" + attrs + " />"
}

func (g *corpusGen) list(depth int) string {
	tag := g.pick([]string{"ul", "ol"})
	nl := g.pick([]string{"", "\n"})
	var b strings.Builder
	b.WriteString("<" + tag + ">" + nl)
	for k := 0; k < 1+g.r.IntN(5); k++ {
		b.WriteString("<li>")
		b.WriteString(g.inline())
		if depth < 2 && g.chance(0.15) {
			b.WriteString(nl + g.list(depth+1))
		}
		b.WriteString("</li>" + nl)
	}
	b.WriteString("</" + tag + ">")
	return b.String()
}

func (g *corpusGen) table() string {
	nl := g.pick([]string{"", "\n"})
	var b strings.Builder
	attrs := ""
	if g.chance(0.8) {
		attrs += fmt.Sprintf(` border="%d"`, g.r.IntN(3))
	}
	if g.chance(0.5) {
		attrs += fmt.Sprintf(` cellpadding="%d" cellspacing="%d"`, g.r.IntN(6), g.r.IntN(4))
	}
	if g.chance(0.4) {
		attrs += fmt.Sprintf(` width="%d%%"`, 50+10*g.r.IntN(6))
	}
	if g.chance(0.1) {
		attrs += fmt.Sprintf(` style="%s"`, g.style())
	}
	b.WriteString("<table" + attrs + ">" + nl + "<tbody>" + nl)
	rows, cols := 1+g.r.IntN(4), 1+g.r.IntN(4)
	for i := 0; i < rows; i++ {
		b.WriteString("<tr>" + nl)
		for j := 0; j < cols; j++ {
			cell := "td"
			if i == 0 && g.chance(0.3) {
				cell = "th"
			}
			ca := ""
			switch g.r.IntN(8) {
			case 0:
				ca = ` valign="top"`
			case 1:
				ca = ` align="center"`
			case 2:
				ca = fmt.Sprintf(` width="%d"`, 50+g.r.IntN(200))
			case 3:
				ca = fmt.Sprintf(` style="%s"`, g.style())
			}
			content := strings.TrimRight(g.sentence(1, 5), ".")
			if g.chance(0.2) {
				content = g.inline()
			} else if g.chance(0.05) {
				content = "&nbsp;"
			}
			b.WriteString("<" + cell + ca + ">" + content + "</" + cell + ">" + nl)
		}
		b.WriteString("</tr>" + nl)
	}
	b.WriteString("</tbody>" + nl + "</table>")
	return b.String()
}

func (g *corpusGen) block() string {
	switch x := g.r.IntN(100); {
	case x < 45:
		attrs := ""
		if g.chance(0.12) {
			attrs = fmt.Sprintf(` style="%s"`, g.style())
		} else if g.chance(0.05) {
			attrs = ` align="` + g.pick([]string{"center", "left", "right", "justify"}) + `"`
		}
		return "<p" + attrs + ">" + g.inline() + "</p>"
	case x < 55:
		h := fmt.Sprintf("h%d", 1+g.r.IntN(4))
		return "<" + h + ">" + strings.TrimRight(g.sentence(1, 6), ".!?:") + "</" + h + ">"
	case x < 70:
		return g.list(0)
	case x < 80:
		return g.table()
	case x < 85:
		return "<div" + g.pick([]string{"", ` style="text-align: center;"`}) + ">" + g.inline() + "</div>"
	case x < 88:
		return "<blockquote>" + g.inline() + "</blockquote>"
	case x < 91:
		return "<hr />"
	case x < 95:
		return "<p>" + g.image() + "</p>"
	default:
		return g.inline()
	}
}

// field returns one HTML field: a few blocks, or (sometimes) inline text
// only, or plain text with no markup at all.
func (g *corpusGen) field() string {
	if g.chance(0.08) {
		return g.sentence(3, 20) // plain text: undamaged by the bug
	}
	if g.chance(0.07) {
		return g.inline()
	}
	if g.chance(0.01) {
		// Typed in a plain text area: literal quotes, lost for good.
		return "<p>\"" + g.sentence(3, 12) + "\"</p>"
	}
	sep := g.pick([]string{"", "\n", "\n", "\r\n"})
	var parts []string
	for k := 0; k < 1+g.r.IntN(5); k++ {
		parts = append(parts, g.block())
	}
	return strings.Join(parts, sep)
}

// handCorpus are hand-written fields covering shapes the generator does not
// make, in the style of real 1.x course pages.
var handCorpus = []string{
	`<p>Welcome to <strong>Biology 101</strong>! Please read the <a href="http://moodle.example.edu/mod/resource/view.php?id=45">course syllabus</a> before our first meeting.</p>`,
	`<h3>Week 1: Cells</h3><ul><li>Read chapter 1</li><li>Watch the <a href="http://www.youtube.com/watch?v=abc123">video</a></li></ul>`,
	`<p style="text-align: center;"><img src="http://moodle.example.edu/file.php/5/banner.jpg" alt="Course banner" width="600" height="120" /></p>`,
	`<table border="1" cellpadding="4" width="100%"><tbody><tr><th>Date</th><th>Topic</th></tr><tr><td>12/09</td><td>Introduction &amp; overview</td></tr></tbody></table>`,
	`<p>Price:&nbsp;10&nbsp;&euro; &ndash; payable by Friday.</p>`,
	`<p>Use &lt;b&gt; for bold text.</p>`,
	`<p>Caf&eacute; &amp; cr&egrave;me br&ucirc;l&eacute;e</p>`,
	`<p>Contact <a href="mailto:teacher@example.edu">the teacher</a> with questions.</p>`,
	`<ol><li>First<ol><li>Nested one</li><li>Nested two</li></ol></li><li>Second</li></ol>`,
	`<p>See the <a href="../forum/view.php?id=12">discussion forum</a> and <a href="view.php?id=13">the quiz</a>.</p>`,
	`<p><font face="Arial, Helvetica, sans-serif" size="2">Old style text</font></p>`,
	`<blockquote><p><em>To be or not to be</em> &ndash; Shakespeare</p></blockquote>`,
	`<div style="background-color: #ffff99; padding: 5px;">Remember: the deadline is <b>Monday</b>.</div>`,
	`<p>H<sub>2</sub>O and E = mc<sup>2</sup></p>`,
	`<p>Line one<br />Line two<br />Line three</p>`,
	`<p>Слайды к лекции: <a href="http://moodle.example.edu/file.php/7/slides.ppt">скачать</a></p>`,
	`<p>日本語のテキスト <strong>重要</strong></p>`,
	`<p>&quot;Quoted&quot; text and it's fine</p>`,
	`<h1>Title</h1><hr /><p>Body</p>`,
	`<p>Go to <a href="http://moodle.example.edu/mod/forum/discuss.php?d=7&amp;parent=31">this post</a>.</p>`,
	// Plain text that merely looks like damage: it must come out unchanged.
	`Read pages 1/2 and run the a/b test; then see http://example.org/p/a/b for the p value.`,
	`Week 3 / part 2: bold claims, italic notes; use br / hr sparingly (see /p and /a in the guide).`,
	`Price: 10 EUR; copy; not; sum; and; or; pi; those are words, not entities.`,
	`The table border=1 width=50 settings and p style=color are described in chapter 4/li of the manual.`,
	`Ulli and Olli met Tom; the olli list and ulli list are names.`,
}
