package backup

import (
	"context"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/moodlemig/moodlemig/report"
)

func TestRelocate(t *testing.T) {
	data := zipBytes(t,
		zent{name: "backup-x/", dir: true},
		zent{name: "backup-x/moodle.xml", body: moodle1XML},
		zent{name: "backup-x/course_files/", dir: true},
		zent{name: "backup-x/course_files/a.txt", body: "a"},
		zent{name: "__MACOSX/", dir: true},
		zent{name: "__MACOSX/backup-x/._moodle.xml", body: "fork"},
		zent{name: "notes.txt", body: "stray"},
	)
	p := writeFile(t, t.TempDir(), "nested.zip", data)
	b, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep := report.New(0)
	b.Relocate(rep)
	if diff := cmp.Diff([]string{"moodle.xml", "course_files/", "course_files/a.txt"}, names(b)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if b.Facts.Root != "" || b.Main() == nil || b.Main().Name != "moodle.xml" {
		t.Fatalf("root %q, main %v", b.Facts.Root, b.Main())
	}
	if b.Main().Raw() == nil {
		t.Error("relocated entry lost its raw zip payload")
	}
	rc, _ := b.Main().Open()
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != moodle1XML {
		t.Error("relocated moodle.xml bytes changed")
	}
	want := map[string]int{"archive.outside-root": 2, "archive.nested-root": 1}
	if diff := cmp.Diff(want, rep.Counts()); diff != "" {
		t.Errorf("finding counts (-want +got):\n%s", diff)
	}
	for _, f := range rep.Findings() {
		if f.Archive != p || !f.Fixed {
			t.Errorf("finding %v: want archive %s and fixed", f, p)
		}
	}
	// A second call, or a backup at the root, changes nothing.
	before := names(b)
	b.Relocate(rep)
	if diff := cmp.Diff(before, names(b)); diff != "" || rep.Count("archive.nested-root") != 1 {
		t.Errorf("second Relocate changed the backup: %s", diff)
	}
}
