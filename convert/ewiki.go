package convert

import (
	"html"
	"regexp"
	"strings"
)

// ewikiOptions are the 1.x wiki settings that change how its ewiki markup
// reads.
type ewikiOptions struct {
	// HTMLMode is the 1.x wiki's HTMLMODE: 0 markup only (HTML shown as
	// text), 1 markup plus safe HTML, 2 HTML only (no markup at all).
	HTMLMode int
	// NoCamelCase is DISABLECAMELCASE: CamelCase words are not page links.
	NoCamelCase bool
}

// ewikiInline are the inline emphasis markers of ewiki, longest first.
var ewikiInline = []struct{ mark, open, close string }{
	{"'''''", "<strong><em>", "</em></strong>"},
	{"'''", "<strong>", "</strong>"},
	{"''", "<em>", "</em>"},
	{"__", "<strong>", "</strong>"},
	{"**", "<strong>", "</strong>"},
	{"^^", "<sup>", "</sup>"},
	{"==", "<code>", "</code>"},
	{"##", "<big>", "</big>"},
}

var (
	ewikiBracket = regexp.MustCompile(`\[([^\[\]\n]+)\]`)
	ewikiURL     = regexp.MustCompile(`(^|[\s(])((?:https?|ftp|mailto|news):[^\s<>"\[\]]+[^\s<>"\[\].,;:!?)])`)
	ewikiCamel   = regexp.MustCompile(`(^|[^\w!/@#&;=-])((?:[A-Z][a-z0-9]+){2,})\b`)
	ewikiImage   = regexp.MustCompile(`(?i)\.(png|gif|jpe?g|svg|webp)$`)
	ewikiEscape  = regexp.MustCompile(`!((?:[A-Z][a-z0-9]+){2,}|\[)`)
)

// ewikiToHTML converts the ewiki markup of a 1.x wiki page to HTML for the
// 2.x wiki's html format. Links to wiki pages ([PageName], [title|PageName],
// CamelCase words) become the 2.x wiki's [[PageName]] or
// [[PageName|title]] links, which its html parser resolves.
func ewikiToHTML(src string, opt ewikiOptions) string {
	if opt.HTMLMode == 2 {
		return src
	}
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	w := &ewikiWriter{opt: opt}
	for _, line := range strings.Split(src, "\n") {
		w.line(line)
	}
	w.closeBlocks()
	return strings.TrimSuffix(w.b.String(), "\n")
}

type ewikiWriter struct {
	opt   ewikiOptions
	b     strings.Builder
	para  bool     // inside <p>
	lists []string // open list tags, outermost first ("ul", "ol")
	table bool
	pre   bool
}

func (w *ewikiWriter) closePara() {
	if w.para {
		w.b.WriteString("</p>\n")
		w.para = false
	}
}

func (w *ewikiWriter) closeLists(depth int) {
	for len(w.lists) > depth {
		w.b.WriteString("</li></" + w.lists[len(w.lists)-1] + ">\n")
		w.lists = w.lists[:len(w.lists)-1]
	}
}

func (w *ewikiWriter) closeBlocks() {
	w.closePara()
	w.closeLists(0)
	if w.table {
		w.b.WriteString("</table>\n")
		w.table = false
	}
	if w.pre {
		w.b.WriteString("</pre>\n")
		w.pre = false
	}
}

func (w *ewikiWriter) line(line string) {
	trimmed := strings.TrimSpace(line)
	// Preformatted text: <pre> ... </pre> as written in the page.
	if w.pre {
		if strings.HasPrefix(strings.ToLower(trimmed), "</pre>") {
			w.b.WriteString("</pre>\n")
			w.pre = false
			return
		}
		w.b.WriteString(html.EscapeString(line) + "\n")
		return
	}
	switch {
	case trimmed == "":
		w.closeBlocks()
		return
	case strings.EqualFold(trimmed, "<pre>"):
		w.closeBlocks()
		w.b.WriteString("<pre>")
		w.pre = true
		return
	case strings.HasPrefix(trimmed, "----"):
		w.closeBlocks()
		w.b.WriteString("<hr />\n")
		return
	case strings.HasPrefix(line, "!"):
		w.closeBlocks()
		n := len(line) - len(strings.TrimLeft(line, "!"))
		level := map[int]int{1: 4, 2: 3}[n]
		if level == 0 {
			level = 2
		}
		tag := "h" + string(rune('0'+level))
		w.b.WriteString("<" + tag + ">" + w.inline(strings.TrimSpace(line[n:])) + "</" + tag + ">\n")
		return
	case strings.HasPrefix(line, "|"):
		w.closePara()
		w.closeLists(0)
		if !w.table {
			w.b.WriteString("<table>\n")
			w.table = true
		}
		cells := strings.Split(strings.TrimSuffix(strings.TrimPrefix(trimmed, "|"), "|"), "|")
		w.b.WriteString("<tr>")
		for _, c := range cells {
			w.b.WriteString("<td>" + w.inline(strings.TrimSpace(c)) + "</td>")
		}
		w.b.WriteString("</tr>\n")
		return
	}
	if w.table {
		w.b.WriteString("</table>\n")
		w.table = false
	}
	if m := listPrefix(line); m != "" {
		w.closePara()
		depth := len(m)
		// Close deeper lists, and a list of the other kind at this depth.
		w.closeLists(depth)
		if len(w.lists) == depth && w.lists[depth-1] != listTag(m[depth-1]) {
			w.closeLists(depth - 1)
		}
		if len(w.lists) == depth {
			w.b.WriteString("</li>\n<li>")
		}
		for len(w.lists) < depth {
			tag := listTag(m[len(w.lists)])
			w.b.WriteString("<" + tag + "><li>")
			w.lists = append(w.lists, tag)
		}
		w.b.WriteString(w.inline(strings.TrimSpace(line[depth:])))
		return
	}
	w.closeLists(0)
	if !w.para {
		w.b.WriteString("<p>")
		w.para = true
	} else {
		w.b.WriteString("\n")
	}
	w.b.WriteString(w.inline(trimmed))
}

// listPrefix returns the list markers ('*', '-', '#') that open line, "" if
// it is not a list item. A lone "**" or "##" at the start of emphasis text
// ("**bold** words") is not a list.
func listPrefix(line string) string {
	i := 0
	for i < len(line) && (line[i] == '*' || line[i] == '#' || line[i] == '-') {
		i++
	}
	if i == 0 || i >= len(line) || line[i] != ' ' {
		return ""
	}
	return line[:i]
}

func listTag(c byte) string {
	if c == '#' {
		return "ol"
	}
	return "ul"
}

// inline converts the markup inside one line: escaping, links, emphasis
// and forced line breaks.
func (w *ewikiWriter) inline(s string) string {
	if w.opt.HTMLMode == 0 {
		s = html.EscapeString(s)
		s = strings.ReplaceAll(s, "&#39;", "'")
		s = strings.ReplaceAll(s, "&#34;", "\"")
	}
	// Protect links and tags from the emphasis pass by cutting the text
	// into literal and converted pieces.
	type piece struct {
		s   string
		raw bool
	}
	var parts []piece
	last := 0
	for _, m := range ewikiBracket.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > 0 && s[m[0]-1] == '!' {
			continue
		}
		parts = append(parts, piece{s: s[last:m[0]]})
		parts = append(parts, piece{s: ewikiLink(s[m[2]:m[3]]), raw: true})
		last = m[1]
	}
	parts = append(parts, piece{s: s[last:]})
	var b strings.Builder
	for _, p := range parts {
		if p.raw {
			b.WriteString(p.s)
			continue
		}
		t := p.s
		t = ewikiURL.ReplaceAllStringFunc(t, func(m string) string {
			sub := ewikiURL.FindStringSubmatch(m)
			return sub[1] + "\x00" + urlHTML(sub[2], sub[2]) + "\x00"
		})
		// Split again around the URL markers so CamelCase and emphasis
		// never touch a URL.
		segs := strings.Split(t, "\x00")
		for i, seg := range segs {
			if i%2 == 1 {
				b.WriteString(seg)
				continue
			}
			if !w.opt.NoCamelCase {
				seg = ewikiCamel.ReplaceAllString(seg, "$1[[$2]]")
			}
			seg = emphasis(seg)
			seg = strings.ReplaceAll(seg, "%%%", "<br />")
			seg = ewikiEscape.ReplaceAllString(seg, "$1")
			b.WriteString(seg)
		}
	}
	return b.String()
}

// emphasis applies the paired emphasis markers of one text piece.
func emphasis(s string) string {
	for _, e := range ewikiInline {
		for {
			i := strings.Index(s, e.mark)
			if i < 0 {
				break
			}
			j := strings.Index(s[i+len(e.mark):], e.mark)
			if j <= 0 {
				break
			}
			j += i + len(e.mark)
			s = s[:i] + e.open + s[i+len(e.mark):j] + e.close + s[j+len(e.mark):]
		}
	}
	return s
}

// ewikiLink converts the inside of one [...] link: a page name, an
// address, or either of them with a title ("title|target",
// "target|title" for addresses, or `"title" target`).
func ewikiLink(in string) string {
	in = strings.TrimSpace(in)
	target, title := in, ""
	if l, r, ok := strings.Cut(in, "|"); ok {
		l, r = strings.TrimSpace(l), strings.TrimSpace(r)
		switch {
		case isAddress(l):
			target, title = l, r
		default:
			target, title = r, l
		}
	} else if strings.HasPrefix(in, "\"") {
		if end := strings.Index(in[1:], "\""); end >= 0 {
			title, target = in[1:end+1], strings.TrimSpace(in[end+2:])
		}
	} else if sp := strings.IndexByte(in, ' '); sp > 0 && isAddress(in[:sp]) {
		target, title = in[:sp], strings.TrimSpace(in[sp+1:])
	}
	if isAddress(target) {
		if title == "" && ewikiImage.MatchString(target) {
			return `<img src="` + target + `" alt="" />`
		}
		if title == "" {
			title = target
		}
		return urlHTML(target, title)
	}
	if target == "" {
		return "[" + in + "]"
	}
	if title == "" || title == target {
		return "[[" + target + "]]"
	}
	return "[[" + target + "|" + title + "]]"
}

func isAddress(s string) bool {
	for _, p := range []string{"http://", "https://", "ftp://", "mailto:", "news:", "www."} {
		if strings.HasPrefix(strings.ToLower(s), p) {
			return true
		}
	}
	return false
}

func urlHTML(href, title string) string {
	if strings.HasPrefix(strings.ToLower(href), "www.") {
		href = "http://" + href
	}
	return `<a href="` + href + `">` + title + `</a>`
}
