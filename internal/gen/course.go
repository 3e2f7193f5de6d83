package gen

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func tf(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func b01(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// userData reports whether user data is in the backup.
func (g *gen) userData() bool { return !g.o.NoUserData }

// langValue is a language code as the era stored it ("ru" before 1.6 and on
// 1.6/1.7 sites not migrated to UTF-8, "ru_utf8" after).
func (g *gen) langValue(code string) string {
	if g.e.minor <= 5 || g.leg != nil && g.mojibake {
		return code
	}
	return code + "_utf8"
}

func (g *gen) writeDocument() {
	x := g.x
	switch {
	case g.o.Damage.NoDeclaration && !g.o.Clean:
	case g.o.Damage.RawLegacyBytes && !g.o.Clean:
		x.buf = append(x.buf, `<?xml version="1.0" encoding="`+g.leg.name+`"?>`+x.eol...)
	default:
		x.buf = append(x.buf, `<?xml version="1.0" encoding="UTF-8"?>`+x.eol...)
	}
	x.start("MOODLE_BACKUP")
	g.writeInfo()
	if g.e.roles {
		g.writeRoles()
	}
	x.start("COURSE")
	g.writeHeader()
	g.writeBlocks()
	g.writeSections()
	if g.userData() {
		g.writeUsers()
	}
	g.writeQuestions()
	if g.o.Logs > 0 && g.userData() {
		g.writeLogs()
	}
	g.writeScales()
	g.writeGroups()
	g.writeEvents()
	g.writeGradebook()
	g.writeModules()
	if g.e.formatData {
		x.start("FORMATDATA")
		x.end()
	}
	x.end()
	x.end()
}

func (g *gen) backupName() string {
	t := time.Unix(g.p.backupAt, 0).UTC()
	return "backup-" + strings.ToLower(g.p.short) + "-" + t.Format("20060102-1504") + ".zip"
}

func (g *gen) writeInfo() {
	x, e, p := g.x, g.e, g.p
	x.start("INFO")
	x.s("NAME", g.backupName())
	x.raw("MOODLE_VERSION", e.moodleVersion)
	x.s("MOODLE_RELEASE", e.moodleRelease)
	x.raw("BACKUP_VERSION", e.backupVersion)
	x.s("BACKUP_RELEASE", e.backupRelease)
	x.i("DATE", p.backupAt)
	x.raw("ORIGINAL_WWWROOT", p.www)
	if e.siteHash {
		x.raw("ORIGINAL_SITE_IDENTIFIER_HASH", fmt.Sprintf("%x", md5.Sum([]byte(p.www+strconv.FormatInt(g.o.Seed, 10)))))
	}
	x.raw("ZIP_METHOD", "internal")
	x.start("DETAILS")
	for _, t := range moduleTypes {
		ms := p.modsOf(t)
		x.start("MOD")
		x.raw("NAME", t)
		x.raw("INCLUDED", tf(len(ms) > 0))
		x.raw("USERINFO", tf(len(ms) > 0 && g.userData()))
		if e.instances && len(ms) > 0 {
			x.start("INSTANCES")
			for _, m := range ms {
				x.startFlat("INSTANCE")
				x.i("ID", m.id)
				x.s("NAME", g.instanceName(m))
				x.raw("INCLUDED", "true")
				x.raw("USERINFO", tf(g.userData()))
				x.end()
			}
			x.end()
		}
		x.end()
	}
	x.raw("METACOURSE", "false")
	if g.userData() {
		x.raw("USERS", "course")
	} else {
		x.raw("USERS", "none")
	}
	x.raw("LOGS", tf(g.o.Logs > 0 && g.userData()))
	x.raw("USERFILES", tf(g.userData()))
	x.raw("COURSEFILES", "true")
	if e.v19 {
		x.raw("SITEFILES", "true")
	}
	if e.histories {
		x.raw("GRADEBOOKHISTORIES", "false")
	}
	x.raw("MESSAGES", "false")
	if e.v19 {
		x.raw("BLOGS", "false")
	}
	x.raw("BLOCKFORMAT", "instances")
	x.end()
	x.end()
}

// instanceName is the NAME of an activity (labels get an excerpt of their
// content, as Moodle made it).
func (g *gen) instanceName(m *mod) string {
	if m.typ == "label" {
		return "Label " + strconv.FormatInt(m.id, 10)
	}
	return m.name
}

type role struct {
	id              int64
	name, shortname string
	caps            []string
	perm            int64
}

var roles = []role{
	{id: 3, name: "Teacher", shortname: "editingteacher", caps: []string{"moodle/course:update", "moodle/course:manageactivities", "mod/forum:addnews", "mod/quiz:grade"}, perm: 1},
	{id: 5, name: "Student", shortname: "student", caps: []string{"moodle/course:view", "mod/forum:replypost", "mod/quiz:attempt", "mod/assignment:submit"}, perm: 1},
}

func (g *gen) writeRoles() {
	x := g.x
	x.start("ROLES")
	for _, r := range roles {
		x.start("ROLE")
		x.i("ID", r.id)
		x.s("NAME", r.name)
		x.raw("SHORTNAME", r.shortname)
		if r.shortname == "student" {
			x.s("NAMEINCOURSE", "Learner")
		}
		x.start("CAPABILITIES")
		for _, c := range r.caps {
			x.start("CAPABILITY")
			x.raw("NAME", c)
			x.i("PERMISSION", r.perm)
			x.i("TIMEMODIFIED", 0)
			x.i("MODIFIERID", 0)
			x.end()
		}
		x.end()
		x.end()
	}
	x.end()
}

// writeRoleBlocks writes ROLES_OVERRIDES and ROLES_ASSIGNMENTS of one
// context (1.7+). assign lists the users assigned per role shortname.
func (g *gen) writeRoleBlocks(override bool, assign map[string][]*user) {
	if !g.e.roles {
		return
	}
	x := g.x
	x.start("ROLES_OVERRIDES")
	if override {
		r := roles[1]
		x.start("ROLE")
		x.i("ID", r.id)
		x.s("NAME", r.name)
		x.raw("SHORTNAME", r.shortname)
		x.start("CAPABILITIES")
		x.start("CAPABILITY")
		x.raw("NAME", "mod/forum:startdiscussion")
		x.i("PERMISSION", -1)
		x.i("TIMEMODIFIED", g.p.created+5000)
		x.i("MODIFIERID", g.p.teacher.id)
		x.end()
		x.end()
		x.end()
	}
	x.end()
	x.start("ROLES_ASSIGNMENTS")
	for _, r := range roles {
		us := assign[r.shortname]
		if len(us) == 0 {
			continue
		}
		x.start("ROLE")
		x.i("ID", r.id)
		x.s("NAME", r.name)
		x.raw("SHORTNAME", r.shortname)
		x.start("ASSIGNMENTS")
		for i, u := range us {
			x.start("ASSIGNMENT")
			x.i("USERID", u.id)
			x.i("HIDDEN", 0)
			x.i("TIMESTART", 0)
			x.i("TIMEEND", 0)
			x.i("TIMEMODIFIED", g.p.created+int64(i)*60)
			x.i("MODIFIERID", g.p.admin.id)
			x.raw("ENROL", "manual")
			x.i("SORTORDER", 0)
			x.end()
		}
		x.end()
		x.end()
	}
	x.end()
}

func (g *gen) writeHeader() {
	x, e, p := g.x, g.e, g.p
	t := g.tg("header")
	x.start("HEADER")
	x.i("ID", p.courseID)
	x.start("CATEGORY")
	x.i("ID", 1)
	x.s("NAME", p.category)
	x.end()
	x.s("PASSWORD", "")
	x.s("FULLNAME", p.full)
	x.s("SHORTNAME", p.short)
	x.s("IDNUMBER", p.short+"-2008")
	x.hb("SUMMARY", t.html(2))
	x.raw("FORMAT", "topics")
	x.i("SHOWGRADES", 1)
	x.i("NEWSITEMS", 5)
	x.s("TEACHER", "Teacher")
	x.s("TEACHERS", "Teachers")
	x.s("STUDENT", "Student")
	x.s("STUDENTS", "Students")
	x.i("GUEST", 0)
	x.i("STARTDATE", p.created+86400)
	x.i("NUMSECTIONS", int64(g.o.Sections))
	x.i("SHOWRECENT", 1)
	x.i("MAXBYTES", 2097152)
	x.i("SHOWREPORTS", 0)
	x.i("GROUPMODE", 0)
	x.i("GROUPMODEFORCE", 0)
	if e.v19 {
		x.i("DEFAULTGROUPINGID", 0)
	}
	lang := ""
	if g.o.Lang != "en" {
		lang = g.langValue(g.o.Lang)
	}
	x.s("LANG", lang)
	x.s("THEME", "")
	x.s("COST", "")
	if e.roles {
		x.raw("CURRENCY", "USD")
	}
	x.i("MARKER", 0)
	x.i("VISIBLE", 1)
	x.i("HIDDENSECTIONS", 0)
	x.i("TIMECREATED", p.created)
	x.i("TIMEMODIFIED", p.created+3_000_000)
	x.i("METACOURSE", 0)
	if e.v19 {
		x.i("EXPIRENOTIFY", 0)
		x.i("NOTIFYSTUDENTS", 0)
		x.i("EXPIRYTHRESHOLD", 864000)
		x.i("ENROLLABLE", 1)
		x.i("ENROLSTARTDATE", 0)
		x.i("ENROLENDDATE", 0)
	}
	x.i("ENROLPERIOD", 0)
	if e.roles && g.userData() {
		g.writeRoleBlocks(true, map[string][]*user{"editingteacher": {p.teacher}, "student": p.students})
	} else if e.roles {
		g.writeRoleBlocks(true, nil)
	}
	x.end()
}

// phpString is PHP serialize() of a string: the length counts bytes.
func phpString(s string) string { return "s:" + strconv.Itoa(len(s)) + ":\"" + s + "\";" }

func (g *gen) writeBlocks() {
	x, e, p := g.x, g.e, g.p
	t := g.tg("blocks")
	x.start("BLOCKS")
	names := []struct {
		name, pos string
	}{{"participants", "l"}, {"activity_modules", "l"}, {"search_forums", "l"}, {"admin", "l"}, {"course_list", "l"},
		{"html", "r"}, {"news_items", "r"}, {"calendar_upcoming", "r"}, {"recent_activity", "r"}}
	weights := map[string]int64{}
	if g.o.lean {
		names = names[5:7] // html, news_items
	}
	for i, b := range names {
		x.start("BLOCK")
		if e.roles {
			x.i("ID", int64(20+i))
		}
		x.raw("NAME", b.name)
		x.i("PAGEID", p.courseID)
		x.raw("PAGETYPE", "course-view")
		x.raw("POSITION", b.pos)
		x.i("WEIGHT", weights[b.pos])
		weights[b.pos]++
		x.i("VISIBLE", 1)
		cfg := "b:0;"
		if b.name == "html" {
			g.noRel = true
			text := string(t.html(1))
			g.noRel = false
			if g.leg != nil {
				text = g.leg.representable(text)
			}
			text = g.links.encode(text, func(string) {})
			title := t.title()
			if g.leg != nil && !g.o.Clean {
				title = string(g.leg.appendRaw(nil, []byte(g.leg.representable(title))))
				text = string(g.leg.appendRaw(nil, []byte(text)))
			}
			if g.leg != nil && hasNonASCII([]byte(title+text)) {
				g.m.LegacyValues++
			}
			cfg = `O:8:"stdClass":2:{s:5:"title";` + phpString(title) + `s:4:"text";` + phpString(text) + "}"
		}
		x.raw("CONFIGDATA", base64.StdEncoding.EncodeToString([]byte(cfg)))
		g.writeRoleBlocks(false, nil)
		x.end()
		g.m.Blocks++
	}
	x.end()
}

func (g *gen) writeSections() {
	x, e, p := g.x, g.e, g.p
	t := g.tg("sections")
	x.start("SECTIONS")
	sid := int64(100 + p.courseID*13)
	for n, mods := range p.sections {
		x.start("SECTION")
		x.i("ID", sid+int64(n))
		x.i("NUMBER", int64(n))
		switch {
		case n%7 == 6 && e.v19:
			x.null("SUMMARY")
		case n%5 == 4:
			x.h("SUMMARY", "")
		default:
			x.hb("SUMMARY", t.html(1+n%3))
		}
		x.i("VISIBLE", 1)
		if len(mods) > 0 {
			x.start("MODS")
			for _, m := range mods {
				x.start("MOD")
				x.i("ID", m.cmid)
				x.raw("TYPE", m.typ)
				x.i("INSTANCE", m.id)
				x.i("ADDED", m.added)
				if e.minor <= 6 {
					x.i("DELETED", 0)
				}
				x.i("SCORE", 0)
				x.i("INDENT", int64(m.indent))
				x.i("VISIBLE", int64(m.visible))
				x.i("GROUPMODE", int64(m.groupmode))
				if e.v19 {
					x.i("GROUPINGID", 0)
					x.i("GROUPMEMBERSONLY", 0)
					x.s("IDNUMBER", "")
				}
				g.writeRoleBlocks(m.typ == "forum" && m.sub == "news", nil)
				x.end()
				g.m.SectionMods++
			}
			x.end()
		}
		x.end()
		g.m.Sections++
	}
	x.end()
}

func (g *gen) writeUsers() {
	x, e, p := g.x, g.e, g.p
	t := g.tg("users")
	x.start("USERS")
	courseLeg := g.leg
	defer func() { g.leg = courseLeg }()
	for i, u := range p.users {
		// A user's profile was typed in the charset of the user's own
		// language pack (repairs.md §2.4: profile fields belong to the user).
		g.leg = g.legacyFor(u.lang)
		x.start("USER")
		x.i("ID", u.id)
		x.raw("AUTH", u.auth)
		x.i("CONFIRMED", 1)
		x.i("POLICYAGREED", 0)
		x.i("DELETED", b01(u.deleted))
		x.s("USERNAME", u.username)
		if !e.noPasswords {
			x.raw("PASSWORD", u.password)
		}
		x.s("IDNUMBER", "")
		x.s("FIRSTNAME", u.first)
		x.s("LASTNAME", u.last)
		x.s("EMAIL", u.email)
		x.i("EMAILSTOP", 0)
		for _, f := range []string{"ICQ", "SKYPE", "YAHOO", "AIM", "MSN", "PHONE1", "PHONE2"} {
			x.s(f, "")
		}
		x.s("INSTITUTION", "Springfield College")
		x.s("DEPARTMENT", t.title())
		x.s("ADDRESS", "")
		x.s("CITY", u.city)
		x.raw("COUNTRY", u.country)
		x.raw("LANG", g.langValue(u.lang))
		x.s("THEME", "")
		x.raw("TIMEZONE", "99")
		x.i("FIRSTACCESS", p.created+int64(i)*3600)
		x.i("LASTACCESS", p.backupAt-int64(i)*7200)
		x.i("LASTLOGIN", p.backupAt-int64(i)*9000)
		x.i("CURRENTLOGIN", p.backupAt-int64(i)*7200)
		x.raw("LASTIP", fmt.Sprintf("192.168.%d.%d", i/200, 10+i%200))
		if e.minor <= 8 {
			x.raw("SECRET", "")
		}
		if e.minor == 5 {
			x.raw("GUID", "")
		}
		x.i("PICTURE", b01(u.picture))
		x.s("URL", "")
		if i%3 == 0 {
			x.hb("DESCRIPTION", t.html(1))
		} else {
			x.h("DESCRIPTION", "")
		}
		x.i("MAILFORMAT", 1)
		x.i("MAILDIGEST", 0)
		x.i("MAILDISPLAY", 2)
		x.i("HTMLEDITOR", 1)
		if e.roles {
			x.i("AJAX", 1)
		}
		x.i("AUTOSUBSCRIBE", 1)
		x.i("TRACKFORUMS", 0)
		x.i("TIMEMODIFIED", p.created+int64(i)*3600)
		g.writeLegacyRoles(u)
		if e.v19 && u.role == "student" && !u.deleted {
			x.start("USER_CUSTOM_PROFILE_FIELDS")
			x.start("USER_CUSTOM_PROFILE_FIELD")
			x.raw("FIELD_NAME", "studentno")
			x.raw("FIELD_TYPE", "text")
			x.s("FIELD_DATA", fmt.Sprintf("%06d", u.id))
			x.end()
			x.end()
		}
		x.start("USER_PREFERENCES")
		x.start("USER_PREFERENCE")
		x.raw("NAME", "forum_displaymode")
		x.raw("VALUE", "3")
		x.end()
		x.end()
		if e.roles {
			g.writeRoleBlocks(false, nil)
		}
		x.end()
		g.m.Users++
		x.maybeFlush()
	}
	x.end()
}

// legacyFor is the legacy charset of text owned by a user of language
// lang: the course charset for the course language, else that language's
// pack charset (nil when the course has no legacy charset).
func (g *gen) legacyFor(lang string) *legacy {
	if g.courseLeg == nil || lang == g.o.Lang {
		return g.courseLeg
	}
	if g.legs == nil {
		g.legs = map[string]*legacy{}
	}
	l, ok := g.legs[lang]
	if !ok {
		l = newLegacy(languages[lang].charset)
		g.legs[lang] = l
	}
	return l
}

// writeLegacyRoles writes USER/ROLES: only "needed" in 1.9; before, the
// legacy teacher/student/admin roles too.
func (g *gen) writeLegacyRoles(u *user) {
	x, e, p := g.x, g.e, g.p
	x.start("ROLES")
	if e.legacyRoles && !u.deleted {
		switch u.role {
		case "admin":
			x.start("ROLE")
			x.raw("TYPE", "admin")
			x.end()
		case "editingteacher":
			x.start("ROLE")
			x.raw("TYPE", "teacher")
			x.i("AUTHORITY", 1)
			x.s("TEA_ROLE", "")
			x.i("EDITALL", 1)
			x.i("TIMESTART", 0)
			x.i("TIMEEND", 0)
			x.i("TIMEMODIFIED", p.created)
			x.i("TIMEACCESS", p.backupAt-3600)
			x.raw("ENROL", "manual")
			x.end()
		case "student":
			x.start("ROLE")
			x.raw("TYPE", "student")
			x.i("TIMESTART", 0)
			x.i("TIMEEND", 0)
			x.i("TIME", p.created+86400)
			x.i("TIMEACCESS", p.backupAt-7200)
			x.raw("ENROL", "manual")
			x.end()
		}
	}
	x.start("ROLE")
	x.raw("TYPE", "needed")
	x.end()
	x.end()
}

func (g *gen) writeScales() {
	x, p := g.x, g.p
	x.start("SCALES")
	for _, s := range []struct {
		id, course int64
		name, text string
	}{
		{p.siteScl, 0, "Separate and Connected ways of knowing", "Mostly separate knowing,Separate and connected,Mostly connected knowing"},
		{p.scaleID, p.courseID, "Lab skills", "Not yet,Developing,Secure,Excellent"},
	} {
		x.start("SCALE")
		x.i("ID", s.id)
		x.i("COURSEID", s.course)
		x.i("USERID", p.teacher.id)
		x.s("NAME", s.name)
		x.s("SCALETEXT", s.text)
		x.h("DESCRIPTION", "<p>"+s.name+"</p>")
		x.i("TIMEMODIFIED", p.created)
		x.end()
		g.m.Scales++
	}
	x.end()
}

func (g *gen) writeGroups() {
	x, e, p := g.x, g.e, g.p
	x.start("GROUPS")
	for _, gr := range p.groups {
		x.start("GROUP")
		x.i("ID", gr.id)
		x.i("COURSEID", p.courseID)
		x.s("NAME", gr.name)
		x.h("DESCRIPTION", "<p>"+gr.name+"</p>")
		if e.enrolmentKey {
			x.s("ENROLMENTKEY", "")
		} else {
			x.s("PASSWORD", "")
			x.s("LANG", "")
			x.s("THEME", "")
		}
		x.i("PICTURE", b01(gr.picture && e.v19))
		x.i("HIDEPICTURE", 0)
		x.i("TIMECREATED", p.created)
		x.i("TIMEMODIFIED", p.created)
		if g.userData() {
			x.start("MEMBERS")
			for _, uid := range gr.members {
				x.start("MEMBER")
				if e.v19 {
					x.i("GROUPID", gr.id)
				}
				x.i("USERID", uid)
				x.i("TIMEADDED", p.created+600)
				x.end()
			}
			x.end()
		}
		x.end()
		g.m.Groups++
		if gr.picture && e.v19 {
			g.addFile(fmt.Sprintf("group_files/%d/f1.jpg", gr.id), "jpg", gr.id)
		}
	}
	x.end()
	if !e.v19 {
		return
	}
	x.start("GROUPINGS")
	x.start("GROUPING")
	x.i("ID", p.grouping)
	x.i("COURSEID", p.courseID)
	x.s("NAME", "All labs")
	x.h("DESCRIPTION", "")
	x.null("CONFIGDATA")
	x.i("TIMECREATED", p.created)
	x.i("TIMEMODIFIED", p.created)
	x.end()
	x.end()
	g.m.Groupings++
	x.start("GROUPINGSGROUPS")
	for i, gr := range p.groups {
		x.start("GROUPINGGROUP")
		x.i("ID", int64(i+1))
		x.i("GROUPINGID", p.grouping)
		x.i("GROUPID", gr.id)
		x.i("TIMEADDED", p.created+600)
		x.end()
	}
	x.end()
}

func (g *gen) writeEvents() {
	x, p := g.x, g.p
	t := g.tg("events")
	x.start("EVENTS")
	n := 2
	if g.o.lean {
		n = 0
	}
	for i := 0; i < n; i++ {
		x.start("EVENT")
		x.i("ID", int64(40+i))
		x.s("NAME", t.title())
		x.hb("DESCRIPTION", t.html(1))
		x.i("FORMAT", 1)
		x.i("GROUPID", 0)
		x.i("USERID", p.teacher.id)
		x.i("REPEATID", 0)
		x.raw("EVENTTYPE", "course")
		x.s("MODULENAME", "")
		x.i("TIMESTART", p.created+int64(i+2)*7*86400)
		x.i("TIMEDURATION", 3600)
		x.i("VISIBLE", 1)
		x.i("TIMEMODIFIED", p.created)
		x.end()
		g.m.Events++
	}
	x.end()
}

// writeLogs writes LOGS/LOG: the course log, every row (spec §9.9). URL
// is relative to the module's folder, as Moodle logged it.
func (g *gen) writeLogs() {
	x, p := g.x, g.p
	x.start("LOGS")
	for i := 0; i < g.o.Logs && !g.stopped(); i++ {
		m := p.mods[i%len(p.mods)]
		u := g.student(i)
		module, action, cmid := m.typ, "view", m.cmid
		var url string
		switch i % 5 {
		case 0:
			module, cmid = "course", 0
			url = "view.php?id=" + strconv.FormatInt(p.courseID, 10)
		case 1:
			module, action, cmid = "user", "view", 0
			url = fmt.Sprintf("view.php?id=%d&course=%d", u.id, p.courseID)
		case 2:
			module, action = "forum", "add post"
			url = fmt.Sprintf("discuss.php?d=%d&parent=%d", 10+i%90, 100+i%900)
		default:
			url = "view.php?id=" + strconv.FormatInt(m.cmid, 10)
		}
		x.start("LOG")
		x.i("ID", int64(1000+i))
		x.i("TIME", p.created+int64(i)*97)
		x.i("USERID", u.id)
		x.raw("IP", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		x.raw("MODULE", module)
		x.i("CMID", cmid)
		x.raw("ACTION", action)
		x.s("URL", url)
		x.s("INFO", strconv.FormatInt(m.id, 10))
		x.end()
		g.m.Logs++
		x.maybeFlush()
	}
	x.end()
}
