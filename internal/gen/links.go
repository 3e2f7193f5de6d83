package gen

import (
	"bytes"
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
	wwwB     []byte
	slash    bool // 1.9.5+ $@SLASH@$ / $@FORCEDOWNLOAD@$ and %2f forms
	viewByID bool // 1.9.9+ $@COURSEVIEWBYID*n@$
	filePfx  []string
}

func newLinkEncoder(www string, courseID int64, e era) *linkEncoder {
	c := strconv.FormatInt(courseID, 10)
	le := &linkEncoder{www: www, wwwB: []byte(www), slash: e.slashTokens, viewByID: e.courseViewLink}
	le.filePfx = []string{"/file.php/" + c, "/file.php?file=/" + c}
	if e.slashTokens {
		le.filePfx = append(le.filePfx, "/file.php?file=%2f"+c, "/file.php?file=%2F"+c)
	}
	return le
}

// encode is appendEncoded for strings.
func (le *linkEncoder) encode(s string, count func(token string)) string {
	if !strings.Contains(s, le.www) {
		return s
	}
	return string(le.appendEncoded(nil, []byte(s), count))
}

// appendEncoded appends s with every link to the source site that the 1.x
// writer encoded replaced by its token; count is called once per token.
func (le *linkEncoder) appendEncoded(dst, s []byte, count func(token string)) []byte {
	for {
		i := bytes.Index(s, le.wwwB)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		rest := s[i+len(le.wwwB):]
		var n int
		var tok string
		dst, n, tok = le.match(dst, rest)
		if tok == "" {
			dst = append(dst, le.wwwB...)
			s = rest
			continue
		}
		count(tok)
		rest = rest[n:]
		if tok == "FILEPHP" && le.slash {
			var m, sl, fd int
			dst, m, sl, fd = appendFileTail(dst, rest)
			rest = rest[m:]
			for range sl {
				count("SLASH")
			}
			for range fd {
				count("FORCEDOWNLOAD")
			}
		}
		s = rest
	}
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

func appendToken(dst []byte, name string, nums ...[]byte) []byte {
	dst = append(dst, "$@"...)
	dst = append(dst, name...)
	for _, n := range nums {
		dst = append(dst, '*')
		dst = append(dst, n...)
	}
	return append(dst, "@$"...)
}

// match tries every rule at the start of rest (the text after wwwroot). It
// appends the token and returns the bytes consumed and the token name, or
// "" when nothing matched.
func (le *linkEncoder) match(dst, rest []byte) ([]byte, int, string) {
	for _, p := range le.filePfx {
		if hasPrefix(rest, p) {
			return append(dst, "$@FILEPHP@$"...), len(p), "FILEPHP"
		}
	}
	const cv = "/course/view.php?id="
	if le.viewByID && hasPrefix(rest, cv) {
		if d := digits(rest[len(cv):]); len(d) > 0 {
			return appendToken(dst, "COURSEVIEWBYID", d), len(cv) + len(d), "COURSEVIEWBYID"
		}
	}
	if !hasPrefix(rest, "/mod/") {
		return dst, 0, ""
	}
	if hasPrefix(rest, "/mod/hotpot/") {
		return matchHotpot(dst, rest)
	}
	for _, r := range moduleLinkRules {
		if !hasPrefix(rest, r.path) {
			continue
		}
		n := len(r.path)
		d := digits(rest[n:])
		if len(d) == 0 {
			continue
		}
		n += len(d)
		if !r.twoPart {
			return appendToken(dst, r.token, d), n, r.token
		}
		if !hasPrefix(rest[n:], r.sep) {
			continue
		}
		m := digits(rest[n+len(r.sep):])
		if len(m) == 0 {
			continue
		}
		return appendToken(dst, r.token, d, m), n + len(r.sep) + len(m), r.token
	}
	return dst, 0, ""
}

// matchHotpot handles /mod/hotpot/<script>.php?<param>=<n>.
func matchHotpot(dst, rest []byte) ([]byte, int, string) {
	n := len("/mod/hotpot/")
	script := letters(rest[n:])
	if len(script) == 0 || !hasPrefix(rest[n+len(script):], ".php?") {
		return dst, 0, ""
	}
	n += len(script) + len(".php?")
	param := letters(rest[n:])
	if len(param) == 0 || !hasPrefix(rest[n+len(param):], "=") {
		return dst, 0, ""
	}
	n += len(param) + 1
	d := digits(rest[n:])
	if len(d) == 0 {
		return dst, 0, ""
	}
	return appendToken(dst, "HOTPOT", script, param, d), n + len(d), "HOTPOT"
}

// appendFileTail applies the 1.9.5 second step to the URL tail after a
// $@FILEPHP@$ token: slashes become $@SLASH@$, forcedownload becomes
// $@FORCEDOWNLOAD@$. It returns dst with the rewritten tail, the bytes of
// rest consumed, and how many of each token it wrote.
func appendFileTail(dst, rest []byte) (out []byte, n, slashes, forced int) {
	if !(hasPrefix(rest, "/") || hasPrefix(rest, "%2f") || hasPrefix(rest, "%2F")) {
		return dst, 0, 0, 0
	}
	for n < len(rest) && urlChar(rest[n]) {
		n++
	}
	for n > 0 && (rest[n-1] == ',' || rest[n-1] == '.' || rest[n-1] == ';') {
		n--
	}
	t := rest[:n]
	for i := 0; i < len(t); {
		switch {
		case hasPrefix(t[i:], "&amp;forcedownload=1"):
			dst, i, forced = append(dst, "$@FORCEDOWNLOAD@$"...), i+len("&amp;forcedownload=1"), forced+1
		case hasPrefix(t[i:], "?forcedownload=1"), hasPrefix(t[i:], "&forcedownload=1"):
			dst, i, forced = append(dst, "$@FORCEDOWNLOAD@$"...), i+len("?forcedownload=1"), forced+1
		case t[i] == '/':
			dst, i, slashes = append(dst, "$@SLASH@$"...), i+1, slashes+1
		case hasPrefix(t[i:], "%2f"), hasPrefix(t[i:], "%2F"):
			dst, i, slashes = append(dst, "$@SLASH@$"...), i+3, slashes+1
		default:
			dst, i = append(dst, t[i]), i+1
		}
	}
	return dst, n, slashes, forced
}

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

func digits(s []byte) []byte {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

func letters(s []byte) []byte {
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	return s[:i]
}
