package convert

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/report"
)

// TestSavedXMLKeepsSpilledRecords: the XML saved for a module kept out
// holds all of it, records spilled to scratch included, in their
// containers, for a module without a handler and for one whose handler
// failed.
func TestSavedXMLKeepsSpilledRecords(t *testing.T) {
	var attempts, posts strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&attempts, "<ATTEMPT><ID>%d</ID><SCORE>%d</SCORE></ATTEMPT>", i, i%7)
	}
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&posts, "<DISCUSSION><ID>%d</ID><NAME>d%d</NAME><POSTS><POST><ID>%d</ID><MESSAGE>m</MESSAGE></POST></POSTS></DISCUSSION>", i, i, i)
	}
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP><INFO><NAME>x.zip</NAME></INFO><COURSE><HEADER><ID>2</ID></HEADER>
<SECTIONS><SECTION><ID>1</ID><NUMBER>0</NUMBER><MODS>
<MOD><ID>10</ID><TYPE>hotpot</TYPE><INSTANCE>1</INSTANCE></MOD>
<MOD><ID>11</ID><TYPE>forum</TYPE><INSTANCE>2</INSTANCE></MOD>
</MODS></SECTION></SECTIONS>
<MODULES>
<MOD><ID>1</ID><MODTYPE>hotpot</MODTYPE><NAME>Quiz</NAME><ATTEMPT_DATA>` + attempts.String() + `</ATTEMPT_DATA><REFERENCE>a.htm</REFERENCE></MOD>
<MOD><ID>2</ID><MODTYPE>forum</MODTYPE><TYPE>general</TYPE><NAME>F</NAME><DISCUSSIONS>` + posts.String() + `</DISCUSSIONS></MOD>
</MODULES></COURSE></MOODLE_BACKUP>`
	mods := DefaultModules()
	mods["forum"] = ModuleFunc(func(a *Activity, mod *Node) error { return fmt.Errorf("broken on purpose") })
	reportDir := t.TempDir()
	if _, err := Convert(t.Context(), memBackup([]byte(xml)), report.New(0), Options{Scratch: t.TempDir(), ReportDir: reportDir, Modules: mods, Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]string{
		"hotpot_1.xml": {"<ATTEMPT_DATA>", "<ID>300</ID>", "<REFERENCE>a.htm</REFERENCE>"},
		"forum_2.xml":  {"<DISCUSSIONS>", "<NAME>d50</NAME>", "<MESSAGE>m</MESSAGE>"},
	} {
		data, err := os.ReadFile(filepath.Join(reportDir, "skipped", file))
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s lacks %s", file, w)
			}
		}
		if file == "hotpot_1.xml" && strings.Count(s, "<ATTEMPT>") != 300 {
			t.Errorf("%s holds %d attempts, want 300", file, strings.Count(s, "<ATTEMPT>"))
		}
		if file == "forum_2.xml" && strings.Count(s, "<DISCUSSION>") != 50 {
			t.Errorf("%s holds %d discussions, want 50", file, strings.Count(s, "<DISCUSSION>"))
		}
		// The saved file is well-formed and spilled records sit inside
		// their container.
		if i, j := strings.Index(s, "<ATTEMPT_DATA>"), strings.Index(s, "</ATTEMPT_DATA>"); file == "hotpot_1.xml" && (i < 0 || j < strings.LastIndex(s, "</ATTEMPT>")) {
			t.Errorf("attempts outside their container")
		}
	}
}
