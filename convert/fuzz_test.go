package convert

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/validate"
)

// memBackup is a 1.x backup holding moodle.xml and one course file.
func memBackup(xml []byte) *backup.Backup {
	b := &backup.Backup{Path: "fuzz.zip", Facts: backup.Facts{Kind: backup.Moodle1}}
	b.Entries = append(b.Entries,
		backup.NewEntry("moodle.xml", int64(len(xml)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(xml)), nil }),
		backup.NewEntry("course_files/pics/a b.gif", 3, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader([]byte("GIF"))), nil }),
	)
	return b
}

// FuzzConvert: whatever moodle.xml holds, the converter never panics, and
// whatever it writes passes validate without an error.
func FuzzConvert(f *testing.F) {
	for _, name := range goldenCourses {
		data, err := os.ReadFile(filepath.Join("testdata", name, "moodle.xml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><MOODLE_BACKUP><COURSE><SECTIONS><SECTION><ID>1</ID><NUMBER>0</NUMBER><MODS><MOD><ID>2</ID><TYPE>label</TYPE><INSTANCE>3</INSTANCE></MOD></MODS></SECTION></SECTIONS><MODULES><MOD><ID>3</ID><MODTYPE>label</MODTYPE><CONTENT>&lt;img src="$@FILEPHP@$/pics/a b.gif"&gt;</CONTENT></MOD></MODULES></COURSE></MOODLE_BACKUP>`))
	f.Add([]byte(`<MOODLE_BACKUP><COURSE><MODULES><MOD><ID>1</ID><MODTYPE>resource</MODTYPE><TYPE>file</TYPE><REFERENCE>$@FILEPHP@$$@SLASH@$pics$@SLASH@$a%20b.gif</REFERENCE></MOD></MODULES><SECTIONS><SECTION><ID>4</ID><MODS><MOD><ID>9</ID><TYPE>resource</TYPE><INSTANCE>1</INSTANCE></MOD></MODS></SECTION></SECTIONS></COURSE></MOODLE_BACKUP>`))
	f.Fuzz(func(t *testing.T, xml []byte) {
		ctx := context.Background()
		res, err := Convert(ctx, memBackup(xml), report.New(0), Options{Scratch: t.TempDir(), Now: fixedNow, Name: "f.mbz"})
		if err != nil {
			return
		}
		if res.Backup.Entry("moodle_backup.xml") == nil {
			t.Fatal("converted without moodle_backup.xml")
		}
		if u := res.Audit.Unbalanced(); len(u) > 0 {
			t.Fatalf("audit does not balance: %v", u)
		}
		vrep := report.New(0)
		vres, err := validate.Check(ctx, res.Backup, vrep)
		if err != nil {
			t.Fatal(err)
		}
		if !vres.OK() {
			for _, f := range vrep.Findings() {
				if f.Severity == report.Error {
					t.Errorf("validate: %s", f)
				}
			}
		}
	})
}

// TestPartial: a moodle.xml cut in the middle fails by default with its
// line and column, and with Partial the part before the cut is converted.
func TestPartial(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "course-basic", "moodle.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cut := data[:bytes.LastIndex(data, []byte("<ID>11</ID>"))]
	ctx := context.Background()
	_, err = Convert(ctx, memBackup(cut), report.New(0), Options{Scratch: t.TempDir(), Now: fixedNow})
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line == 0 {
		t.Fatalf("err = %v, want a SyntaxError with a line", err)
	}
	rep := report.New(0)
	res, err := Convert(ctx, memBackup(cut), rep, Options{Scratch: t.TempDir(), Now: fixedNow, Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(CodePartial) != 1 {
		t.Errorf("partial findings = %d", rep.Count(CodePartial))
	}
	for _, want := range []string{"activities/label_200/label.xml", "activities/page_201/page.xml", "sections/section_103/section.xml"} {
		if res.Backup.Entry(want) == nil {
			t.Errorf("no %s in the partial output", want)
		}
	}
	if res.Backup.Entry("activities/resource_202/resource.xml") != nil {
		t.Error("the module cut in the middle was converted")
	}
	vrep := report.New(0)
	if vres, err := validate.Check(ctx, res.Backup, vrep); err != nil || !vres.OK() {
		t.Errorf("validate: %v %v", err, vrep.Findings())
	}
}
