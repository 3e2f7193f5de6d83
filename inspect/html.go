package inspect

import (
	"bytes"
	"fmt"

	"github.com/moodlemig/moodlemig/repair"
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

// libxml2Damaged scores an HTML field's raw value with repair's libxml2
// damage scorer (spec repairs.md §3.3). The value is known to hold no '&',
// so it has no escaped markup at all; a field whose markup survived is
// never a candidate. It reports damage at a confidence of at least
// minLibxml2Confidence, and whether repair-html would rebuild it.
func libxml2Damaged(raw []byte) (bool, string) {
	if bytes.IndexByte(raw, '"') >= 0 || bytes.IndexByte(raw, '<') >= 0 || bytes.IndexByte(raw, '>') >= 0 {
		return false, ""
	}
	if bytes.IndexByte(raw, '/') < 0 && bytes.IndexByte(raw, ';') < 0 && bytes.IndexByte(raw, '=') < 0 {
		return false, ""
	}
	_, conf, changes := repair.RepairHTMLField(string(raw), repair.HTMLOptions{})
	if float64(conf) < minLibxml2Confidence || len(changes) == 0 {
		return false, ""
	}
	what := "repair-html rebuilds it"
	if float64(conf) < repair.DefaultMinConfidence {
		what = fmt.Sprintf("below repair-html's default min-confidence %.2f, so it is only reported", repair.DefaultMinConfidence)
	}
	return true, fmt.Sprintf("confidence %.2f, %d markup remnant(s) such as %q; %s", float64(conf), len(changes), changeSample(changes[0]), what)
}

// minLibxml2Confidence is the least scorer confidence inspect reports.
const minLibxml2Confidence = 0.5

// htmlStats counts damaged HTML fields.
type htmlStats struct{ n int }

func (h *htmlStats) add(sc *scanner1, raw, path []byte, why string) {
	h.n++
	sc.finding(CodeLibxml2, report.Warning, path,
		"HTML lost its < > \" & (libxml2 2.7 entity bug on the site that restored this course): "+why,
		snippet(raw, 80))
}

func (h *htmlStats) finish(*scanner1) {}

// changeSample shows one rebuilt spot as "before → after".
func changeSample(c repair.Change) string {
	return c.Before + " → " + c.After
}
