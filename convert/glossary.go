package convert

import (
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// glossaryFormats are the display formats of a standard 2.x glossary.
var glossaryFormats = map[string]bool{"continuous": true, "dictionary": true, "encyclopedia": true,
	"entrylist": true, "faq": true, "fullwithauthor": true, "fullwithoutauthor": true}

// convertGlossary converts a 1.x glossary (conversion-rules.md §3.8):
// settings and categories. Entries need user data in 2.x restore (even the
// teacher entries 1.x writes without it), so this version leaves them out
// with a finding.
func convertGlossary(a *Activity, mod *Node) error {
	intro, introformat := a.IntroText(mod.Raw("INTRO"), FormatMoodle)
	display := strings.ToLower(mod.Value("DISPLAYFORMAT"))
	if !glossaryFormats[display] {
		a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("glossary %q used the display format %q, which a standard 2.x lacks: shown as a dictionary", mod.Value("NAME"), display))
		display = "dictionary"
	}
	cats := mod.All("CATEGORIES/CATEGORY")
	a.Carry("glossary categories", len(cats))
	a.LeaveOut("glossary entries", a.Count("ENTRIES/ENTRY"), whyUserData)
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"allowduplicatedentries", mod.Int("ALLOWDUPLICATEDENTRIES"), "displayformat", display,
			"approvaldisplayformat", "default",
			"mainglossary", mod.Int("MAINGLOSSARY"), "showspecial", mod.Int("SHOWSPECIAL"),
			"showalphabet", mod.Int("SHOWALPHABET"), "showall", mod.Int("SHOWALL"),
			"allowcomments", mod.Int("ALLOWCOMMENTS"), "allowprintview", mod.Int("ALLOWPRINTVIEW"),
			"usedynalink", mod.Int("USEDYNALINK"), "defaultapproval", mod.Int("DEFAULTAPPROVAL"),
			"globalglossary", mod.Int("GLOBALGLOSSARY"), "entbypage", intOr(mod, "ENTBYPAGE", 10),
			"editalways", mod.Int("EDITALWAYS"), "rsstype", mod.Int("RSSTYPE"), "rssarticles", mod.Int("RSSARTICLES"),
			"assessed", mod.Int("ASSESSED"), "assesstimestart", mod.Int("ASSESSTIMESTART"),
			"assesstimefinish", mod.Int("ASSESSTIMEFINISH"), "scale", mod.Int("SCALE"),
			"timecreated", mod.Int("TIMECREATED"), "timemodified", mod.Int("TIMEMODIFIED"), "completionentries", 0)
		x.Empty("entries")
		x.Start("categories")
		for _, c := range cats {
			x.Start("category", A("id", c.Int("ID")))
			x.Leaves("name", c.Value("NAME"), "usedynalink", c.Int("USEDYNALINK"))
			x.Empty("category_entries")
			x.End()
		}
		x.End()
	})
}
