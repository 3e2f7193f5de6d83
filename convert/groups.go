package convert

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/moodlemig/moodlemig/report"
)

// Audit kinds of the groups part.
const (
	KindGroups         = "groups"
	KindGroupings      = "groupings"
	KindGroupingGroups = "grouping groups" // a group's place in a grouping
	KindGroupMembers   = "group members"   // user data
)

// Column sizes of the 2.x tables (lib/db/install.xml): a longer value makes
// the restore fail on databases that check them.
const (
	groupNameMax    = 254
	groupingNameMax = 255
	groupKeyMax     = 50
)

// groupsPart converts the course groups and groupings (moodle19-format.md
// §9.3, §9.4) into the root groups.xml (moodle2-format.md §3.9), and group
// pictures (group_files/<groupid>/) into the group/icon area of the course
// context. Descriptions go through the text conversion (files to
// group/description and grouping/description).
//
// Groups and groupings are read as they come but groups.xml is written at
// the end: restore maps a grouping's groups through the group mapping, so
// every group must come first, and 1.x writes a grouping's groups either in
// a separate GROUPINGSGROUPS part after GROUPINGS (1.9) or nested in the
// grouping, before GROUPS (early 1.9 development). Only the records are held
// (a course has tens of groups); members are counted, not kept: users are
// not converted by this version.
type groupsPart struct {
	c            *conv
	groups       []*groupRec
	groupByID    map[int64]*groupRec
	groupings    []*groupingRec
	groupingByID map[int64]*groupingRec
	links        []groupingLink // grouping groups in the order read
	members      int64          // group members read
	memberGroups int            // groups that have members
	membersLine  int            // where the first member was met
}

type groupRec struct {
	id                int64
	name, desc, key   string
	format            int
	picture           int64
	created, modified int64
	line              int
	modLinks          bool // the description holds module link tokens
}

type groupingRec struct {
	id                 int64
	name, desc, config string
	format             int
	created, modified  int64
	line               int
	modLinks           bool
	links              []groupingLink // resolved, in order
}

type groupingLink struct {
	id, grouping, group, added int64
	line                       int
}

func newGroupsPart(c *conv) *groupsPart {
	return &groupsPart{c: c, groupByID: map[int64]*groupRec{}, groupingByID: map[int64]*groupingRec{}}
}

const (
	pathGroup         = "MOODLE_BACKUP/COURSE/GROUPS/GROUP"
	pathGrouping      = "MOODLE_BACKUP/COURSE/GROUPINGS/GROUPING"
	pathGroupingGroup = "MOODLE_BACKUP/COURSE/GROUPINGSGROUPS/GROUPINGGROUP"
)

// readGroupingGroup reads one COURSE/GROUPINGSGROUPS/GROUPINGGROUP (1.9):
// a group in a grouping.
func (p *groupsPart) readGroupingGroup(r *Node) error {
	p.links = append(p.links, groupingLink{id: r.Int("ID"), grouping: r.Int("GROUPINGID"),
		group: r.Int("GROUPID"), added: r.Int("TIMEADDED"), line: r.Line})
	return nil
}

func (p *groupsPart) finding(code string, sev report.Severity, path string, line int, msg string) {
	p.c.report(report.Finding{Code: code, Severity: sev, Entry: "moodle.xml", Path: path, Line: line, Message: msg})
}

func (p *groupsPart) readGroup(n *Node) {
	c := p.c
	id := n.Int("ID")
	c.audit.Read(KindGroups, 1)
	if members := n.All("MEMBERS/MEMBER"); len(members) > 0 {
		if p.members == 0 {
			p.membersLine = members[0].Line
		}
		p.members += int64(len(members))
		p.memberGroups++
	}
	if old := p.groupByID[id]; old != nil {
		c.audit.Explain(KindGroups, 1)
		saved := c.saveXML(n, fmt.Sprintf("group_%d_duplicate", id))
		p.finding(CodeNotConverted, report.Warning, pathGroup, n.Line, fmt.Sprintf("a second group with id %d (%q) was left out: group ids must be unique%s", id, n.Value("NAME"), savedNote(saved)))
		return
	}
	g := &groupRec{id: id, name: n.Value("NAME"), created: n.Int("TIMECREATED"), modified: n.Int("TIMEMODIFIED"), line: n.Line}
	if g.name == "" {
		g.name = fmt.Sprintf("Group %d", id)
		p.finding(CodeMissingField, report.Warning, pathGroup, n.Line, fmt.Sprintf("group %d has no name: named %q", id, g.name))
	}
	g.name = p.fit(pathGroup, n.Line, "group name", g.name, groupNameMax)
	// Before 1.8 the enrolment key was PASSWORD.
	g.key = n.Value("ENROLMENTKEY")
	if !n.Has("ENROLMENTKEY") {
		g.key = n.Value("PASSWORD")
	}
	g.key = p.fit(pathGroup, n.Line, "group enrolment key", g.key, groupKeyMax)
	for _, f := range [][2]string{{"LANG", "language"}, {"THEME", "theme"}} {
		if v := n.Value(f[0]); v != "" {
			p.finding(CodeValueChanged, report.Info, pathGroup, n.Line, fmt.Sprintf("group %q: the 1.x group %s %q has no 2.x equivalent (groups have no language or theme): not carried over", g.name, f[1], v))
		}
	}

	o := c.newOwner("groups", pathGroup, n.Line)
	g.desc, g.format = o.Text(n.Raw("DESCRIPTION"), FormatMoodle, Area{ContextID: c.courseCtx, Component: "group", FileArea: "description", ItemID: id})
	if !n.Has("DESCRIPTION") {
		g.desc = ""
	}
	g.modLinks = o.modLinks
	o.commit()
	g.picture = p.placePicture(n, g)
	p.groups = append(p.groups, g)
	p.groupByID[id] = g
}

// placePicture places the 1.x picture of group g (group_files/<id>/, f1.jpg
// and f2.jpg, which 2.x serves as they are) in group/icon/<id> and returns
// the picture value to write: 0 when the group gets none.
func (p *groupsPart) placePicture(n *Node, g *groupRec) int64 {
	c := p.c
	dir := fmt.Sprintf("group_files/%d", g.id)
	have := len(c.files.SourceNames(dir+"/")) > 0
	picture, hidden := n.Int("PICTURE"), n.Int("HIDEPICTURE")
	switch {
	case picture == 0 && have:
		p.finding(CodeNotConverted, report.Info, pathGroup, n.Line, fmt.Sprintf("group %q: %s holds picture files but the group's PICTURE is 0 (1.x showed no picture): not carried over", g.name, dir))
		return 0
	case picture == 0:
		return 0
	case hidden != 0:
		p.finding(CodeNotConverted, report.Warning, pathGroup, n.Line, fmt.Sprintf("group %q: its picture was hidden in 1.x (HIDEPICTURE 1); 2.x has no hidden group pictures and its restore drops them, so the picture is not carried over", g.name))
		return 0
	case !have:
		p.finding(CodeFileMissing, report.Warning, pathGroup, n.Line, fmt.Sprintf("group %q has a picture (PICTURE %d) but %s/ is not in the backup: the group gets no picture", g.name, picture, dir))
		return 0
	}
	// 2.x shows f1 (large) and f2 (small), .png or .jpg; 1.x wrote both.
	// When one is missing the other stands in, rather than a broken image.
	f1, f2 := iconName(c.files, dir, "f1"), iconName(c.files, dir, "f2")
	if f1 == "" && f2 == "" {
		p.finding(CodeNotConverted, report.Warning, pathGroup, n.Line, fmt.Sprintf("group %q: %s/ holds no f1 or f2 picture (.jpg or .png), the only names 2.x shows: the group gets no picture", g.name, dir))
		return 0
	}
	o := c.newOwner("groups", pathGroup, n.Line)
	area := Area{ContextID: c.courseCtx, Component: "group", FileArea: "icon", ItemID: g.id}
	if _, err := o.AddTree(dir, area); err != nil {
		p.finding(CodeFileMissing, report.Warning, pathGroup, n.Line, fmt.Sprintf("group %q: its picture could not be read (%v): the group gets no picture", g.name, err))
		return 0
	}
	if f1 == "" || f2 == "" {
		src, missing := f1, "f2"
		if src == "" {
			src, missing = f2, "f1"
		}
		if err := o.AddFile(dir+"/"+src, area, "/", missing+path.Ext(src), 0); err == nil {
			p.finding(CodeValueChanged, report.Info, pathGroup, n.Line, fmt.Sprintf("group %q: %s/ has %s but no %s picture: %s is used for both sizes", g.name, dir, src, missing, src))
		}
	}
	o.commit()
	return 1
}

// iconName returns the name of the picture base.jpg or base.png (the
// names 2.x serves) in the source folder dir, or "".
func iconName(f *Files, dir, base string) string {
	for _, ext := range []string{".png", ".jpg"} {
		if f.Source(dir+"/"+base+ext) != nil {
			return base + ext
		}
	}
	return ""
}

func (p *groupsPart) readGrouping(n *Node) {
	c := p.c
	id := n.Int("ID")
	c.audit.Read(KindGroupings, 1)
	// Early 1.9 development nested the grouping's groups.
	nested := n.All("GROUPS/GROUP")
	for _, r := range nested {
		p.links = append(p.links, groupingLink{grouping: id, group: r.Int("GROUPID"), added: r.Int("TIMEADDED"), line: r.Line})
	}
	if old := p.groupingByID[id]; old != nil {
		c.audit.Explain(KindGroupings, 1)
		saved := c.saveXML(n, fmt.Sprintf("grouping_%d_duplicate", id))
		p.finding(CodeNotConverted, report.Warning, pathGrouping, n.Line, fmt.Sprintf("a second grouping with id %d (%q) was left out: grouping ids must be unique%s", id, n.Value("NAME"), savedNote(saved)))
		return
	}
	g := &groupingRec{id: id, name: n.Value("NAME"), config: n.Value("CONFIGDATA"),
		created: n.Int("TIMECREATED"), modified: n.Int("TIMEMODIFIED"), line: n.Line}
	if !n.Has("CONFIGDATA") {
		g.config = Null
	}
	if !n.Has("TIMEMODIFIED") {
		g.modified = g.created
	}
	if g.name == "" {
		g.name = fmt.Sprintf("Grouping %d", id)
		p.finding(CodeMissingField, report.Warning, pathGrouping, n.Line, fmt.Sprintf("grouping %d has no name: named %q", id, g.name))
	}
	g.name = p.fit(pathGrouping, n.Line, "grouping name", g.name, groupingNameMax)
	o := c.newOwner("groupings", pathGrouping, n.Line)
	g.desc, g.format = o.Text(n.Raw("DESCRIPTION"), FormatMoodle, Area{ContextID: c.courseCtx, Component: "grouping", FileArea: "description", ItemID: id})
	if !n.Has("DESCRIPTION") {
		g.desc = ""
	}
	g.modLinks = o.modLinks
	o.commit()
	p.groupings = append(p.groupings, g)
	p.groupingByID[id] = g
}

// fit shortens s to max characters (the 2.x column size), with a finding.
func (p *groupsPart) fit(path string, line int, what, s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	short := string(r[:max])
	p.finding(CodeValueChanged, report.Warning, path, line, fmt.Sprintf("%s %q is longer than the %d characters 2.x keeps: shortened to %q", what, s, max, short))
	return short
}

// end writes groups.xml once every group and grouping is known.
func (p *groupsPart) end() error {
	c := p.c
	if p.members > 0 {
		c.audit.Read(KindGroupMembers, p.members)
		c.audit.Explain(KindGroupMembers, p.members)
		p.finding(CodeNotConverted, report.Warning, pathGroup+"/MEMBERS/MEMBER", p.membersLine, fmt.Sprintf("%d group membership(s) in %d group(s) not carried over (the groups are): %s", p.members, p.memberGroups, whyUserData))
	}
	p.resolveLinks()
	p.checkDefaultGrouping()
	p.checkModuleGroupings()
	p.uniqueNames()
	if len(p.groups) == 0 && len(p.groupings) == 0 {
		return nil
	}
	x, err := c.root("groups.xml")
	if err != nil {
		return err
	}
	for _, g := range p.groups {
		desc := g.desc
		if g.modLinks {
			desc = c.oldSiteLinks(fmt.Sprintf("groups.xml (group %d)", g.id), desc)
		}
		x.Start("group", A("id", g.id))
		x.Leaves("name", g.name, "idnumber", "", "description", desc, "descriptionformat", g.format,
			"enrolmentkey", g.key, "picture", g.picture, "visibility", 0, "participation", 1,
			"timecreated", g.created, "timemodified", g.modified)
		x.Empty("group_members")
		x.End()
		c.audit.Wrote(KindGroups, 1)
	}
	x.Start("groupings")
	for _, g := range p.groupings {
		desc := g.desc
		if g.modLinks {
			desc = c.oldSiteLinks(fmt.Sprintf("groups.xml (grouping %d)", g.id), desc)
		}
		x.Start("grouping", A("id", g.id))
		x.Leaves("name", g.name, "idnumber", "", "description", desc, "descriptionformat", g.format,
			"configdata", g.config, "timecreated", g.created, "timemodified", g.modified)
		x.Start("grouping_groups")
		for _, l := range g.links {
			x.Start("grouping_group", A("id", l.id))
			x.Leaves("groupid", l.group, "timeadded", l.added)
			x.End()
			c.audit.Wrote(KindGroupingGroups, 1)
		}
		x.End()
		x.End()
		c.audit.Wrote(KindGroupings, 1)
	}
	x.End()
	return x.Err()
}

// resolveLinks puts each grouping group under its grouping, leaving out
// those naming a group or grouping the backup does not hold (restore would
// add a member that is no group) and repeats. Ids missing in 1.x (the
// nested shape has none) are numbered after the largest one.
func (p *groupsPart) resolveLinks() {
	c := p.c
	var maxID int64
	for _, l := range p.links {
		maxID = max(maxID, l.id)
	}
	seen := map[[2]int64]bool{}
	usedID := map[int64]bool{}
	for _, l := range p.links {
		c.audit.Read(KindGroupingGroups, 1)
		gr, g := p.groupingByID[l.grouping], p.groupByID[l.group]
		switch {
		case gr == nil || g == nil:
			c.audit.Explain(KindGroupingGroups, 1)
			what := fmt.Sprintf("grouping %d", l.grouping)
			if gr != nil {
				what = fmt.Sprintf("group %d", l.group)
			}
			p.finding(CodeNotConverted, report.Warning, pathGroupingGroup, l.line, fmt.Sprintf("group %d in grouping %d left out: %s is not in the backup", l.group, l.grouping, what))
			continue
		case seen[[2]int64{l.grouping, l.group}]:
			c.audit.Explain(KindGroupingGroups, 1)
			p.finding(CodeNotConverted, report.Info, pathGroupingGroup, l.line, fmt.Sprintf("group %q is listed twice in grouping %q: the repeat is left out", g.name, gr.name))
			continue
		}
		seen[[2]int64{l.grouping, l.group}] = true
		if l.id <= 0 || usedID[l.id] {
			maxID++
			l.id = maxID
		}
		usedID[l.id] = true
		gr.links = append(gr.links, l)
	}
}

// checkDefaultGrouping reports a course default grouping the backup does
// not hold: restore maps it to none.
func (p *groupsPart) checkDefaultGrouping() {
	h := p.c.header
	if h == nil {
		return
	}
	if id := h.Int("DEFAULTGROUPINGID"); id > 0 && p.groupingByID[id] == nil {
		p.finding(CodeValueChanged, report.Warning, "MOODLE_BACKUP/COURSE/HEADER/DEFAULTGROUPINGID", h.Line,
			fmt.Sprintf("the course's default grouping %d is not in the backup: the restored course has no default grouping", id))
	}
}

// checkModuleGroupings reports each activity restricted to a grouping the
// backup does not hold (module.xml keeps the 1.x groupingid): restore maps
// it to none, and turns "available for group members only" into "any
// group".
func (p *groupsPart) checkModuleGroupings() {
	for _, s := range p.c.sections {
		for _, cm := range s.cms {
			id := cm.Node.Int("GROUPINGID")
			if !cm.Converted || id <= 0 || p.groupingByID[id] != nil {
				continue
			}
			msg := fmt.Sprintf("course module %d (%s%s) uses grouping %d, which is not in the backup: the restored activity uses no grouping", cm.ID, cm.ModType, quoted(cm.Title), id)
			if cm.Node.Int("GROUPMEMBERSONLY") != 0 {
				msg += ", and is restricted to members of any group instead of that grouping's"
			}
			p.c.finding(CodeValueChanged, report.Warning, cm.Node, msg)
		}
	}
}

// uniqueNames renames a group (grouping) that restore would take for an
// earlier one: restore reuses the course's group of the same name when the
// new one's description is empty or equal, so the second would vanish into
// the first. Names compare without case, as MySQL does.
func (p *groupsPart) uniqueNames() {
	clash := func(name, desc string, prev map[string][]string) bool {
		for _, d := range prev[strings.ToLower(name)] {
			if strings.TrimSpace(desc) == "" || desc == d {
				return true
			}
		}
		return false
	}
	prev := map[string][]string{}
	for _, g := range p.groups {
		if clash(g.name, g.desc, prev) {
			old := g.name
			g.name = fmt.Sprintf("%s (%d)", old, g.id)
			p.finding(CodeValueChanged, report.Warning, pathGroup, g.line, fmt.Sprintf("group %d is named %q like an earlier group with the same description, and restore would merge the two: renamed %q", g.id, old, g.name))
		}
		k := strings.ToLower(g.name)
		prev[k] = append(prev[k], g.desc)
	}
	prev = map[string][]string{}
	for _, g := range p.groupings {
		if clash(g.name, g.desc, prev) {
			old := g.name
			g.name = fmt.Sprintf("%s (%d)", old, g.id)
			p.finding(CodeValueChanged, report.Warning, pathGrouping, g.line, fmt.Sprintf("grouping %d is named %q like an earlier grouping with the same description, and restore would merge the two: renamed %q", g.id, old, g.name))
		}
		k := strings.ToLower(g.name)
		prev[k] = append(prev[k], g.desc)
	}
}

// oldSiteLinks turns the module link tokens of a text restore does not
// decode (group and grouping descriptions) back into the absolute links to
// the old site that 1.x encoded, so no raw token reaches the restored
// course.
func (c *conv) oldSiteLinks(where, s string) string {
	return replaceModTokens(s, func(t modToken) string {
		orig := s[t.start:t.end]
		c.audit.Wrote(KindLinks, -1)
		c.audit.Explain(KindLinks, 1)
		u, ok := oldSiteURL(t)
		if !ok {
			c.report(report.Finding{Code: CodeLinkOldSite, Severity: report.Warning, Entry: where,
				Message: fmt.Sprintf("link token %s is not known and restore does not decode this text: left as it is", orig)})
			return orig
		}
		abs := c.oldWWWRoot() + u
		c.report(report.Finding{Code: CodeLinkOldSite, Severity: report.Info, Entry: where,
			Message: fmt.Sprintf("link %s is in a text restore does not decode: written as the link to the old site it was in 1.x, %s", orig, abs)})
		return abs
	})
}

// tokenURLs are the 1.x URL forms of the tokens not built by the general
// rules of oldSiteURL (moodle19-format.md §11.2, §11.3).
var tokenURLs = map[string]string{
	"COURSEVIEWBYID":            "/course/view.php?id=$1",
	"FORUMVIEWBYF":              "/mod/forum/view.php?f=$1",
	"FORUMDISCUSSIONVIEW":       "/mod/forum/discuss.php?d=$1",
	"FORUMDISCUSSIONVIEWPARENT": "/mod/forum/discuss.php?d=$1&parent=$2",
	"FORUMDISCUSSIONVIEWINSIDE": "/mod/forum/discuss.php?d=$1#$2",
	"DATAVIEWRECORD":            "/mod/data/view.php?d=$1&rid=$2",
	"DATAVIEWBYD":               "/mod/data/view.php?d=$1",
	"QUIZVIEWBYQ":               "/mod/quiz/view.php?q=$1",
}

// oldSiteURL returns the old-site path (after the wwwroot) a 1.x module
// token was encoded from: <MOD>VIEWBYID is /mod/<mod>/view.php?id=,
// <MOD>INDEX /mod/<mod>/index.php?id=, the others from the tables.
func oldSiteURL(t modToken) (string, bool) {
	tmpl, ok := tokenURLs[t.name]
	if !ok {
		tmpl, ok = legacyURLs[t.name]
	}
	if !ok {
		for _, suf := range []struct{ token, script string }{{"VIEWBYID", "view"}, {"INDEX", "index"}} {
			mod := strings.TrimSuffix(t.name, suf.token)
			if mod != t.name && mod != "" && isUpperWord(mod) {
				tmpl, ok = "/mod/"+strings.ToLower(mod)+"/"+suf.script+".php?id=$1", true
				break
			}
		}
	}
	if !ok {
		return "", false
	}
	for i := len(t.ids) - 1; i >= 0; i-- {
		tmpl = strings.ReplaceAll(tmpl, fmt.Sprintf("$%d", i+1), t.ids[i])
	}
	if strings.Contains(tmpl, "$") {
		return "", false // fewer ids than the form needs
	}
	return tmpl, true
}

func isUpperWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
