package stages

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

const linkedCourse = `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <INFO>
    <ORIGINAL_WWWROOT>http://moodle.example.edu</ORIGINAL_WWWROOT>
  </INFO>
  <COURSE>
    <HEADER>
      <ID>5</ID>
      <SUMMARY>&lt;a href=&quot;https://moodle.example.edu/mod/forum/view.php?id=455&quot;&gt;news&lt;/a&gt; &lt;img src=&quot;/file.php/5/a.png&quot; /&gt; &lt;a href=&quot;http://old.example.edu/course/view.php?id=5&quot;&gt;home&lt;/a&gt; &lt;a href=&quot;/file.php/5/b.png&quot;&gt;b&lt;/a&gt;</SUMMARY>
    </HEADER>
    <SECTIONS>
      <SECTION>
        <MODS>
          <MOD>
            <ID>455</ID>
            <TYPE>forum</TYPE>
            <INSTANCE>12</INSTANCE>
          </MOD>
        </MODS>
      </SECTION>
    </SECTIONS>
    <MODULES>
      <MOD>
        <ID>12</ID>
        <MODTYPE>forum</MODTYPE>
      </MOD>
    </MODULES>
  </COURSE>
</MOODLE_BACKUP>
`

func TestEncodeLinksStage(t *testing.T) {
	b := textBackup(backup.Moodle1, "2009111300", linkedCourse)
	b.Entries = append(b.Entries, backup.NewEntry("course_files/a.png", 1, func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("x")), nil
	}))
	rep := report.New(0)
	b, err := newStage(t, "encode-links", map[string]any{"aliases": "http://old.example.edu"}).Apply(context.Background(), b, Env{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	out, err := readMain(t, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"&lt;a href=&quot;$@FORUMVIEWBYID*455@$&quot;&gt;news",
		"&lt;img src=&quot;$@FILEPHP@$$@SLASH@$a.png&quot;",
		"&lt;a href=&quot;$@COURSEVIEWBYID*5@$&quot;&gt;home",
		"&lt;a href=&quot;/file.php/5/b.png&quot;&gt;b", // not in the backup
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	if rep.Count("links.encoded") != 3 || rep.Count("links.outside") != 1 {
		t.Errorf("findings %v, want 3 links.encoded and 1 links.outside", rep.Counts())
	}
}

func TestEncodeLinksStageNoWWWRoot(t *testing.T) {
	body := strings.Replace(linkedCourse, "<ORIGINAL_WWWROOT>http://moodle.example.edu</ORIGINAL_WWWROOT>", "", 1)
	b := textBackup(backup.Moodle1, "2009111300", body)
	b, err := newStage(t, "encode-links", nil).Apply(context.Background(), b, Env{Report: report.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Main().Open(); err == nil || !strings.Contains(err.Error(), "set the wwwroot option") {
		t.Errorf("err = %v, want one naming the wwwroot option", err)
	}
	b = textBackup(backup.Moodle1, "2009111300", body)
	b, err = newStage(t, "encode-links", map[string]any{"wwwroot": "http://moodle.example.edu"}).Apply(context.Background(), b, Env{Report: report.New(0)})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := readMain(t, b); err != nil || !strings.Contains(out, "$@FORUMVIEWBYID*455@$") {
		t.Errorf("with wwwroot: err=%v", err)
	}
}

func TestEncodeLinksStageBadOptions(t *testing.T) {
	spec := Builtin().Lookup("encode-links")
	opts := map[string]any{"wwwroot": "", "aliases": "old.example.edu", "max-field": 1 << 20}
	if _, err := spec.New(opts); err == nil || !strings.Contains(err.Error(), "aliases") {
		t.Errorf("err = %v, want an aliases error", err)
	}
}
