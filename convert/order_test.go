package convert

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestModulesBeforeSections: a hand-edited moodle.xml whose MODULES come
// before SECTIONS (the 1.9 restore reads by path, so order never mattered)
// converts to the same 2.x tree as the original order.
func TestModulesBeforeSections(t *testing.T) {
	src := filepath.Join("testdata", "course-basic")
	data, err := os.ReadFile(filepath.Join(src, "moodle.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sStart, sEnd := bytes.Index(data, []byte("    <SECTIONS>")), bytes.Index(data, []byte("    </SECTIONS>\n"))+len("    </SECTIONS>\n")
	mStart, mEnd := bytes.Index(data, []byte("    <MODULES>")), bytes.Index(data, []byte("    </MODULES>\n"))+len("    </MODULES>\n")
	if sStart < 0 || mStart < sEnd {
		t.Fatal("fixture layout changed")
	}
	var swapped []byte
	swapped = append(swapped, data[:sStart]...)
	swapped = append(swapped, data[mStart:mEnd]...)
	swapped = append(swapped, data[sEnd:mStart]...)
	swapped = append(swapped, data[sStart:sEnd]...)
	swapped = append(swapped, data[mEnd:]...)

	// A copy of the fixture folder with the swapped moodle.xml.
	dir := filepath.Join(t.TempDir(), "course-basic")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "moodle.xml"), swapped, 0o644); err != nil {
		t.Fatal(err)
	}
	want, _ := convertDir(t, src, Options{})
	got, _ := convertDir(t, dir, Options{})
	w, g := golden(t, want, nil), golden(t, got, nil)
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("MODULES before SECTIONS gives another tree (-original order +swapped):\n%s", diff)
	}
}
