package convert

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/validate"
)

// generatedCourses is the generated corpus the conservation audit must
// balance on: clean courses of several eras, sizes and languages.
var generatedCourses = []struct {
	name string
	opts gen.Options
}{
	{"default-19", gen.Options{}},
	{"no-user-data", gen.Options{NoUserData: true, Seed: 3}},
	{"wide", gen.Options{Seed: 7, Sections: 4, ModulesPerSection: 9, FileCount: 12}},
	{"fr-18", gen.Options{Version: "1.8", Lang: "fr", Seed: 11}},
	{"ru-17", gen.Options{Version: "1.7", Lang: "ru", Seed: 12}},
	{"de-16", gen.Options{Version: "1.6", Lang: "de", Seed: 13}},
	{"ja-19", gen.Options{Lang: "ja", Seed: 14, Sections: 3}},
}

// convertGenerated writes a generated course and converts it.
func convertGenerated(t testing.TB, opts gen.Options) (*gen.Manifest, *Result, *report.Report) {
	t.Helper()
	zip := filepath.Join(t.TempDir(), "course.zip")
	m, err := gen.WriteZip(zip, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := backup.Open(context.Background(), zip, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	rep := report.New(0)
	res, err := Convert(context.Background(), b, rep, Options{Scratch: t.TempDir(), Now: fixedNow, ReportDir: t.TempDir()})
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	return m, res, rep
}

// TestConservationGenerated checks, on every generated course, that every
// kind balances (read = written + explained by a finding) and that what the
// converter says it read is what the generator says it wrote.
func TestConservationGenerated(t *testing.T) {
	for _, tc := range generatedCourses {
		t.Run(tc.name, func(t *testing.T) {
			m, res, rep := convertGenerated(t, tc.opts)
			a := res.Audit
			if u := a.Unbalanced(); len(u) > 0 {
				t.Errorf("audit does not balance: %v", u)
			}
			for _, f := range rep.Findings() {
				if f.Code == CodeAudit && f.Severity != report.Info {
					t.Errorf("audit finding: %s", f)
				}
			}
			read := func(kind string) int64 {
				if x := a[kind]; x != nil {
					return x.Read
				}
				return 0
			}
			if got := read(KindSections); got != int64(m.Sections) {
				t.Errorf("sections read = %d, generator wrote %d", got, m.Sections)
			}
			for typ, n := range m.Modules {
				if got := read(KindActivities + "/" + typ); got != int64(n) {
					t.Errorf("%s modules read = %d, generator wrote %d", typ, got, n)
				}
			}
			if got := read(KindBlocks); got != int64(m.Blocks) {
				t.Errorf("blocks read = %d, generator wrote %d", got, m.Blocks)
			}
			var files, bytes int64
			for top, n := range m.Files {
				files += int64(n)
				bytes += m.FileBytes[top]
			}
			if got := read(KindFiles); got != files {
				t.Errorf("files read = %d, generator wrote %d", got, files)
			}
			if got := read(KindBytes); got != bytes {
				t.Errorf("bytes read = %d, generator wrote %d", got, bytes)
			}
			if got := read("users"); got != int64(m.Users) {
				t.Errorf("users read = %d, generator wrote %d", got, m.Users)
			}
			if got := read("forum posts"); got != int64(m.Posts) {
				t.Errorf("forum posts read = %d, generator wrote %d", got, m.Posts)
			}
			// Groups and groupings are course structure: every one the
			// generator wrote is written; group pictures are placed.
			for _, k := range []struct {
				kind string
				n    int
			}{{KindGroups, m.Groups}, {KindGroupings, m.Groupings}} {
				if x := a[k.kind]; k.n > 0 && (x == nil || x.Read != int64(k.n) || x.Written != int64(k.n)) {
					t.Errorf("%s: %+v, generator wrote %d", k.kind, x, k.n)
				}
			}
			if x := a[KindGroupingGroups]; m.Groupings > 0 && (x == nil || x.Written == 0 || x.Explained != 0) {
				t.Errorf("grouping groups: %+v", x)
			}
			for _, f := range rep.Findings() {
				if f.Code == CodeFileNotPlaced && strings.HasPrefix(f.Entry, "group_files") {
					t.Errorf("group picture not placed: %s", f)
				}
			}
			// The output passes validate with no finding at all.
			vrep := report.New(0)
			vres, err := validate.Check(context.Background(), res.Backup, vrep)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range vrep.Findings() {
				t.Errorf("validate: %s", f)
			}
			if !vres.OK() || vres.Files == 0 {
				t.Errorf("validate result = %+v", vres)
			}
			// Course files never vanish: each one is somewhere in the output.
			if x := a[KindFiles]; x != nil && x.Written == 0 && files > 0 {
				t.Errorf("no file written out of %d", files)
			}
		})
	}
}
