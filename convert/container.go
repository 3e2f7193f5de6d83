package convert

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// Values moodle_backup.xml declares (moodle2-format.md §2.5): the lowest
// accepted backup version and a release below 3.3, so every legacy restore
// path (numsections, pre-4.0 questions, ...) applies.
const (
	declaredBackupVersion = "2010072300"
	declaredBackupRelease = "2.0"
	fallbackMoodleVersion = "2007101500"
	fallbackWWWRoot       = "http://moodle19.invalid"
)

// rootFiles are the root XML files restore needs, with their root element.
// Later versions fill some of them through conv.root.
var rootFiles = []struct{ name, root string }{
	{"roles.xml", "roles_definition"},
	{"questions.xml", "question_categories"},
	{"groups.xml", "groups"},
	{"scales.xml", "scales_definition"},
	{"outcomes.xml", "outcomes_definition"},
	{"users.xml", "users"},
	{"gradebook.xml", "gradebook"},
	{"completion.xml", "course_completion"},
}

// root returns the open writer of a root XML file (e.g. "questions.xml"),
// starting it with its root element the first time. finish closes it.
func (c *conv) root(name string) (*XMLWriter, error) {
	if x := c.roots[name]; x != nil {
		return x, nil
	}
	for _, r := range rootFiles {
		if r.name == name {
			x, err := c.tree.Create(name)
			if err != nil {
				return nil, err
			}
			x.Start(r.root)
			c.roots[name] = x
			return x, nil
		}
	}
	return nil, fmt.Errorf("%s is not a root file", name)
}

// finish writes everything that needs the whole stream: modules met before
// their sections, the legacy course files, the course files, link fix-ups
// and moodle_backup.xml.
func (c *conv) finish(src *backup.Backup) error {
	if c.pending != nil {
		if err := c.pending.each(c.runModule); err != nil {
			return err
		}
	}
	for _, s := range c.sections {
		for _, cm := range s.cms {
			if !cm.seen {
				kind := KindActivities + "/" + cm.ModType
				c.audit.Read(kind, 1)
				c.audit.Explain(kind, 1)
				c.finding(CodeModuleMissing, report.Warning, cm.Node, fmt.Sprintf("course module %d (%s instance %d%s) has no instance in MODULES: the module was not included in the backup; kept out",
					cm.ID, cm.ModType, cm.Instance, quoted(cm.Title)))
			}
		}
	}
	if err := c.writeBlocks(); err != nil {
		return err
	}
	if err := c.endParts(); err != nil {
		return err
	}
	if err := c.writeCourse(); err != nil {
		return err
	}
	c.auditFiles(src)
	if err := c.fixLinks(); err != nil {
		return err
	}
	for _, r := range rootFiles {
		x, err := c.root(r.name)
		if err != nil {
			return err
		}
		x.End()
		if err := x.Close(); err != nil {
			return fmt.Errorf("write %s: %w", r.name, err)
		}
	}
	if err := c.files.Close(); err != nil {
		return fmt.Errorf("write files.xml: %w", err)
	}
	if err := c.writeMoodleBackup(); err != nil {
		return err
	}
	c.reportAudit()
	return nil
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(", %q", s)
}

// placeSiteFiles puts the site files of a 1.9 backup (site_files/: files
// of the old front page that the course used, mostly images of site-level
// question categories) that no converted owner took into the course's
// legacy files area, in a folder of their own. A 2.x course backup cannot
// write to the new site's front page, and dropping them would lose them.
// It returns how many it placed.
func (c *conv) placeSiteFiles(o *Owner, legacy Area) int {
	var names []string
	for _, name := range c.files.SourceNames("site_files/") {
		if !c.files.Placed(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return 0
	}
	// A course folder of the same name must not collide with it.
	folder := "site_files"
	for i := 1; c.files.IsSourceDir("course_files/" + folder); i++ {
		folder = fmt.Sprintf("site_files_%d", i)
	}
	o.AddDir(legacy, "/"+folder+"/")
	n := 0
	for _, name := range names {
		fpath, fname := SplitPath(folder + "/" + strings.TrimPrefix(name, "site_files/"))
		for _, d := range DirPaths(fpath) {
			o.AddDir(legacy, d)
		}
		if err := o.AddFile(name, legacy, fpath, fname, 0); err != nil {
			o.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("site file %s could not be read: %v", name, err))
			continue
		}
		n++
	}
	o.Finding(CodeSiteFiles, report.Info, fmt.Sprintf("%d site file(s) of the old front page that the course used are kept in the course's legacy files, folder /%s/: a course backup cannot restore into the new site's front page", n, folder))
	return n
}

// writeCourse writes course/course.xml (with the summary files), the legacy
// course files, course/inforef.xml, roles.xml and enrolments.xml.
func (c *conv) writeCourse() error {
	h := c.header
	if h == nil {
		h = &Node{Name: "HEADER"}
		c.report(report.Finding{Code: CodeMissingField, Severity: report.Warning, Entry: "moodle.xml", Path: "MOODLE_BACKUP/COURSE/HEADER",
			Message: "the backup has no course header: the course gets default names and settings"})
	}
	o := c.newOwner("course", "MOODLE_BACKUP/COURSE/HEADER", h.Line)
	summary, sformat := o.Text(h.Raw("SUMMARY"), FormatHTML, Area{ContextID: c.courseCtx, Component: "course", FileArea: "summary"})

	// Every course file no converted owner took goes to the legacy course
	// files area, which 2.x keeps for exactly such files.
	legacy := Area{ContextID: c.courseCtx, Component: "course", FileArea: "legacy"}
	nlegacy := 0
	for _, name := range c.files.SourceNames("course_files/") {
		if c.files.Placed(name) {
			continue
		}
		rel := strings.TrimPrefix(name, "course_files/")
		fpath, _ := SplitPath(rel)
		o.AddDir(legacy, fpath)
		if err := o.AddCourseFile(rel, legacy, 0); err != nil {
			o.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("course file %s could not be read: %v", rel, err))
			continue
		}
		nlegacy++
	}
	for _, d := range c.files.SourceDirs("course_files/") {
		if nlegacy > 0 {
			o.AddDir(legacy, "/"+strings.TrimPrefix(d, "course_files/")+"/")
		}
	}
	nlegacy += c.placeSiteFiles(o, legacy)
	legacyfiles := 0
	if nlegacy > 0 {
		legacyfiles = 2
	}
	format := h.Value("FORMAT")
	if format == "" {
		format = "topics"
	}
	fullname, shortname := h.Value("FULLNAME"), h.Value("SHORTNAME")
	if fullname == "" {
		fullname = "Converted course"
	}
	if shortname == "" {
		shortname = fmt.Sprintf("course%d", c.courseID)
	}
	if !h.Has("SUMMARY") {
		summary = ""
	}
	err := c.tree.Write("course/course.xml", func(x *XMLWriter) {
		x.Start("course", A("id", c.courseID), A("contextid", c.courseCtx))
		x.Leaves("shortname", shortname, "fullname", fullname, "idnumber", h.Value("IDNUMBER"),
			"summary", summary, "summaryformat", sformat, "format", format,
			"showgrades", intOr(h, "SHOWGRADES", 1), "newsitems", intOr(h, "NEWSITEMS", 5),
			"startdate", h.Int("STARTDATE"), "enddate", 0, "marker", h.Int("MARKER"),
			"maxbytes", h.Int("MAXBYTES"), "legacyfiles", legacyfiles, "showreports", h.Int("SHOWREPORTS"),
			"visible", intOr(h, "VISIBLE", 1), "groupmode", h.Int("GROUPMODE"),
			"groupmodeforce", h.Int("GROUPMODEFORCE"), "defaultgroupingid", h.Int("DEFAULTGROUPINGID"),
			"lang", courseLang(h.Value("LANG")), "theme", h.Value("THEME"),
			"timecreated", h.Int("TIMECREATED"), "timemodified", h.Int("TIMEMODIFIED"),
			"requested", 0, "enablecompletion", 0, "completionstartonenrol", 0, "completionnotify", 0,
			"numsections", numSections(h, c.sections), "hiddensections", h.Int("HIDDENSECTIONS"))
		x.Start("category", A("id", h.Child("CATEGORY").Int("ID")))
		x.Leaves("name", h.Child("CATEGORY").Value("NAME"), "description", Null)
		x.End()
		x.Empty("tags")
		x.End()
	})
	if err != nil {
		return err
	}
	ids := o.commit()
	if o.modLinks {
		c.linkFiles = append(c.linkFiles, "course/course.xml")
	}
	if err := c.tree.Write("course/inforef.xml", func(x *XMLWriter) { writeInforef(x, ids) }); err != nil {
		return err
	}
	if err := c.tree.Write("course/roles.xml", emptyRoles); err != nil {
		return err
	}
	return c.tree.Write("course/enrolments.xml", func(x *XMLWriter) {
		x.Start("enrolments")
		x.Empty("enrols")
		x.End()
	})
}

func intOr(n *Node, name string, def int64) int64 {
	if n.Value(name) == "" {
		return def
	}
	return n.Int(name)
}

// courseLang turns a 1.x language ("fr_utf8", "en") into the 2.x name.
func courseLang(l string) string { return strings.TrimSuffix(l, "_utf8") }

func numSections(h *Node, secs []*section) int64 {
	if h.Value("NUMSECTIONS") != "" {
		return h.Int("NUMSECTIONS")
	}
	var max int64
	for _, s := range secs {
		if s.number > max {
			max = s.number
		}
	}
	return max
}

// auditFiles counts the files and bytes of the source and reports those no
// area took (user data of later versions, moddata of modules kept out).
func (c *conv) auditFiles(src *backup.Backup) {
	unplaced := map[string][]string{}
	for _, e := range src.Entries {
		name := strings.TrimSuffix(e.Name, "/")
		if e.Dir || name == "moodle.xml" {
			continue
		}
		size := e.Size
		if _, s, ok := c.files.Sum(name); ok {
			size = s
		}
		if size < 0 {
			size = 0
		}
		c.audit.Read(KindFiles, 1)
		c.audit.Read(KindBytes, size)
		if c.files.Placed(name) {
			c.audit.Wrote(KindFiles, 1)
			c.audit.Wrote(KindBytes, size)
			continue
		}
		c.audit.Explain(KindFiles, 1)
		c.audit.Explain(KindBytes, size)
		top := name
		if i := strings.Index(name, "/"); i >= 0 {
			top = name[:i]
			switch top {
			case "moddata":
				if parts := strings.SplitN(name, "/", 4); len(parts) >= 3 {
					top = strings.Join(parts[:3], "/")
				}
			case "group_files":
				if parts := strings.SplitN(name, "/", 3); len(parts) >= 3 {
					top = strings.Join(parts[:2], "/")
				}
			}
		}
		unplaced[top] = append(unplaced[top], name)
	}
	for _, top := range sortedKeys(unplaced) {
		names := unplaced[top]
		ex := names
		if len(ex) > 5 {
			ex = ex[:5]
		}
		c.report(report.Finding{Code: CodeFileNotPlaced, Severity: report.Warning, Entry: top,
			Message: fmt.Sprintf("%d file(s) under %s not carried over: %s (e.g. %s)", len(names), top, whyUnplaced(top), strings.Join(ex, ", "))})
	}
}

func whyUnplaced(top string) string {
	switch {
	case top == "user_files":
		return "user pictures come with users, which this version does not convert"
	case strings.HasPrefix(top, "group_files"):
		return "the picture of a group that is not in the backup, has no picture (PICTURE 0), had it hidden (HIDEPICTURE) or has no f1/f2 image: 2.x restore takes none of these"
	case top == "site_files":
		return "they could not be read (the others are kept in the legacy course files)"
	case strings.HasPrefix(top, "moddata/"):
		return "module data of a module kept out, or user data this version does not convert"
	}
	return "no 2.x file area holds them"
}

// fixLinks rewrites the module link tokens of the files that hold some,
// now that every module's 2.x name is known: links to a 1.x resource that
// became a page, url, folder or imscp point at the successor; tokens no 2.x
// rule decodes become absolute links to the old site.
func (c *conv) fixLinks() error {
	sort.Strings(c.linkFiles)
	for i, name := range c.linkFiles {
		if i > 0 && c.linkFiles[i-1] == name {
			continue
		}
		if !c.tree.Exists(name) {
			continue
		}
		if err := c.fixFile(name); err != nil {
			return fmt.Errorf("fix links in %s: %w", name, err)
		}
	}
	return nil
}

func (c *conv) fixFile(name string) error {
	return c.tree.Rewrite(name, func(in io.Reader, out io.Writer) error {
		br := bufio.NewReaderSize(in, 64<<10)
		bw := bufio.NewWriterSize(out, 64<<10)
		for {
			b, err := br.ReadByte()
			if err != nil {
				break
			}
			if b != '$' {
				bw.WriteByte(b)
				continue
			}
			peek, _ := br.Peek(160)
			s := "$" + string(peek)
			if toks := findModTokens(s); len(toks) > 0 && toks[0].start == 0 {
				t := toks[0]
				bw.WriteString(c.fixToken(name, t))
				br.Discard(t.end - 1)
				continue
			}
			bw.WriteByte('$')
		}
		return bw.Flush()
	})
}

// fixTokens applies fixToken to every module token of s.
func (c *conv) fixTokens(where, s string) string {
	return replaceModTokens(s, func(t modToken) string { return c.fixToken(where, t) })
}

// replaceModTokens returns s with each module token replaced by what fn
// returns for it.
func replaceModTokens(s string, fn func(modToken) string) string {
	toks := findModTokens(s)
	if len(toks) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, t := range toks {
		b.WriteString(s[last:t.start])
		b.WriteString(fn(t))
		last = t.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// successorToken maps a 2.x module name to its view-by-cm token.
func successorToken(modname string) string { return strings.ToUpper(modname) + "VIEWBYID" }

func (c *conv) fixToken(file string, t modToken) string {
	orig := "$@" + t.name + "*" + strings.Join(t.ids, "*") + "@$"
	id := func(i int) int64 { v, _ := strconv.ParseInt(t.ids[i], 10, 64); return v }
	switch t.name {
	case "RESOURCEVIEWBYID":
		if cm := c.cmByID[id(0)]; cm != nil && cm.Converted {
			return "$@" + successorToken(cm.ModName) + "*" + t.ids[0] + "@$"
		}
	case "RESOURCEVIEWBYR":
		if cm := c.cms[cmKey{"resource", id(0)}]; cm != nil && cm.Converted {
			return "$@" + successorToken(cm.ModName) + "*" + strconv.FormatInt(cm.ID, 10) + "@$"
		}
	}
	if restoreRules[t.name] {
		if strings.HasSuffix(t.name, "VIEWBYID") {
			if cm := c.cmByID[id(0)]; cm != nil && !cm.Converted {
				c.audit.Wrote(KindLinks, -1)
				c.audit.Explain(KindLinks, 1)
				c.report(report.Finding{Code: CodeLinkOldSite, Severity: report.Info, Entry: file,
					Message: fmt.Sprintf("link %s points at course module %d, which was kept out of the course: restore turns it into a link to the old site", orig, cm.ID)})
			}
		}
		return orig
	}
	c.audit.Wrote(KindLinks, -1)
	c.audit.Explain(KindLinks, 1)
	if tmpl, ok := legacyURLs[t.name]; ok {
		u := tmpl
		for i := range t.ids {
			u = strings.ReplaceAll(u, fmt.Sprintf("$%d", i+1), t.ids[i])
		}
		abs := c.oldWWWRoot() + u
		c.report(report.Finding{Code: CodeLinkOldSite, Severity: report.Info, Entry: file,
			Message: fmt.Sprintf("link %s has no 2.x equivalent: written as a link to the old site, %s", orig, abs)})
		return abs
	}
	c.report(report.Finding{Code: CodeLinkOldSite, Severity: report.Warning, Entry: file,
		Message: fmt.Sprintf("link token %s is not known to 2.x restore: left as it is", orig)})
	return orig
}

func (c *conv) oldWWWRoot() string {
	if c.wwwroot == "" {
		return fallbackWWWRoot
	}
	return c.wwwroot
}

// writeMoodleBackup writes moodle_backup.xml: information (leaves first),
// details, contents in course order and settings.
func (c *conv) writeMoodleBackup() error {
	info := c.info
	if info == nil {
		info = &Node{Name: "INFO"}
	}
	h := c.header
	if h == nil {
		h = &Node{Name: "HEADER"}
	}
	mversion := info.Value("MOODLE_VERSION")
	if digits := leadingDigits(mversion); len(digits) < 10 {
		c.report(report.Finding{Code: CodeMissingField, Severity: report.Info, Entry: "moodle.xml", Path: "MOODLE_BACKUP/INFO/MOODLE_VERSION",
			Message: fmt.Sprintf("MOODLE_VERSION %q is not a 10-digit version: declared %s (1.9) so restore applies its legacy paths", mversion, fallbackMoodleVersion)})
		mversion = fallbackMoodleVersion
	}
	wwwroot := c.oldWWWRoot()
	if c.wwwroot == "" {
		c.report(report.Finding{Code: CodeMissingField, Severity: report.Info, Entry: "moodle.xml", Path: "MOODLE_BACKUP/INFO/ORIGINAL_WWWROOT",
			Message: "the backup does not name its site (ORIGINAL_WWWROOT): declared " + fallbackWWWRoot})
	}
	hash := info.Value("ORIGINAL_SITE_IDENTIFIER_HASH")
	if hash == "" {
		hash = siteHash(wwwroot)
	}
	format := h.Value("FORMAT")
	if format == "" {
		format = "topics"
	}
	shortname := h.Value("SHORTNAME")
	if shortname == "" {
		shortname = fmt.Sprintf("course%d", c.courseID)
	}
	fullname := h.Value("FULLNAME")
	if fullname == "" {
		fullname = "Converted course"
	}
	date := info.Int("DATE")
	if date == 0 {
		date = c.opts.Now.Unix()
	}
	return c.tree.Write("moodle_backup.xml", func(x *XMLWriter) {
		x.Start("moodle_backup")
		x.Start("information")
		x.Leaves("name", c.opts.Name, "moodle_version", mversion, "moodle_release", info.Value("MOODLE_RELEASE"),
			"backup_version", declaredBackupVersion, "backup_release", declaredBackupRelease,
			"backup_date", date, "mnet_remoteusers", 0, "include_files", 1,
			"include_file_references_to_external_content", 0,
			"original_wwwroot", wwwroot, "original_site_identifier_hash", hash,
			"original_course_id", c.courseID, "original_course_format", format,
			"original_course_fullname", fullname, "original_course_shortname", shortname,
			"original_course_startdate", h.Int("STARTDATE"), "original_course_enddate", 0,
			"original_course_contextid", c.courseCtx, "original_system_contextid", c.systemCtx)
		x.Start("details")
		x.Start("detail", A("backup_id", siteHash(fmt.Sprintf("%s/%d/%d", wwwroot, c.courseID, date))))
		x.Leaves("type", "course", "format", "moodle2", "interactive", 1, "mode", 60, "execution", 1, "executiontime", 0)
		x.End()
		x.End()
		x.Start("contents")
		x.Start("activities")
		for _, s := range c.sections {
			for _, cm := range s.cms {
				if !cm.Converted {
					continue
				}
				x.Start("activity")
				x.Leaves("moduleid", cm.ID, "sectionid", s.id, "modulename", cm.ModName,
					"title", cm.Title, "directory", fmt.Sprintf("activities/%s_%d", cm.ModName, cm.ID))
				x.End()
			}
		}
		x.End()
		x.Start("sections")
		for _, s := range c.sections {
			x.Start("section")
			x.Leaves("sectionid", s.id, "title", s.number, "directory", fmt.Sprintf("sections/section_%d", s.id))
			x.End()
		}
		x.End()
		x.Start("course")
		x.Leaves("courseid", c.courseID, "title", shortname, "directory", "course")
		x.End()
		x.End()
		x.Start("settings")
		root := func(name string, v any) {
			x.Start("setting")
			x.Leaves("level", "root", "name", name, "value", v)
			x.End()
		}
		root("filename", c.opts.Name)
		for _, s := range []string{"users", "anonymize", "role_assignments"} {
			root(s, 0)
		}
		root("activities", 1)
		root("blocks", 1)
		for _, s := range []string{"filters", "comments", "badges", "calendarevents", "userscompletion", "logs", "grade_histories", "competencies", "customfield", "contentbankcontent", "xapistate"} {
			root(s, 0)
		}
		for _, s := range c.sections {
			for _, cm := range s.cms {
				if !cm.Converted {
					continue
				}
				base := fmt.Sprintf("%s_%d", cm.ModName, cm.ID)
				for _, kv := range [][2]string{{"included", boolStr(cm.Included)}, {"userinfo", "0"}} {
					x.Start("setting")
					x.Leaves("level", "activity", "activity", base, "name", base+"_"+kv[0], "value", kv[1])
					x.End()
				}
			}
		}
		for _, s := range c.sections {
			base := fmt.Sprintf("section_%d", s.id)
			for _, kv := range [][2]string{{"included", "1"}, {"userinfo", "0"}} {
				x.Start("setting")
				x.Leaves("level", "section", "section", base, "name", base+"_"+kv[0], "value", kv[1])
				x.End()
			}
		}
		x.End()
		x.End()
		x.End()
	})
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// reportAudit adds one finding per audited kind with both columns.
func (c *conv) reportAudit() {
	for _, k := range c.audit.Kinds() {
		t := c.audit[k]
		sev := report.Info
		msg := fmt.Sprintf("%s: read %d, wrote %d, explained by findings %d", k, t.Read, t.Written, t.Explained)
		if !t.Balanced() {
			sev = report.Error
			msg += " (does not add up: a converter bug)"
		}
		c.report(report.Finding{Code: CodeAudit, Severity: sev, Path: k, Message: msg})
	}
}
