package inspect

import (
	"bytes"
	"fmt"

	"github.com/moodlemig/moodlemig/report"
)

// htmlFields are the 1.x element names that hold HTML (spec
// moodle19-format.md §5–§10).
var htmlFields = map[string]bool{
	"SUMMARY": true, "INTRO": true, "DESCRIPTION": true, "TEXT": true, "QUESTIONTEXT": true,
	"FEEDBACK": true, "ENTRYCOMMENT": true, "MESSAGE": true, "GENERALFEEDBACK": true,
	"DEFINITION": true, "DATA1": true, "CONTENTS": true, "CONTENT": true, "ALLTEXT": true,
	"TEACHERCOMMENT": true, "SUBMISSIONCOMMENT": true, "RESPONSE": true, "ANSWERTEXT": true,
	"ANSWER_TEXT": true, "CORRECTFEEDBACK": true, "PARTIALLYCORRECTFEEDBACK": true,
	"INCORRECTFEEDBACK": true, "GENERALCOMMENT": true, "FEEDBACKTEXT": true,
	"SINGLETEMPLATE": true, "LISTTEMPLATE": true, "LISTTEMPLATEHEADER": true,
	"LISTTEMPLATEFOOTER": true, "RSSTEMPLATE": true, "ADDTEMPLATE": true, "ASEARCHTEMPLATE": true,
}

func isHTMLField(name []byte) bool { return htmlFields[string(name)] }

// endTagWords are element names whose end tag "/name" survives the libxml2
// damage as a glued word (spec repairs.md §3.3).
var endTagWords = map[string]bool{
	"p": true, "a": true, "div": true, "span": true, "li": true, "ul": true, "ol": true,
	"td": true, "tr": true, "th": true, "table": true, "tbody": true, "strong": true, "em": true,
	"b": true, "i": true, "u": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "blockquote": true, "pre": true, "sub": true, "sup": true, "font": true,
	"center": true,
}

var strongShapes = [][]byte{
	[]byte("br /"), []byte("hr /"), []byte("href="), []byte("src="), []byte("style="),
	[]byte("class="), []byte("border="), []byte("valign="), []byte("nbsp;"), []byte("quot;"),
	[]byte("amp;"), []byte("lt;"), []byte("gt;"), []byte("rsquo;"), []byte("eacute;"),
}

// libxml2Damaged reports whether an HTML field's raw value (known to hold no
// '&', so no escaped markup at all) shows the signs of the libxml2 2.7
// entity bug: end tags glued to text ("pHello/p"), "br /", attribute shapes
// without quotes, entity tails without '&' (spec repairs.md §3.3). It needs
// two strong signals, or one with the value opening with a glued "p".
//
// This is inspect's own small detector: repair/ had no committed scorer
// when it was written.
func libxml2Damaged(raw []byte) (bool, string) {
	if bytes.IndexByte(raw, '"') >= 0 || bytes.IndexByte(raw, '<') >= 0 || bytes.IndexByte(raw, '>') >= 0 {
		return false, ""
	}
	if bytes.IndexByte(raw, '/') < 0 && bytes.IndexByte(raw, ';') < 0 && bytes.IndexByte(raw, '=') < 0 {
		return false, ""
	}
	strong := 0
	var first string
	for i := 0; i < len(raw); i++ {
		if raw[i] != '/' || i > 0 && (raw[i-1] == '/' || raw[i-1] == ':') {
			continue
		}
		j := i + 1
		for j < len(raw) && (raw[j] >= 'a' && raw[j] <= 'z' || raw[j] >= '0' && raw[j] <= '9') {
			j++
		}
		if j == i+1 || !endTagWords[string(raw[i+1:j])] {
			continue
		}
		if j < len(raw) && (raw[j] == '/' || raw[j] == '.' || raw[j] >= 'A' && raw[j] <= 'Z') {
			continue
		}
		strong++
		if first == "" {
			first = string(raw[i:j])
		}
	}
	for _, s := range strongShapes {
		if n := bytes.Count(raw, s); n > 0 {
			strong += n
			if first == "" {
				first = string(s)
			}
		}
	}
	weak := len(raw) > 2 && raw[0] == 'p' && (raw[1] >= 'A' && raw[1] <= 'Z' || raw[1] >= 0x80)
	if strong >= 2 || strong == 1 && weak {
		return true, fmt.Sprintf("%d markup remnant(s) such as %q", strong, first)
	}
	return false, ""
}

// htmlStats counts damaged HTML fields.
type htmlStats struct{ n int }

func (h *htmlStats) add(sc *scanner1, raw, path []byte, why string) {
	h.n++
	sc.finding(CodeLibxml2, report.Warning, path,
		"HTML lost its < > \" & (libxml2 2.7 entity bug on the site that restored this course): "+why+"; the repair-html stage rebuilds it",
		snippet(raw, 80))
}

func (h *htmlStats) finish(*scanner1) {}
