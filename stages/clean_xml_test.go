package stages

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/repair"
	"github.com/moodlemig/moodlemig/report"
)

func textBackup(kind backup.Kind, version, body string) *backup.Backup {
	e := backup.NewEntry("moodle.xml", int64(len(body)), func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(body)), nil
	})
	return &backup.Backup{Path: "course.zip", Entries: []*backup.Entry{e},
		Facts: backup.Facts{Kind: kind, BackupVersion: version}}
}

func readMain(t *testing.T, b *backup.Backup) (string, error) {
	t.Helper()
	rc, err := b.Main().Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out, err := io.ReadAll(rc)
	return string(out), err
}

func newStage(t *testing.T, name string, opts map[string]any) Stage {
	t.Helper()
	spec := Builtin().Lookup(name)
	if spec == nil {
		t.Fatalf("stage %s not registered", name)
	}
	full := map[string]any{}
	for _, o := range spec.Options {
		full[o.Name] = o.Default
	}
	for k, v := range opts {
		full[k] = v
	}
	st, err := spec.New(full)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCleanXMLStage(t *testing.T) {
	body := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <COURSE>\n    <SUMMARY>a\x0Bb & c \xE9</SUMMARY>\n  </COURSE>\n</MOODLE_BACKUP>\n"
	b := textBackup(backup.Moodle1, "2008030301", body)
	rep := report.New(0)
	b, err := newStage(t, "clean-xml", nil).Apply(context.Background(), b, Env{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	// Read twice (as a prescan and a writer would): findings once.
	for range 2 {
		out, err := readMain(t, b)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(body, "a\x0Bb & c \xE9", "ab &amp; c é", 1)
		if out != want {
			t.Errorf("got %q", out)
		}
		if err := xml.NewDecoder(strings.NewReader(out)).Decode(new(any)); err != nil && err != io.EOF {
			t.Errorf("output does not parse: %v", err)
		}
	}
	for code, n := range map[string]int{repair.CodeInvalidChar: 1, repair.CodeBareAmpersand: 1, repair.CodeMixedEncoding: 1} {
		if rep.Count(code) != n {
			t.Errorf("%s: %d findings, want %d (%v)", code, rep.Count(code), n, rep.Counts())
		}
	}
	for _, f := range rep.Findings() {
		if f.Entry != "moodle.xml" || f.Line != 4 || f.Path != "MOODLE_BACKUP/COURSE/SUMMARY" {
			t.Errorf("finding not located: %+v", f)
		}
	}
}

func TestCleanXMLStageFails(t *testing.T) {
	b := textBackup(backup.Moodle1, "2008030301", "<MOODLE_BACKUP>\n  <A>x</B>\n  </C>\n</MOODLE_BACKUP>\n")
	b, err := newStage(t, "clean-xml", nil).Apply(context.Background(), b, Env{Report: report.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = readMain(t, b)
	var se *repair.SyntaxError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "course.zip:moodle.xml") || se.Line != 4 {
		t.Errorf("error %v; want a SyntaxError at line 4 naming the archive and entry", err)
	}
}

func TestCleanXMLStagePre16Legacy(t *testing.T) {
	body := "<MOODLE_BACKUP>\n  <INFO>\n    <BACKUP_VERSION>2005060100</BACKUP_VERSION>\n  </INFO>\n  <COURSE>\n    <HEADER>\n      <SUMMARY>\xCF\xF0\xE8\xE2\xE5\xF2 \x80</SUMMARY>\n      <LANG>ru</LANG>\n    </HEADER>\n  </COURSE>\n</MOODLE_BACKUP>\n"
	b := textBackup(backup.Moodle1, "2005060100", body)
	b, err := newStage(t, "clean-xml", nil).Apply(context.Background(), b, Env{Report: report.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	b, err = newStage(t, "transcode", nil).Apply(context.Background(), b, Env{Report: report.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := readMain(t, b)
	if err != nil || !strings.Contains(out, "<SUMMARY>Привет Ђ</SUMMARY>") || !strings.Contains(out, "<LANG>ru_utf8</LANG>") {
		t.Errorf("clean-xml then transcode on raw windows-1251: %v\n%s", err, out)
	}
}
