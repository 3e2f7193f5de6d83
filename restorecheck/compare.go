package restorecheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moodlemig/moodlemig/convert"
)

// NA marks a count a view does not have.
const NA = -1

// Diff is one count on which the audit, the output and the restored course
// do not agree.
type Diff struct {
	// What is counted: "sections", "activities/forum", "files", ...
	What string
	// Audit is what the conservation audit says was written, Output what the
	// backup holds, Restored what Moodle's database holds after the restore
	// (NA where a view has no such count).
	Audit, Output, Restored int64
	// Why says which views disagree and what that means.
	Why string
}

func (d Diff) String() string {
	v := func(n int64) string {
		if n == NA {
			return "-"
		}
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%s: audit %s, output %s, restored %s: %s", d.What, v(d.Audit), v(d.Output), v(d.Restored), d.Why)
}

// successors lists the 2.x modules a 1.x module type may become
// (conversion-rules.md §3.1, §3.2); any other type keeps its name.
var successors = map[string][]string{
	"resource":   {"resource", "page", "url", "folder", "imscp"},
	"assignment": {"assign", "assignment"},
}

// auditKinds maps audit kinds to Output and Counts fields.
type pair struct {
	kind     string
	out      func(*Output) int
	restored func(Counts) int
}

var pairs = []pair{
	{convert.KindSections, func(o *Output) int { return o.Sections }, func(c Counts) int { return c.Sections }},
	{convert.KindBlocks, func(o *Output) int { return o.Blocks }, func(c Counts) int { return c.Blocks }},
	{"forum discussions", func(o *Output) int { return o.Discussions }, nil},
	{"forum posts", func(o *Output) int { return o.Posts }, nil},
	{"questions", func(o *Output) int { return o.Questions }, func(c Counts) int { return c.QuestionsCreated() }},
	{"question_categories", func(o *Output) int { return o.QuestionCategories }, nil},
	{"users", func(o *Output) int { return o.Users }, nil},
	{"groups", func(o *Output) int { return o.Groups }, func(c Counts) int { return c.Groups }},
	{"groupings", func(o *Output) int { return o.Groupings }, func(c Counts) int { return c.Groupings }},
}

// Compare returns every count on which the audit (may be nil), the output
// and the restored course (may be nil) disagree, sorted by What.
func Compare(audit convert.Audit, out *Output, res *Restored) []Diff {
	var diffs []Diff
	add := func(what string, a, o, r int64, why string) {
		diffs = append(diffs, Diff{What: what, Audit: a, Output: o, Restored: r, Why: why})
	}
	written := func(kind string) (int64, bool) {
		if audit == nil || audit[kind] == nil {
			return NA, false
		}
		return audit[kind].Written, true
	}
	var c *Counts
	if res != nil && res.Success {
		c = &res.Counts
	}

	// Activities: audit per 1.x family against the output's successors, and
	// output against restored per 2.x module.
	for kind := range audit {
		fam, ok := strings.CutPrefix(kind, convert.KindActivities+"/")
		if !ok {
			continue
		}
		names := successors[fam]
		if names == nil {
			names = []string{fam}
		}
		var o int64
		for _, n := range names {
			o += int64(out.Activities[n])
		}
		if w := audit[kind].Written; w != o {
			add(kind, w, o, NA, fmt.Sprintf("the audit says %d written, moodle_backup.xml lists %d as %s", w, o, strings.Join(names, "/")))
		}
	}
	if c != nil {
		mods := map[string]bool{}
		for m := range out.Activities {
			mods[m] = true
		}
		for m := range c.Modules {
			mods[m] = true
		}
		for m := range mods {
			o, r := int64(out.Activities[m]), int64(c.Modules[m])
			if o != r {
				add("modules/"+m, NA, o, r, fmt.Sprintf("moodle_backup.xml lists %d, Moodle restored %d", o, r))
			}
		}
	}

	for _, p := range pairs {
		a, inAudit := written(p.kind)
		o := int64(p.out(out))
		r := int64(NA)
		if c != nil && p.restored != nil {
			r = int64(p.restored(*c))
		}
		if inAudit && a != o {
			add(p.kind, a, o, r, fmt.Sprintf("the audit says %d written, the output holds %d", a, o))
		}
		if r != NA && r != o {
			add(p.kind, a, o, r, fmt.Sprintf("the output holds %d, Moodle restored %d", o, r))
		}
	}

	// Forum discussions: Moodle creates the one discussion of a "single"
	// forum from its intro when none is restored.
	if c != nil {
		want := int64(out.Discussions + out.SingleForums)
		if r := int64(c.ForumDiscussions); r != want {
			add("forum discussions (restored)", NA, want, r, fmt.Sprintf("the output holds %d discussions + %d single forums without one (Moodle adds that one), Moodle restored %d", out.Discussions, out.SingleForums, r))
		}
		want = int64(out.Posts + out.SingleForums)
		if r := int64(c.ForumPosts); r != want {
			add("forum posts (restored)", NA, want, r, fmt.Sprintf("the output holds %d posts + %d single forums without a discussion, Moodle restored %d", out.Posts, out.SingleForums, r))
		}
	}

	// Files: the audit counts source files placed (one may be placed in more
	// than one area), the output file records, Moodle the restored records.
	a, inAudit := written(convert.KindFiles)
	o := int64(out.Files)
	r := int64(NA)
	if c != nil {
		r = int64(c.Files)
	}
	if inAudit && a > o {
		add(convert.KindFiles, a, o, r, fmt.Sprintf("the audit says %d source files placed, files.xml has only %d file records", a, o))
	}
	if r != NA && r != o {
		add(convert.KindFiles, a, o, r, fmt.Sprintf("files.xml has %d file records, Moodle restored %d", o, r))
	}
	// The restored bytes are comparable only without JPEGs, which Moodle
	// re-encodes (the record count above still is).
	if c != nil && c.FilesBytes != out.FileBytes && out.JPEGFiles == 0 {
		add(convert.KindBytes, NA, out.FileBytes, c.FilesBytes, fmt.Sprintf("files.xml declares %d bytes, Moodle restored %d", out.FileBytes, c.FilesBytes))
	}
	sort.Slice(diffs, func(i, j int) bool { return diffs[i].What < diffs[j].What })
	return diffs
}

// DisabledOnSite are the modules a fresh Moodle 4.3+ install disables
// (modules.visible = 0): chat and survey. Their course modules and
// instances are restored, but course_modinfo leaves out modules of a
// disabled type, so restore's last step logs "Module not fully restored:
// id N" once for each. That warning is the site's setting, not the backup.
var DisabledOnSite = []string{"chat", "survey"}

const notFullyRestored = "Module not fully restored: id "

// SplitWarnings splits Moodle's warnings on a restore of out into those the
// backup causes and those the site causes (one "Module not fully restored"
// per activity of a DisabledOnSite type).
func SplitWarnings(out *Output, res *Restored) (backup, site []string) {
	allowed := 0
	for _, m := range DisabledOnSite {
		allowed += out.Activities[m]
	}
	for _, w := range res.Warnings() {
		if allowed > 0 && strings.Contains(w, notFullyRestored) {
			allowed--
			site = append(site, w)
			continue
		}
		backup = append(backup, w)
	}
	// restore.php lists at most 25 log warnings: the rest count as the
	// backup's.
	for i := len(backup) + len(site); i < res.WarningCount(); i++ {
		backup = append(backup, "(one more log warning, not listed by restore.php)")
	}
	return backup, site
}
