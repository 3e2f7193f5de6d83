package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

// restoreScript is the harness that restores a backup in a real Moodle 4.5
// (see /work/shared/moodle/README.md).
const restoreScript = "/work/shared/moodle/restore.sh"

// moodleSite returns the restore script, or skips the test when no Moodle
// site is set up on this machine (CI has none) or MOODLEMIG_RESTORE is unset
// (a restore takes several seconds).
func moodleSite(t *testing.T) string {
	t.Helper()
	if os.Getenv("MOODLEMIG_RESTORE") == "" {
		t.Skip("set MOODLEMIG_RESTORE=1 to restore converted courses in the local Moodle site")
	}
	home := os.Getenv("MOODLE_HOME")
	if home == "" {
		h, _ := os.UserHomeDir()
		home = filepath.Join(h, ".cache", "moodlemig", "moodle")
	}
	if _, err := os.Stat(filepath.Join(home, ".installed")); err != nil {
		t.Skip("no Moodle site set up (run /work/shared/moodle/setup.sh)")
	}
	if _, err := os.Stat(restoreScript); err != nil {
		t.Skip("no restore harness at " + restoreScript)
	}
	return restoreScript
}

// restoreResult is the part of restore.sh's JSON the tests read.
type restoreResult struct {
	Success  bool           `json:"success"`
	Error    string         `json:"error"`
	Warnings []any          `json:"warnings"`
	Counts   map[string]any `json:"counts"`
}

// TestRestoreInMoodle converts each golden course and the generated sample
// and restores them through Moodle's own restore code: the only proof that
// the output restores. Every activity the converter wrote must come back.
func TestRestoreInMoodle(t *testing.T) {
	script := moodleSite(t)
	inputs := append([]string(nil), goldenCourses...)
	inputs = append(inputs, "../testdata/sample/backup-sample-19.zip")
	for _, fam := range genFamilies {
		inputs = append(inputs, "gen:"+fam)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".zip")
		if fam, ok := strings.CutPrefix(in, "gen:"); ok {
			name = "gen-" + fam
		}
		t.Run(name, func(t *testing.T) {
			var res *Result
			if fam, ok := strings.CutPrefix(in, "gen:"); ok {
				in = filepath.Join(t.TempDir(), name+".zip")
				if _, err := gen.WriteZip(in, genFamilyOptions(fam)); err != nil {
					t.Fatal(err)
				}
			}
			if strings.HasSuffix(in, ".zip") {
				b, err := backup.Open(context.Background(), in, backup.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer b.Close()
				res, err = Convert(context.Background(), b, report.New(0), Options{Scratch: t.TempDir(), Now: fixedNow})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				res, _ = convertDir(t, filepath.Join("testdata", in), Options{})
			}
			out := filepath.Join(t.TempDir(), name)
			writeOut(t, res.Backup, out)
			if dst := os.Getenv("MOODLEMIG_KEEP"); dst != "" {
				writeOut(t, res.Backup, filepath.Join(dst, name))
			}
			queries := append(groupQueries(), overridesQuery)
			qdir := t.TempDir()
			cmd := exec.Command("bash", append([]string{"-c", queryScript, "restore", script, out, qdir}, queries...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			t.Logf("restore.sh: %s", stdout.String())
			var r restoreResult
			if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &r); jerr != nil {
				t.Fatalf("restore.sh printed no JSON (%v, err %v): %s\n%s", jerr, err, stdout.String(), stderr.String())
			}
			if !r.Success {
				t.Fatalf("restore failed: %s", r.Error)
			}
			want := map[string]float64{}
			for _, e := range res.Backup.Entries {
				if strings.HasPrefix(e.Name, "activities/") && strings.HasSuffix(e.Name, "/module.xml") {
					mod := strings.TrimPrefix(e.Name, "activities/")
					mod = mod[:strings.LastIndex(mod, "_")]
					want[mod]++
				}
			}
			got := map[string]float64{}
			if mods, ok := r.Counts["modules"].(map[string]any); ok {
				for k, v := range mods {
					got[k], _ = v.(float64)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("restored modules differ from the converted ones (-converted +restored):\n%s", diff)
			}
			last := len(queries) - 1
			checkRestoredGroups(t, res, qdir, queries[:last])
			checkRestoredOverrides(t, res, filepath.Join(qdir, fmt.Sprint(last)))
		})
	}
}

// queryScript restores $2 with restore.sh ($1) under the site's lock, then
// runs each SQL query $4... in the site's database, writing the result of
// query i to $3/i: nothing can reset the site in between. A fresh site
// holds no groups, so what the queries see is the restored course's.
const queryScript = `set -u
script=$1; backup=$2; out=$3; shift 3
. "$(dirname "$script")/common.sh"
exec 9>"$MOODLE_HOME/.lock"
flock 9
export HARNESS_LOCKED=1
bash "$script" "$backup" --fresh
rc=$?
i=0
for q in "$@"; do
  as_pg env PGOPTIONS='-c client_min_messages=warning' "$PGBIN/psql" -X -q -A -t -h "$PGRUN" -p "$PGPORT" -d "$DBNAME" -c "$q" > "$out/$i" 2>&1 || echo "query failed" >> "$out/$i"
  i=$((i+1))
done
exit $rc
`

// groupQueries are the SQL queries whose answers checkRestoredGroups
// compares with the converted groups.xml, files.xml and module.xml files:
// one line per restored row, in names, so ids do not matter.
func groupQueries() []string {
	return []string{
		// groups, with their picture and enrolment key
		`SELECT name || ' picture=' || (picture <> 0)::int || ' key=' || COALESCE(enrolmentkey, '') FROM mdl_groups`,
		`SELECT name FROM mdl_groupings`,
		// which group is in which grouping
		`SELECT gp.name || ' > ' || g.name FROM mdl_groupings_groups x JOIN mdl_groupings gp ON gp.id = x.groupingid JOIN mdl_groups g ON g.id = x.groupid`,
		// group pictures and description files, by group name, with their
		// bytes; except JPEG's: Moodle 4.4+ re-encodes every JPEG it stores
		// to strip EXIF data (file_redactor_exifremoverenabled)
		`SELECT f.filearea || ' ' || g.name || ' ' || f.filepath || f.filename || CASE WHEN f.mimetype = 'image/jpeg' THEN '' ELSE ' ' || f.contenthash END FROM mdl_files f JOIN mdl_groups g ON g.id = f.itemid WHERE f.component = 'group' AND f.filename <> '.'`,
		// the course's default grouping
		`SELECT g.name FROM mdl_course c JOIN mdl_groupings g ON g.id = c.defaultgroupingid WHERE c.id = (SELECT MAX(id) FROM mdl_course)`,
		// activities restricted to a grouping (1.9 groupingid), and the
		// availability restore derives from 1.9 groupmembersonly
		`SELECT m.name || ' ' || g.name || ' ' || (COALESCE(cm.availability, '') LIKE '%"type":"grouping","id":' || g.id || '%')::int FROM mdl_course_modules cm JOIN mdl_modules m ON m.id = cm.module JOIN mdl_groupings g ON g.id = cm.groupingid`,
	}
}

// backupXML is the part of the converted XML files checkRestoredGroups reads.
type backupXML struct {
	Groups []struct {
		ID      int64  `xml:"id,attr"`
		Name    string `xml:"name"`
		Key     string `xml:"enrolmentkey"`
		Picture int64  `xml:"picture"`
	} `xml:"group"`
	Groupings []struct {
		ID     int64  `xml:"id,attr"`
		Name   string `xml:"name"`
		Groups []struct {
			GroupID int64 `xml:"groupid"`
		} `xml:"grouping_groups>grouping_group"`
	} `xml:"groupings>grouping"`
	Files []struct {
		Hash      string `xml:"contenthash"`
		Component string `xml:"component"`
		FileArea  string `xml:"filearea"`
		ItemID    int64  `xml:"itemid"`
		Path      string `xml:"filepath"`
		Name      string `xml:"filename"`
	} `xml:"file"`
	DefaultGrouping  int64  `xml:"defaultgroupingid"`
	ModName          string `xml:"modulename"`
	GroupingID       int64  `xml:"groupingid"`
	GroupMembersOnly int64  `xml:"groupmembersonly"`
}

// checkRestoredGroups compares what Moodle holds after the restore (the
// answers to groupQueries in qdir) with the converted backup: every group
// (with its picture flag and key), grouping, grouping member, group
// picture and description file (same bytes), the default grouping and each
// activity's grouping must come back.
func checkRestoredGroups(t *testing.T, res *Result, qdir string, queries []string) {
	t.Helper()
	parse := func(name string) backupXML {
		var v backupXML
		for _, e := range res.Backup.Entries {
			if e.Name == name {
				if err := xml.Unmarshal(readAll(t, e), &v); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
		}
		return v
	}
	groups, files, course := parse("groups.xml"), parse("files.xml"), parse("course/course.xml")
	want := make([][]string, len(queries))
	name := map[int64]string{}
	for _, g := range groups.Groups {
		name[g.ID] = g.Name
		want[0] = append(want[0], fmt.Sprintf("%s picture=%d key=%s", g.Name, min(g.Picture, 1), g.Key))
	}
	gname := map[int64]string{}
	for _, gp := range groups.Groupings {
		gname[gp.ID] = gp.Name
		want[1] = append(want[1], gp.Name)
		for _, m := range gp.Groups {
			want[2] = append(want[2], gp.Name+" > "+name[m.GroupID])
		}
	}
	for _, f := range files.Files {
		if f.Component == "group" && f.Name != "." {
			w := fmt.Sprintf("%s %s %s%s", f.FileArea, name[f.ItemID], f.Path, f.Name)
			if mimeType(f.Name) != "image/jpeg" {
				w += " " + f.Hash
			}
			want[3] = append(want[3], w)
		}
	}
	if n, ok := gname[course.DefaultGrouping]; ok {
		want[4] = append(want[4], n)
	}
	for _, e := range res.Backup.Entries {
		if strings.HasPrefix(e.Name, "activities/") && strings.HasSuffix(e.Name, "/module.xml") {
			var m backupXML
			if err := xml.Unmarshal(readAll(t, e), &m); err != nil {
				t.Fatalf("%s: %v", e.Name, err)
			}
			if n, ok := gname[m.GroupingID]; ok {
				want[5] = append(want[5], fmt.Sprintf("%s %s %d", m.ModName, n, m.GroupMembersOnly))
			}
		}
	}
	for i, q := range queries {
		data, err := os.ReadFile(filepath.Join(qdir, fmt.Sprint(i)))
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if l != "" {
				got = append(got, l)
			}
		}
		sort.Strings(got)
		sort.Strings(want[i])
		if diff := cmp.Diff(want[i], got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("restored course differs from the converted groups (-converted +restored) for\n%s\n%s", q, diff)
		}
	}
}

// overridesQuery lists the permission overrides of the restored activities
// (a fresh site has none).
const overridesQuery = `SELECT m.name || ' ' || r.shortname || ' ' || rc.capability || ' ' || rc.permission
  FROM mdl_role_capabilities rc JOIN mdl_role r ON r.id = rc.roleid
  JOIN mdl_context x ON x.id = rc.contextid AND x.contextlevel = 70
  JOIN mdl_course_modules cm ON cm.id = x.instanceid JOIN mdl_modules m ON m.id = cm.module`

// checkRestoredOverrides compares the overrides Moodle holds after the
// restore (the answer to overridesQuery in file) with the activities'
// roles.xml files: every one must have been applied.
func checkRestoredOverrides(t *testing.T, res *Result, file string) {
	t.Helper()
	type rolesXML struct {
		Roles []struct {
			ID        int64  `xml:"id,attr"`
			Shortname string `xml:"shortname"`
		} `xml:"role"`
		Overrides []struct {
			RoleID     int64  `xml:"roleid"`
			Capability string `xml:"capability"`
			Permission int    `xml:"permission"`
		} `xml:"role_overrides>override"`
	}
	short := map[int64]string{}
	var want []string
	for _, pass := range []bool{true, false} {
		for _, e := range res.Backup.Entries {
			root := e.Name == "roles.xml"
			act := strings.HasPrefix(e.Name, "activities/") && strings.HasSuffix(e.Name, "/roles.xml")
			if (pass && !root) || (!pass && !act) {
				continue
			}
			var v rolesXML
			if err := xml.Unmarshal(readAll(t, e), &v); err != nil {
				t.Fatalf("%s: %v", e.Name, err)
			}
			for _, r := range v.Roles {
				short[r.ID] = r.Shortname
			}
			if root {
				continue
			}
			mod := strings.TrimPrefix(e.Name, "activities/")
			mod = mod[:strings.LastIndex(mod, "_")]
			for _, o := range v.Overrides {
				want = append(want, fmt.Sprintf("%s %s %s %d", mod, short[o.RoleID], o.Capability, o.Permission))
			}
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l != "" {
			got = append(got, l)
		}
	}
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("restored permission overrides differ from the converted ones (-converted +restored):\n%s", diff)
	}
}
