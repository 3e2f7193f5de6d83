package stages

import (
	"context"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/charset"
	"github.com/moodlemig/moodlemig/report"
)

func lifted(s string) string {
	var sb strings.Builder
	for _, c := range []byte(s) {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

func TestTranscodeStage(t *testing.T) {
	cs, _ := charset.Lookup("windows-1251")
	raw, _ := cs.Encode("Привет")
	body := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <INFO>\n    <BACKUP_VERSION>2005070500</BACKUP_VERSION>\n  </INFO>\n  <COURSE>\n    <HEADER>\n      <SUMMARY>" +
		lifted(string(raw)) + "</SUMMARY>\n      <LANG>ru</LANG>\n    </HEADER>\n  </COURSE>\n</MOODLE_BACKUP>\n"
	b := textBackup(backup.Moodle1, "2005070500", body)
	b.Facts.Lang = "ru"
	rep := report.New(0)
	b, err := newStage(t, "transcode", nil).Apply(context.Background(), b, Env{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		out, err := readMain(t, b)
		if err != nil || !strings.Contains(out, "<SUMMARY>Привет</SUMMARY>") {
			t.Fatalf("%v\n%s", err, out)
		}
	}
	if b.Facts.Charset != "UTF-8" || b.Facts.Lang != "ru_utf8" {
		t.Errorf("facts: %+v", b.Facts)
	}
	if rep.Count(charset.CodeTranscoded) != 1 || rep.Count(charset.CodeLangRenamed) != 1 {
		t.Errorf("findings: %v", rep.Counts())
	}
	// A second transcode in the same pipeline changes nothing.
	b2, err := newStage(t, "transcode", nil).Apply(context.Background(), b, Env{Report: rep})
	if err != nil || b2.Main() != b.Main() || rep.Count("charset.skipped") != 1 {
		t.Errorf("second run: %v, %v", err, rep.Counts())
	}
}

func TestTranscodeStageRefuses(t *testing.T) {
	cs, _ := charset.Lookup("windows-1251")
	raw, _ := cs.Encode("Привет, как дела")
	body := "<MOODLE_BACKUP>\n  <INFO>\n    <BACKUP_VERSION>2005070500</BACKUP_VERSION>\n  </INFO>\n  <SUMMARY>" + lifted(string(raw)) + "</SUMMARY>\n</MOODLE_BACKUP>\n"
	_, err := newStage(t, "transcode", nil).Apply(context.Background(), textBackup(backup.Moodle1, "2005070500", body), Env{Report: report.New(0)})
	if !charset.IsUndecided(err) || !strings.Contains(err.Error(), "from: <charset>") || !strings.Contains(err.Error(), "course.zip") {
		t.Errorf("error %v; want an undecided error naming the archive and option from", err)
	}
	_, err = newStage(t, "transcode", map[string]any{"from": "windows-1251"}).Apply(context.Background(), textBackup(backup.Moodle1, "2005070500", body), Env{})
	if err != nil {
		t.Errorf("from: windows-1251: %v", err)
	}
	if _, err := TranscodeSpec().New(map[string]any{"from": "klingon", "site-lang": "", "fix-mojibake": false, "keep-undecided": false}); err == nil {
		t.Error("unknown charset accepted")
	}
}
