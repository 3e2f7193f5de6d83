package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// kind is one module type with its subtype (resource TYPE, assignment
// ASSIGNMENTTYPE, forum TYPE).
type kind struct{ typ, sub string }

// kindCycle is the order in which numbered sections receive activities. The
// first 30 cover every core module, every resource type, every assignment
// type and the third-party hotpot and journal.
var kindCycle = []kind{
	{"forum", "general"}, {"resource", "html"}, {"quiz", ""}, {"assignment", "upload"}, {"label", ""},
	{"resource", "file"}, {"glossary", ""}, {"lesson", ""}, {"choice", ""}, {"resource", "text"},
	{"wiki", ""}, {"data", ""}, {"assignment", "online"}, {"resource", "directory"}, {"workshop", ""},
	{"scorm", ""}, {"chat", ""}, {"resource", "ims"}, {"survey", ""}, {"assignment", "offline"},
	{"hotpot", ""}, {"journal", ""}, {"resource", "url"}, {"assignment", "uploadsingle"}, {"forum", "qanda"},
	{"label", ""}, {"forum", "social"}, {"quiz", ""}, {"forum", "eachuser"}, {"forum", "single"},
}

// kindsOf returns kindCycle with only the given module types (all when
// types is empty; withDefaults rejects a type not in the cycle).
func kindsOf(types []string) []kind {
	if len(types) == 0 {
		return kindCycle
	}
	var out []kind
	for _, k := range kindCycle {
		for _, t := range types {
			if k.typ == t {
				out = append(out, k)
				break
			}
		}
	}
	if len(out) == 0 {
		return kindCycle
	}
	return out
}

// moduleTypes is every module type with backup support on the simulated
// site, in INFO/DETAILS and MODULES order. exercise is installed but never
// selected (it is disabled by default in 1.9).
var moduleTypes = []string{"assignment", "chat", "choice", "data", "exercise", "forum", "glossary", "hotpot",
	"journal", "label", "lesson", "quiz", "resource", "scorm", "survey", "wiki", "workshop"}

type mod struct {
	cmid, id  int64
	typ, sub  string
	name      string
	section   int
	visible   int
	indent    int
	groupmode int
	added     int64
	graded    bool
}

type user struct {
	id                  int64
	username, first     string
	last, email, lang   string
	city, country, auth string
	picture, deleted    bool
	role                string // "admin", "editingteacher", "student"
	password            string
}

type group struct {
	id      int64
	name    string
	members []int64
	picture bool
}

type qcat struct {
	id        int64
	name      string
	level     string // 1.9 CONTEXT/LEVEL
	instance  int64  // module context: course-module id
	parent    int64
	questions []*question
}

type question struct {
	id, parent int64
	qtype      string
	name       string
	subs       []*question // multianswer sub-questions
	image      string
}

type courseFile struct {
	path string
	size int64
}

// plan is the whole course, decided up front from the options: everything
// small enough to hold (ids, names, structure). Bulky content (posts, page
// text) is produced while writing.
type plan struct {
	o        Options
	e        era
	courseID int64
	www      string
	short    string
	full     string
	backupAt int64 // INFO/DATE
	created  int64
	category string

	users    []*user
	students []*user
	teacher  *user
	admin    *user
	sections [][]*mod // index = section number
	mods     []*mod   // every module, cmid order
	byType   map[string][]*mod
	groups   []*group
	grouping int64
	scaleID  int64 // course scale
	siteScl  int64 // site scale
	cats     []*qcat
	files    []courseFile // course_files/, fixed part
	images   []string
	docs     []string
}

var hosts = []string{"http://moodle.example.edu", "https://elearning.example.ac.uk/moodle", "http://lms.example.org",
	"http://www.example-school.net/moodle", "http://moodle.example.edu:8080"}

func newPlan(o Options, e era) *plan {
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15))
	p := &plan{o: o, e: e, byType: map[string][]*mod{}}
	p.courseID = int64(2 + r.IntN(60))
	p.www = hosts[r.IntN(len(hosts))]
	codes := []string{"BIO", "CHEM", "PHYS", "GEO", "HIST"}
	code := codes[r.IntN(len(codes))]
	p.short = fmt.Sprintf("%s%d", code, 100+r.IntN(300))
	lang := languages[o.Lang]
	p.full = p.short + " " + lang.titles[r.IntN(len(lang.titles))]
	base := int64(1_100_000_000) // 2004-11
	if e.minor >= 7 {
		base = 1_160_000_000
	}
	if e.v19 {
		base = 1_205_000_000 + int64(e.patch)*7_000_000 // 1.9.0 March 2008 … 1.9.19 mid 2012
	}
	p.created = base + int64(r.IntN(5_000_000))
	p.backupAt = p.created + 20_000_000 + int64(r.IntN(5_000_000))
	p.category = "Science"

	// users
	p.admin = &user{id: 2, username: "admin", role: "admin", auth: "manual"}
	p.teacher = &user{id: int64(3 + r.IntN(20)), role: "editingteacher", auth: "manual"}
	p.users = append(p.users, p.admin, p.teacher)
	next := p.teacher.id + 7
	for i := 0; i < o.Users; i++ {
		u := &user{id: next, role: "student", auth: "manual"}
		if i%4 == 3 {
			u.auth = "email"
		}
		next += int64(1 + r.IntN(40))
		if i == o.Users/2 && next < 1000 {
			next += 1000 // some ids above 1000: 1.9 user_files buckets
		}
		p.users = append(p.users, u)
		p.students = append(p.students, u)
	}
	deleted := &user{id: next + 3, role: "student", deleted: true, auth: "manual"}
	p.users = append(p.users, deleted)
	if o.lean {
		// the admin and the deleted user stay referenced by id only
		p.users = p.users[1 : len(p.users)-1]
	}
	for i, u := range p.users {
		u.first = lang.first[(i+r.IntN(3))%len(lang.first)]
		u.last = lang.last[(i*3+r.IntN(5))%len(lang.last)]
		if u.username == "" {
			u.username = strings.ToLower(fmt.Sprintf("u%d%c", u.id, 'a'+rune(i%26)))
		}
		u.email = u.username + "@example.edu"
		u.lang = o.Lang
		u.city = "Springfield"
		u.country = []string{"GB", "FR", "DE", "RU", "JP", "US", "ES"}[r.IntN(7)]
		u.picture = i%3 == 1
		u.password = fmt.Sprintf("%032x", r.Uint64())[:16] + fmt.Sprintf("%016x", r.Uint64())
		if i%5 == 4 {
			u.lang = "en"
		}
	}
	deleted.username = deleted.email + "." + strconv.FormatInt(p.backupAt-86400*30, 10)
	deleted.picture = false

	// sections and modules
	cm := int64(300 + r.IntN(200))
	ids := map[string]int64{}
	newMod := func(k kind, sec int) *mod {
		if ids[k.typ] == 0 {
			ids[k.typ] = int64(1 + r.IntN(40))
		} else {
			ids[k.typ] += int64(1 + r.IntN(3))
		}
		cm += int64(1 + r.IntN(3))
		m := &mod{cmid: cm, id: ids[k.typ], typ: k.typ, sub: k.sub, section: sec, visible: 1}
		if r.IntN(9) == 0 {
			m.visible = 0
		}
		if r.IntN(5) == 0 {
			m.indent = 1
		}
		if k.typ == "forum" || k.typ == "assignment" || k.typ == "wiki" {
			m.groupmode = r.IntN(3)
		}
		m.added = p.created + int64(r.IntN(1_000_000))
		m.name = modName(k, lang, r)
		switch k.typ {
		case "assignment", "forum", "glossary", "lesson", "quiz", "data", "hotpot", "scorm", "workshop", "journal":
			m.graded = k.typ != "forum" || k.sub == "general" || k.sub == "qanda"
		}
		p.mods = append(p.mods, m)
		p.byType[k.typ] = append(p.byType[k.typ], m)
		return m
	}
	p.sections = make([][]*mod, o.Sections+1+o.OrphanSections)
	news := newMod(kind{"forum", "news"}, 0)
	news.name = "News forum"
	p.sections[0] = append(p.sections[0], news)
	if !o.lean {
		p.sections[0] = append(p.sections[0], newMod(kind{"label", ""}, 0))
	}
	cycle := kindsOf(o.ModuleTypes)
	k := 0
	for s := 1; s <= o.Sections; s++ {
		for j := 0; j < o.ModulesPerSection; j++ {
			p.sections[s] = append(p.sections[s], newMod(cycle[k%len(cycle)], s))
			k++
		}
	}
	// orphaned sections (above NUMSECTIONS) keep one activity each
	for s := o.Sections + 1; s < len(p.sections); s++ {
		p.sections[s] = append(p.sections[s], newMod(cycle[k%len(cycle)], s))
		k++
	}

	// groups
	gid := int64(10 + r.IntN(30))
	for i := 0; i < 2; i++ {
		g := &group{id: gid + int64(i), name: fmt.Sprintf("Lab %c", 'A'+i), picture: i == 0}
		for j, s := range p.students {
			if j%2 == i {
				g.members = append(g.members, s.id)
			}
		}
		p.groups = append(p.groups, g)
	}
	p.grouping = int64(3 + r.IntN(9))
	p.scaleID = int64(3 + r.IntN(9))
	p.siteScl = 1

	// files
	for i := 0; i < o.FileCount; i++ {
		var path string
		switch i % 3 {
		case 0:
			path = fmt.Sprintf("pics/cell-%02d.png", i+1)
			p.images = append(p.images, path)
		case 1:
			path = fmt.Sprintf("docs/handout-%02d.pdf", i+1)
			p.docs = append(p.docs, path)
		default:
			path = fmt.Sprintf("docs/week %d/notes_%d.doc", i/3+1, i+1)
			p.docs = append(p.docs, path)
		}
		p.files = append(p.files, courseFile{path, o.FileSize})
	}
	if len(p.images) == 0 {
		p.images = append(p.images, "pics/logo.png")
		p.files = append(p.files, courseFile{"pics/logo.png", o.FileSize})
	}
	if len(p.docs) == 0 {
		p.docs = append(p.docs, "docs/syllabus.pdf")
		p.files = append(p.files, courseFile{"docs/syllabus.pdf", o.FileSize})
	}

	// question categories and questions
	qid := int64(100 + r.IntN(400))
	nextQ := func(qtype string, parent int64) *question {
		qid += int64(1 + r.IntN(2))
		return &question{id: qid, parent: parent, qtype: qtype, name: qtypeName(qtype, lang, r)}
	}
	catID := int64(5 + r.IntN(20))
	def := &qcat{id: catID, name: "Default for " + p.short, level: "course"}
	qtypes := []string{"multichoice", "multichoice", "truefalse", "shortanswer", "numerical", "calculated",
		"match", "essay", "description", "randomsamatch", "multianswer", "random"}
	if o.lean {
		qtypes = []string{"truefalse"}
	}
	for _, qt := range qtypes {
		q := nextQ(qt, 0)
		if qt == "multianswer" {
			for _, st := range []string{"shortanswer", "multichoice", "numerical"} {
				q.subs = append(q.subs, nextQ(st, q.id))
			}
		}
		if qt == "multichoice" && len(def.questions) == 0 {
			q.image = p.images[0]
		}
		def.questions = append(def.questions, q)
	}
	p.cats = append(p.cats, def)
	if qs := p.byType["quiz"]; len(qs) > 0 && !o.lean {
		c := &qcat{id: catID + 1, name: "Quiz bank", level: "module", instance: qs[0].cmid, parent: 0}
		c.questions = append(c.questions, nextQ("truefalse", 0), nextQ("shortanswer", 0))
		p.cats = append(p.cats, c)
		sub := &qcat{id: catID + 2, name: "Harder questions", level: "course", parent: def.id}
		sub.questions = append(sub.questions, nextQ("multichoice", 0))
		p.cats = append(p.cats, sub)
	}
	if e.v19 && !o.lean {
		// a site-wide category a quiz uses: its question image is a site
		// file, copied to site_files/ (§1.2)
		sys := &qcat{id: catID + 3, name: "Shared questions", level: "system"}
		q := nextQ("shortanswer", 0)
		q.image = "pics/site-logo.png"
		sys.questions = append(sys.questions, q)
		p.cats = append(p.cats, sys)
	}
	return p
}

func modName(k kind, lang language, r *rand.Rand) string {
	t := lang.titles[r.IntN(len(lang.titles))]
	switch k.typ {
	case "label":
		return ""
	case "resource":
		return t + map[string]string{"html": " – page", "text": " (text)", "file": " handout", "directory": " worksheets",
			"ims": " content package", "url": " (web link)"}[k.sub]
	case "forum":
		return t + " discussion"
	}
	return t + " " + k.typ
}

func qtypeName(qtype string, lang language, r *rand.Rand) string {
	return lang.titles[r.IntN(len(lang.titles))] + " – " + qtype
}

// modsOf returns the instances of one module type.
func (p *plan) modsOf(t string) []*mod { return p.byType[t] }
