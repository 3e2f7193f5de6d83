package stages

import (
	"context"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

const damagedCourse = `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <COURSE>
    <HEADER>
      <ID>5</ID>
      <SUMMARY>pWelcome to strongBiology/strong!/p</SUMMARY>
    </HEADER>
    <SECTIONS>
      <SECTION>
        <SUMMARY>pRead span class=notevery/span, span class=alsobad/span and span class=badtoo/span/p</SUMMARY>
      </SECTION>
    </SECTIONS>
  </COURSE>
</MOODLE_BACKUP>
`

func TestRepairHTMLStage(t *testing.T) {
	for _, opts := range []map[string]any{nil, {"parallel": "always"}, {"parallel": "never"}} {
		testRepairHTMLStage(t, opts)
	}
}

func testRepairHTMLStage(t *testing.T, opts map[string]any) {
	b := textBackup(backup.Moodle1, "2009111300", damagedCourse)
	rep := report.New(0)
	b, err := newStage(t, "repair-html", opts).Apply(context.Background(), b, Env{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	out, err := readMain(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "<SUMMARY>&lt;p&gt;Welcome to &lt;strong&gt;Biology&lt;/strong&gt;!&lt;/p&gt;</SUMMARY>") {
		t.Errorf("course summary not rebuilt:\n%s", out)
	}
	if !strings.Contains(out, "<SUMMARY>pRead span class=notevery/span, span class=alsobad/span and span class=badtoo/span/p</SUMMARY>") {
		t.Errorf("ambiguous field changed:\n%s", out)
	}
	if rep.Count("html.repaired") != 1 || rep.Count("html.low-confidence") != 1 {
		t.Errorf("findings %v, want one html.repaired and one html.low-confidence", rep.Counts())
	}
	for _, f := range rep.Findings() {
		if f.Stage == "" && f.Entry != "moodle.xml" || f.Line == 0 || f.Path == "" {
			t.Errorf("finding without a place: %+v", f)
		}
	}
	// A second read reports nothing new.
	if _, err := readMain(t, b); err != nil {
		t.Fatal(err)
	}
	if n := len(rep.Findings()); n != 2 {
		t.Errorf("%d findings after a second read, want 2", n)
	}
}

func TestRepairHTMLStageOnDoubtFail(t *testing.T) {
	b := textBackup(backup.Moodle1, "2009111300", damagedCourse)
	b, err := newStage(t, "repair-html", map[string]any{"on-doubt": "fail"}).Apply(context.Background(), b, Env{Report: report.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readMain(t, b)
	if err == nil || !strings.Contains(err.Error(), "min-confidence") || !strings.Contains(err.Error(), "line 10") {
		t.Errorf("err = %v, want a failure naming min-confidence and line 10", err)
	}
	// With a low enough threshold the same field is rebuilt.
	b = textBackup(backup.Moodle1, "2009111300", damagedCourse)
	b, err = newStage(t, "repair-html", map[string]any{"on-doubt": "fail", "min-confidence": 0.1}).Apply(context.Background(), b, Env{Report: report.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := readMain(t, b); err != nil || !strings.Contains(out, "&lt;span class=&quot;") {
		t.Errorf("min-confidence 0.1: err=%v out=%s", err, out)
	}
}

func TestRepairHTMLStageNeeds1x(t *testing.T) {
	b := textBackup(backup.Moodle2, "", "<moodle_backup/>")
	if _, err := newStage(t, "repair-html", nil).Apply(context.Background(), b, Env{}); err == nil {
		t.Error("a 2.x backup was accepted")
	}
}

func TestUseSecondCore(t *testing.T) {
	for _, tc := range []struct {
		mode  string
		cores int
		size  int64
		want  bool
	}{
		{"auto", 2, 64 << 20, true},
		{"auto", 2, -1, true},
		{"auto", 2, 1 << 20, false}, // done before a second core pays
		{"auto", 1, 64 << 20, false},
		{"auto", 0, 64 << 20, false},
		{"always", 1, 10, true},
		{"never", 8, 1 << 30, false},
	} {
		if got := useSecondCore(tc.mode, tc.cores, tc.size); got != tc.want {
			t.Errorf("useSecondCore(%q, %d, %d) = %v, want %v", tc.mode, tc.cores, tc.size, got, tc.want)
		}
	}
}
