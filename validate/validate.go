package validate

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// Finding codes (see the package doc).
const (
	CodeMissingXML   = "validate.missing-xml"
	CodeBadHeader    = "validate.bad-header"
	CodeBadXML       = "validate.bad-xml"
	CodeLeafOrder    = "validate.leaf-order"
	CodeContents     = "validate.contents"
	CodeDuplicateID  = "validate.duplicate-id"
	CodeBadHash      = "validate.bad-hash"
	CodePoolMissing  = "validate.pool-missing"
	CodePoolMismatch = "validate.pool-mismatch"
	CodeAlias        = "validate.alias"
	CodeContext      = "validate.context"
	CodeInforef      = "validate.inforef"
	CodeUnreferenced = "validate.unreferenced"
	CodeDangling     = "validate.dangling"
	CodeDeadLink     = "validate.dead-link"
)

// Result sums up one validation.
type Result struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	XMLFiles int `json:"xml_files"`
	Files    int `json:"file_records"`
	Pool     int `json:"pool_files"`
}

// OK reports whether the backup passed (no error findings).
func (r Result) OK() bool { return r.Errors == 0 }

// XMLDeclaration is the declaration every 2.x XML file must start with.
const XMLDeclaration = `<?xml version="1.0" encoding="UTF-8"?>`

// rootOf is the root element each kind of file must have, by base name
// (and folder for the ambiguous ones).
func rootOf(name string) string {
	base := path.Base(name)
	dir := path.Dir(name)
	switch {
	case name == "moodle_backup.xml":
		return "moodle_backup"
	case name == "files.xml":
		return "files"
	case name == "roles.xml":
		return "roles_definition"
	case name == "questions.xml":
		return "question_categories"
	case name == "groups.xml":
		return "groups"
	case name == "scales.xml":
		return "scales_definition"
	case name == "outcomes.xml":
		return "outcomes_definition"
	case name == "users.xml":
		return "users"
	case name == "gradebook.xml":
		return "gradebook"
	case name == "completion.xml":
		return "course_completion"
	case name == "course/course.xml":
		return "course"
	case name == "course/enrolments.xml":
		return "enrolments"
	case base == "roles.xml":
		return "roles"
	case base == "inforef.xml":
		return "inforef"
	case base == "module.xml":
		return "module"
	case base == "grades.xml":
		return "activity_gradebook"
	case base == "section.xml":
		return "section"
	case base == "block.xml":
		return "block"
	case strings.HasPrefix(dir, "activities/") && strings.Count(dir, "/") == 1 && base == modOfDir(dir)+".xml":
		return "activity"
	}
	return ""
}

// modOfDir returns the module name of "activities/<mod>_<cmid>".
func modOfDir(dir string) string {
	b := path.Base(dir)
	if i := strings.LastIndex(b, "_"); i > 0 {
		return b[:i]
	}
	return b
}

type fileRec struct {
	id                int64
	hash, component   string
	filearea, fpath   string
	name              string
	ctx, itemid, size int64
	line              int
}

type activity struct {
	moduleid, sectionid int64
	modname, dir, title string
	ctx                 int64
}

// checker is the state of one validation.
type checker struct {
	ctx     context.Context
	b       *backup.Backup
	sink    report.Sink
	res     Result
	entries map[string]*backup.Entry

	courseCtx, systemCtx int64
	users                bool // root setting users=1
	sections             map[int64]string
	activities           []*activity
	actByDir             map[string]*activity
	ctxMod               map[int64]string // activity context → module name
	blockCtx             map[int64]string // block context → block name
	qcatCtx              map[int64]bool
	userCtx              map[int64]bool
	files                map[int64]*fileRec
	refs                 map[string]map[int64]bool // "file" → ids listed in inforefs
	links                []pendingLink
	ids                  map[string]map[int64]bool // kind → ids defined
}

// Check validates the 2.x backup b and sends every finding to sink. It
// fails only when b cannot be read at all.
func Check(ctx context.Context, b *backup.Backup, sink report.Sink) (Result, error) {
	c := &checker{ctx: ctx, b: b, sink: sink, entries: map[string]*backup.Entry{},
		sections: map[int64]string{}, actByDir: map[string]*activity{}, ctxMod: map[int64]string{},
		blockCtx: map[int64]string{}, qcatCtx: map[int64]bool{}, userCtx: map[int64]bool{},
		files: map[int64]*fileRec{}, refs: map[string]map[int64]bool{}, ids: map[string]map[int64]bool{}}
	for _, e := range b.Entries {
		if !e.Dir {
			c.entries[strings.TrimSuffix(e.Name, "/")] = e
		}
	}
	if err := c.run(); err != nil {
		return c.res, err
	}
	return c.res, nil
}

func (c *checker) add(code string, sev report.Severity, entry string, line int, msg string) {
	switch sev {
	case report.Error:
		c.res.Errors++
	case report.Warning:
		c.res.Warnings++
	}
	if c.sink != nil {
		c.sink.Add(report.Finding{Code: code, Severity: sev, Archive: c.b.Path, Entry: entry, Line: line, Message: msg})
	}
}

func (c *checker) errorf(code, entry string, line int, format string, a ...any) {
	c.add(code, report.Error, entry, line, fmt.Sprintf(format, a...))
}

func (c *checker) warnf(code, entry string, line int, format string, a ...any) {
	c.add(code, report.Warning, entry, line, fmt.Sprintf(format, a...))
}

func (c *checker) define(kind string, id int64, entry string, line int) {
	m := c.ids[kind]
	if m == nil {
		m = map[int64]bool{}
		c.ids[kind] = m
	}
	if m[id] {
		c.errorf(CodeDuplicateID, entry, line, "%s id %d is used twice", kind, id)
	}
	m[id] = true
}

func (c *checker) defined(kind string, id int64) bool { return c.ids[kind][id] }

func num(s string) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// parse reads one XML file: the declaration, the root element, well-
// formedness and the leaf order, calling fn for each record. It returns
// false when the file is missing or unreadable (already reported).
func (c *checker) parse(name string, required bool, fn func(record), texts func(path, text string, line int)) bool {
	e := c.entries[name]
	if e == nil {
		if required {
			c.errorf(CodeMissingXML, name, 0, "%s is missing: restore stops with missing_moodle_backup_xml_file", name)
		}
		return false
	}
	if err := c.ctx.Err(); err != nil {
		return false
	}
	rc, err := e.Open()
	if err != nil {
		c.errorf(CodeBadXML, name, 0, "cannot read %s: %v", name, err)
		return false
	}
	defer rc.Close()
	c.res.XMLFiles++
	head := make([]byte, 200)
	n, _ := io.ReadFull(rc, head)
	head = head[:n]
	if !bytes.HasPrefix(head, []byte(XMLDeclaration)) {
		c.errorf(CodeBadHeader, name, 1, "%s does not start with %s", name, XMLDeclaration)
	}
	if name == "moodle_backup.xml" {
		for _, want := range []string{"<moodle_backup>", "<information>"} {
			if !bytes.Contains(head, []byte(want)) {
				c.errorf(CodeBadHeader, name, 1, "the first 200 bytes of moodle_backup.xml lack %s: restore reports an unknown format", want)
			}
		}
	}
	if fn == nil {
		fn = func(record) {}
	}
	res, err := walkXML(io.MultiReader(bytes.NewReader(head), rc), fn, texts)
	if err != nil {
		c.errorf(CodeBadXML, name, 0, "%s is not well-formed XML: %v (restore aborts with xml_parsing_error)", name, err)
		return false
	}
	if want := rootOf(name); want != "" && res.root != want {
		c.errorf(CodeBadHeader, name, 1, "root element of %s is <%s>, restore expects <%s>", name, res.root, want)
	}
	if res.leafAfter != "" {
		c.errorf(CodeLeafOrder, name, res.leafAfterLine, "leaf %s comes after a nested element: Moodle's reader handles the record twice (double insert or lost data)", res.leafAfter)
	}
	return true
}

func (c *checker) run() error {
	if !c.parseMoodleBackup() {
		return nil
	}
	c.parseRootFiles()
	c.parseCourse()
	c.parseSections()
	c.parseActivities()
	c.parseBlocks()
	c.parseFiles()
	c.parseInforefs()
	c.checkFiles()
	c.checkLinks()
	return c.ctx.Err()
}

func (c *checker) parseMoodleBackup() bool {
	const mb = "moodle_backup.xml"
	var settings []record
	var info record
	ok := c.parse(mb, true, func(r record) {
		switch r.path {
		case "/moodle_backup/information":
			// Leaves of information may arrive before and after nested
			// elements; keep the first chunk (the one restore keeps when
			// written correctly).
			if info.leaves == nil {
				info = r
			}
		case "/moodle_backup/information/contents/sections/section":
			id := num(r.get("sectionid"))
			dir := r.get("directory")
			if want := fmt.Sprintf("sections/section_%d", id); dir != want {
				c.errorf(CodeContents, mb, r.line, "section %d has directory %q; restore reads %s", id, dir, want)
			}
			if _, dup := c.sections[id]; dup {
				c.errorf(CodeDuplicateID, mb, r.line, "section %d is listed twice", id)
			}
			c.sections[id] = path.Base(dir)
		case "/moodle_backup/information/contents/activities/activity":
			a := &activity{moduleid: num(r.get("moduleid")), sectionid: num(r.get("sectionid")),
				modname: r.get("modulename"), dir: r.get("directory"), title: r.get("title")}
			if want := fmt.Sprintf("activities/%s_%d", a.modname, a.moduleid); a.dir != want {
				c.errorf(CodeContents, mb, r.line, "activity %d has directory %q; it must be %s", a.moduleid, a.dir, want)
			}
			if _, dup := c.actByDir[path.Base(a.dir)]; dup {
				c.errorf(CodeDuplicateID, mb, r.line, "activity %s is listed twice", a.dir)
			}
			c.activities = append(c.activities, a)
			c.actByDir[path.Base(a.dir)] = a
		case "/moodle_backup/information/settings/setting":
			settings = append(settings, r)
		}
	}, nil)
	if !ok {
		return false
	}
	if info.leaves == nil {
		c.errorf(CodeContents, mb, 0, "moodle_backup.xml has no <information> fields")
		return false
	}
	c.courseCtx = num(info.get("original_course_contextid"))
	c.systemCtx = num(info.get("original_system_contextid"))
	if c.courseCtx == 0 {
		c.errorf(CodeContents, mb, info.line, "original_course_contextid is missing: course files and blocks cannot be restored")
	}
	if v := info.get("moodle_version"); len(leadingDigits(v)) < 10 {
		c.errorf(CodeContents, mb, info.line, "moodle_version %q has fewer than 10 leading digits: restore's version checks misread it", v)
	}
	if v := num(info.get("backup_version")); v < 2010072300 {
		c.errorf(CodeContents, mb, info.line, "backup_version %d is below 2010072300: restore refuses it", v)
	}
	if info.get("original_wwwroot") == "" {
		c.errorf(CodeContents, mb, info.line, "original_wwwroot is empty: restore fails on any link it cannot map")
	}
	for _, a := range c.activities {
		if _, ok := c.sections[a.sectionid]; !ok {
			c.errorf(CodeContents, mb, 0, "activity %s is in section %d, which is not listed: restore never restores it", a.dir, a.sectionid)
		}
	}
	activitiesOn := false
	for _, s := range settings {
		level, name, value := s.get("level"), s.get("name"), s.get("value")
		switch level {
		case "root":
			switch name {
			case "activities":
				activitiesOn = value == "1"
			case "users":
				c.users = value == "1"
			}
		case "section":
			if base := s.get("section"); !containsValue(c.sections, base) {
				c.errorf(CodeContents, mb, s.line, "setting %s names section %q, which contents does not list (a fatal error on PHP 8)", name, base)
			}
		case "activity":
			if base := s.get("activity"); c.actByDir[base] == nil {
				c.errorf(CodeContents, mb, s.line, "setting %s names activity %q, which contents does not list (a fatal error on PHP 8)", name, base)
			}
		}
	}
	if !activitiesOn && len(c.activities) > 0 {
		c.errorf(CodeContents, mb, 0, "the root setting activities is not 1: no activity is restored")
	}
	return true
}

func containsValue(m map[int64]string, v string) bool {
	for _, x := range m {
		if x == v {
			return true
		}
	}
	return false
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// parseRootFiles reads the root XML files and the ids they define.
func (c *checker) parseRootFiles() {
	for _, name := range []string{"roles.xml", "groups.xml", "scales.xml", "outcomes.xml"} {
		c.parse(name, true, func(r record) {
			switch r.path {
			case "/roles_definition/role":
				c.define("role", num(r.get("id")), name, r.line)
			case "/groups/group":
				c.define("group", num(r.get("id")), name, r.line)
			case "/groups/groupings/grouping":
				c.define("grouping", num(r.get("id")), name, r.line)
			case "/scales_definition/scale":
				c.define("scale", num(r.get("id")), name, r.line)
			case "/outcomes_definition/outcome":
				c.define("outcome", num(r.get("id")), name, r.line)
			}
		}, nil)
	}
	c.parse("questions.xml", true, func(r record) {
		switch {
		case r.path == "/question_categories/question_category":
			c.define("question_category", num(r.get("id")), "questions.xml", r.line)
			c.qcatCtx[num(r.get("contextid"))] = true
		case strings.HasSuffix(r.path, "/questions/question"):
			c.define("question", num(r.get("id")), "questions.xml", r.line)
		}
	}, nil)
	c.parse("users.xml", c.users, func(r record) {
		if r.path == "/users/user" {
			c.define("user", num(r.get("id")), "users.xml", r.line)
			c.userCtx[num(r.get("contextid"))] = true
		}
	}, nil)
	var items []record
	c.parse("gradebook.xml", false, func(r record) {
		switch r.path {
		case "/gradebook/grade_categories/grade_category":
			c.define("grade_category", num(r.get("id")), "gradebook.xml", r.line)
		case "/gradebook/grade_items/grade_item":
			c.define("grade_item", num(r.get("id")), "gradebook.xml", r.line)
			items = append(items, r)
		}
	}, nil)
	for _, r := range items {
		c.checkGradeItem("gradebook.xml", r)
	}
	c.parse("completion.xml", false, nil, nil)
}

func (c *checker) checkGradeItem(entry string, r record) {
	if cat := r.get("categoryid"); cat != "" && cat != "$@NULL@$" && num(cat) != 0 && !c.defined("grade_category", num(cat)) {
		c.errorf(CodeDangling, entry, r.line, "grade item %s names grade category %s, which gradebook.xml does not define", r.get("id"), cat)
	}
	if s := num(r.get("scaleid")); s > 0 && !c.defined("scale", s) {
		c.errorf(CodeDangling, entry, r.line, "grade item %s uses scale %d, which scales.xml does not define", r.get("id"), s)
	}
	if o := num(r.get("outcomeid")); o > 0 && !c.defined("outcome", o) {
		c.errorf(CodeDangling, entry, r.line, "grade item %s uses outcome %d, which outcomes.xml does not define", r.get("id"), o)
	}
}

func (c *checker) parseCourse() {
	c.parse("course/course.xml", true, func(r record) {
		if r.path == "/course" {
			if id := num(r.get("contextid")); id != 0 && id != c.courseCtx {
				c.errorf(CodeContext, "course/course.xml", r.line, "course contextid %d is not original_course_contextid %d", id, c.courseCtx)
			}
		}
	}, c.linkChecker("course/course.xml", func() int64 { return c.courseCtx }, func(p string) (string, string, int64, bool) {
		if strings.HasSuffix(p, "/summary") {
			return "course", "summary", 0, true
		}
		return "", "", 0, false
	}))
	c.parse("course/roles.xml", true, nil, nil)
	c.parse("course/enrolments.xml", false, nil, nil)
}

func (c *checker) parseSections() {
	ids := make([]int64, 0, len(c.sections))
	for id := range c.sections {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		name := fmt.Sprintf("sections/section_%d/section.xml", id)
		sid := id
		c.parse(name, true, func(r record) {
			if r.path == "/section" && r.has("id") && num(r.get("id")) != sid {
				c.errorf(CodeContents, name, r.line, "section.xml has id %s, its folder says %d", r.get("id"), sid)
			}
		}, c.linkChecker(name, func() int64 { return c.courseCtx }, func(p string) (string, string, int64, bool) {
			if p == "/section/summary" {
				return "course", "section", sid, true
			}
			return "", "", 0, false
		}))
	}
}

func (c *checker) parseActivities() {
	for _, a := range c.activities {
		a := a
		c.parse(a.dir+"/module.xml", true, func(r record) {
			if r.path == "/module" {
				if num(r.get("id")) != a.moduleid {
					c.errorf(CodeContents, a.dir+"/module.xml", r.line, "module id %s is not the listed moduleid %d", r.get("id"), a.moduleid)
				}
				if m := r.get("modulename"); m != a.modname {
					c.errorf(CodeContents, a.dir+"/module.xml", r.line, "modulename %q is not the listed %q", m, a.modname)
				}
				if g := num(r.get("groupingid")); g > 0 && !c.defined("grouping", g) {
					c.warnf(CodeDangling, a.dir+"/module.xml", r.line, "groupingid %d names no grouping in groups.xml: restore drops the restriction", g)
				}
			}
		}, nil)
		main := a.dir + "/" + a.modname + ".xml"
		c.parse(main, true, func(r record) {
			c.checkRefs(main, r)
			if r.path == "/activity" {
				a.ctx = num(r.get("contextid"))
				if a.ctx == 0 {
					c.errorf(CodeContext, main, r.line, "<activity> has no contextid: the activity's files cannot be restored")
				} else if m, dup := c.ctxMod[a.ctx]; dup {
					c.errorf(CodeDuplicateID, main, r.line, "context id %d is used by two activities (%s and %s)", a.ctx, m, a.modname)
				}
				c.ctxMod[a.ctx] = a.modname
				if num(r.get("moduleid")) != a.moduleid || r.get("modulename") != a.modname {
					c.errorf(CodeContents, main, r.line, "<activity moduleid=%q modulename=%q> does not match the listed %s", r.get("moduleid"), r.get("modulename"), a.dir)
				}
			}
		}, c.linkChecker(main, func() int64 { return a.ctx }, func(string) (string, string, int64, bool) {
			// Any component of the activity's context: texts of an
			// activity also link files of its subplugins (e.g. a workshop
			// element description in workshopform_accumulative).
			return anyComponent, "", -1, true
		}))
		c.parse(a.dir+"/roles.xml", true, nil, nil)
		c.parse(a.dir+"/grades.xml", true, func(r record) {
			if r.path == "/activity_gradebook/grade_items/grade_item" {
				c.define("grade_item", num(r.get("id")), a.dir+"/grades.xml", r.line)
				c.checkGradeItem(a.dir+"/grades.xml", r)
			}
		}, nil)
	}
}

// checkRefs checks the ids a module record points at.
func (c *checker) checkRefs(entry string, r record) {
	for k, v := range r.leaves {
		id := num(v)
		switch {
		case k == "questionid" && id > 0:
			if !c.defined("question", id) {
				c.errorf(CodeDangling, entry, r.line, "%s %s names question %d, which questions.xml does not define", r.path, k, id)
			}
		case k == "scale" && id < 0:
			if !c.defined("scale", -id) {
				c.errorf(CodeDangling, entry, r.line, "%s uses scale %d, which scales.xml does not define: restore drops the grading", r.path, -id)
			}
		case (k == "groupid") && id > 0:
			if !c.defined("group", id) {
				c.errorf(CodeDangling, entry, r.line, "%s names group %d, which groups.xml does not define", r.path, id)
			}
		case (k == "userid" || k == "usermodified") && id > 0 && c.users:
			if !c.defined("user", id) {
				c.errorf(CodeDangling, entry, r.line, "%s names user %d, which users.xml does not define", r.path, id)
			}
		}
	}
}

func (c *checker) parseBlocks() {
	for name := range c.entries {
		if path.Base(name) != "block.xml" || !(strings.HasPrefix(name, "course/blocks/") || strings.HasPrefix(name, "activities/")) {
			continue
		}
		dir := path.Dir(name)
		c.parse(name, false, func(r record) {
			if r.path != "/block" {
				return
			}
			bname, id := r.get("blockname"), r.get("id")
			if want := bname + "_" + id; path.Base(dir) != want {
				c.errorf(CodeContents, name, r.line, "block folder %s should be named %s: restore does not find it", path.Base(dir), want)
			}
			ctx := num(r.get("contextid"))
			if ctx == 0 {
				c.errorf(CodeContext, name, r.line, "block %s has no contextid", id)
			}
			c.blockCtx[ctx] = bname
			if p := num(r.get("parentcontextid")); p != c.courseCtx && c.ctxMod[p] == "" {
				c.errorf(CodeContext, name, r.line, "block %s has parentcontextid %d, which is neither the course nor an activity context: restore drops it", id, p)
			}
		}, nil)
	}
}

var hashRE = regexp.MustCompile(`^[a-f0-9]{40}$`)

func (c *checker) parseFiles() {
	c.parse("files.xml", true, func(r record) {
		if r.path != "/files/file" {
			return
		}
		f := &fileRec{id: num(r.get("id")), hash: r.get("contenthash"), component: r.get("component"),
			filearea: r.get("filearea"), fpath: r.get("filepath"), name: r.get("filename"),
			ctx: num(r.get("contextid")), itemid: num(r.get("itemid")), size: num(r.get("filesize")), line: r.line}
		if _, dup := c.files[f.id]; dup {
			c.errorf(CodeDuplicateID, "files.xml", r.line, "file id %d is used twice", f.id)
		}
		c.files[f.id] = f
		c.res.Files++
		if !hashRE.MatchString(f.hash) {
			c.errorf(CodeBadHash, "files.xml", r.line, "file %d has contenthash %q, not lowercase 40-hex: restore skips it", f.id, f.hash)
		}
		if repo := r.get("repositoryid"); repo != "" && repo != "$@NULL@$" {
			c.errorf(CodeAlias, "files.xml", r.line, "file %d has repositoryid %s: restore treats it as an alias, which fails across sites", f.id, repo)
		}
		if !strings.HasPrefix(f.fpath, "/") || !strings.HasSuffix(f.fpath, "/") {
			c.errorf(CodeContents, "files.xml", r.line, "file %d has filepath %q, which must start and end with /", f.id, f.fpath)
		}
	}, nil)
}

func (c *checker) parseInforefs() {
	add := func(kind string, id int64) {
		m := c.refs[kind]
		if m == nil {
			m = map[int64]bool{}
			c.refs[kind] = m
		}
		m[id] = true
	}
	var names []string
	for name := range c.entries {
		if path.Base(name) == "inforef.xml" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		c.parse(name, false, func(r record) {
			parts := strings.Split(r.path, "/")
			if len(parts) != 4 || parts[1] != "inforef" || !strings.HasSuffix(parts[2], "ref") {
				return
			}
			kind := parts[3]
			id := num(r.get("id"))
			add(kind, id)
			var ok bool
			switch kind {
			case "file":
				_, ok = c.files[id]
			case "question_category", "user", "role", "group", "grouping", "scale", "outcome", "grade_item":
				ok = c.defined(kind, id)
				if kind == "user" && !c.users {
					ok = true
				}
			default:
				ok = true
			}
			if !ok {
				c.errorf(CodeInforef, name, r.line, "%sref lists %s %d, which the backup does not define", kind, kind, id)
			}
		}, nil)
	}
}

// alwaysLoaded are the components restore loads without an inforef.
func alwaysLoaded(component string) bool {
	switch component {
	case "user", "group", "grouping", "grade", "badges", "question":
		return true
	}
	return strings.HasPrefix(component, "qtype")
}

func (c *checker) checkFiles() {
	ids := make([]int64, 0, len(c.files))
	for id := range c.files {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	checked := map[string]bool{}
	for _, id := range ids {
		f := c.files[id]
		// Context: the owner's old context.
		var okCtx bool
		switch {
		case f.component == "course" || f.component == "group" || f.component == "grouping":
			okCtx = f.ctx == c.courseCtx
		case strings.HasPrefix(f.component, "mod_"):
			okCtx = c.ctxMod[f.ctx] == strings.TrimPrefix(f.component, "mod_")
		case strings.HasPrefix(f.component, "block_"):
			okCtx = c.blockCtx[f.ctx] == strings.TrimPrefix(f.component, "block_")
		case f.component == "grade":
			okCtx = f.ctx == c.systemCtx
		case f.component == "question" || strings.HasPrefix(f.component, "qtype"):
			okCtx = c.qcatCtx[f.ctx]
		case f.component == "user":
			okCtx = c.userCtx[f.ctx] || !c.users
		default:
			okCtx = true
		}
		if !okCtx {
			c.errorf(CodeContext, "files.xml", f.line, "file %d (%s/%s %s%s) has contextid %d, which is not its owner's context: restore never asks for it", f.id, f.component, f.filearea, f.fpath, f.name, f.ctx)
		}
		if !alwaysLoaded(f.component) && !c.refs["file"][f.id] {
			c.warnf(CodeUnreferenced, "files.xml", f.line, "file %d (%s/%s %s%s) is listed in no inforef.xml: restore ignores it", f.id, f.component, f.filearea, f.fpath, f.name)
		}
		if f.name == "." || !hashRE.MatchString(f.hash) {
			continue
		}
		pool := "files/" + f.hash[:2] + "/" + f.hash
		e := c.entries[pool]
		if e == nil {
			c.errorf(CodePoolMissing, "files.xml", f.line, "file %d (%s%s) has no pool file %s: restore logs file_missing_in_backup and skips it", f.id, f.fpath, f.name, pool)
			continue
		}
		if checked[f.hash] {
			continue
		}
		checked[f.hash] = true
		c.res.Pool++
		sum, size, err := hashEntry(e)
		if err != nil {
			c.errorf(CodePoolMismatch, pool, 0, "cannot read %s: %v", pool, err)
			continue
		}
		if sum != f.hash {
			c.errorf(CodePoolMismatch, pool, 0, "%s holds bytes whose SHA-1 is %s", pool, sum)
		}
		if size != f.size {
			c.errorf(CodePoolMismatch, "files.xml", f.line, "file %d says filesize %d, its pool file holds %d bytes", f.id, f.size, size)
		}
	}
}

func hashEntry(e *backup.Entry) (string, int64, error) {
	rc, err := e.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha1.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

var pluginfileRE = regexp.MustCompile(`@@PLUGINFILE@@(/[^"'<>\s)?#]*)`)

// linkChecker returns a text callback that checks @@PLUGINFILE@@ links of
// the fields owner names (component, filearea, itemid; itemid -1 and an
// empty filearea match any) against the file records. Files are parsed
// later, so links are checked at the end.
func (c *checker) linkChecker(entry string, ctxOf func() int64, owner func(path string) (component, filearea string, itemid int64, ok bool)) func(string, string, int) {
	return func(p, text string, line int) {
		if !strings.Contains(text, "@@PLUGINFILE@@") {
			return
		}
		comp, area, item, ok := owner(p)
		if !ok {
			return
		}
		for _, m := range pluginfileRE.FindAllStringSubmatch(text, -1) {
			rel, err := url.PathUnescape(m[1])
			if err != nil {
				rel = m[1]
			}
			c.links = append(c.links, pendingLink{entry: entry, line: line, ctxOf: ctxOf, component: comp, filearea: area, itemid: item, rel: rel})
		}
	}
}

// anyComponent, as the component of a link's owner, matches a file of any
// component in the owner's context.
const anyComponent = "*"

// pendingLink is an @@PLUGINFILE@@ link waiting for files.xml.
type pendingLink struct {
	entry               string
	line                int
	ctxOf               func() int64
	component, filearea string
	itemid              int64
	rel                 string // "/pics/a b.png"
}

func componentName(c string) string {
	if c == anyComponent {
		return "any component"
	}
	return c
}

// checkLinks reports @@PLUGINFILE@@ links with no file record behind them
// in the owner's context, component (and file area and item when known).
func (c *checker) checkLinks() {
	type key struct {
		ctx       int64
		component string
		fpath     string
		name      string
	}
	have := map[key][]*fileRec{}
	for _, f := range c.files {
		k := key{f.ctx, f.component, f.fpath, f.name}
		have[k] = append(have[k], f)
		k.component = anyComponent
		have[k] = append(have[k], f)
	}
	for _, l := range c.links {
		fpath, name := path.Split(l.rel)
		found := false
		for _, f := range have[key{l.ctxOf(), l.component, fpath, name}] {
			if (l.filearea == "" || f.filearea == l.filearea) && (l.itemid < 0 || f.itemid == l.itemid) {
				found = true
				break
			}
		}
		if !found {
			c.warnf(CodeDeadLink, l.entry, l.line, "link @@PLUGINFILE@@%s has no file %s%s in %s (context %d): it shows as a broken link", l.rel, fpath, name, componentName(l.component), l.ctxOf())
		}
	}
}
