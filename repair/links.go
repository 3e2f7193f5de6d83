package repair

import (
	"net/url"
	"strconv"
	"strings"
)

// LinkSite is what encode-links knows of a backup: the site it came from,
// the course, and the ids of what the backup holds (repairs.md §4.3).
type LinkSite struct {
	// WWWRoot is INFO/ORIGINAL_WWWROOT, e.g. http://moodle.example.edu.
	WWWRoot string
	// Aliases are other spellings of the same site (old host names, an IP).
	// The http/https and www./bare variants of WWWRoot and of every alias
	// are accepted without listing them.
	Aliases []string
	// CourseID is COURSE/HEADER/ID.
	CourseID int64
	// CMs maps course-module ids (SECTIONS/SECTION/MODS/MOD/ID) to their
	// module name (TYPE).
	CMs map[int64]string
	// Instances holds, per module name, the instance ids in MODULES.
	Instances map[string]map[int64]bool
	// Discussions, Posts and Records are the forum discussion, forum post
	// and database record ids in the backup.
	Discussions, Posts, Records map[int64]bool
	// FileExists reports whether a course file (a path under course_files/,
	// no leading slash) is in the backup; nil accepts every file.
	FileExists func(path string) bool
}

// LinkChange is one link rewritten to a token.
type LinkChange struct {
	Offset int    // byte offset of the URL in the text
	Before string // the URL as it was
	After  string // the token (and the URL's kept tail)
	Token  string // the token name, e.g. FORUMVIEWBYID
}

// LinkIssue is a link to the source site that was left as it is: its
// target is outside the course or missing from the backup, or its kind of
// page has no token.
type LinkIssue struct {
	Offset int
	URL    string
	Reason string
	// NoToken is set when no 1.x token exists for the link (journal,
	// survey, label and third-party module pages).
	NoToken bool
}

// noToken prefixes the reasons of issues about links that have no token.
const noToken = "\x00"

type origin struct{ host, port, path string }

// linkIndex is a LinkSite prepared for matching.
type linkIndex struct {
	site    *LinkSite
	origins []origin
	course  string
}

func newLinkIndex(site *LinkSite) *linkIndex {
	x := &linkIndex{site: site, course: strconv.FormatInt(site.CourseID, 10)}
	for _, w := range append([]string{site.WWWRoot}, site.Aliases...) {
		u, err := url.Parse(strings.TrimSpace(w))
		if err != nil || u.Host == "" {
			continue
		}
		x.origins = append(x.origins, origin{
			host: strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."),
			port: u.Port(),
			path: strings.TrimRight(u.EscapedPath(), "/"),
		})
	}
	return x
}

// EncodeLinksField rewrites, in the HTML text s, the href and src values
// that point into the backed-up course to the $@…@$ tokens the 1.x writer
// would have written (moodle19-format.md §11). page is the site path of the
// page the text is shown on ("/mod/forum/", "/course/"), used to resolve
// relative links; "" leaves relative links alone. Links to other hosts are
// never touched; links to the source site whose target is not in the backup
// are returned as issues and left as they are.
func EncodeLinksField(s string, site *LinkSite, page string) (string, []LinkChange, []LinkIssue) {
	return newLinkIndex(site).encode(s, page)
}

func (x *linkIndex) encode(s, page string) (string, []LinkChange, []LinkIssue) {
	var (
		b       strings.Builder
		changes []LinkChange
		issues  []LinkIssue
		last    int
	)
	for i := 0; i < len(s); {
		vs, ve, ok := nextURLAttr(s, i)
		if !ok {
			break
		}
		i = ve
		raw := s[vs:ve]
		tok, n, issue := x.match(raw, page)
		if issue != "" {
			r, nt := strings.CutPrefix(issue, noToken)
			issues = append(issues, LinkIssue{Offset: vs, URL: raw, Reason: r, NoToken: nt})
			continue
		}
		if tok == "" {
			continue
		}
		after := tok + raw[n:]
		b.WriteString(s[last:vs])
		b.WriteString(after)
		last = ve
		changes = append(changes, LinkChange{Offset: vs, Before: raw, After: after, Token: tokenName(tok)})
	}
	if len(changes) == 0 {
		return s, nil, issues
	}
	b.WriteString(s[last:])
	return b.String(), changes, issues
}

func tokenName(tok string) string {
	t := strings.TrimPrefix(tok, "$@")
	if k := strings.IndexAny(t, "*@"); k >= 0 {
		t = t[:k]
	}
	return t
}

// nextURLAttr finds the next href or src attribute value at or after i and
// returns its bounds (without quotes).
func nextURLAttr(s string, i int) (int, int, bool) {
	for i < len(s) {
		k := strings.IndexByte(s[i:], '=')
		if k < 0 {
			return 0, 0, false
		}
		eq := i + k
		i = eq + 1
		name := attrNameBefore(s, eq)
		if !strings.EqualFold(name, "href") && !strings.EqualFold(name, "src") {
			continue
		}
		if !insideTag(s, eq) {
			continue
		}
		v := eq + 1
		for v < len(s) && s[v] == ' ' {
			v++
		}
		if v >= len(s) {
			return 0, 0, false
		}
		if q := s[v]; q == '"' || q == '\'' {
			e := strings.IndexByte(s[v+1:], q)
			if e < 0 {
				return 0, 0, false
			}
			return v + 1, v + 1 + e, true
		}
		e := v
		for e < len(s) && s[e] != ' ' && s[e] != '>' && s[e] != '\t' && s[e] != '\n' {
			e++
		}
		return v, e, true
	}
	return 0, 0, false
}

func attrNameBefore(s string, eq int) string {
	e := eq
	for e > 0 && s[e-1] == ' ' {
		e--
	}
	k := e
	for k > 0 && isAlpha(s[k-1]) {
		k--
	}
	if k == 0 || (s[k-1] != ' ' && s[k-1] != '\t' && s[k-1] != '\n') {
		return ""
	}
	return s[k:e]
}

// insideTag reports whether s[i] is inside a '<…>' tag.
func insideTag(s string, i int) bool {
	lt := strings.LastIndexByte(s[:i], '<')
	return lt >= 0 && strings.LastIndexByte(s[:i], '>') < lt
}

// match returns the token for the URL raw (as written in the HTML, with
// &amp;), the number of bytes of raw it replaces, or an issue.
func (x *linkIndex) match(raw, page string) (tok string, n int, issue string) {
	if raw == "" || strings.HasPrefix(raw, "$@") || strings.HasPrefix(raw, "#") {
		return "", 0, ""
	}
	rel, ok := x.sitePath(raw, page)
	if !ok && !strings.HasPrefix(raw, "../") {
		return "", 0, ""
	}
	tok, m, issue := "", 0, ""
	if ok {
		tok, m, issue = x.matchPath(rel)
	}
	if tok == "" && strings.HasPrefix(raw, "../") && page != "/mod/_/" {
		// "../quiz/view.php?q=3" is written from a module page (§4.3),
		// wherever the text is shown now.
		if rel2, ok2 := x.sitePath(raw, "/mod/_/"); ok2 {
			if t2, m2, is2 := x.matchPath(rel2); t2 != "" || issue == "" {
				rel, tok, m, issue = rel2, t2, m2, is2
			}
		}
	}
	if tok == "" {
		return "", 0, issue
	}
	// rel and raw end with the same unmatched tail.
	return tok, len(raw) - (len(rel) - m), ""
}

// sitePath turns raw into a path on the source site
// ("/mod/forum/view.php?id=3"), or false when raw points elsewhere or
// cannot be resolved.
func (x *linkIndex) sitePath(raw, page string) (string, bool) {
	switch {
	case hasPrefixFold(raw, "http://") || hasPrefixFold(raw, "https://"):
		rest := raw[strings.Index(raw, "//")+2:]
		hostEnd := strings.IndexAny(rest, "/?#")
		if hostEnd < 0 {
			hostEnd = len(rest)
		}
		hostport := strings.ToLower(rest[:hostEnd])
		host, port := hostport, ""
		if k := strings.LastIndexByte(hostport, ':'); k >= 0 {
			host, port = hostport[:k], hostport[k+1:]
		}
		host = strings.TrimPrefix(host, "www.")
		path := rest[hostEnd:]
		for _, o := range x.origins {
			if o.host != host || (o.port != "" || port != "") && o.port != port && !(o.port == "" && (port == "80" || port == "443")) {
				continue
			}
			if o.path != "" {
				if !strings.HasPrefix(path, o.path) || len(path) > len(o.path) && path[len(o.path)] != '/' {
					continue
				}
				path = path[len(o.path):]
			}
			return path, true
		}
		return "", false
	case strings.HasPrefix(raw, "//") || hasScheme(raw):
		return "", false // another scheme (mailto:, ftp:) or a network path
	case strings.HasPrefix(raw, "/"):
		if len(x.origins) == 0 {
			return "", false
		}
		if p := x.origins[0].path; p != "" {
			if !strings.HasPrefix(raw, p+"/") {
				return "", false
			}
			return raw[len(p):], true
		}
		return raw, true
	default:
		if page == "" {
			return "", false
		}
		return resolveRel(page, raw), true
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// hasScheme reports whether u starts with "scheme:".
func hasScheme(u string) bool {
	end := strings.IndexAny(u, "/?#")
	if end < 0 {
		end = len(u)
	}
	return strings.IndexByte(u[:end], ':') > 0
}

// resolveRel resolves a relative URL against a page directory ("/mod/forum/").
func resolveRel(page, raw string) string {
	q := strings.IndexAny(raw, "?#")
	p, tail := raw, ""
	if q >= 0 {
		p, tail = raw[:q], raw[q:]
	}
	dir := strings.Split(strings.Trim(page, "/"), "/")
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case ".", "":
		case "..":
			if len(dir) > 0 {
				dir = dir[:len(dir)-1]
			}
		default:
			dir = append(dir, seg)
		}
	}
	out := "/" + strings.Join(dir, "/")
	if strings.HasSuffix(p, "/") {
		out += "/"
	}
	return out + tail
}

// modTokens are the module names with 1.x link tokens and their prefix.
var modTokens = map[string]string{
	"assignment": "ASSIGNMENT", "chat": "CHAT", "choice": "CHOICE", "data": "DATA",
	"forum": "FORUM", "glossary": "GLOSSARY", "hotpot": "HOTPOT", "lesson": "LESSON",
	"quiz": "QUIZ", "resource": "RESOURCE", "scorm": "SCORM", "wiki": "WIKI", "workshop": "WORKSHOP",
}

// matchPath maps a site path to a token (§4.1). It returns the token, the
// number of bytes of rel it stands for, or an issue when the path is a link
// into the site whose target is not in this backup.
func (x *linkIndex) matchPath(rel string) (string, int, string) {
	switch {
	case strings.HasPrefix(rel, "/file.php"):
		return x.matchFile(rel)
	case strings.HasPrefix(rel, "/course/view.php?id="):
		n, d := number(rel, len("/course/view.php?id="))
		if d == "" {
			return "", 0, ""
		}
		if d != x.course {
			return "", 0, "points to course " + d + ", not the backed-up course " + x.course
		}
		return "$@COURSEVIEWBYID*" + d + "@$", n, ""
	case !strings.HasPrefix(rel, "/mod/"):
		return "", 0, ""
	}
	k := strings.IndexByte(rel[5:], '/')
	if k < 0 {
		return "", 0, ""
	}
	mod := rel[5 : 5+k]
	pre, ok := modTokens[mod]
	if !ok {
		return "", 0, noToken + mod + " links have no 1.x token (the 1.x writer never encoded them); the link still points to the source site"
	}
	script := rel[5+k+1:]
	at := 5 + k + 1
	if strings.HasPrefix(script, "?") { // /mod/forum/?id=5 is index.php
		script = "index.php" + script
		at -= len("index.php")
	}
	param := func(p string) (int, string, bool) {
		if !strings.HasPrefix(script, p) {
			return 0, "", false
		}
		n, d := number(script, len(p))
		return n, d, d != ""
	}
	end := func(n int) int { return at + n }
	if mod == "hotpot" {
		return x.matchHotpot(rel, script, at)
	}
	if n, d, ok := param("index.php?id="); ok {
		if d != x.course {
			return "", 0, "points to the " + mod + " index of course " + d + ", not the backed-up course " + x.course
		}
		return "$@" + pre + "INDEX*" + d + "@$", end(n), ""
	}
	if n, d, ok := param("view.php?id="); ok {
		id, _ := strconv.ParseInt(d, 10, 64)
		if x.site.CMs[id] != mod {
			return "", 0, "course module " + d + " (" + mod + ") is not in this backup"
		}
		return "$@" + pre + "VIEWBYID*" + d + "@$", end(n), ""
	}
	inst := func(p, token string, set map[int64]bool) (string, int, string, bool) {
		n, d, ok := param(p)
		if !ok {
			return "", 0, "", false
		}
		id, _ := strconv.ParseInt(d, 10, 64)
		if !set[id] {
			return "", 0, mod + " " + strings.TrimSuffix(p[strings.IndexByte(p, '?')+1:], "=") + "=" + d + " is not in this backup", true
		}
		return "$@" + token + "*" + d + "@$", end(n), "", true
	}
	switch mod {
	case "forum":
		if n, d, ok := param("discuss.php?d="); ok {
			id, _ := strconv.ParseInt(d, 10, 64)
			if !x.site.Discussions[id] {
				return "", 0, "forum discussion " + d + " is not in this backup"
			}
			rest := script[n:]
			for _, sep := range []string{"&parent=", "&amp;parent="} {
				if strings.HasPrefix(rest, sep) {
					if m, p := number(rest, len(sep)); p != "" && x.postOK(p) {
						return "$@FORUMDISCUSSIONVIEWPARENT*" + d + "*" + p + "@$", end(n + m), ""
					}
				}
			}
			if strings.HasPrefix(rest, "#") {
				if m, p := number(rest, 1); p != "" && x.postOK(p) {
					return "$@FORUMDISCUSSIONVIEWINSIDE*" + d + "*" + p + "@$", end(n + m), ""
				}
			}
			return "$@FORUMDISCUSSIONVIEW*" + d + "@$", end(n), ""
		}
		if t, n, is, ok := inst("view.php?f=", "FORUMVIEWBYF", x.site.Instances["forum"]); ok {
			return t, n, is
		}
	case "quiz":
		if t, n, is, ok := inst("view.php?q=", "QUIZVIEWBYQ", x.site.Instances["quiz"]); ok {
			return t, n, is
		}
	case "resource":
		if t, n, is, ok := inst("view.php?r=", "RESOURCEVIEWBYR", x.site.Instances["resource"]); ok {
			return t, n, is
		}
	case "data":
		if n, d, ok := param("view.php?d="); ok {
			id, _ := strconv.ParseInt(d, 10, 64)
			if !x.site.Instances["data"][id] {
				return "", 0, "data d=" + d + " is not in this backup"
			}
			rest := script[n:]
			for _, sep := range []string{"&rid=", "&amp;rid="} {
				if strings.HasPrefix(rest, sep) {
					if m, r := number(rest, len(sep)); r != "" {
						rid, _ := strconv.ParseInt(r, 10, 64)
						if !x.site.Records[rid] {
							return "", 0, "database record " + r + " is not in this backup"
						}
						return "$@DATAVIEWRECORD*" + d + "*" + r + "@$", end(n + m), ""
					}
				}
			}
			return "$@DATAVIEWBYD*" + d + "@$", end(n), ""
		}
	}
	return "", 0, ""
}

func (x *linkIndex) postOK(p string) bool {
	id, _ := strconv.ParseInt(p, 10, 64)
	return x.site.Posts == nil || x.site.Posts[id]
}

// matchHotpot handles /mod/hotpot/<script>.php?<param>=<n>.
func (x *linkIndex) matchHotpot(rel, script string, at int) (string, int, string) {
	k := 0
	for k < len(script) && isLower(script[k]) {
		k++
	}
	if k == 0 || !strings.HasPrefix(script[k:], ".php?") {
		return "", 0, ""
	}
	name := script[:k]
	p := k + len(".php?")
	q := p
	for q < len(script) && isLower(script[q]) {
		q++
	}
	if q == p || q >= len(script) || script[q] != '=' {
		return "", 0, ""
	}
	par := script[p:q]
	n, d := number(script, q+1)
	if d == "" {
		return "", 0, ""
	}
	id, _ := strconv.ParseInt(d, 10, 64)
	if par == "id" && x.site.CMs[id] != "hotpot" || par != "id" && !x.site.Instances["hotpot"][id] {
		return "", 0, "hot potatoes " + par + "=" + d + " is not in this backup"
	}
	return "$@HOTPOT*" + name + "*" + par + "*" + d + "@$", at + n, ""
}

// number reads the digits of s at i; it returns the index after them and
// the digits, or "" when none or when a letter or digit run continues.
func number(s string, i int) (int, string) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i || j < len(s) && isAlpha(s[j]) {
		return 0, ""
	}
	return j, s[i:j]
}

// matchFile handles /file.php/C/…, /file.php?file=/C/… and the %2f forms
// (§11.1): the token $@FILEPHP@$ and, in the tail, $@SLASH@$ for each slash
// and $@FORCEDOWNLOAD@$ for forcedownload=1, as the 1.9.5+ writer wrote.
func (x *linkIndex) matchFile(rel string) (string, int, string) {
	var rest string
	for _, p := range []string{"/file.php/", "/file.php?file=/", "/file.php?file=%2f", "/file.php?file=%2F"} {
		if strings.HasPrefix(rel, p) {
			rest = rel[len(p):]
			break
		}
	}
	if rest == "" {
		return "", 0, ""
	}
	c := 0
	for c < len(rest) && isDigit(rest[c]) {
		c++
	}
	if c == 0 {
		return "", 0, ""
	}
	if rest[:c] != x.course {
		return "", 0, "points to the files of course " + rest[:c] + ", not the backed-up course " + x.course
	}
	tail := rest[c:]
	if tail != "" && tail[0] != '/' && !strings.HasPrefix(tail, "%2f") && !strings.HasPrefix(tail, "%2F") && tail[0] != '?' && tail[0] != '&' {
		return "", 0, "" // /file.php/57 is not course 5
	}
	// The path part of the tail, up to a query or fragment; as the 1.9.5
	// writer did, the tail ends at the first character a URL does not hold
	// (a space in "week 1/notes.doc"): what follows keeps its slashes.
	pe := strings.IndexAny(tail, "?#& \"'<>")
	if pe < 0 {
		pe = len(tail)
	}
	path := tail[:pe]
	full := tail
	if k := strings.IndexAny(full, "?#&\"'<>"); k >= 0 {
		full = full[:k]
	}
	if x.site.FileExists != nil && strings.Trim(full, "/") != "" {
		p, err := url.PathUnescape(strings.NewReplacer("%2f", "/", "%2F", "/").Replace(full))
		if err != nil || !x.site.FileExists(strings.TrimPrefix(p, "/")) {
			return "", 0, "course file " + path + " is not in this backup"
		}
	}
	enc := strings.NewReplacer("/", "$@SLASH@$", "%2f", "$@SLASH@$", "%2F", "$@SLASH@$").Replace(path)
	used := len(rel) - len(tail) + pe
	q := tail[pe:]
	for _, f := range []string{"?forcedownload=1", "&amp;forcedownload=1", "&forcedownload=1"} {
		if strings.HasPrefix(q, f) && (len(q) == len(f) || !isDigit(q[len(f)])) {
			enc += "$@FORCEDOWNLOAD@$"
			used += len(f)
			break
		}
	}
	return "$@FILEPHP@$" + enc, used, ""
}
