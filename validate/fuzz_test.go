package validate

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// FuzzCheck: whatever moodle_backup.xml, files.xml and an activity file
// hold, Check never panics and never fails to return.
func FuzzCheck(f *testing.F) {
	mb := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<moodle_backup><information><moodle_version>2007101591</moodle_version><backup_version>2010072300</backup_version><original_wwwroot>http://x</original_wwwroot><original_course_contextid>3</original_course_contextid><original_system_contextid>1</original_system_contextid>
<contents><activities><activity><moduleid>20</moduleid><sectionid>11</sectionid><modulename>forum</modulename><directory>activities/forum_20</directory></activity></activities>
<sections><section><sectionid>11</sectionid><directory>sections/section_11</directory></section></sections></contents>
<settings><setting><level>root</level><name>activities</name><value>1</value></setting></settings></information></moodle_backup>`)
	files := []byte(`<?xml version="1.0" encoding="UTF-8"?><files><file id="1"><contenthash>da39a3ee5e6b4b0d3255bfef95601890afd80709</contenthash><contextid>40</contextid><component>mod_forum</component><filearea>intro</filearea><itemid>0</itemid><filepath>/</filepath><filename>a.txt</filename><filesize>0</filesize></file></files>`)
	forum := []byte(`<?xml version="1.0" encoding="UTF-8"?><activity id="30" moduleid="20" modulename="forum" contextid="40"><forum id="30"><intro>&lt;img src="@@PLUGINFILE@@/a.txt"&gt;</intro><scale>-3</scale></forum></activity>`)
	f.Add(mb, files, forum)
	f.Fuzz(func(t *testing.T, mb, files, forum []byte) {
		entry := func(name string, data []byte) *backup.Entry {
			return backup.NewEntry(name, int64(len(data)), func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		}
		b := &backup.Backup{Path: "fuzz.mbz", Facts: backup.Facts{Kind: backup.Moodle2}}
		b.Entries = []*backup.Entry{entry("moodle_backup.xml", mb), entry("files.xml", files),
			entry("activities/forum_20/forum.xml", forum), entry("files/da/da39a3ee5e6b4b0d3255bfef95601890afd80709", nil)}
		if _, err := Check(context.Background(), b, report.New(0)); err != nil {
			t.Fatal(err)
		}
	})
}
