package convert

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/report"
)

// oneModule converts a course holding one instance of modtype whose
// MODULES/MOD body (after ID and MODTYPE) is body, and returns the text of
// its <modname>.xml ("" when the activity was kept out) and the findings.
func oneModule(t *testing.T, modtype, modname, body string) (string, []report.Finding) {
	t.Helper()
	xml := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><MOODLE_BACKUP><COURSE><SECTIONS><SECTION><ID>1</ID><NUMBER>0</NUMBER><MODS>`+
		`<MOD><ID>20</ID><TYPE>%s</TYPE><INSTANCE>3</INSTANCE><VISIBLE>1</VISIBLE></MOD></MODS></SECTION></SECTIONS>`+
		`<MODULES><MOD><ID>3</ID><MODTYPE>%s</MODTYPE>%s</MOD></MODULES></COURSE></MOODLE_BACKUP>`, modtype, modtype, body)
	rep := report.New(0)
	res, err := Convert(context.Background(), memBackup([]byte(xml)), rep, Options{Scratch: t.TempDir(), Now: fixedNow})
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	if u := res.Audit.Unbalanced(); len(u) > 0 {
		t.Errorf("audit does not balance: %v", u)
	}
	e := res.Backup.Entry(fmt.Sprintf("activities/%s_20/%s.xml", modname, modname))
	if e == nil {
		return "", rep.Findings()
	}
	return string(readAll(t, e)), rep.Findings()
}

func leaf(t *testing.T, xml, name string) string {
	t.Helper()
	open, end := "<"+name+">", "</"+name+">"
	i := strings.Index(xml, open)
	j := strings.Index(xml, end)
	if i < 0 || j < i {
		t.Fatalf("no <%s> in\n%s", name, xml)
	}
	return xml[i+len(open) : j]
}

func TestWikiModes(t *testing.T) {
	tests := []struct {
		wtype, pagename, name string
		mode, first           string
	}{
		{"teacher", "Start", "Notes", "collaborative", "Start"},
		{"group", "", "Project", "collaborative", "Project"},
		{"student", "Diary", "Journal", "individual", "Diary"},
		{"GROUP", "", "", "collaborative", "Wiki"},
		{"other", "", "X", "collaborative", "X"},
	}
	for _, tc := range tests {
		t.Run(tc.wtype+"/"+tc.name, func(t *testing.T) {
			xml, _ := oneModule(t, "wiki", "wiki", fmt.Sprintf("<NAME>%s</NAME><SUMMARY>s</SUMMARY><PAGENAME>%s</PAGENAME><WTYPE>%s</WTYPE>", tc.name, tc.pagename, tc.wtype))
			if got := leaf(t, xml, "wikimode"); got != tc.mode {
				t.Errorf("wikimode = %q, want %q", got, tc.mode)
			}
			if got := leaf(t, xml, "firstpagetitle"); got != tc.first {
				t.Errorf("firstpagetitle = %q, want %q", got, tc.first)
			}
		})
	}
}

func TestWorkshopStrategies(t *testing.T) {
	tests := []struct {
		gs       int
		strategy string
		elements string // element names the form must hold
	}{
		{0, "comments", "workshopform_comments_dimension"},
		{1, "accumulative", "workshopform_accumulative_dimension"},
		{2, "numerrors", "workshopform_numerrors_dimension"},
		{3, "rubric", "workshopform_rubric_level"},
		{4, "rubric", "workshopform_rubric_level"},
		{17, "comments", "workshopform_comments_dimension"}, // unknown: never fatal
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.gs), func(t *testing.T) {
			xml, fs := oneModule(t, "workshop", "workshop", fmt.Sprintf(`<NAME>W</NAME><DESCRIPTION>d</DESCRIPTION><FORMAT>1</FORMAT><GRADINGSTRATEGY>%d</GRADINGSTRATEGY><GRADE>100</GRADE>`+
				`<ELEMENTS><ELEMENT><ELEMENTNO>0</ELEMENTNO><DESCRIPTION>e</DESCRIPTION><SCALE>9</SCALE><MAXSCORE>10</MAXSCORE><WEIGHT>11</WEIGHT>`+
				`<RUBRICS><RUBRIC><RUBRICNO>1</RUBRICNO><DESCRIPTION>r</DESCRIPTION></RUBRIC></RUBRICS></ELEMENT></ELEMENTS>`, tc.gs))
			if xml == "" {
				t.Fatalf("workshop kept out: %v", fs)
			}
			if got := leaf(t, xml, "strategy"); got != tc.strategy {
				t.Errorf("strategy = %q, want %q", got, tc.strategy)
			}
			if !strings.Contains(xml, "<subplugin_workshopform_"+tc.strategy+"_workshop>") || !strings.Contains(xml, "<"+tc.elements+" ") {
				t.Errorf("no %s form with %s in\n%s", tc.strategy, tc.elements, xml)
			}
		})
	}
}

func TestWorkshopWeight(t *testing.T) {
	want := map[int64]int64{0: 0, 7: 0, 8: 1, 9: 2, 10: 3, 11: 4, 12: 6, 13: 8, 14: 16, 15: 0, -1: 0}
	for in, w := range want {
		if got := workshopWeight(in); got != w {
			t.Errorf("workshopWeight(%d) = %d, want %d", in, got, w)
		}
	}
}

func TestFixMatchingJumps(t *testing.T) {
	mk := func(j ...int64) []lessonAnswer {
		var a []lessonAnswer
		for _, x := range j {
			a = append(a, lessonAnswer{jumpto: x})
		}
		return a
	}
	jumps := func(a []lessonAnswer) []int64 {
		var out []int64
		for _, x := range a {
			out = append(out, x.jumpto)
		}
		return out
	}
	tests := []struct{ in, want []int64 }{
		{[]int64{0, -1, -9, 11}, []int64{-9, 11, 0, 0}},
		{[]int64{0, 0, -9, 11}, []int64{0, 0, -9, 11}},       // nothing to move: already 2.x shaped
		{[]int64{-1, -1, 0, 0, 5}, []int64{-1, -1, 0, 0, 5}}, // answers 2/3 hold no jump
		{[]int64{-1, 0, -9}, []int64{-1, 0, -9}},             // three answers: not the old layout
	}
	for _, tc := range tests {
		a := mk(tc.in...)
		fixMatchingJumps(a)
		if got := jumps(a); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("fixMatchingJumps(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestScormNeverAborts: a course whose SCORM packages are missing, broken
// or remote converts with every activity kept, each problem a finding.
func TestScormNeverAborts(t *testing.T) {
	res, rep := convertDir(t, filepath.Join("testdata", "course-scorm"), Options{})
	for i := 500; i <= 505; i++ {
		if res.Backup.Entry(fmt.Sprintf("activities/scorm_%d/scorm.xml", i)) == nil {
			t.Errorf("scorm_%d kept out", i)
		}
	}
	want := map[string]string{
		"Cells (nothing)": CodeFileMissing, "Broken package": CodeFileMissing,
		"Cells (no package)": CodeFileMissing, "Cells (package only)": CodeValueChanged,
	}
	for name, code := range want {
		found := false
		for _, f := range rep.Findings() {
			if f.Code == code && strings.Contains(f.Message, `"`+name+`"`) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s finding for %q", code, name)
		}
	}
	// The package-only activity re-reads its package when opened; the
	// complete one keeps the package hash so Moodle does not.
	complete := string(readAll(t, res.Backup.Entry("activities/scorm_500/scorm.xml")))
	if h := leaf(t, complete, "sha1hash"); len(h) != 40 || leaf(t, complete, "updatefreq") != "0" {
		t.Errorf("complete package: sha1hash %q updatefreq %q", h, leaf(t, complete, "updatefreq"))
	}
	pkgOnly := string(readAll(t, res.Backup.Entry("activities/scorm_502/scorm.xml")))
	if leaf(t, pkgOnly, "sha1hash") != Null || leaf(t, pkgOnly, "updatefreq") != "3" {
		t.Errorf("package only: want re-read on open, got\n%s", pkgOnly)
	}
}

// TestLessonDuplicateIDs: a page or answer id met twice (a hand-edited or
// damaged backup) would fail the restore of the whole course; the later
// copies are left out with a finding and the audit balances.
func TestLessonDuplicateIDs(t *testing.T) {
	page := func(id, answer int) string {
		return fmt.Sprintf(`<PAGE><PAGEID>%d</PAGEID><QTYPE>3</QTYPE><TITLE>P%d</TITLE><CONTENTS>c</CONTENTS><ANSWERS>`+
			`<ANSWER><ID>%d</ID><JUMPTO>-1</JUMPTO><ANSWERTEXT>a</ANSWERTEXT></ANSWER></ANSWERS></PAGE>`, id, id, answer)
	}
	xml, fs := oneModule(t, "lesson", "lesson", "<NAME>L</NAME><PAGES>"+page(1, 10)+page(1, 11)+page(2, 10)+"</PAGES>")
	if xml == "" {
		t.Fatalf("lesson kept out: %v", fs)
	}
	if n := strings.Count(xml, "<page id="); n != 2 {
		t.Errorf("%d pages written, want 2", n)
	}
	if n := strings.Count(xml, "<answer id="); n != 1 {
		t.Errorf("%d answers written, want 1", n)
	}
	var left []string
	for _, f := range fs {
		if f.Code == CodeNotConverted && strings.Contains(f.Message, "twice") {
			left = append(left, f.Message)
		}
	}
	if len(left) != 2 {
		t.Errorf("findings about duplicates = %q, want one for pages and one for answers", left)
	}
}
