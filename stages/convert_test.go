package stages

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

func TestConvertStage(t *testing.T) {
	ctx := context.Background()
	src, err := backup.Open(ctx, "../convert/testdata/course-basic", backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	spec := Builtin().Lookup("convert")
	if spec == nil {
		t.Fatal("convert is not registered")
	}
	st, err := spec.New(map[string]any{"target": "4.5", "save-skipped": true, "partial": false})
	if err != nil {
		t.Fatal(err)
	}
	rep := report.New(0)
	reportDir := t.TempDir()
	out, err := st.Apply(ctx, src, Env{Scratch: t.TempDir(), Report: rep, ReportDir: reportDir})
	if err != nil {
		t.Fatal(err)
	}
	if out.Facts.Kind != backup.Moodle2 {
		t.Errorf("kind = %q, want 2.x", out.Facts.Kind)
	}
	if out.Entries[0].Name != "moodle_backup.xml" {
		t.Errorf("first entry = %s, want moodle_backup.xml", out.Entries[0].Name)
	}
	for _, want := range []string{"course/course.xml", "files.xml", "activities/page_201/page.xml", "sections/section_101/section.xml"} {
		if out.Entry(want) == nil {
			t.Errorf("no %s in the output", want)
		}
	}
	if rep.Count("convert.module-skipped") != 1 {
		t.Errorf("module-skipped findings = %d, want 1 (the hotpot)", rep.Count("convert.module-skipped"))
	}
	for _, f := range rep.Findings() {
		if f.Code == "convert.audit" && f.Severity != report.Info {
			t.Errorf("audit does not balance: %s", f)
		}
	}

	// The report folder holds the audit and the XML of the skipped hotpot.
	data, err := os.ReadFile(filepath.Join(reportDir, "course-basic", "audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var audit map[string]struct{ Read, Written, Explained int64 }
	if err := json.Unmarshal(data, &audit); err != nil {
		t.Fatal(err)
	}
	if a := audit["activities/resource"]; a.Read != 6 || a.Written != 6 {
		t.Errorf("audit.json activities/resource = %+v, want 6 read, 6 written", a)
	}
	if _, err := os.Stat(filepath.Join(reportDir, "course-basic", "skipped", "hotpot_2.xml")); err != nil {
		t.Errorf("skipped module XML not saved: %v", err)
	}

	// A 2.x input is refused with a clear error.
	out.Facts.Kind = backup.Moodle2
	if _, err := st.Apply(ctx, out, Env{Scratch: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "1.x") {
		t.Errorf("2.x input: err = %v, want a 1.x error", err)
	}
}
