package inspect

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// linkStats counts internal links the 1.x writer did not encode.
type linkStats struct {
	kinds map[string]int
}

// urlByte reports whether c can be part of the path of a URL as written in
// moodle.xml text.
func urlByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '/' || c == '.' || c == '_' || c == '-' || c == '~' || c == ':' || c == '%' || c == '+'
}

// check looks at every "….php" in a raw value and classifies the links to
// Moodle scripts that restore cannot remap (spec repairs.md §4.1):
// relative ("../forum/view.php?id=5", "view.php?id=5"), root-relative
// ("/mod/forum/view.php?id=5") and other spellings of the source site
// (https for http, www. or not). Links written with the exact
// ORIGINAL_WWWROOT were left alone by the writer on purpose (survey, other
// courses' files) and links to other sites are not internal: neither
// counts.
func (l *linkStats) check(sc *scanner1, raw, path []byte) {
	for off := 0; ; {
		k := bytes.Index(raw[off:], phpExt)
		if k < 0 {
			return
		}
		end := off + k + len(phpExt)
		off = end
		st := end - len(phpExt)
		for st > 0 && urlByte(raw[st-1]) {
			st--
		}
		u := string(raw[st:end])
		kind := l.classify(sc.wwwroot, u, raw[end:])
		if kind == "" {
			continue
		}
		if l.kinds == nil {
			l.kinds = map[string]int{}
		}
		l.kinds[kind]++
		q := end
		for q < len(raw) && raw[q] != ' ' && raw[q] != '&' && raw[q] != '"' && q-end < 40 {
			q++
		}
		sc.finding(CodeUnencodedLink, report.Warning, path,
			fmt.Sprintf("%s link %q was not encoded by the 1.x writer, so restore cannot point it at the new activity; the encode-links stage rewrites it", kind, string(raw[st:q])),
			snippet(raw[st:q], 80))
	}
}

// moodleScript reports whether p (a path without scheme and host) names a
// Moodle 1.x script that links to course content.
func moodleScript(p string, query []byte) bool {
	hasQuery := len(query) > 0 && query[0] == '?'
	switch {
	case strings.Contains(p, "/mod/") || strings.HasPrefix(p, "mod/"):
		return true
	case strings.HasSuffix(p, "file.php"):
		return len(query) > 0 && (query[0] == '/' || query[0] == '?')
	case strings.HasSuffix(p, "course/view.php"):
		return hasQuery
	}
	// bare or ../ relative module scripts: view.php?id=, ../forum/view.php?f=
	base := p[strings.LastIndexByte(p, '/')+1:]
	switch base {
	case "view.php", "index.php", "discuss.php":
		return hasQuery && !strings.HasPrefix(p, "/")
	}
	return false
}

// classify returns "relative", "root-relative", "scheme", "www" or "" (not
// an unencoded internal link).
func (l *linkStats) classify(wwwroot, u string, tail []byte) string {
	if i := strings.Index(u, "://"); i >= 0 {
		if wwwroot == "" || strings.HasPrefix(u, wwwroot+"/") {
			return ""
		}
		host, p := splitURL(u[i+3:])
		wh, wp := "", ""
		if j := strings.Index(wwwroot, "://"); j >= 0 {
			wh, wp = splitURL(wwwroot[j+3:])
		}
		if !strings.HasPrefix(p, wp) {
			return ""
		}
		if !moodleScript(strings.TrimPrefix(p, wp), tail) {
			return ""
		}
		switch {
		case strings.EqualFold(host, wh):
			return "scheme"
		case strings.EqualFold(strings.TrimPrefix(host, "www."), strings.TrimPrefix(wh, "www.")):
			return "www"
		}
		return ""
	}
	if strings.HasPrefix(u, "//") {
		return ""
	}
	if !moodleScript(u, tail) {
		return ""
	}
	if strings.HasPrefix(u, "/") {
		return "root-relative"
	}
	return "relative"
}

func splitURL(s string) (host, path string) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

func (l *linkStats) finish(*scanner1) {}
