package convert

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/validate"
)

// convertGroups converts a course whose COURSE holds parts (GROUPS,
// GROUPINGS, ... as XML) after a header with default grouping defgrouping,
// and returns groups.xml, the finding messages and the audit. The output
// must validate and the audit balance.
func convertGroups(t *testing.T, defgrouping, parts string) (string, []string, Audit) {
	t.Helper()
	xml := `<?xml version="1.0" encoding="UTF-8"?><MOODLE_BACKUP><INFO><ORIGINAL_WWWROOT>http://old.example.org</ORIGINAL_WWWROOT></INFO><COURSE>` +
		`<HEADER><ID>5</ID><FULLNAME>G</FULLNAME><SHORTNAME>G</SHORTNAME><DEFAULTGROUPINGID>` + defgrouping + `</DEFAULTGROUPINGID></HEADER>` +
		`<SECTIONS><SECTION><ID>1</ID><NUMBER>0</NUMBER></SECTION></SECTIONS>` + parts + `</COURSE></MOODLE_BACKUP>`
	rep := report.New(0)
	res, err := Convert(context.Background(), memBackup([]byte(xml)), rep, Options{Scratch: t.TempDir(), Now: fixedNow})
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	if u := res.Audit.Unbalanced(); len(u) > 0 {
		t.Errorf("audit does not balance: %v", u)
	}
	vrep := report.New(0)
	if vres, err := validate.Check(context.Background(), res.Backup, vrep); err != nil || !vres.OK() {
		t.Errorf("validate: %v %v", err, vrep.Findings())
	}
	var msgs []string
	for _, f := range rep.Findings() {
		if f.Code != CodeAudit {
			msgs = append(msgs, f.Message)
		}
	}
	return string(readAll(t, res.Backup.Entry("groups.xml"))), msgs, res.Audit
}

func TestGroupShapes(t *testing.T) {
	long := strings.Repeat("é", 260)
	tests := []struct {
		name, defgrouping, parts string
		want                     []string // in groups.xml, in this order
		findings                 []string // substrings of some finding
		written                  map[string]int64
	}{
		{
			name: "1.7 group: PASSWORD is the key, LANG and THEME dropped",
			parts: `<GROUPS><GROUP><ID>3</ID><COURSEID>5</COURSEID><NAME>Team</NAME><DESCRIPTION>d</DESCRIPTION><PASSWORD>k1</PASSWORD>` +
				`<LANG>fr_utf8</LANG><THEME></THEME><PICTURE>0</PICTURE><HIDEPICTURE>0</HIDEPICTURE><TIMECREATED>10</TIMECREATED><TIMEMODIFIED>11</TIMEMODIFIED>` +
				`<MEMBERS><MEMBER><USERID>4</USERID><TIMEADDED>12</TIMEADDED></MEMBER></MEMBERS></GROUP></GROUPS>`,
			want:     []string{`<group id="3">`, `<name>Team</name>`, `<enrolmentkey>k1</enrolmentkey>`, `<timemodified>11</timemodified>`, `<groupings>`},
			findings: []string{`group language "fr_utf8"`, "1 group membership(s) in 1 group(s) not carried over"},
			written:  map[string]int64{KindGroups: 1, KindGroupMembers: 0},
		},
		{
			name:        "early 1.9: groupings before groups, their groups nested",
			defgrouping: "2",
			parts: `<GROUPINGS><GROUPING><ID>2</ID><NAME>Both</NAME><DESCRIPTION></DESCRIPTION><TIMECREATED>5</TIMECREATED>` +
				`<GROUPS><GROUP><GROUPID>3</GROUPID><TIMEADDED>7</TIMEADDED></GROUP><GROUP><GROUPID>4</GROUPID><TIMEADDED>8</TIMEADDED></GROUP></GROUPS></GROUPING></GROUPINGS>` +
				`<GROUPS><GROUP><ID>3</ID><NAME>A</NAME><ENROLMENTKEY></ENROLMENTKEY></GROUP><GROUP><ID>4</ID><NAME>B</NAME></GROUP></GROUPS>`,
			want: []string{`<group id="3">`, `<group id="4">`, `<grouping id="2">`, `<configdata>$@NULL@$</configdata>`, `<timemodified>5</timemodified>`,
				`<grouping_group id="1">`, `<groupid>3</groupid>`, `<timeadded>7</timeadded>`, `<grouping_group id="2">`, `<groupid>4</groupid>`},
			written: map[string]int64{KindGroups: 2, KindGroupings: 1, KindGroupingGroups: 2},
		},
		{
			name: "both shapes at once: a pair listed twice is written once, numbered after the 1.9 ids",
			parts: `<GROUPS><GROUP><ID>3</ID><NAME>A</NAME></GROUP></GROUPS>` +
				`<GROUPINGS><GROUPING><ID>2</ID><NAME>G</NAME><GROUPS><GROUP><GROUPID>3</GROUPID></GROUP></GROUPS></GROUPING>` +
				`<GROUPING><ID>6</ID><NAME>H</NAME></GROUPING></GROUPINGS>` +
				`<GROUPINGSGROUPS><GROUPINGGROUP><ID>9</ID><GROUPINGID>2</GROUPINGID><GROUPID>3</GROUPID></GROUPINGGROUP>` +
				`<GROUPINGGROUP><ID>10</ID><GROUPINGID>6</GROUPINGID><GROUPID>3</GROUPID></GROUPINGGROUP></GROUPINGSGROUPS>`,
			want:     []string{`<grouping id="2">`, `<grouping_group id="11">`, `</grouping>`, `<grouping id="6">`, `<grouping_group id="10">`},
			findings: []string{`group "A" is listed twice in grouping "G"`},
			written:  map[string]int64{KindGroups: 1, KindGroupings: 2, KindGroupingGroups: 2},
		},
		{
			name:        "dangling references and a repeated id",
			defgrouping: "8",
			parts: `<GROUPS><GROUP><ID>3</ID><NAME>A</NAME></GROUP><GROUP><ID>3</ID><NAME>A again</NAME></GROUP></GROUPS>` +
				`<GROUPINGS><GROUPING><ID>2</ID><NAME>G</NAME></GROUPING></GROUPINGS>` +
				`<GROUPINGSGROUPS><GROUPINGGROUP><ID>1</ID><GROUPINGID>2</GROUPINGID><GROUPID>77</GROUPID></GROUPINGGROUP>` +
				`<GROUPINGGROUP><ID>2</ID><GROUPINGID>5</GROUPINGID><GROUPID>3</GROUPID></GROUPINGGROUP></GROUPINGSGROUPS>`,
			want: []string{`<group id="3">`, `<name>A</name>`, `<grouping id="2">`, `<grouping_groups>`, `</grouping_groups>`},
			findings: []string{`a second group with id 3 ("A again") was left out`, "group 77 is not in the backup",
				"grouping 5 is not in the backup", "default grouping 8 is not in the backup"},
			written: map[string]int64{KindGroups: 1, KindGroupings: 1, KindGroupingGroups: 0},
		},
		{
			name: "names: empty, too long, and one restore would merge",
			parts: `<GROUPS><GROUP><ID>3</ID><NAME></NAME></GROUP><GROUP><ID>4</ID><NAME>` + long + `</NAME></GROUP>` +
				`<GROUP><ID>5</ID><NAME>Lab</NAME><DESCRIPTION>x</DESCRIPTION></GROUP><GROUP><ID>6</ID><NAME>LAB</NAME><DESCRIPTION>y</DESCRIPTION></GROUP>` +
				`<GROUP><ID>7</ID><NAME>lab</NAME><DESCRIPTION>x</DESCRIPTION></GROUP></GROUPS>`,
			want:     []string{`<name>Group 3</name>`, `<name>` + strings.Repeat("é", 254) + `</name>`, `<name>Lab</name>`, `<name>LAB</name>`, `<name>lab (7)</name>`},
			findings: []string{"group 3 has no name", "longer than the 254 characters", `group 7 is named "lab" like an earlier group`},
			written:  map[string]int64{KindGroups: 5},
		},
		{
			name: "links in descriptions: restore does not decode them, so they go back to the old site",
			parts: `<GROUPS><GROUP><ID>3</ID><NAME>A</NAME><DESCRIPTION>&lt;a href="$@WIKIINDEX*5@$"&gt;w&lt;/a&gt; ` +
				`&lt;a href="$@FORUMDISCUSSIONVIEWPARENT*8*9@$"&gt;d&lt;/a&gt; $@ODDTOKEN*1@$</DESCRIPTION></GROUP></GROUPS>`,
			want: []string{`href="http://old.example.org/mod/wiki/index.php?id=5"`,
				`href="http://old.example.org/mod/forum/discuss.php?d=8&amp;parent=9"`, `$@ODDTOKEN*1@$</description>`},
			findings: []string{"link token $@ODDTOKEN*1@$ is not known"},
			written:  map[string]int64{KindGroups: 1, KindLinks: 0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := tc.defgrouping
			if def == "" {
				def = "0"
			}
			out, findings, audit := convertGroups(t, def, tc.parts)
			at := 0
			for _, w := range tc.want {
				i := strings.Index(out[at:], w)
				if i < 0 {
					t.Fatalf("groups.xml lacks %q after offset %d:\n%s", w, at, out)
				}
				at += i + len(w)
			}
			all := strings.Join(findings, "\n")
			for _, f := range tc.findings {
				if !strings.Contains(all, f) {
					t.Errorf("no finding with %q in:\n%s", f, all)
				}
			}
			for kind, n := range tc.written {
				var got int64
				if x := audit[kind]; x != nil {
					got = x.Written
				}
				if got != n {
					t.Errorf("%s written = %d, want %d (%+v)", kind, got, n, audit[kind])
				}
			}
		})
	}
}

// TestNoGroups keeps groups.xml the empty file restore expects when the
// course has none.
func TestNoGroups(t *testing.T) {
	out, _, audit := convertGroups(t, "0", "")
	if strings.TrimSpace(out) != `<?xml version="1.0" encoding="UTF-8"?>`+"\n<groups>\n</groups>" {
		t.Errorf("groups.xml = %q", out)
	}
	if audit[KindGroups] != nil {
		t.Errorf("groups audited: %+v", audit[KindGroups])
	}
}

func TestOldSiteURL(t *testing.T) {
	tests := []struct {
		token, want string
	}{
		{"$@COURSEVIEWBYID*5@$", "/course/view.php?id=5"},
		{"$@FORUMVIEWBYID*12@$", "/mod/forum/view.php?id=12"},
		{"$@CHOICEINDEX*5@$", "/mod/choice/index.php?id=5"},
		{"$@FORUMDISCUSSIONVIEWINSIDE*3*40@$", "/mod/forum/discuss.php?d=3#40"},
		{"$@DATAVIEWRECORD*2*7@$", "/mod/data/view.php?d=2&rid=7"},
		{"$@RESOURCEVIEWBYR*11@$", "/mod/resource/view.php?r=11"},
		{"$@HOTPOT*view*id*204@$", "/mod/hotpot/view.php?id=204"},
		{"$@FORUMDISCUSSIONVIEWPARENT*3@$", ""}, // one id short
		{"$@VIEWBYID*3@$", ""},
		{"$@NOSUCH*3@$", ""},
	}
	for _, tc := range tests {
		toks := findModTokens(tc.token)
		if len(toks) != 1 {
			t.Fatalf("%s: %d tokens", tc.token, len(toks))
		}
		got, ok := oldSiteURL(toks[0])
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%s = %q, %v; want %q", tc.token, got, ok, tc.want)
		}
	}
}

// TestGroupPictures checks which group_files reach group/icon: both sizes
// of a shown picture (one standing in for a missing other), nothing for a
// hidden picture, a PICTURE 0 group, a picture without f1/f2 or a group
// not in the backup; those files are explained by the file audit.
func TestGroupPictures(t *testing.T) {
	dir := t.TempDir()
	group := func(id int, picture, hide string) string {
		return fmt.Sprintf(`<GROUP><ID>%d</ID><NAME>G%d</NAME><PICTURE>%s</PICTURE><HIDEPICTURE>%s</HIDEPICTURE></GROUP>`, id, id, picture, hide)
	}
	putFile(t, dir, "moodle.xml", `<?xml version="1.0" encoding="UTF-8"?><MOODLE_BACKUP><COURSE><HEADER><ID>5</ID></HEADER>`+
		`<SECTIONS><SECTION><ID>1</ID><NUMBER>0</NUMBER></SECTION></SECTIONS><GROUPS>`+
		group(1, "1", "0")+group(2, "1", "0")+group(3, "1", "1")+group(4, "0", "0")+group(5, "1", "0")+group(6, "1", "0")+
		`</GROUPS></COURSE></MOODLE_BACKUP>`)
	putFile(t, dir, "group_files/1/f1.jpg", "large1")
	putFile(t, dir, "group_files/1/f2.jpg", "small1")
	putFile(t, dir, "group_files/2/f1.png", "large2") // no f2
	putFile(t, dir, "group_files/3/f1.jpg", "hidden")
	putFile(t, dir, "group_files/4/f1.jpg", "nopicture")
	putFile(t, dir, "group_files/5/photo.gif", "oddname")
	putFile(t, dir, "group_files/9/f1.jpg", "nogroup")
	// group 6: PICTURE 1, no folder at all
	res, rep := convertDir(t, dir, Options{})
	if u := res.Audit.Unbalanced(); len(u) > 0 {
		t.Errorf("audit does not balance: %v", u)
	}
	var icons []string
	for _, line := range strings.Split(string(readAll(t, res.Backup.Entry("files.xml"))), "<file ") {
		if strings.Contains(line, "<filearea>icon</filearea>") && !strings.Contains(line, "<filename>.</filename>") {
			icons = append(icons, leaf(t, line, "itemid")+"/"+leaf(t, line, "filename")+" "+leaf(t, line, "filesize"))
		}
	}
	want := []string{"1/f1.jpg 6", "1/f2.jpg 6", "2/f1.png 6", "2/f2.png 6"}
	if strings.Join(icons, ",") != strings.Join(want, ",") {
		t.Errorf("icons = %v, want %v", icons, want)
	}
	groups := string(readAll(t, res.Backup.Entry("groups.xml")))
	for id, pic := range map[int]string{1: "1", 2: "1", 3: "0", 4: "0", 5: "0", 6: "0"} {
		i := strings.Index(groups, fmt.Sprintf(`<group id="%d">`, id))
		if i < 0 || leaf(t, groups[i:], "picture") != pic {
			t.Errorf("group %d: picture is not %s in\n%s", id, pic, groups)
		}
	}
	if x := res.Audit[KindFiles]; x == nil || x.Written != 3 || x.Explained != 4 {
		t.Errorf("files audit = %+v, want 3 written, 4 explained", x)
	}
	var msgs []string
	for _, f := range rep.Findings() {
		msgs = append(msgs, f.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, w := range []string{"f1.png is used for both sizes", "hidden in 1.x", "PICTURE is 0", "no f1 or f2 picture",
		"group_files/6/ is not in the backup", "1 file(s) under group_files/9 not carried over"} {
		if !strings.Contains(all, w) {
			t.Errorf("no finding with %q in\n%s", w, all)
		}
	}
}

// TestModuleGroupingMissing: an activity whose grouping is not in the
// backup keeps its 1.x groupingid (restore maps it to none) with a finding
// that says what the restored activity does instead; one whose grouping is
// there gets none.
func TestModuleGroupingMissing(t *testing.T) {
	mod := func(cm, inst, grouping, only int) string {
		return fmt.Sprintf(`<MOD><ID>%d</ID><TYPE>label</TYPE><INSTANCE>%d</INSTANCE><VISIBLE>1</VISIBLE><GROUPINGID>%d</GROUPINGID><GROUPMEMBERSONLY>%d</GROUPMEMBERSONLY></MOD>`, cm, inst, grouping, only)
	}
	xml := `<?xml version="1.0" encoding="UTF-8"?><MOODLE_BACKUP><COURSE><HEADER><ID>5</ID></HEADER><SECTIONS><SECTION><ID>1</ID><NUMBER>0</NUMBER><MODS>` +
		mod(20, 3, 9, 1) + mod(21, 4, 2, 1) + `</MODS></SECTION></SECTIONS>` +
		`<GROUPINGS><GROUPING><ID>2</ID><NAME>G</NAME></GROUPING></GROUPINGS>` +
		`<MODULES><MOD><ID>3</ID><MODTYPE>label</MODTYPE><NAME>a</NAME><CONTENT>a</CONTENT></MOD><MOD><ID>4</ID><MODTYPE>label</MODTYPE><NAME>b</NAME><CONTENT>b</CONTENT></MOD></MODULES></COURSE></MOODLE_BACKUP>`
	rep := report.New(0)
	res, err := Convert(context.Background(), memBackup([]byte(xml)), rep, Options{Scratch: t.TempDir(), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := leaf(t, string(readAll(t, res.Backup.Entry("activities/label_20/module.xml"))), "groupingid"); got != "9" {
		t.Errorf("label_20 groupingid = %s, want the 1.x 9", got)
	}
	var hits []string
	for _, f := range rep.Findings() {
		if strings.Contains(f.Message, "which is not in the backup: the restored activity uses no grouping") {
			hits = append(hits, f.Message)
		}
	}
	if len(hits) != 1 || !strings.Contains(hits[0], "course module 20") || !strings.Contains(hits[0], "members of any group") {
		t.Errorf("findings about missing groupings: %q", hits)
	}
}
