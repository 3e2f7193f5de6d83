package convert

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// wikiModes maps the 1.x wiki type (WTYPE) to the 2.x wiki mode.
var wikiModes = map[string]string{
	"group":   "collaborative", // one wiki for the course, or per group in group mode
	"teacher": "collaborative", // one wiki that teachers edit and students read
	"student": "individual",    // one wiki per student
}

// teacherWikiPrevented are the capabilities students lose in what was a
// 1.x teacher wiki.
var teacherWikiPrevented = []string{"mod/wiki:createpage", "mod/wiki:editpage"}

// convertWiki converts a 1.x ewiki wiki (conversion-rules.md §3.17) and
// does better than Moodle's own converter (§7.8): a teacher wiki stays one
// shared wiki (collaborative, with a finding on who may edit) instead of
// becoming per-student wikis; the first page keeps its 1.x name; the intro
// keeps its format. Pages (ENTRIES, only present with user data) are
// written with their ewiki markup converted to HTML, every 1.x version as a
// 2.x version, but a restore reads wiki pages only with user data, which
// this version does not include: they are accounted as left out.
func convertWiki(a *Activity, mod *Node) error {
	name := mod.Value("NAME")
	if name == "" {
		name = "Wiki"
		a.Finding(CodeMissingField, report.Info, "a wiki without a name is named \"Wiki\"")
	}
	wtype := strings.ToLower(mod.Value("WTYPE"))
	mode, ok := wikiModes[wtype]
	if !ok {
		a.Finding(CodeValueChanged, report.Warning, fmt.Sprintf("wiki %q of the unknown 1.x type %q became a collaborative wiki", name, wtype))
		mode = "collaborative"
	}
	if wtype == "teacher" {
		// Teachers edit, students read: students are prevented from
		// editing in this wiki's own permissions.
		for _, capability := range teacherWikiPrevented {
			if err := a.Override(RoleStudent, capability, CapPrevent); err != nil {
				return err
			}
		}
		a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("wiki %q was a 1.x teacher wiki (teachers edit, students read): it is one collaborative wiki in which the student role is prevented from %s", name, strings.Join(teacherWikiPrevented, " and ")))
	}
	first := mod.Value("PAGENAME")
	if first == "" || first == Null {
		// 1.x opens a wiki without a start page name on the page named
		// after the wiki.
		first = name
	}
	intro, introformat := a.IntroText(mod.Raw("SUMMARY"), FormatMoodle)
	if ic := mod.Value("INITIALCONTENT"); ic != "" && ic != Null {
		a.Finding(CodeNotConverted, report.Info, fmt.Sprintf("wiki %q was seeded from the course files %q: 2.x wikis cannot be seeded; the files stay in the course's legacy files", name, ic))
	}
	opt := ewikiOptions{HTMLMode: int(mod.Int("HTMLMODE")), NoCamelCase: mod.Int("DISABLECAMELCASE") != 0}
	entries, versions := 0, 0
	if err := a.Each("ENTRIES/ENTRY", func(e *Node) error {
		entries++
		versions += len(e.All("PAGES/PAGE"))
		return nil
	}); err != nil {
		return err
	}
	a.LeaveOut("wiki subwikis", entries, "user data: written to wiki.xml, but a restore reads wiki pages only with user data, which this version does not include")
	a.LeaveOut("wiki page versions", versions, "user data: written to wiki.xml with the ewiki markup converted to HTML, but a restore reads wiki pages only with user data, which this version does not include")
	var werr error
	err := a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", name, "intro", intro, "introformat", introformat,
			"timecreated", mod.Int("TIMEMODIFIED"), "timemodified", mod.Int("TIMEMODIFIED"),
			"firstpagetitle", first, "wikimode", mode, "defaultformat", "html", "forceformat", 1,
			"editbegin", 0, "editend", 0)
		x.Start("subwikis")
		werr = a.Each("ENTRIES/ENTRY", func(e *Node) error {
			writeSubwiki(x, e, opt)
			return nil
		})
		x.End()
	})
	if err == nil {
		err = werr
	}
	return err
}

// writeSubwiki writes one 1.x wiki entry (a subwiki) with its pages: the
// 1.x PAGE records are versions, grouped by page name.
func writeSubwiki(x *XMLWriter, e *Node, opt ewikiOptions) {
	type page struct {
		title    string
		versions []*Node
	}
	var pages []*page
	byName := map[string]*page{}
	for _, p := range e.All("PAGES/PAGE") {
		title := p.Value("PAGENAME")
		wp := byName[title]
		if wp == nil {
			wp = &page{title: title}
			byName[title] = wp
			pages = append(pages, wp)
		}
		wp.versions = append(wp.versions, p)
	}
	x.Start("subwiki", A("id", e.Int("ID")))
	x.Leaves("groupid", e.Int("GROUPID"), "userid", e.Int("USERID"))
	x.Start("pages")
	for _, wp := range pages {
		sort.SliceStable(wp.versions, func(i, j int) bool { return wp.versions[i].Int("VERSION") < wp.versions[j].Int("VERSION") })
		first, last := wp.versions[0], wp.versions[len(wp.versions)-1]
		x.Start("page", A("id", last.Int("ID")))
		x.Leaves("title", wp.title, "cachedcontent", ewikiToHTML(last.Raw("CONTENT"), opt),
			"timecreated", first.Int("CREATED"), "timemodified", last.Int("LASTMODIFIED"),
			"timerendered", 0, "userid", last.Int("USERID"), "pageviews", last.Int("HITS"), "readonly", 0)
		x.Start("versions")
		for _, v := range wp.versions {
			x.Start("version", A("id", v.Int("ID")))
			x.Leaves("content", ewikiToHTML(v.Raw("CONTENT"), opt), "contentformat", "html",
				"version", v.Int("VERSION"), "timecreated", v.Int("LASTMODIFIED"), "userid", v.Int("USERID"))
			x.End()
		}
		x.End()
		x.Empty("tags")
		x.End()
	}
	x.End()
	x.Empty("synonyms")
	x.Empty("links")
	x.End()
}
