package convert

import (
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// lessonMatching is the page type number of a lesson matching page.
const lessonMatching = 5

// lessonAnswer is one answer of a lesson page, ready to write.
type lessonAnswer struct {
	n                            *Node
	jumpto                       int64
	answer, response             string
	answerFormat, responseFormat int
}

// convertLesson converts a 1.x lesson (conversion-rules.md §3.10): settings,
// the media file, pages and their answers. Pages are written in document
// order, which is the 1.x page order (the 1.x writer follows the linked
// list), and prevpageid/nextpageid are rebuilt from it. Unlike Moodle's own
// converter, course files linked from page contents, answers and responses
// are placed in the page's and answer's file areas. Attempts, branches,
// grades, high scores and timers are user data, left out by this version.
func convertLesson(a *Activity, mod *Node) error {
	name := mod.Value("NAME")
	mediafile := lessonMediaFile(a, mod.Value("MEDIAFILE"))
	// A page or answer id met twice would make the restore of the whole
	// course fail (or lose an answer): the later copies are left out.
	var pages []*Node
	ids := map[int64]bool{}
	answerIDs := map[int64]bool{}
	dupPages, dupAnswers, nanswers := 0, 0, 0
	for _, p := range mod.All("PAGES/PAGE") {
		if ids[p.Int("PAGEID")] {
			dupPages++
			dupAnswers += len(p.All("ANSWERS/ANSWER"))
			continue
		}
		ids[p.Int("PAGEID")] = true
		pages = append(pages, p)
	}
	attempts := a.Count("PAGES/PAGE/ANSWERS/ANSWER/ATTEMPTS/ATTEMPT")
	branches := a.Count("PAGES/PAGE/BRANCHES/BRANCH")
	// Convert the texts first: every text goes through a.Text before the
	// instance is written.
	type page struct {
		n        *Node
		contents string
		format   int
		answers  []lessonAnswer
	}
	out := make([]page, 0, len(pages))
	dangling := 0
	for _, p := range pages {
		pid := p.Int("PAGEID")
		contents, format := a.Text(p.Raw("CONTENTS"), FormatMoodle, a.Area("page_contents", pid))
		var answers []lessonAnswer
		for _, an := range p.All("ANSWERS/ANSWER") {
			aid := an.Int("ID")
			if answerIDs[aid] {
				dupAnswers++
				continue
			}
			answerIDs[aid] = true
			nanswers++
			flags := an.Int("FLAGS")
			af, rf := FormatMoodle, FormatMoodle
			if flags&1 != 0 {
				af = FormatHTML
			}
			if flags&2 != 0 {
				rf = FormatHTML
			}
			at, af := a.Text(rawOrNull(an, "ANSWERTEXT"), af, a.Area("page_answers", aid))
			rt, rf := a.Text(rawOrNull(an, "RESPONSE"), rf, a.Area("page_responses", aid))
			jump := an.Int("JUMPTO")
			if jump > 0 && !ids[jump] {
				// A jump to a page the backup does not hold: 2.x would map it
				// to nothing. "Next page" is the nearest meaning.
				dangling++
				jump = -1
			}
			answers = append(answers, lessonAnswer{n: an, jumpto: jump, answer: at, answerFormat: af, response: rt, responseFormat: rf})
		}
		if p.Int("QTYPE") == lessonMatching {
			fixMatchingJumps(answers)
		}
		out = append(out, page{n: p, contents: contents, format: format, answers: answers})
	}
	if dangling > 0 {
		a.Finding(CodeValueChanged, report.Warning, fmt.Sprintf("lesson %q: %d answer(s) jumped to a page the backup does not hold: they now jump to the next page", name, dangling))
	}
	a.Carry("lesson pages", len(pages))
	a.Carry("lesson answers", nanswers)
	a.LeaveOut("lesson pages", dupPages, "a page id met twice in the backup: the later copy is left out")
	a.LeaveOut("lesson answers", dupAnswers, "an answer id met twice in the backup (or on a left-out page): the later copy is left out")
	if mod.Has("DEFAULTS") {
		a.LeaveOut("lesson course defaults", 1, "2.x keeps lesson defaults as site settings, not per course")
	}
	a.LeaveOut("lesson attempts", attempts, whyUserData)
	a.LeaveOut("lesson branch visits", branches, whyUserData)
	a.LeaveOut("lesson grades", a.Count("GRADES/GRADE"), whyUserData)
	a.LeaveOut("lesson high scores", a.Count("HIGHSCORES/HIGHSCORE"), "high scores were removed from lessons in Moodle 3.0")
	a.LeaveOut("lesson timers", a.Count("TIMES/TIME"), whyUserData)
	if mod.Int("SHOWHIGHSCORES") != 0 {
		a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("lesson %q showed high scores, which 2.x lessons no longer have", name))
	}
	timelimit := int64(0)
	if mod.Int("TIMED") != 0 {
		timelimit = 60 * mod.Int("MAXTIME")
	}
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", name, "intro", "", "introformat", FormatHTML,
			"practice", mod.Int("PRACTICE"), "modattempts", mod.Int("MODATTEMPTS"),
			"usepassword", mod.Int("USEPASSWORD"), "password", mod.Value("PASSWORD"),
			"dependency", mod.Int("DEPENDENCY"), "conditions", mod.Raw("CONDITIONS"),
			"grade", mod.Int("GRADE"), "custom", mod.Int("CUSTOM"), "ongoing", mod.Int("ONGOING"),
			"usemaxgrade", mod.Int("USEMAXGRADE"), "maxanswers", intOr(mod, "MAXANSWERS", 4),
			"maxattempts", intOr(mod, "MAXATTEMPTS", 5), "review", mod.Int("REVIEW"),
			"nextpagedefault", mod.Int("NEXTPAGEDEFAULT"), "feedback", intOr(mod, "FEEDBACK", 1),
			"minquestions", mod.Int("MINQUESTIONS"), "maxpages", mod.Int("MAXPAGES"),
			"timelimit", timelimit, "retake", intOr(mod, "RETAKE", 1),
			"activitylink", mod.Int("ACTIVITYLINK"), "mediafile", mediafile,
			"mediaheight", intOr(mod, "MEDIAHEIGHT", 100), "mediawidth", intOr(mod, "MEDIAWIDTH", 650),
			"mediaclose", mod.Int("MEDIACLOSE"), "slideshow", mod.Int("SLIDESHOW"),
			"width", intOr(mod, "WIDTH", 640), "height", intOr(mod, "HEIGHT", 480),
			"bgcolor", valueOr(mod, "BGCOLOR", "#FFFFFF"), "displayleft", mod.Int("DISPLAYLEFT"),
			"displayleftif", mod.Int("DISPLAYLEFTIF"), "progressbar", mod.Int("PROGRESSBAR"),
			"available", mod.Int("AVAILABLE"), "deadline", mod.Int("DEADLINE"),
			"timemodified", mod.Int("TIMEMODIFIED"), "completionendreached", 0,
			"completiontimespent", 0, "allowofflineattempts", 0)
		x.Start("pages")
		for i, p := range out {
			prev, next := int64(0), int64(0)
			if i > 0 {
				prev = out[i-1].n.Int("PAGEID")
			}
			if i+1 < len(out) {
				next = out[i+1].n.Int("PAGEID")
			}
			pid := p.n.Int("PAGEID")
			x.Start("page", A("id", pid))
			x.Leaves("prevpageid", prev, "nextpageid", next, "qtype", p.n.Int("QTYPE"),
				"qoption", p.n.Int("QOPTION"), "layout", intOr(p.n, "LAYOUT", 1),
				"display", intOr(p.n, "DISPLAY", 1), "timecreated", p.n.Int("TIMECREATED"),
				"timemodified", p.n.Int("TIMEMODIFIED"), "title", p.n.Value("TITLE"),
				"contents", p.contents, "contentsformat", p.format)
			x.Start("answers")
			for _, an := range p.answers {
				x.Start("answer", A("id", an.n.Int("ID")))
				x.Leaves("jumpto", an.jumpto, "grade", an.n.Int("GRADE"), "score", an.n.Int("SCORE"),
					"flags", an.n.Int("FLAGS"), "timecreated", an.n.Int("TIMECREATED"),
					"timemodified", an.n.Int("TIMEMODIFIED"), "answer_text", an.answer,
					"answerformat", an.answerFormat, "response", an.response, "responseformat", an.responseFormat)
				x.Empty("attempts")
				x.End()
			}
			x.End()
			x.Empty("branches")
			x.End()
		}
		x.End()
		x.Empty("grades")
		x.Empty("timers")
		x.Empty("overrides")
	})
}

// fixMatchingJumps replays the 2.0 upgrade of matching pages: their
// correct/wrong jumps moved from the third and fourth answers to the
// first two.
func fixMatchingJumps(ans []lessonAnswer) {
	if len(ans) <= 3 || (ans[0].jumpto == 0 && ans[1].jumpto == 0) {
		return
	}
	if ans[2].jumpto != 0 {
		ans[0].jumpto, ans[2].jumpto = ans[2].jumpto, 0
	}
	if ans[3].jumpto != 0 {
		ans[1].jumpto, ans[3].jumpto = ans[3].jumpto, 0
	}
}

// lessonMediaFile places the lesson's linked media file (a course file path)
// in mod_lesson/mediafile and returns the 2.x value: "/<name>" for a placed
// file, the address itself for a URL, "" when there is none or it is
// missing (with a finding).
func lessonMediaFile(a *Activity, mf string) string {
	if mf == "" || mf == Null {
		return ""
	}
	if strings.Contains(mf, "://") {
		return mf
	}
	rel, bad := courseFileOfReference(mf)
	if bad == "" {
		_, fname := SplitPath(rel)
		if err := a.AddFile("course_files/"+strings.TrimPrefix(rel, "/"), a.Area("mediafile", 0), "/", fname, 0); err == nil {
			return "/" + fname
		}
	}
	a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("lesson %q: its linked media file %q is not in the backup: the lesson has no media file", a.CM.Title, mf))
	return ""
}

// rawOrNull returns the raw text of a child, or Null when it is absent
// (for text columns that allow null).
func rawOrNull(n *Node, name string) string {
	if !n.Has(name) {
		return Null
	}
	return n.Raw(name)
}

// valueOr returns the trimmed value of a child, or def when it is empty.
func valueOr(n *Node, name, def string) string {
	if v := n.Value(name); v != "" {
		return v
	}
	return def
}
