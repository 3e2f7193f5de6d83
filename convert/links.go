package convert

import (
	"net/url"
	"path"
	"strings"
)

// 1.x link tokens (moodle19-format.md §11).
const (
	tokFilePHP       = "$@FILEPHP@$"
	tokSlash         = "$@SLASH@$"
	tokForceDownload = "$@FORCEDOWNLOAD@$"
	pluginfile       = "@@PLUGINFILE@@"
)

// fileLink is one $@FILEPHP@$ link found in a text.
type fileLink struct {
	start, end int    // the byte range of the link in the text
	path       string // course-relative path, decoded ("pics/a b.png")
	suffix     string // "?forcedownload=1", "#anchor", ... kept after the rewrite
	bad        string // why the link cannot be rewritten ("" when it can)
}

// findFileLinks returns the $@FILEPHP@$ links of text, quoted or not (also
// inside CSS url(...)), in order.
func findFileLinks(text string) []fileLink {
	var out []fileLink
	for i := 0; ; {
		j := strings.Index(text[i:], tokFilePHP)
		if j < 0 {
			return out
		}
		start := i + j
		tail := start + len(tokFilePHP)
		// The character before the token tells how the link ends.
		var stop string
		switch prev := byteBefore(text, start); prev {
		case '"', '\'':
			stop = string(prev)
		case '(':
			stop = ")\"'"
		default:
			stop = " \t\r\n\"'<>"
		}
		end := tail
		for end < len(text) && !strings.ContainsRune(stop, rune(text[end])) {
			end++
		}
		link := fileLink{start: start, end: end}
		parseFileLinkTail(text[tail:end], &link)
		out = append(out, link)
		i = end
		if i <= start {
			i = start + len(tokFilePHP)
		}
	}
}

func byteBefore(s string, i int) byte {
	for k := i - 1; k >= 0; k-- {
		if s[k] == ' ' && k > 0 && s[k-1] == '(' {
			continue
		}
		return s[k]
	}
	return 0
}

// parseFileLinkTail decodes what follows $@FILEPHP@$: the course-relative
// path and a query or anchor suffix.
func parseFileLinkTail(tail string, l *fileLink) {
	raw := strings.ReplaceAll(tail, tokSlash, "/")
	force := false
	if strings.Contains(raw, tokForceDownload) {
		force = true
		raw = strings.ReplaceAll(raw, tokForceDownload, "")
	}
	// 1.4 - 1.9.4 wrote the query as it was.
	for _, q := range []string{"?forcedownload=1", "&amp;forcedownload=1", "&forcedownload=1"} {
		if strings.HasSuffix(raw, q) {
			force = true
			raw = strings.TrimSuffix(raw, q)
		}
	}
	suffix := ""
	if k := strings.IndexAny(raw, "?#"); k >= 0 {
		suffix = raw[k:]
		raw = raw[:k]
	}
	if force {
		if strings.HasPrefix(suffix, "?") {
			suffix += "&forcedownload=1"
		} else {
			suffix = "?forcedownload=1" + suffix
		}
	}
	l.suffix = suffix
	switch {
	case raw == "" || raw == "/":
		l.bad = "link to the course files folder, not to a file"
		return
	case raw[0] != '/':
		l.bad = "link into another course's files (the 1.x prefix-collision bug: file.php/<course><digits>)"
		return
	}
	p := strings.TrimPrefix(raw, "/")
	if strings.HasSuffix(p, "/") {
		l.bad = "link to a folder, not to a file"
		return
	}
	if dec, err := url.PathUnescape(p); err == nil {
		p = dec
	}
	if cleaned := path.Clean("/" + p); cleaned != "/"+p || strings.Contains(p, "\x00") {
		l.bad = "path leaves the course files folder or is not clean"
		return
	}
	l.path = p
}

// pluginfileURL is the 2.x form of a link to fpath+fname in the owner's area:
// every path segment rawurlencoded as Moodle does.
func pluginfileURL(rel string) string {
	segs := strings.Split(rel, "/")
	for i, s := range segs {
		segs[i] = rawURLEncode(s)
	}
	return pluginfile + "/" + strings.Join(segs, "/")
}

// rawURLEncode encodes everything but A-Z a-z 0-9 - _ . ~ (PHP rawurlencode).
func rawURLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// modToken is one $@NAME*id*...@$ token.
type modToken struct {
	start, end int
	name       string
	ids        []string
}

// findModTokens returns the $@NAME*id[*id]@$ tokens of s (not FILEPHP,
// SLASH, FORCEDOWNLOAD, NULL, which carry no ids).
func findModTokens(s string) []modToken {
	var out []modToken
	for i := 0; ; {
		j := strings.Index(s[i:], "$@")
		if j < 0 {
			return out
		}
		start := i + j
		k := start + 2
		for k < len(s) && ('A' <= s[k] && s[k] <= 'Z' || '0' <= s[k] && s[k] <= '9' || s[k] == '_') {
			k++
		}
		name := s[start+2 : k]
		var ids []string
		for k < len(s) && s[k] == '*' {
			d := k + 1
			// Ids are digits; the hotpot token also carries a script and a
			// parameter name in lower case.
			for d < len(s) && (s[d] >= '0' && s[d] <= '9' || s[d] >= 'a' && s[d] <= 'z') {
				d++
			}
			if d == k+1 {
				break
			}
			ids = append(ids, s[k+1:d])
			k = d
		}
		if name != "" && len(ids) > 0 && strings.HasPrefix(s[k:], "@$") {
			out = append(out, modToken{start: start, end: k + 2, name: name, ids: ids})
			i = k + 2
			continue
		}
		i = start + 2
	}
}

// restoreRules are the link tokens Moodle 4.5 restore decodes (from the
// restore tasks of core course and modules).
var restoreRules = map[string]bool{
	"COURSEVIEWBYID": true, "COURSESECTIONBYID": true, "GRADEINDEXBYID": true, "GRADEREPORTINDEXBYID": true,
	"USERINDEXVIEWBYID": true,
	"ASSIGNVIEWBYID":    true, "ASSIGNINDEX": true, "BOOKINDEX": true, "BOOKVIEWBYID": true,
	"CHATVIEWBYID": true, "CHATINDEX": true, "CHOICEVIEWBYID": true, "CHOICEINDEX": true,
	"DATAVIEWBYID": true, "DATAVIEWBYD": true, "DATAINDEX": true, "DATAVIEWRECORD": true,
	"FEEDBACKINDEX": true, "FEEDBACKVIEWBYID": true, "FOLDERVIEWBYID": true, "FOLDERINDEX": true,
	"FORUMINDEX": true, "FORUMVIEWBYID": true, "FORUMVIEWBYF": true, "FORUMDISCUSSIONVIEW": true,
	"FORUMDISCUSSIONVIEWPARENT": true, "FORUMDISCUSSIONVIEWINSIDE": true,
	"GLOSSARYVIEWBYID": true, "GLOSSARYINDEX": true, "IMSCPVIEWBYID": true, "IMSCPINDEX": true,
	"LESSONVIEWBYID": true, "LESSONINDEX": true, "LTIVIEWBYID": true, "LTIINDEX": true,
	"PAGEVIEWBYID": true, "PAGEINDEX": true, "QUIZVIEWBYID": true, "QUIZVIEWBYQ": true, "QUIZINDEX": true,
	"RESOURCEVIEWBYID": true, "RESOURCEINDEX": true, "SCORMVIEWBYID": true, "SCORMINDEX": true,
	"SURVEYVIEWBYID": true, "SURVEYINDEX": true, "URLINDEX": true, "URLVIEWBYID": true, "URLVIEWBYU": true,
	"WIKIINDEX": true, "WIKIVIEWBYID": true, "WORKSHOPVIEWBYID": true, "WORKSHOPINDEX": true,
}

// legacyURLs are the 1.x URL forms of the tokens, used to write an absolute
// link to the old site when no 2.x rule decodes a token (moodle19-format.md
// §11.3). $1, $2, $3 stand for the ids in order.
var legacyURLs = map[string]string{
	"ASSIGNMENTINDEX": "/mod/assignment/index.php?id=$1", "ASSIGNMENTVIEWBYID": "/mod/assignment/view.php?id=$1",
	"HOTPOT":          "/mod/hotpot/$1.php?$2=$3",
	"RESOURCEVIEWBYR": "/mod/resource/view.php?r=$1",
	"JOURNALINDEX":    "/mod/journal/index.php?id=$1", "JOURNALVIEWBYID": "/mod/journal/view.php?id=$1",
}
