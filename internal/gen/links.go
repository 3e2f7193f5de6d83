package gen

import (
	"strconv"
	"strings"
)

// linkRule is one module link form of spec §11.3: after wwwroot comes
// path, then digits; twoPart rules continue with sep and more digits.
type linkRule struct {
	path    string // e.g. "/mod/forum/view.php?id="
	sep     string // for two-number forms: "&rid=", "&parent=", "#"
	token   string // e.g. "FORUMVIEWBYID"
	twoPart bool
}

// moduleLinkRules in the order the 1.x encoders applied them (the specific
// two-number forms before their one-number prefixes).
var moduleLinkRules = []linkRule{
	{path: "/mod/assignment/index.php?id=", token: "ASSIGNMENTINDEX"},
	{path: "/mod/assignment/view.php?id=", token: "ASSIGNMENTVIEWBYID"},
	{path: "/mod/chat/index.php?id=", token: "CHATINDEX"},
	{path: "/mod/chat/view.php?id=", token: "CHATVIEWBYID"},
	{path: "/mod/choice/index.php?id=", token: "CHOICEINDEX"},
	{path: "/mod/choice/view.php?id=", token: "CHOICEVIEWBYID"},
	{path: "/mod/data/view.php?d=", sep: "&rid=", token: "DATAVIEWRECORD", twoPart: true},
	{path: "/mod/data/index.php?id=", token: "DATAINDEX"},
	{path: "/mod/data/view.php?id=", token: "DATAVIEWBYID"},
	{path: "/mod/data/view.php?d=", token: "DATAVIEWBYD"},
	{path: "/mod/forum/index.php?id=", token: "FORUMINDEX"},
	{path: "/mod/forum/view.php?id=", token: "FORUMVIEWBYID"},
	{path: "/mod/forum/view.php?f=", token: "FORUMVIEWBYF"},
	{path: "/mod/forum/discuss.php?d=", sep: "&parent=", token: "FORUMDISCUSSIONVIEWPARENT", twoPart: true},
	{path: "/mod/forum/discuss.php?d=", sep: "#", token: "FORUMDISCUSSIONVIEWINSIDE", twoPart: true},
	{path: "/mod/forum/discuss.php?d=", token: "FORUMDISCUSSIONVIEW"},
	{path: "/mod/glossary/index.php?id=", token: "GLOSSARYINDEX"},
	{path: "/mod/glossary/view.php?id=", token: "GLOSSARYVIEWBYID"},
	{path: "/mod/lesson/index.php?id=", token: "LESSONINDEX"},
	{path: "/mod/lesson/view.php?id=", token: "LESSONVIEWBYID"},
	{path: "/mod/quiz/index.php?id=", token: "QUIZINDEX"},
	{path: "/mod/quiz/view.php?id=", token: "QUIZVIEWBYID"},
	{path: "/mod/quiz/view.php?q=", token: "QUIZVIEWBYQ"},
	{path: "/mod/resource/index.php?id=", token: "RESOURCEINDEX"},
	{path: "/mod/resource/view.php?id=", token: "RESOURCEVIEWBYID"},
	{path: "/mod/resource/view.php?r=", token: "RESOURCEVIEWBYR"},
	{path: "/mod/scorm/index.php?id=", token: "SCORMINDEX"},
	{path: "/mod/scorm/view.php?id=", token: "SCORMVIEWBYID"},
	{path: "/mod/wiki/index.php?id=", token: "WIKIINDEX"},
	{path: "/mod/wiki/view.php?id=", token: "WIKIVIEWBYID"},
	{path: "/mod/workshop/index.php?id=", token: "WORKSHOPINDEX"},
	{path: "/mod/workshop/view.php?id=", token: "WORKSHOPVIEWBYID"},
}

// linkEncoder rewrites absolute links to the source site the way the 1.x
// writer did (spec §11), for one site (wwwroot), course and release.
type linkEncoder struct {
	www      string
	course   string
	slash    bool // 1.9.5+ $@SLASH@$ / $@FORCEDOWNLOAD@$ and %2f forms
	viewByID bool // 1.9.9+ $@COURSEVIEWBYID*n@$
	filePfx  []string
}

func newLinkEncoder(www string, courseID int64, e era) *linkEncoder {
	c := strconv.FormatInt(courseID, 10)
	le := &linkEncoder{www: www, course: c, slash: e.slashTokens, viewByID: e.courseViewLink}
	le.filePfx = []string{"/file.php/" + c, "/file.php?file=/" + c}
	if e.slashTokens {
		le.filePfx = append(le.filePfx, "/file.php?file=%2f"+c, "/file.php?file=%2F"+c)
	}
	return le
}

// encode returns s with every link to the source site that the 1.x writer
// encoded replaced by its token; count is called once per token written.
func (le *linkEncoder) encode(s string, count func(token string)) string {
	i := strings.Index(s, le.www)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		rest := s[i+len(le.www):]
		n, tok, ok := le.match(rest)
		if ok {
			b.WriteString(tok.text)
			count(tok.name)
			rest = rest[n:]
			if tok.name == "FILEPHP" && le.slash {
				tail, m := le.fileTail(rest)
				b.WriteString(tail)
				for range strings.Count(tail, "$@SLASH@$") {
					count("SLASH")
				}
				for range strings.Count(tail, "$@FORCEDOWNLOAD@$") {
					count("FORCEDOWNLOAD")
				}
				rest = rest[m:]
			}
		} else {
			b.WriteString(le.www)
		}
		s = rest
		i = strings.Index(s, le.www)
	}
	b.WriteString(s)
	return b.String()
}

type token struct{ name, text string }

// match tries every rule at the start of rest (the text after wwwroot) and
// returns the length consumed and the token.
func (le *linkEncoder) match(rest string) (int, token, bool) {
	for _, p := range le.filePfx {
		if strings.HasPrefix(rest, p) {
			return len(p), token{"FILEPHP", "$@FILEPHP@$"}, true
		}
	}
	if le.viewByID && strings.HasPrefix(rest, "/course/view.php?id=") {
		if d := digits(rest[len("/course/view.php?id="):]); d != "" {
			return len("/course/view.php?id=") + len(d), token{"COURSEVIEWBYID", "$@COURSEVIEWBYID*" + d + "@$"}, true
		}
	}
	if !strings.HasPrefix(rest, "/mod/") {
		return 0, token{}, false
	}
	if strings.HasPrefix(rest, "/mod/hotpot/") {
		return matchHotpot(rest)
	}
	for _, r := range moduleLinkRules {
		if !strings.HasPrefix(rest, r.path) {
			continue
		}
		n := len(r.path)
		d := digits(rest[n:])
		if d == "" {
			continue
		}
		n += len(d)
		if !r.twoPart {
			return n, token{r.token, "$@" + r.token + "*" + d + "@$"}, true
		}
		if !strings.HasPrefix(rest[n:], r.sep) {
			continue
		}
		m := digits(rest[n+len(r.sep):])
		if m == "" {
			continue
		}
		return n + len(r.sep) + len(m), token{r.token, "$@" + r.token + "*" + d + "*" + m + "@$"}, true
	}
	return 0, token{}, false
}

// matchHotpot handles /mod/hotpot/<script>.php?<param>=<n>.
func matchHotpot(rest string) (int, token, bool) {
	n := len("/mod/hotpot/")
	script := letters(rest[n:])
	if script == "" || !strings.HasPrefix(rest[n+len(script):], ".php?") {
		return 0, token{}, false
	}
	n += len(script) + len(".php?")
	param := letters(rest[n:])
	if param == "" || !strings.HasPrefix(rest[n+len(param):], "=") {
		return 0, token{}, false
	}
	n += len(param) + 1
	d := digits(rest[n:])
	if d == "" {
		return 0, token{}, false
	}
	return n + len(d), token{"HOTPOT", "$@HOTPOT*" + script + "*" + param + "*" + d + "@$"}, true
}

// fileTail applies the 1.9.5 second step to the URL tail after a
// $@FILEPHP@$ token: slashes become $@SLASH@$, forcedownload becomes
// $@FORCEDOWNLOAD@$. It returns the rewritten tail and the bytes consumed.
func (le *linkEncoder) fileTail(rest string) (string, int) {
	if !(strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "%2f") || strings.HasPrefix(rest, "%2F")) {
		return "", 0
	}
	n := 0
	for n < len(rest) && urlChar(rest[n]) {
		n++
	}
	for n > 0 && (rest[n-1] == ',' || rest[n-1] == '.' || rest[n-1] == ';') {
		n--
	}
	t := rest[:n]
	return fileTailReplacer.Replace(t), n
}

var fileTailReplacer = strings.NewReplacer("&amp;forcedownload=1", "$@FORCEDOWNLOAD@$",
	"?forcedownload=1", "$@FORCEDOWNLOAD@$", "&forcedownload=1", "$@FORCEDOWNLOAD@$",
	"/", "$@SLASH@$", "%2f", "$@SLASH@$", "%2F", "$@SLASH@$")

// urlChar reports whether b may be part of a URL tail as the 1.9.5 writer
// matched it (ASCII letters, digits, -;:@#&=$~_.+!*',%/?() ; non-ASCII
// letters are accepted as bytes).
func urlChar(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b >= 0x80:
		return true
	}
	return strings.IndexByte("-;:@#&=$~_.+!*',%/?()", b) >= 0
}

func digits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func letters(s string) string {
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	return s[:i]
}
