package users

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// mixedUsers has one user of each fate on a different site.
func mixedUsers() ([]bu, []TargetUser) {
	us := []bu{
		{id: 2, username: "admin", email: "admin@old.example.edu", firstaccess: 1100000000, first: "Admin", last: "User"},
		{id: 7, username: "jo", email: "jo@example.org", firstaccess: firstStamp, first: "Jo", last: "Doe"}, // conflicts: another jo
		{id: 8, username: "ann", email: "ann@example.org", firstaccess: 0, first: "Ann", last: "Lee"},       // matches by email
		{id: 9, username: "bob", email: "bob&co@example.org", firstaccess: 0, first: "Bob", last: "Ray"},    // created
		{id: 10, username: "Kim", email: "kim@example.org", firstaccess: 0, first: "Kim", last: "<K & Co>"}, // conflicts
	}
	ts := []TargetUser{
		{ID: 2, Username: "admin", Email: "root@new.example.org", FirstAccess: 1500000000, MNetHostID: 1, Auth: "manual"},
		{ID: 30, Username: "jo", Email: "joanna@elsewhere.org", FirstAccess: 1400000000, MNetHostID: 1, Auth: "manual"},
		{ID: 31, Username: "ann", Email: "ANN@example.org", MNetHostID: 1, Auth: "manual"},
		{ID: 32, Username: "Kim", Email: "kim.other@example.org", MNetHostID: 1, Auth: "manual"},
	}
	return us, ts
}

func run(t *testing.T, kind backup.Kind, us []bu, ts []TargetUser, opts Options) (*backup.Backup, *Plan, *report.Report, []byte, error) {
	t.Helper()
	b := writeBackup(t, kind, otherOrigin, us)
	_, entry, _ := usersEntry(b)
	before := readAll(t, b.Entry(entry))
	src, err := OpenSource(context.Background(), targetCSV(t, ts), siteOpts())
	if err != nil {
		t.Fatal(err)
	}
	rep := report.New(0)
	nb, p, err := Reconcile(context.Background(), b, src, opts, rep)
	return nb, p, rep, before, err
}

// TestReconcilePolicies checks what each policy writes, for 1.x and 2.x,
// and that every byte outside the changed values is unchanged.
func TestReconcilePolicies(t *testing.T) {
	us, ts := mixedUsers()
	sfx := renameSuffix(otherOrigin)
	for _, kind := range []backup.Kind{backup.Moodle1, backup.Moodle2} {
		tag := func(s string) string {
			if kind == backup.Moodle1 {
				return strings.ToUpper(s)
			}
			return s
		}
		t.Run(string(kind)+"/defaults", func(t *testing.T) {
			nb, p, rep, before, err := run(t, kind, us, ts, Options{})
			if err != nil {
				t.Fatal(err)
			}
			after := readAll(t, nb.Entry(p.Entry))
			want := string(before)
			want = strings.Replace(want, "<"+tag("email")+">admin@old.example.edu<", "<"+tag("email")+">root@new.example.org<", 1)
			want = strings.Replace(want, "<"+tag("username")+">jo<", "<"+tag("username")+">jo_"+sfx+"<", 1)
			want = strings.Replace(want, "<"+tag("username")+">Kim<", "<"+tag("username")+">kim_"+sfx+"<", 1)
			if diff := cmp.Diff(want, string(after)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			gotCodes := rep.Counts()
			wantCodes := map[string]int{CodeSummary: 1, CodeMatched: 1, CodeRenamed: 2}
			if diff := cmp.Diff(wantCodes, gotCodes); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			m, c, k := p.Counts()
			if m != 1 || c != 1 || k != 3 {
				t.Errorf("counts match %d create %d conflict %d, want 1 1 3", m, c, k)
			}
			for _, f := range rep.Findings() {
				if f.Code == CodeRenamed && (f.Line == 0 || f.Before == "" || f.After == "" || !f.Fixed) {
					t.Errorf("rename finding lacks position or values: %+v", f)
				}
				if f.Code == CodeRenamed {
					// Line and column point at the old value in the input.
					lines := strings.Split(string(before), "\n")
					if at := lines[f.Line-1][f.Column-1:]; !strings.HasPrefix(at, f.Before+"</") {
						t.Errorf("%d:%d points at %q, want %q", f.Line, f.Column, at, f.Before)
					}
					if string(before[f.Offset:f.Offset+int64(len(f.Before))]) != f.Before {
						t.Errorf("offset %d does not hold %q", f.Offset, f.Before)
					}
				}
				if wantPath := map[backup.Kind]string{backup.Moodle1: "MOODLE_BACKUP/COURSE/USERS/USER/USERNAME", backup.Moodle2: "users/user/username"}[kind]; f.Code == CodeRenamed && f.Path != wantPath {
					t.Errorf("path %q", f.Path)
				}
			}
			// The written users decide as planned: re-check the output.
			p2, err := Check(context.Background(), nb, mustCSV(t, ts), Options{Policy: PolicyFail, AdminPolicy: PolicyFail})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range p2.Outcomes {
				got = append(got, fmt.Sprintf("%s:%s %s", o.User.Username, o.Action, o.Step))
			}
			wantO := []string{"admin:match 2A1", "jo_" + sfx + ":create 2E", "ann:match 2A1", "bob:create 2E", "kim_" + sfx + ":create 2E"}
			if diff := cmp.Diff(wantO, got); diff != "" {
				t.Errorf("outcomes after reconcile (-want +got):\n%s", diff)
			}
		})
		t.Run(string(kind)+"/fail", func(t *testing.T) {
			nb, p, rep, before, err := run(t, kind, us, ts, Options{Policy: PolicyFail, AdminPolicy: PolicyFail})
			var ce *ConflictError
			if !errors.As(err, &ce) || len(ce.Unresolved) != 3 {
				t.Fatalf("err = %v, want a ConflictError with 3 users", err)
			}
			if rep.Count(CodeConflict) != 3 || rep.Worst() != report.Error {
				t.Errorf("conflict findings %d worst %s", rep.Count(CodeConflict), rep.Worst())
			}
			if after := readAll(t, nb.Entry(p.Entry)); !bytes.Equal(before, after) {
				t.Errorf("policy fail changed the entry")
			}
		})
		t.Run(string(kind)+"/match-all", func(t *testing.T) {
			nb, p, rep, before, err := run(t, kind, us, ts, Options{Policy: PolicyMatch})
			if err != nil {
				t.Fatal(err)
			}
			after := string(readAll(t, nb.Entry(p.Entry)))
			want := string(before)
			for _, r := range [][2]string{{"admin@old.example.edu", "root@new.example.org"}, {"jo@example.org", "joanna@elsewhere.org"}, {"kim@example.org", "kim.other@example.org"}} {
				want = strings.Replace(want, "<"+tag("email")+">"+r[0]+"<", "<"+tag("email")+">"+r[1]+"<", 1)
			}
			if diff := cmp.Diff(want, after); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if rep.Count(CodeMatched) != 3 {
				t.Errorf("%d matched findings, want 3", rep.Count(CodeMatched))
			}
		})
		t.Run(string(kind)+"/nothing-to-do", func(t *testing.T) {
			b := writeBackup(t, kind, otherOrigin, us[2:4])
			src := mustCSV(t, ts)
			before := b.Entry(map[backup.Kind]string{backup.Moodle1: "moodle.xml", backup.Moodle2: "users.xml"}[kind])
			nb, _, err := Reconcile(context.Background(), b, src, Options{}, report.New(0))
			if err != nil {
				t.Fatal(err)
			}
			if nb.Entry(before.Name) != before {
				t.Errorf("the entry was replaced although no user changes")
			}
		})
	}
}

func mustCSV(t testing.TB, ts []TargetUser) Source {
	t.Helper()
	src, err := OpenSource(context.Background(), targetCSV(t, ts), siteOpts())
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// TestRenameCollisions: a rename candidate taken by another person moves on
// to the next one; one taken by the same person (an earlier course of the
// same site already restored) is reused, so many courses agree.
func TestRenameCollisions(t *testing.T) {
	sfx := renameSuffix(otherOrigin)
	us := []bu{{id: 7, username: "jo", email: "jo@example.org", first: "Jo", last: "Doe"}}
	cases := []struct {
		name   string
		target []TargetUser
		want   string
		step   string
	}{
		{"free", []TargetUser{{ID: 1, Username: "jo", Email: "x@x", MNetHostID: 1}}, "jo_" + sfx, "2E"},
		{"taken by another person", []TargetUser{{ID: 1, Username: "jo", Email: "x@x", MNetHostID: 1}, {ID: 2, Username: "jo_" + sfx, Email: "y@y", MNetHostID: 1}}, "jo_" + sfx + "_2", "2E"},
		{"two taken", []TargetUser{{ID: 1, Username: "jo", Email: "x@x", MNetHostID: 1}, {ID: 2, Username: "jo_" + sfx, Email: "y@y", MNetHostID: 1}, {ID: 3, Username: "jo_" + sfx + "_2", Email: "z@z", MNetHostID: 1}}, "jo_" + sfx + "_3", "2E"},
		{"renamed earlier", []TargetUser{{ID: 1, Username: "jo", Email: "x@x", MNetHostID: 1}, {ID: 2, Username: "jo_" + sfx, Email: "jo@example.org", MNetHostID: 1}}, "jo_" + sfx, "2A1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, p, _, _, err := run(t, backup.Moodle2, us, tc.target, Options{})
			if err != nil {
				t.Fatal(err)
			}
			ch := p.Outcomes[0].Change
			if ch == nil || ch.Username != tc.want || ch.AfterStep != tc.step {
				t.Fatalf("change %+v, want rename to %s (%s)", ch, tc.want, tc.step)
			}
		})
	}
	t.Run("backup user already has the name", func(t *testing.T) {
		us := append(us, bu{id: 8, username: "jo_" + sfx, email: "other@x"})
		_, p, _, _, err := run(t, backup.Moodle1, us, []TargetUser{{ID: 1, Username: "jo", Email: "x@x", MNetHostID: 1}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ch := p.Outcomes[0].Change; ch == nil || ch.Username != "jo_"+sfx+"_2" {
			t.Fatalf("change %+v", ch)
		}
	})
	t.Run("long username is cut to 100 characters", func(t *testing.T) {
		long := strings.Repeat("é", 98)
		_, p, _, _, err := run(t, backup.Moodle2, []bu{{id: 7, username: long, email: "a@b"}}, []TargetUser{{ID: 1, Username: long, Email: "x@x", MNetHostID: 1}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := p.Outcomes[0].Change.Username
		if got := len([]rune(n)); got != MaxUsername || !strings.HasSuffix(n, "_"+sfx) {
			t.Fatalf("renamed to %q (%d characters)", n, got)
		}
	})
}

// TestSameSiteMatchImpossible: method a cannot fix a same-site conflict.
func TestSameSiteMatchImpossible(t *testing.T) {
	b := writeBackup(t, backup.Moodle1, sameOrigin, []bu{{id: 2, username: "admin", email: "a@b", firstaccess: 5}})
	src := mustCSV(t, []TargetUser{{ID: 3, Username: "admin", Email: "a@b", FirstAccess: 5, MNetHostID: 1}})
	rep := report.New(0)
	_, p, err := Reconcile(context.Background(), b, src, Options{}, rep)
	if !IsConflict(err) {
		t.Fatalf("err = %v, want a conflict", err)
	}
	if u := p.Unresolved(); len(u) != 1 || !strings.Contains(u[0].Unresolved, "same-site") {
		t.Fatalf("unresolved %+v", u)
	}
	// Rename works on the same site.
	b = writeBackup(t, backup.Moodle1, sameOrigin, []bu{{id: 2, username: "admin", email: "a@b", firstaccess: 5}})
	_, p, err = Reconcile(context.Background(), b, src, Options{AdminPolicy: PolicyRename}, report.New(0))
	if err != nil || p.Outcomes[0].Change == nil || p.Outcomes[0].Change.AfterStep != "1F" {
		t.Fatalf("err %v, outcome %+v", err, p.Outcomes[0])
	}
}

// TestPins: a map file pins chosen users, on both kinds.
func TestPins(t *testing.T) {
	us, ts := mixedUsers()
	mapFile := filepath.Join(t.TempDir(), "map.csv")
	mustWrite(t, mapFile, []byte("backup,target\n# bob is Robert here\nbob,Kim\njo,jo\nnobody,ann\n"))
	pins, err := ReadPins(mapFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []backup.Kind{backup.Moodle1, backup.Moodle2} {
		t.Run(string(kind), func(t *testing.T) {
			nb, p, rep, before, err := run(t, kind, us, ts, Options{Pins: pins, PinsFile: mapFile})
			if err != nil {
				t.Fatal(err)
			}
			byName := map[string]Outcome{}
			for _, o := range p.Outcomes {
				byName[o.User.Username] = o
			}
			if ch := byName["bob"].Change; ch == nil || ch.Username != "Kim" || ch.Email != "kim.other@example.org" || ch.AfterTarget.ID != 32 {
				t.Errorf("bob: %+v", ch)
			}
			if ch := byName["jo"].Change; ch == nil || ch.SetUsername || ch.Email != "joanna@elsewhere.org" || ch.AfterStep != "2A1" {
				t.Errorf("jo: %+v", ch)
			}
			if rep.Count(CodePinned) != 2 {
				t.Errorf("%d pinned findings", rep.Count(CodePinned))
			}
			after := readAll(t, nb.Entry(p.Entry))
			if bytes.Equal(before, after) || !bytes.Contains(after, []byte("kim.other@example.org")) {
				t.Errorf("pins not written")
			}
		})
	}
	t.Run("unknown target", func(t *testing.T) {
		_, p, _, _, err := run(t, backup.Moodle2, us, ts, Options{Pins: []Pin{{From: "ann", To: "ghost", Line: 3}}, PinsFile: "m.csv"})
		if !IsConflict(err) || !strings.Contains(p.Unresolved()[0].Unresolved, `m.csv line 3: no target user "ghost"`) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestReadPinsErrors(t *testing.T) {
	cases := map[string]string{
		"a,b,c\n":      "line 1: 3 columns",
		"a,b\n,c\n":    "line 2, column 1: empty username",
		"a,b\na,c\n":   `line 2: "a" is already mapped on line 1`,
		"a,\"b\nc,d\n": "line 2, column 5",
	}
	for in, want := range cases {
		_, err := parsePins(strings.NewReader(in), "m.csv")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want %q", in, err, want)
		}
	}
}

// TestCSVErrors: a malformed CSV is reported with its line and column.
func TestCSVErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "the file is empty"},
		{"username,email,firstaccess,deleted\n", `line 1: no "mnethostid" column`},
		{"id,username,email,firstaccess,mnethostid,deleted\n1,a,a@b,0,1,0\n2,b,b@c,yesterday,1,0\n", `line 3, column 4 (firstaccess): "yesterday" is not an integer`},
		{"id,username,email,firstaccess,mnethostid,deleted\n1,a,a@b,0,1,0\n2,\"b,b@c,0,1,0\n", "line 3, column"},
		{"id,username,email,firstaccess,mnethostid,deleted\n1,a,a@b\n", "line 2: 3 columns"},
		{"username,email,firstaccess,mnethostid,deleted\na,a@b,0,x,0\n", `line 2, column 4 (mnethostid): "x" is not an integer`},
	}
	for _, tc := range cases {
		p := filepath.Join(t.TempDir(), "t.csv")
		mustWrite(t, p, []byte(tc.in))
		src, err := OpenSource(context.Background(), p, SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		x := NewIndex(Moodle2, Site{}, false, nil, nil)
		err = src.Scan(context.Background(), x)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%q: err %v, want %q and the file name", tc.in, err, tc.want)
		}
	}
	if _, err := OpenSource(context.Background(), "/nonexistent/t.csv", SourceOptions{}); err == nil || !os.IsNotExist(errors.Unwrap(err)) {
		t.Errorf("missing file: %v", err)
	}
	// Same site needs ids.
	p := filepath.Join(t.TempDir(), "t.csv")
	mustWrite(t, p, []byte("username,email,firstaccess,mnethostid,deleted\n"))
	src, _ := OpenSource(context.Background(), p, SourceOptions{})
	if err := src.Scan(context.Background(), NewIndex(Moodle2, Site{}, true, nil, nil)); err == nil || !strings.Contains(err.Error(), "add an id column") {
		t.Errorf("same site without ids: %v", err)
	}
}

// TestBadXML: malformed users get an error naming the entry, line and column.
func TestBadXML(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "moodle.xml"), []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <COURSE>\n    <USERS>\n      <USER>\n        <ID>x7</ID>\n"))
	b := fileBackup(t, dir, backup.Moodle1)
	_, err := Check(context.Background(), b, mustCSV(t, nil), Options{})
	if err == nil || !strings.Contains(err.Error(), "moodle.xml: line 6, column 13: <ID> is \"x7\", not an integer") {
		t.Errorf("err = %v", err)
	}
	mustWrite(t, filepath.Join(dir, "moodle.xml"), []byte("<MOODLE_BACKUP>\n  <COURSE>\n    <USERS>\n      <USER>\n        <USERNAME>jo</EMAIL>\n"))
	_, err = Check(context.Background(), fileBackup(t, dir, backup.Moodle1), mustCSV(t, nil), Options{})
	if err == nil || !strings.Contains(err.Error(), "line 5, column 21: </EMAIL> closes </USERNAME>") {
		t.Errorf("err = %v", err)
	}
}

// TestSpliceDetectsChange: a source that is not byte-stable fails.
func TestSpliceDetectsChange(t *testing.T) {
	r := NewSpliceReader(strings.NewReader("<a>jo</a>"), []Edit{{Offset: 3, Old: []byte("jx"), New: []byte("ann")}})
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r)
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("err = %v", err)
	}
	r = NewSpliceReader(strings.NewReader("<a>jo</a><b/>"), []Edit{{Offset: 9, Old: []byte("<b/>"), New: []byte("<b>x</b>")}, {Offset: 3, Old: []byte("jo"), New: nil}})
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil || buf.String() != "<a></a><b>x</b>" {
		t.Fatalf("got %q, %v", buf.String(), err)
	}
}

// TestCheckTarget: what inspect --target-users prints, and that it
// changes nothing.
func TestCheckTarget(t *testing.T) {
	us, ts := mixedUsers()
	b := writeBackup(t, backup.Moodle1, otherOrigin, us)
	e := b.Entry("moodle.xml")
	p, err := CheckTarget(context.Background(), b, targetCSV(t, ts), siteOpts(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Entry("moodle.xml") != e {
		t.Fatal("CheckTarget replaced the entry")
	}
	var got []string
	for _, o := range p.Conflicts() {
		got = append(got, o.String())
	}
	want := []string{
		`admin (id 2): conflict at 2D with target user "admin" (id 2): same username and mnet host, but neither the email nor a non-zero first access match; would be matched to the target user (method a)`,
		`jo (id 7): conflict at 2D with target user "jo" (id 30): same username and mnet host, but neither the email nor a non-zero first access match; would be renamed to "jo_` + renameSuffix(otherOrigin) + `"`,
		`Kim (id 10): conflict at 2D with target user "Kim" (id 32): same username and mnet host, but neither the email nor a non-zero first access match; would be renamed to "kim_` + renameSuffix(otherOrigin) + `"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := CheckTarget(context.Background(), b, "", siteOpts(), Options{}); err == nil {
		t.Error("empty target accepted")
	}
}
