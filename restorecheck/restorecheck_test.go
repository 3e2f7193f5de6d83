package restorecheck

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/convert"
)

// faithful builds the restore counts of a Moodle that restored exactly what
// out holds.
func faithful(out *Output) *Restored {
	c := Counts{Modules: map[string]int{}}
	for m, n := range out.Activities {
		c.Modules[m] = n
		c.ModulesTotal += n
	}
	c.Sections, c.Blocks = out.Sections, out.Blocks
	c.Files, c.FilesBytes = out.Files, out.FileBytes
	c.ForumDiscussions = out.Discussions + out.SingleForums
	c.ForumPosts = out.Posts + out.SingleForums
	c.QuestionsCreatedByContext = map[string]int{"course": out.Questions}
	c.Groups, c.Groupings = out.Groups, out.Groupings
	return &Restored{Success: true, Counts: c}
}

func TestReadReportAndInspect(t *testing.T) {
	c := convertGolden(t, "course-basic")
	if len(c.Run.Audit) == 0 || c.Run.Audit[convert.KindSections] == nil {
		t.Fatalf("no sections in the audit read back: %v", c.Run.Audit.Kinds())
	}
	if u := c.Run.Audit.Unbalanced(); len(u) > 0 {
		t.Errorf("audit read back does not balance: %v", u)
	}
	out, err := Inspect(context.Background(), c.MBZ)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Problems) > 0 {
		t.Errorf("clean output has problems:\n%s", strings.Join(out.Problems, "\n"))
	}
	if out.Sections == 0 || out.Files == 0 || len(out.Activities) == 0 {
		t.Errorf("nothing counted: %+v", out)
	}
	if d := Compare(c.Run.Audit, out, faithful(out)); len(d) > 0 {
		t.Errorf("audit, output and a faithful restore disagree: %v", d)
	}
}

// TestCompareCatches drops one thing from a faithful restore at a time: each
// must be a Diff.
func TestCompareCatches(t *testing.T) {
	c := convertGolden(t, "course-basic")
	out, err := Inspect(context.Background(), c.MBZ)
	if err != nil {
		t.Fatal(err)
	}
	var mod string
	for m := range out.Activities {
		mod = m
		break
	}
	tests := []struct {
		name string
		edit func(*Restored)
		want string
	}{
		{"module", func(r *Restored) { r.Counts.Modules[mod]-- }, "modules/" + mod},
		{"section", func(r *Restored) { r.Counts.Sections-- }, "sections"},
		{"file", func(r *Restored) { r.Counts.Files-- }, "files"},
		{"bytes", func(r *Restored) { r.Counts.FilesBytes++ }, "bytes"},
		{"block", func(r *Restored) { r.Counts.Blocks-- }, "blocks"},
		{"discussion", func(r *Restored) { r.Counts.ForumDiscussions++ }, "forum discussions (restored)"},
		{"question", func(r *Restored) { r.Counts.QuestionsCreatedByContext["course"]++ }, "questions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := faithful(out)
			tt.edit(r)
			diffs := Compare(c.Run.Audit, out, r)
			if len(diffs) != 1 || diffs[0].What != tt.want {
				t.Errorf("got %v, want one diff %q", diffs, tt.want)
			}
		})
	}
	t.Run("audit", func(t *testing.T) {
		a := convert.Audit{}
		a.Add(c.Run.Audit)
		a.Wrote(convert.KindSections, 1)
		diffs := Compare(a, out, faithful(out))
		if len(diffs) != 1 || diffs[0].What != convert.KindSections || diffs[0].Audit != int64(out.Sections+1) {
			t.Errorf("got %v, want the sections audit diff", diffs)
		}
	})
}

// TestBreaksStatic: every breakage is reported by Inspect without Moodle.
func TestBreaksStatic(t *testing.T) {
	c := convertGolden(t, "course-basic")
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			dir := extract(t, c.MBZ)
			what := b.apply(t, dir)
			out, err := Inspect(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			re := regexp.MustCompile(b.static)
			var hit bool
			for _, p := range out.Problems {
				hit = hit || re.MatchString(p)
			}
			if !hit {
				t.Errorf("%s: no problem matches %q; got:\n%s", what, b.static, strings.Join(out.Problems, "\n"))
			}
		})
	}
}

func TestReadReportRejectsUnknownAuditText(t *testing.T) {
	in := `{"type":"finding","code":"convert.audit","severity":"info","path":"files","message":"files: 3 of 4"}`
	if _, err := ReadReport(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "does not read") {
		t.Fatalf("got %v, want an error naming the format", err)
	}
	if _, err := ReadReport(strings.NewReader(`{"type":"summary"}`)); err == nil {
		t.Fatal("a report without audit findings was accepted")
	}
}

func TestFindWithoutSite(t *testing.T) {
	t.Setenv("MOODLE_HOME", t.TempDir())
	_, err := Find(".", "")
	if err == nil {
		t.Fatal("Find accepted a MOODLE_HOME without .installed")
	}
	if !strings.Contains(err.Error(), "setup.sh") || !strings.Contains(err.Error(), EnvSite) {
		t.Errorf("error does not say how to set up: %v", err)
	}
}

func TestSplitWarnings(t *testing.T) {
	w := func(id string) string { return "[25 November 2026 at 7:48 am] [warn] " + notFullyRestored + id }
	tests := []struct {
		name       string
		mods       map[string]int
		warnings   []string
		count      int
		backup, st int
	}{
		{"chat and survey", map[string]int{"chat": 1, "survey": 1, "forum": 2}, []string{w("12"), w("14")}, 2, 0, 2},
		{"one more than disabled modules", map[string]int{"chat": 1}, []string{w("12"), w("14")}, 2, 1, 1},
		{"no disabled module", map[string]int{"forum": 1}, []string{w("3")}, 1, 1, 0},
		{"other warning", map[string]int{"chat": 1}, []string{"[warn] missing file"}, 1, 1, 0},
		{"unlisted beyond 25", map[string]int{}, []string{"[warn] a"}, 30, 30, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, site := SplitWarnings(&Output{Activities: tt.mods}, &Restored{LogWarnings: tt.warnings, LogWarningsCount: tt.count})
			if len(ours) != tt.backup || len(site) != tt.st {
				t.Errorf("backup %d site %d, want %d %d (%v | %v)", len(ours), len(site), tt.backup, tt.st, ours, site)
			}
		})
	}
}

// TestPage renders the comparison page of a real conversion against two
// restores: the rows where Moodle's converter and moodlemig differ are
// marked, the others are not, and a failed restore says so.
func TestPage(t *testing.T) {
	c := convertGolden(t, "course-basic")
	out, err := Inspect(context.Background(), c.MBZ)
	if err != nil {
		t.Fatal(err)
	}
	ours := faithful(out)
	moodle := faithful(out)
	moodle.Counts.Files++
	moodle.Format = "moodle1"
	r := &Result{Course: Course{Name: "course-basic", Doc: "doc"}, Ours: c, Output: out, Restored: ours, Moodle: moodle}
	page := Page([]*Result{r}, "4.5.6", time.Unix(0, 0))
	fileRow := regexp.MustCompile(`(?m)^\| files \(records[^\n]*\| ` + strconv.Itoa(out.Files+1) + ` \| ` + strconv.Itoa(out.Files) + ` ◀ \|$`)
	if !fileRow.MatchString(page) {
		t.Errorf("no marked files row %d/%d in:\n%s", out.Files+1, out.Files, page)
	}
	if regexp.MustCompile(`(?m)^\| sections \|[^\n]*◀`).MatchString(page) {
		t.Errorf("sections marked although equal:\n%s", page)
	}
	if !strings.Contains(page, "## course-basic") || !strings.Contains(page, "agree") {
		t.Errorf("course section or verdict missing:\n%s", page)
	}
	moodle.Success, moodle.Error = false, "missing_roles_xml_file"
	page = Page([]*Result{r}, "4.5.6", time.Unix(0, 0))
	if !strings.Contains(page, "the restore failed: `missing_roles_xml_file`") || !strings.Contains(page, "| restore failed |") {
		t.Errorf("failed restore not shown:\n%s", page)
	}
}

func TestCompareRecords(t *testing.T) {
	run := &Run{Audit: convert.Audit{}}
	run.Audit.Read("lesson pages", 3)
	run.Audit.Wrote("lesson pages", 3)
	run.Audit.Read("wiki subwikis", 1)
	run.Audit.Explain("wiki subwikis", 1)
	if d := CompareRecords(run, map[string]int{"lesson_pages": 3, "wiki_subwikis": 0}); len(d) != 0 {
		t.Errorf("equal counts reported: %v", d)
	}
	d := CompareRecords(run, map[string]int{"lesson_pages": 2, "wiki_subwikis": 0})
	if len(d) != 1 || d[0].What != "lesson pages" || d[0].Restored != 2 {
		t.Errorf("got %v, want one lesson pages diff", d)
	}
	for _, rows := range []map[string]int{{"lesson_pages": -1, "wiki_subwikis": 0}, {"wiki_subwikis": 0}} {
		if d := CompareRecords(run, rows); len(d) != 1 || !strings.Contains(d[0].Why, "could not count") {
			t.Errorf("%v: unreadable table not reported: %v", rows, d)
		}
	}
}

// TestCompareJPEGBytes: Moodle 4.4+ re-encodes JPEGs to strip EXIF data,
// so with JPEGs in the output a bytes difference is not a loss (the record
// count still is); without them it is.
func TestCompareJPEGBytes(t *testing.T) {
	c := convertGolden(t, "course-basic")
	out, err := Inspect(context.Background(), c.MBZ)
	if err != nil {
		t.Fatal(err)
	}
	if out.JPEGFiles != 0 {
		t.Fatalf("course-basic has %d JPEG records; the test needs none", out.JPEGFiles)
	}
	g := convertGolden(t, "course-groups")
	if gout, err := Inspect(context.Background(), g.MBZ); err != nil || gout.JPEGFiles < 2 {
		t.Fatalf("course-groups (two JPEG group pictures): JPEGFiles = %v, %v", gout, err)
	}
	for _, tc := range []struct {
		jpegs int
		want  int
	}{{0, 1}, {1, 0}} {
		o := *out
		o.JPEGFiles = tc.jpegs
		r := faithful(&o)
		r.Counts.FilesBytes -= 100
		if d := Compare(c.Run.Audit, &o, r); len(d) != tc.want {
			t.Errorf("%d JPEGs, 100 bytes fewer restored: %v, want %d diff(s)", tc.jpegs, d, tc.want)
		}
		r.Counts.Files--
		if d := Compare(c.Run.Audit, &o, r); len(d) != tc.want+1 {
			t.Errorf("%d JPEGs, a file fewer: %v, want %d diff(s)", tc.jpegs, d, tc.want+1)
		}
	}
}
