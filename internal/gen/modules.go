package gen

import (
	"fmt"
	"strconv"
	"strings"
)

// writeModules writes COURSE/MODULES: every instance, grouped by type in
// INFO/DETAILS order (spec §10).
func (g *gen) writeModules() {
	x := g.x
	if len(g.p.mods) == 0 {
		return
	}
	x.start("MODULES")
	g.growForums = 0
	for _, m := range g.p.modsOf("forum") {
		if growable(m) {
			g.growForums++
		}
	}
	for _, typ := range moduleTypes {
		for _, m := range g.p.modsOf(typ) {
			if g.stopped() {
				return
			}
			t := g.tg("mod", m.typ, m.id)
			t.mod = m.typ
			x.start("MOD")
			x.i("ID", m.id)
			x.raw("MODTYPE", m.typ)
			switch m.typ {
			case "assignment":
				g.modAssignment(m, t)
			case "chat":
				g.modChat(m, t)
			case "choice":
				g.modChoice(m, t)
			case "data":
				g.modData(m, t)
			case "forum":
				g.modForum(m, t)
			case "glossary":
				g.modGlossary(m, t)
			case "hotpot":
				g.modHotpot(m, t)
			case "journal":
				g.modJournal(m, t)
			case "label":
				x.s("NAME", g.instanceName(m))
				x.hb("CONTENT", t.html(2))
				x.i("TIMEMODIFIED", m.added)
			case "lesson":
				g.modLesson(m, t)
			case "quiz":
				g.modQuiz(m, t)
			case "resource":
				g.modResource(m, t)
			case "scorm":
				g.modScorm(m, t)
			case "survey":
				g.modSurvey(m, t)
			case "wiki":
				g.modWiki(m, t)
			case "workshop":
				g.modWorkshop(m, t)
			}
			x.end()
			g.m.Modules[m.typ]++
			x.maybeFlush()
		}
		if typ == "forum" {
			g.forumsEnd = x.off()
		}
	}
	x.end()
}

// student returns the i-th student (cyclic); nil when there are none.
func (g *gen) student(i int) *user {
	if len(g.p.students) == 0 {
		return g.p.teacher
	}
	return g.p.students[i%len(g.p.students)]
}

func (g *gen) modAssignment(m *mod, t *tg) {
	x, p := g.x, g.p
	x.s("NAME", m.name)
	x.hb("DESCRIPTION", t.html(2))
	x.i("FORMAT", 1)
	x.i("RESUBMIT", 0)
	x.i("PREVENTLATE", 0)
	x.i("EMAILTEACHERS", 0)
	var1 := int64(0)
	if m.sub == "upload" {
		var1 = 3
	}
	x.i("VAR1", var1)
	x.i("VAR2", 0)
	x.i("VAR3", 0)
	x.i("VAR4", 0)
	x.i("VAR5", 0)
	x.raw("ASSIGNMENTTYPE", m.sub)
	x.i("MAXBYTES", 1048576)
	x.i("TIMEDUE", p.created+30*86400)
	x.i("TIMEAVAILABLE", p.created)
	x.i("GRADE", 100)
	x.i("TIMEMODIFIED", m.added)
	g.m.Assignments[m.sub]++
	if !g.userData() {
		return
	}
	x.start("SUBMISSIONS")
	for i := 0; i < len(p.students) && i < 6; i++ {
		u := g.student(i)
		sid := m.id*100 + int64(i)
		x.start("SUBMISSION")
		x.i("ID", sid)
		x.i("USERID", u.id)
		x.i("TIMECREATED", p.created+int64(i)*3600)
		x.i("TIMEMODIFIED", p.created+int64(i)*3600+60)
		nfiles := int64(0)
		if m.sub == "upload" || m.sub == "uploadsingle" {
			nfiles = 1
			g.addFile(fmt.Sprintf("moddata/assignment/%d/%d/report-%d.pdf", m.id, u.id, i+1), "pdf", sid)
		}
		x.i("NUMFILES", nfiles)
		if m.sub == "online" {
			x.hb("DATA1", t.html(2))
		} else {
			x.s("DATA1", "")
		}
		x.s("DATA2", "")
		x.i("GRADE", int64((i*17)%101))
		x.h("SUBMISSIONCOMMENT", "<p>"+t.sentence()+"</p>")
		x.i("FORMAT", 1)
		x.i("TEACHER", p.teacher.id)
		x.i("TIMEMARKED", p.created+int64(i)*3600+86400)
		x.i("MAILED", 1)
		x.end()
		g.m.Submissions++
	}
	x.end()
}

func (g *gen) modChat(m *mod, t *tg) {
	x, p := g.x, g.p
	x.s("NAME", m.name)
	x.hb("INTRO", t.html(1))
	x.i("KEEPDAYS", 0)
	x.i("STUDENTLOGS", 0)
	x.i("SCHEDULE", 0)
	x.i("CHATTIME", p.created+7*86400)
	x.i("TIMEMODIFIED", m.added)
	if !g.userData() {
		return
	}
	x.start("MESSAGES")
	for i := 0; i < 5; i++ {
		x.start("MESSAGE")
		x.i("ID", m.id*100+int64(i))
		x.i("USERID", g.student(i).id)
		x.i("GROUPID", 0)
		x.i("SYSTEM", b01(i == 0))
		if i == 0 {
			x.s("MESSAGE_TEXT", "enter")
		} else {
			x.s("MESSAGE_TEXT", t.sentence())
		}
		x.i("TIMESTAMP", p.created+7*86400+int64(i)*30)
		x.end()
	}
	x.end()
}

func (g *gen) modChoice(m *mod, t *tg) {
	x, p := g.x, g.p
	x.s("NAME", m.name)
	x.hb("TEXT", t.html(1))
	x.i("FORMAT", 1)
	x.i("PUBLISH", 0)
	x.i("SHOWRESULTS", 1)
	x.i("DISPLAY", 0)
	x.i("ALLOWUPDATE", 1)
	x.i("SHOWUNANSWERED", 0)
	x.i("LIMITANSWERS", 0)
	x.i("TIMEOPEN", 0)
	x.i("TIMECLOSE", 0)
	x.i("TIMEMODIFIED", m.added)
	x.start("OPTIONS")
	for i := 0; i < 3; i++ {
		x.start("OPTION")
		x.i("ID", m.id*10+int64(i))
		x.s("TEXT", t.title())
		x.i("MAXANSWERS", 0)
		x.i("TIMEMODIFIED", m.added)
		x.end()
	}
	x.end()
	if !g.userData() {
		return
	}
	x.start("ANSWERS")
	for i := 0; i < len(p.students); i++ {
		x.start("ANSWER")
		x.i("ID", m.id*1000+int64(i))
		x.i("USERID", p.students[i].id)
		x.i("OPTIONID", m.id*10+int64(i%3))
		x.i("TIMEMODIFIED", m.added+int64(i)*100)
		x.end()
	}
	x.end()
}

func (g *gen) modData(m *mod, t *tg) {
	x, p := g.x, g.p
	x.s("NAME", m.name)
	x.hb("INTRO", t.html(1))
	x.i("COMMENTS", 1)
	for _, f := range []string{"TIMEAVAILABLEFROM", "TIMEAVAILABLETO", "TIMEVIEWFROM", "TIMEVIEWTO"} {
		x.i(f, 0)
	}
	x.i("REQUIREDENTRIES", 0)
	x.i("REQUIREDENTRIESTOVIEW", 0)
	x.i("MAXENTRIES", 0)
	x.i("RSSARTICLES", 0)
	x.h("SINGLETEMPLATE", `<table class="mod-data-default-template"><tr><td>Title:</td><td>[[title]]</td></tr><tr><td>Photo:</td><td>[[photo]]</td></tr><tr><td>##edit## ##delete##</td></tr></table>`)
	x.h("LISTTEMPLATE", `<p>[[title]] ##more##</p>`)
	x.h("LISTTEMPLATEHEADER", "")
	x.h("LISTTEMPLATEFOOTER", "")
	x.h("ADDTEMPLATE", `<div>[[title]] [[photo]]</div>`)
	x.h("RSSTEMPLATE", "")
	x.s("RSSTITLETEMPLATE", "")
	x.s("CSSTEMPLATE", ".mod-data-default-template td { padding: 4px; }")
	x.s("JSTEMPLATE", "")
	x.h("ASEARCHTEMPLATE", "")
	x.i("APPROVAL", 0)
	x.i("SCALE", 0)
	x.i("ASSESSED", 0)
	x.i("DEFAULTSORT", 0)
	x.s("DEFAULTSORTDIR", "0")
	x.i("EDITANY", 0)
	x.i("NOTIFICATION", 0)
	x.start("FIELDS")
	fields := []struct{ typ, name string }{{"text", "title"}, {"picture", "photo"}, {"menu", "kingdom"}}
	for i, f := range fields {
		x.start("FIELD")
		x.i("ID", m.id*10+int64(i))
		x.i("DATAID", m.id)
		x.raw("TYPE", f.typ)
		x.s("NAME", f.name)
		x.s("DESCRIPTION", t.title())
		for n := 1; n <= 10; n++ {
			v := ""
			if f.typ == "menu" && n == 1 {
				v = "Plants\nAnimals\nFungi"
			}
			x.s("PARAM"+strconv.Itoa(n), v)
		}
		x.end()
	}
	x.end()
	if !g.userData() {
		return
	}
	x.start("RECORDS")
	for i := 0; i < 3; i++ {
		rid := m.id*100 + int64(i)
		u := g.student(i)
		x.start("RECORD")
		x.i("ID", rid)
		x.i("USERID", u.id)
		x.i("GROUPID", 0)
		x.i("DATAID", m.id)
		x.i("TIMECREATED", p.created+int64(i)*500)
		x.i("TIMEMODIFIED", p.created+int64(i)*500)
		x.i("APPROVED", 1)
		x.start("CONTENTS")
		for j, f := range fields {
			x.start("CONTENT")
			x.i("ID", rid*10+int64(j))
			x.i("RECORDID", rid)
			x.i("FIELDID", m.id*10+int64(j))
			switch f.typ {
			case "picture":
				x.s("CONTENT", "leaf.jpg")
				g.addFile(fmt.Sprintf("moddata/data/%d/%d/%d/leaf.jpg", m.id, m.id*10+int64(j), rid), "jpg", rid)
			case "menu":
				x.s("CONTENT", "Plants")
			default:
				x.s("CONTENT", t.title())
			}
			x.null("CONTENT1")
			x.null("CONTENT2")
			x.null("CONTENT3")
			x.null("CONTENT4")
			x.end()
		}
		x.end()
		x.start("COMMENTS")
		x.start("COMMENT")
		x.i("ID", rid)
		x.i("RECORDID", rid)
		x.i("USERID", p.teacher.id)
		x.s("CONTENT", t.sentence())
		x.i("FORMAT", 0)
		x.i("CREATED", p.created+int64(i)*600)
		x.i("MODIFIED", p.created+int64(i)*600)
		x.end()
		x.end()
		x.end()
	}
	x.end()
}

// growable reports whether a forum receives the extra discussions of
// Options.XMLSize.
func growable(m *mod) bool {
	return m.typ == "forum" && (m.sub == "general" || m.sub == "social" || m.sub == "qanda" || m.sub == "eachuser")
}

func (g *gen) modForum(m *mod, t *tg) {
	x, p := g.x, g.p
	x.raw("TYPE", m.sub)
	x.s("NAME", m.name)
	if m.sub == "news" {
		x.h("INTRO", "General news and announcements")
	} else {
		x.hb("INTRO", t.html(1))
	}
	assessed := m.sub == "general" || m.sub == "qanda"
	x.i("ASSESSED", b01(assessed))
	x.i("ASSESSTIMESTART", 0)
	x.i("ASSESSTIMEFINISH", 0)
	x.i("MAXBYTES", 512000)
	scale := int64(0)
	if assessed {
		scale = -p.scaleID
	}
	x.i("SCALE", scale)
	x.i("FORCESUBSCRIBE", b01(m.sub == "news"))
	x.i("TRACKINGTYPE", 1)
	x.i("RSSTYPE", 0)
	x.i("RSSARTICLES", 0)
	x.i("TIMEMODIFIED", m.added)
	if g.e.v19 {
		x.i("WARNAFTER", 0)
		x.i("BLOCKAFTER", 0)
		x.i("BLOCKPERIOD", 0)
	}
	if !g.userData() {
		return
	}
	x.start("SUBSCRIPTIONS")
	for i := 0; i < len(p.students) && i < 3; i++ {
		x.start("SUBSCRIPTION")
		x.i("ID", m.id*100+int64(i))
		x.i("USERID", p.students[i].id)
		x.end()
	}
	x.end()
	n := g.o.Discussions
	switch m.sub {
	case "news":
		n = 2
		if g.o.lean {
			n = 1
		}
	case "single":
		n = 1
	}
	x.start("DISCUSSIONS")
	d := 0
	for ; d < n; d++ {
		g.discussion(m, t, d, assessed, true)
	}
	if g.growTo > 0 && growable(m) {
		end := g.growTo - g.tail
		share := (end - x.off()) / int64(max(g.growForums, 1))
		stop := x.off() + share
		var size int64
		for !g.stopped() {
			before := x.off()
			if before+size/2 >= stop {
				break
			}
			g.discussion(m, t, d, assessed, false)
			size = x.off() - before
			d++
		}
	}
	if growable(m) {
		g.growForums--
	}
	x.end()
	x.start("READPOSTS")
	x.end()
}

// discussion writes one DISCUSSION with its posts. Base discussions may
// carry attachments; growth discussions never do (files stay bounded).
func (g *gen) discussion(m *mod, t *tg, d int, assessed, base bool) {
	x, p := g.x, g.p
	g.discID++
	did := g.discID
	author := g.student(d + int(m.id))
	if m.sub == "news" || m.sub == "single" {
		author = p.teacher
	}
	np := g.o.PostsPerDiscussion
	first := g.postID + 1
	when := p.created + int64(d)*3600
	x.start("DISCUSSION")
	x.i("ID", did)
	x.s("NAME", t.title())
	x.i("FIRSTPOST", first)
	x.i("USERID", author.id)
	x.i("GROUPID", -1)
	x.i("ASSESSED", b01(assessed))
	x.i("TIMEMODIFIED", when+int64(np)*600)
	x.i("USERMODIFIED", author.id)
	x.i("TIMESTART", 0)
	x.i("TIMEEND", 0)
	x.start("POSTS")
	for k := 0; k < np; k++ {
		g.postID++
		pid := g.postID
		u := author
		parent := int64(0)
		subject := ""
		if k > 0 {
			u = g.student(d + k + int(m.id))
			parent = first + int64(t.r.IntN(k))
			subject = "Re: "
		}
		x.start("POST")
		x.i("ID", pid)
		x.i("PARENT", parent)
		x.i("USERID", u.id)
		x.i("CREATED", when+int64(k)*600)
		x.i("MODIFIED", when+int64(k)*600)
		x.i("MAILED", 1)
		x.s2("SUBJECT", subject, t.title())
		x.hb("MESSAGE", t.html(1+t.r.IntN(3)))
		x.i("FORMAT", 1)
		att := ""
		if base && k%4 == 1 {
			att = "lab-photo.jpg"
			g.addFile(fmt.Sprintf("moddata/forum/%d/%d/%s", m.id, pid, att), "jpg", pid)
		}
		x.s("ATTACHMENT", att)
		x.i("TOTALSCORE", 0)
		x.i("MAILNOW", 0)
		if assessed && k > 0 {
			x.start("RATINGS")
			x.start("RATING")
			x.i("ID", pid)
			x.i("USERID", p.teacher.id)
			x.i("TIME", when+int64(k)*600+3600)
			x.i("POST_RATING", int64(1+k%4))
			x.end()
			x.end()
		}
		x.end()
		g.m.Posts++
	}
	x.end()
	x.end()
	g.m.Discussions++
	x.maybeFlush()
}

func (g *gen) modGlossary(m *mod, t *tg) {
	x, p := g.x, g.p
	x.s("NAME", m.name)
	x.hb("INTRO", t.html(1))
	x.i("ALLOWDUPLICATEDENTRIES", 0)
	x.raw("DISPLAYFORMAT", "dictionary")
	x.i("MAINGLOSSARY", 1)
	x.i("SHOWSPECIAL", 1)
	x.i("SHOWALPHABET", 1)
	x.i("SHOWALL", 1)
	x.i("ALLOWCOMMENTS", 1)
	x.i("ALLOWPRINTVIEW", 1)
	x.i("USEDYNALINK", 1)
	x.i("DEFAULTAPPROVAL", 1)
	x.i("GLOBALGLOSSARY", 0)
	x.i("ENTBYPAGE", 10)
	x.i("EDITALWAYS", 0)
	x.i("RSSTYPE", 0)
	x.i("RSSARTICLES", 0)
	x.i("TIMECREATED", m.added)
	x.i("TIMEMODIFIED", m.added)
	x.i("ASSESSED", 1)
	x.i("ASSESSTIMESTART", 0)
	x.i("ASSESSTIMEFINISH", 0)
	x.i("SCALE", -p.scaleID)
	x.start("ENTRIES")
	var written []int64
	for i := 0; i < 5; i++ {
		teacher := i < 2
		if !teacher && !g.userData() {
			continue
		}
		u := p.teacher
		if !teacher {
			u = g.student(i)
		}
		eid := m.id*100 + int64(i)
		written = append(written, eid)
		x.start("ENTRY")
		x.i("ID", eid)
		x.i("USERID", u.id)
		x.s("CONCEPT", t.title())
		x.hb("DEFINITION", t.html(1))
		x.i("FORMAT", 1)
		att := ""
		if i == 1 {
			att = "diagram.png"
			g.addFile(fmt.Sprintf("moddata/glossary/%d/%d/%s", m.id, eid, att), "png", eid)
		}
		x.s("ATTACHMENT", att)
		x.i("SOURCEGLOSSARYID", 0)
		x.i("USEDYNALINK", 1)
		x.i("CASESENSITIVE", 0)
		x.i("FULLMATCH", 1)
		x.i("APPROVED", 1)
		x.i("TIMECREATED", m.added+int64(i)*60)
		x.i("TIMEMODIFIED", m.added+int64(i)*60)
		x.i("TEACHERENTRY", b01(teacher))
		x.start("ALIASES")
		x.start("ALIAS")
		x.s("ALIAS_TEXT", strings.ToLower(t.title()))
		x.end()
		x.end()
		if g.userData() {
			x.start("COMMENTS")
			x.start("COMMENT")
			x.i("ID", eid)
			x.i("USERID", g.student(i+1).id)
			x.h("ENTRYCOMMENT", "<p>"+t.sentence()+"</p>")
			x.i("FORMAT", 1)
			x.i("TIMEMODIFIED", m.added+int64(i)*90)
			x.end()
			x.end()
			x.start("RATINGS")
			x.start("RATING")
			x.i("ID", eid)
			x.i("USERID", p.teacher.id)
			x.i("TIME", m.added+int64(i)*120)
			x.i("RATING", int64(1+i%4))
			x.end()
			x.end()
		}
		x.end()
		g.m.Entries++
	}
	x.end()
	x.start("CATEGORIES")
	x.start("CATEGORY")
	x.i("ID", m.id)
	x.i("GLOSSARYID", m.id)
	x.s("NAME", t.title())
	x.i("USEDYNALINK", 0)
	x.start("ENTRIES")
	for _, eid := range written {
		x.start("ENTRY")
		x.i("ENTRYID", eid)
		x.end()
	}
	x.end()
	x.end()
	x.end()
}

func (g *gen) modHotpot(m *mod, t *tg) {
	x, p := g.x, g.p
	ref := "hotpot/cells.jqz"
	g.addCourseFile(ref)
	x.i("COURSE", p.courseID)
	x.s("NAME", m.name)
	x.hb("SUMMARY", t.html(1))
	x.i("TIMEOPEN", 0)
	x.i("TIMECLOSE", 0)
	x.i("LOCATION", 0)
	x.s("REFERENCE", ref)
	x.i("OUTPUTFORMAT", 1)
	x.i("NAVIGATION", 1)
	x.i("STUDENTFEEDBACK", 0)
	x.s("STUDENTFEEDBACKURL", "")
	x.i("FORCEPLUGINS", 0)
	x.i("SHOWNEXTQUIZ", 0)
	x.i("REVIEW", 1)
	x.i("GRADE", 100)
	x.i("GRADEMETHOD", 1)
	x.i("ATTEMPTS", 0)
	x.s("PASSWORD", "")
	x.s("SUBNET", "")
	x.i("CLICKREPORTING", 0)
	x.i("TIMECREATED", m.added)
	x.i("TIMEMODIFIED", m.added)
}

func (g *gen) modJournal(m *mod, t *tg) {
	x, p := g.x, g.p
	x.s("NAME", m.name)
	x.hb("INTRO", t.html(1))
	x.i("INTROFORMAT", 1)
	x.i("DAYS", 7)
	x.i("ASSESSED", 100)
	x.i("TIMEMODIFIED", m.added)
	if !g.userData() {
		return
	}
	x.start("ENTRIES")
	for i := 0; i < len(p.students) && i < 4; i++ {
		x.start("ENTRY")
		x.i("ID", m.id*100+int64(i))
		x.i("USERID", p.students[i].id)
		x.i("MODIFIED", m.added+int64(i)*3600)
		x.hb("TEXT", t.html(2))
		x.i("FORMAT", 1)
		x.i("RATING", int64(60+i*10))
		x.h("ENTRYCOMMENT", "<p>"+t.sentence()+"</p>")
		x.i("TEACHER", p.teacher.id)
		x.i("TIMEMARKED", m.added+int64(i)*3600+600)
		x.i("MAILED", 1)
		x.end()
	}
	x.end()
}

func (g *gen) modLesson(m *mod, t *tg) {
	x := g.x
	x.s("NAME", m.name)
	for _, f := range []string{"PRACTICE", "MODATTEMPTS", "USEPASSWORD"} {
		x.i(f, 0)
	}
	x.s("PASSWORD", "")
	x.i("DEPENDENCY", 0)
	x.s("CONDITIONS", `O:8:"stdClass":3:{s:9:"timespent";i:0;s:9:"completed";i:0;s:15:"gradebetterthan";i:0;}`)
	x.i("GRADE", 100)
	x.i("CUSTOM", 1)
	x.i("ONGOING", 0)
	x.i("USEMAXGRADE", 0)
	x.i("MAXANSWERS", 4)
	x.i("MAXATTEMPTS", 5)
	x.i("REVIEW", 0)
	x.i("NEXTPAGEDEFAULT", 0)
	x.i("FEEDBACK", 1)
	x.i("MINQUESTIONS", 0)
	x.i("MAXPAGES", 0)
	x.i("TIMED", 0)
	x.i("MAXTIME", 20)
	x.i("RETAKE", 1)
	x.i("ACTIVITYLINK", 0)
	x.s("MEDIAFILE", "")
	x.i("MEDIAHEIGHT", 100)
	x.i("MEDIAWIDTH", 650)
	x.i("MEDIACLOSE", 0)
	x.i("SLIDESHOW", 0)
	x.i("WIDTH", 640)
	x.i("HEIGHT", 480)
	x.raw("BGCOLOR", "#FFFFFF")
	x.i("DISPLAYLEFT", 0)
	x.i("DISPLAYLEFTIF", 0)
	x.i("PROGRESSBAR", 0)
	x.i("SHOWHIGHSCORES", 0)
	x.i("MAXHIGHSCORES", 10)
	x.i("AVAILABLE", 0)
	x.i("DEADLINE", 0)
	x.i("TIMEMODIFIED", m.added)
	x.start("PAGES")
	for i := 0; i < 3; i++ {
		pid := m.id*10 + int64(i)
		qtype := int64(3) // multichoice page
		if i == 0 {
			qtype = 20 // branch table
		}
		x.start("PAGE")
		x.i("PAGEID", pid)
		x.i("QTYPE", qtype)
		x.i("QOPTION", 0)
		x.i("LAYOUT", 1)
		x.i("DISPLAY", 1)
		x.i("TIMECREATED", m.added)
		x.i("TIMEMODIFIED", 0)
		x.s("TITLE", t.title())
		x.hb("CONTENTS", t.html(2))
		x.start("ANSWERS")
		for j := 0; j < 2; j++ {
			x.start("ANSWER")
			x.i("ID", pid*10+int64(j))
			jump := int64(-1)
			if i == 2 {
				jump = -9
			}
			x.i("JUMPTO", jump)
			x.i("GRADE", 0)
			x.i("SCORE", b01(j == 0))
			x.i("FLAGS", 0)
			x.i("TIMECREATED", m.added)
			x.i("TIMEMODIFIED", 0)
			x.h("ANSWERTEXT", t.title())
			x.h("RESPONSE", t.sentence())
			if g.userData() && i > 0 && j == 0 {
				x.start("ATTEMPTS")
				x.start("ATTEMPT")
				x.i("USERID", g.student(i).id)
				x.i("RETRY", 0)
				x.i("CORRECT", 1)
				x.s("USERANSWER", "")
				x.i("TIMESEEN", m.added+3600)
				x.end()
				x.end()
			}
			x.end()
		}
		x.end()
		x.end()
	}
	x.end()
	if g.userData() {
		x.start("GRADES")
		x.start("GRADE")
		x.i("USERID", g.student(1).id)
		x.raw("GRADE_VALUE", "100")
		x.i("LATE", 0)
		x.i("COMPLETED", m.added+3700)
		x.end()
		x.end()
		x.start("TIMES")
		x.start("TIME")
		x.i("USERID", g.student(1).id)
		x.i("STARTTIME", m.added+3500)
		x.i("LESSONTIME", m.added+3700)
		x.end()
		x.end()
	}
}

func (g *gen) modQuiz(m *mod, t *tg) {
	x, p := g.x, g.p
	// The quiz uses the course category's questions (except the cloze
	// sub-questions, which are used through their parent).
	var qs []*question
	for _, c := range p.cats {
		qs = append(qs, c.questions...)
	}
	var layout []string
	for i, q := range qs {
		layout = append(layout, strconv.FormatInt(q.id, 10))
		if i%3 == 2 {
			layout = append(layout, "0")
		}
	}
	layout = append(layout, "0")
	x.s("NAME", m.name)
	x.hb("INTRO", t.html(1))
	x.i("TIMEOPEN", 0)
	x.i("TIMECLOSE", 0)
	x.i("OPTIONFLAGS", 1)
	x.i("PENALTYSCHEME", 1)
	x.i("ATTEMPTS_NUMBER", 0)
	x.i("ATTEMPTONLAST", 0)
	x.i("GRADEMETHOD", 1)
	x.i("DECIMALPOINTS", 2)
	x.i("REVIEW", 4652015)
	x.i("QUESTIONSPERPAGE", 3)
	x.i("SHUFFLEQUESTIONS", 0)
	x.i("SHUFFLEANSWERS", 1)
	x.s("QUESTIONS", strings.Join(layout, ","))
	x.raw("SUMGRADES", strconv.Itoa(len(qs)))
	x.i("GRADE", 10)
	x.i("TIMECREATED", m.added)
	x.i("TIMEMODIFIED", m.added)
	x.i("TIMELIMIT", 0)
	x.s("PASSWORD", "")
	x.s("SUBNET", "")
	x.i("POPUP", 0)
	x.i("DELAY1", 0)
	x.i("DELAY2", 0)
	x.start("QUESTION_INSTANCES")
	for i, q := range qs {
		x.start("QUESTION_INSTANCE")
		x.i("ID", m.id*100+int64(i))
		x.i("QUESTION", q.id)
		x.i("GRADE", 1)
		x.end()
	}
	x.end()
	x.start("FEEDBACKS")
	x.start("FEEDBACK")
	x.i("ID", m.id)
	x.i("QUIZID", m.id)
	x.h("FEEDBACKTEXT", "<p>"+t.sentence()+"</p>")
	x.raw("MINGRADE", "0")
	x.raw("MAXGRADE", "11")
	x.end()
	x.end()
	x.start("QUESTION_VERSIONS")
	x.end()
	if !g.userData() {
		return
	}
	x.start("GRADES")
	for i := 0; i < len(p.students) && i < 3; i++ {
		x.start("GRADE")
		x.i("ID", m.id*100+int64(i))
		x.i("USERID", p.students[i].id)
		x.raw("GRADEVAL", fmt.Sprintf("%d", 5+i))
		x.i("TIMEMODIFIED", m.added+86400)
		x.end()
	}
	x.end()
	x.start("ATTEMPTS")
	for i := 0; i < len(p.students) && i < 3; i++ {
		aid := m.id*100 + int64(i)
		x.start("ATTEMPT")
		x.i("ID", aid)
		x.i("UNIQUEID", aid+7000)
		x.i("USERID", p.students[i].id)
		x.i("ATTEMPTNUM", 1)
		x.raw("SUMGRADES", fmt.Sprintf("%d", 5+i))
		x.i("TIMESTART", m.added+86000)
		x.i("TIMEFINISH", m.added+86400)
		x.i("TIMEMODIFIED", m.added+86400)
		x.s("LAYOUT", strings.Join(layout, ","))
		x.i("PREVIEW", 0)
		x.start("STATES")
		for j, q := range qs[:min(3, len(qs))] {
			x.start("STATE")
			x.i("ID", aid*10+int64(j))
			x.i("QUESTION", q.id)
			x.i("ORIGINALQUESTION", 0)
			x.i("SEQ_NUMBER", 1)
			x.s("ANSWER", strconv.FormatInt(q.id*10, 10))
			x.i("TIMESTAMP", m.added+86100)
			x.i("EVENT", 6)
			x.raw("GRADE", "1")
			x.raw("RAW_GRADE", "1")
			x.raw("PENALTY", "0")
			x.end()
		}
		x.end()
		x.start("NEWEST_STATES")
		for j, q := range qs[:min(3, len(qs))] {
			x.start("NEWEST_STATE")
			x.i("ID", aid*10+int64(j))
			x.i("QUESTIONID", q.id)
			x.i("NEWEST", aid*10+int64(j))
			x.i("NEWGRADED", aid*10+int64(j))
			x.raw("SUMPENALTY", "0")
			x.s("MANUALCOMMENT", "")
			x.end()
		}
		x.end()
		x.end()
		g.m.Attempts++
	}
	x.end()
}

func (g *gen) modResource(m *mod, t *tg) {
	x, p := g.x, g.p
	typ, ref, alltext, popup, options := m.sub, "", "", "", ""
	switch m.sub {
	case "text":
		ref = "2" // text format number
		alltext = t.plain(6)
	case "file":
		ref = p.docs[int(m.id)%len(p.docs)]
		options = "frame"
	case "url":
		typ = "file"
		ref = "http://www.example.org/biology/cells.html?lang=" + g.o.Lang + "&unit=3"
		popup = "resizable=1,scrollbars=1,directories=0,location=0,menubar=0,toolbar=0,status=0,width=620,height=450"
	case "directory":
		ref = "worksheets"
		for i := 1; i <= 3; i++ {
			g.addCourseFile(fmt.Sprintf("worksheets/sheet-%d.pdf", i))
		}
	case "ims":
		// the package in the course files, and deployed (zip kept, unpacked)
		// in moddata/resource/<id>/, where the 2.x converter looks for both
		ref = "ims/cells-package.zip"
		g.addFileKind("course_files/"+ref, "ims-zip", 0)
		g.addFileKind(fmt.Sprintf("moddata/resource/%d/cells-package.zip", m.id), "ims-zip", 0)
		g.addFileKind(fmt.Sprintf("moddata/resource/%d/imsmanifest.xml", m.id), "ims-manifest", 0)
		g.addFileKind(fmt.Sprintf("moddata/resource/%d/index.html", m.id), "page", 0)
	}
	x.s("NAME", m.name)
	x.raw("TYPE", typ)
	x.s("REFERENCE", ref)
	x.hb("SUMMARY", t.html(1))
	switch m.sub {
	case "text":
		x.s("ALLTEXT", alltext)
	case "html":
		x.hb("ALLTEXT", t.html(4))
	default:
		x.h("ALLTEXT", "")
	}
	x.s("POPUP", popup)
	x.s("OPTIONS", options)
	x.i("TIMEMODIFIED", m.added)
	g.m.Resources[typ]++
}

func (g *gen) modScorm(m *mod, t *tg) {
	x := g.x
	ref := "scorm/cells-scorm12.zip"
	g.addFileKind("course_files/"+ref, "scorm-zip", 0)
	g.addFileKind(fmt.Sprintf("moddata/scorm/%d/imsmanifest.xml", m.id), "scorm-manifest", 0)
	g.addFileKind(fmt.Sprintf("moddata/scorm/%d/sco1/index.html", m.id), "page", 0)
	x.s("NAME", m.name)
	x.s("REFERENCE", ref)
	x.raw("VERSION", "SCORM_1.2")
	x.i("MAXGRADE", 100)
	x.i("GRADEMETHOD", 1)
	x.i("LAUNCH", m.id*10+1)
	x.i("SKIPVIEW", 1)
	x.hb("SUMMARY", t.html(1))
	x.i("HIDEBROWSE", 0)
	x.i("HIDETOC", 0)
	x.i("HIDENAV", 0)
	x.i("AUTO", 0)
	x.i("POPUP", 0)
	x.s("OPTIONS", "")
	x.i("WIDTH", 100)
	x.i("HEIGHT", 500)
	x.raw("MD5HASH", fmt.Sprintf("%032x", m.id*982451653))
	x.i("MAXATTEMPT", 0)
	x.i("UPDATEFREQ", 0)
	x.i("TIMEMODIFIED", m.added)
	x.start("SCOES")
	for i, sco := range []struct{ id, typ, title, launch string }{{"org1", "", "Cells", ""}, {"sco1", "sco", t.title(), "sco1/index.html"}} {
		id := m.id*10 + int64(i)
		x.start("SCO")
		x.i("ID", id)
		x.s("MANIFEST", "cells-manifest")
		x.s("ORGANIZATION", map[bool]string{true: "", false: "org1"}[i == 0])
		x.s("PARENT", map[bool]string{true: "/", false: "org1"}[i == 0])
		x.s("IDENTIFIER", sco.id)
		x.s("LAUNCH", sco.launch)
		x.s("SCORMTYPE", sco.typ)
		x.s("TITLE", sco.title)
		if i == 1 {
			x.start("SCO_DATAS")
			x.start("SCO_DATA")
			x.i("ID", id)
			x.i("SCOID", id)
			x.raw("NAME", "masteryscore")
			x.raw("VALUE", "80")
			x.end()
			x.end()
		}
		x.end()
	}
	x.end()
	if !g.userData() {
		return
	}
	x.start("SCO_TRACKS")
	for i := 0; i < 2; i++ {
		x.start("SCO_TRACK")
		x.i("ID", m.id*100+int64(i))
		x.i("USERID", g.student(i).id)
		x.i("SCOID", m.id*10+1)
		x.raw("ELEMENT", "cmi.core.lesson_status")
		x.raw("VALUE", "completed")
		x.i("ATTEMPT", 1)
		x.i("TIMEMODIFIED", m.added+86400)
		x.end()
	}
	x.end()
}

func (g *gen) modSurvey(m *mod, t *tg) {
	x := g.x
	x.i("TEMPLATE", 5)
	x.i("DAYS", 0)
	x.i("TIMECREATED", m.added)
	x.i("TIMEMODIFIED", m.added)
	x.s("NAME", m.name)
	x.hb("INTRO", t.html(1))
	x.s("QUESTIONS", "25,26,27,28,29,30,43,44")
	if !g.userData() {
		return
	}
	x.start("ANSWERS")
	for i := 0; i < 3; i++ {
		x.start("ANSWER")
		x.i("ID", m.id*100+int64(i))
		x.i("USERID", g.student(i).id)
		x.i("QUESTION", 25+int64(i))
		x.i("TIME", m.added+int64(i)*600)
		x.s("ANSWER1", strconv.Itoa(1+i%5))
		x.s("ANSWER2", "")
		x.end()
	}
	x.end()
	x.start("ANALYSIS")
	x.start("ANALYS")
	x.i("ID", m.id)
	x.i("USERID", g.student(0).id)
	x.s("NOTES", t.sentence())
	x.end()
	x.end()
}

func (g *gen) modWiki(m *mod, t *tg) {
	x := g.x
	x.s("NAME", m.name)
	x.hb("SUMMARY", t.html(1))
	x.s("PAGENAME", "")
	x.raw("WTYPE", "group")
	x.i("EWIKIPRINTTITLE", 1)
	x.i("HTMLMODE", 1)
	x.i("EWIKIACCEPTBINARY", 0)
	x.i("DISABLECAMELCASE", 0)
	x.i("SETPAGEFLAGS", 1)
	x.i("STRIPPAGES", 1)
	x.i("REMOVEPAGES", 1)
	x.i("REVERTCHANGES", 1)
	x.s("INITIALCONTENT", "")
	x.i("TIMEMODIFIED", m.added)
	if !g.userData() {
		return
	}
	x.start("ENTRIES")
	x.start("ENTRY")
	x.i("ID", m.id)
	x.i("GROUPID", 0)
	x.i("USERID", 0)
	x.s("PAGENAME", m.name)
	x.i("TIMEMODIFIED", m.added+7200)
	x.start("PAGES")
	for v := 1; v <= 2; v++ {
		u := g.student(v)
		x.start("PAGE")
		x.i("ID", m.id*10+int64(v))
		x.s("PAGENAME", m.name)
		x.i("VERSION", int64(v))
		x.i("FLAGS", 1)
		x.s("CONTENT", "!!! "+t.title()+"\n\n"+t.sentence()+" [CellTheory] ''"+t.sentence()+"''\n\n* "+t.title()+"\n* "+t.title()+"\n")
		x.s("AUTHOR", u.first+" "+u.last+" (192.168.0.1)")
		x.i("USERID", u.id)
		x.i("CREATED", m.added+int64(v)*3600)
		x.i("LASTMODIFIED", m.added+int64(v)*3600)
		x.s("REFS", "$@LINEFEED@$CellTheory$@LINEFEED@$")
		x.s("META", `a:1:{s:6:"client";s:29:"Mozilla/5.0 (Windows; U; XP)";}`)
		x.i("HITS", int64(v*7))
		x.end()
	}
	x.end()
	x.end()
	x.end()
}

func (g *gen) modWorkshop(m *mod, t *tg) {
	x, p := g.x, g.p
	x.s("NAME", m.name)
	x.hb("DESCRIPTION", t.html(2))
	x.i("WTYPE", 0)
	x.i("NELEMENTS", 2)
	x.i("NATTACHMENTS", 1)
	x.i("FORMAT", 1)
	x.i("GRADINGSTRATEGY", 1)
	x.i("RESUBMIT", 0)
	x.i("AGREEASSESSMENTS", 0)
	x.i("HIDEGRADES", 0)
	x.i("ANONYMOUS", 0)
	x.i("INCLUDESELF", 0)
	x.i("MAXBYTES", 1048576)
	x.i("SUBMISSIONSTART", p.created)
	x.i("ASSESSMENTSTART", p.created+7*86400)
	x.i("SUBMISSIONEND", p.created+14*86400)
	x.i("ASSESSMENTEND", p.created+21*86400)
	x.i("RELEASEGRADES", p.created+22*86400)
	x.i("GRADE", 100)
	x.i("GRADINGGRADE", 20)
	x.i("NTASSESSMENTS", 0)
	x.i("ASSESSMENTCOMPS", 2)
	x.i("NSASSESSMENTS", 2)
	x.i("OVERALLOCATION", 0)
	x.i("TIMEMODIFIED", m.added)
	x.i("TEACHERWEIGHT", 1)
	x.i("SHOWLEAGUETABLE", 0)
	x.i("USEPASSWORD", 0)
	x.s("PASSWORD", "")
	x.start("ELEMENTS")
	for e := 0; e < 2; e++ {
		x.start("ELEMENT")
		x.i("ELEMENTNO", int64(e))
		x.h("DESCRIPTION", t.sentence())
		x.i("SCALE", 0)
		x.i("MAXSCORE", 10)
		x.i("WEIGHT", 11)
		x.raw("STDDEV", "0")
		x.i("TOTALASSESSMENTS", 0)
		x.start("RUBRICS")
		x.end()
		x.start("STOCKCOMMENTS")
		x.start("STOCKCOMMENT")
		x.s("COMMENT_TEXT", t.sentence())
		x.end()
		x.end()
		x.end()
	}
	x.end()
	if !g.userData() {
		return
	}
	x.start("SUBMISSIONS")
	for i := 0; i < 2; i++ {
		sid := m.id*100 + int64(i)
		u := g.student(i)
		g.addFile(fmt.Sprintf("moddata/workshop/%d/essay-%d.doc", sid, i+1), "doc", sid)
		x.start("SUBMISSION")
		x.i("ID", sid)
		x.i("USERID", u.id)
		x.s("TITLE", t.title())
		x.i("TIMECREATED", p.created+86400*int64(i+1))
		x.i("MAILED", 1)
		x.hb("DESCRIPTION", t.html(1))
		x.i("GRADINGGRADE", 0)
		x.i("FINALGRADE", 0)
		x.i("LATE", 0)
		x.i("NASSESSMENTS", 1)
		x.start("ASSESSMENTS")
		x.start("ASSESSMENT")
		x.i("ID", sid)
		x.i("USERID", g.student(i+1).id)
		x.i("TIMECREATED", p.created+8*86400)
		x.i("TIMEGRADED", p.created+8*86400)
		x.i("TIMEAGREED", 0)
		x.raw("GRADE", "75")
		x.i("GRADINGGRADE", 0)
		x.i("TEACHERGRADED", 0)
		x.i("MAILED", 1)
		x.i("RESUBMISSION", 0)
		x.i("DONOTUSE", 0)
		x.h("GENERALCOMMENT", "<p>"+t.sentence()+"</p>")
		x.h("TEACHERCOMMENT", "")
		x.start("GRADES")
		for e := 0; e < 2; e++ {
			x.start("GRADE")
			x.i("ELEMENTNO", int64(e))
			x.s("FEEDBACK", t.sentence())
			x.i("GRADE_VALUE", int64(7+e))
			x.end()
		}
		x.end()
		x.end()
		x.end()
		x.end()
	}
	x.end()
}
