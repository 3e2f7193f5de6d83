package users

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

func TestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	testDatabase(t, startPostgres(t))
}

func TestMariaDB(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a MariaDB server")
	}
	testDatabase(t, startMariaDB(t))
}

// testDatabase runs the same checks against a real server of each kind.
func testDatabase(t *testing.T, s *server) {
	ctx := context.Background()
	env := func(pw string) func(string) string {
		return func(k string) string {
			if k == "MOODLEMIG_DB_PASSWORD" {
				return pw
			}
			return ""
		}
	}
	open := func(t *testing.T, prefix string, o SourceOptions) Source {
		t.Helper()
		o.Prefix, o.Getenv = prefix, env(s.readerPW)
		src, err := OpenSource(ctx, s.URL(), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { src.Close() })
		return src
	}
	site := Site{WWWRoot: targetWWW, SiteIdentifier: targetID, MNetLocalhostID: 1, MNetHosts: map[string]int64{targetWWW: 1, hubWWW: 3}}

	t.Run("site identity", func(t *testing.T) {
		st := site
		st.DuplicateAdminAllowed = true
		s.createMoodleTables(t, "ident_", st, nil)
		st.FoldUsernames = s.flavor == "mysql"
		got, err := open(t, "ident_", SourceOptions{}).Site(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(st, got); diff != "" {
			t.Errorf("site (-want +got):\n%s", diff)
		}
	})

	t.Run("decision table", func(t *testing.T) {
		for i, tc := range decisionCases() {
			if strings.HasPrefix(tc.name, "username case") {
				continue // the database decides: see "username case follows the database"
			}
			st := site
			so := SourceOptions{}
			if tc.opts != nil {
				tc.opts(&so)
			}
			st.DuplicateAdminAllowed, st.ForceDifferentSite = so.DuplicateAdminAllowed, so.ForceDifferentSite
			prefix := fmt.Sprintf("c%d_", i)
			s.createMoodleTables(t, prefix, st, tc.target)
			src := open(t, prefix, SourceOptions{})
			for _, kind := range []backup.Kind{backup.Moodle1, backup.Moodle2} {
				b := writeBackup(t, kind, tc.origin, []bu{tc.user})
				p, err := Check(ctx, b, src, Options{Policy: PolicyFail, AdminPolicy: PolicyFail})
				if err != nil {
					t.Fatalf("%s %s: %v", tc.name, kind, err)
				}
				o := p.Outcomes[0]
				if got := fmt.Sprintf("%s %s", o.Action, o.Step); got != tc.want2 {
					t.Errorf("%s (%s): got %q, want %q", tc.name, kind, got, tc.want2)
				}
			}
		}
	})

	t.Run("reconcile like the CSV export", func(t *testing.T) {
		us, ts := mixedUsers()
		s.createMoodleTables(t, "mdl_", site, ts)
		for _, kind := range []backup.Kind{backup.Moodle1, backup.Moodle2} {
			outs := map[string]string{}
			for _, name := range []string{"db", "csv"} {
				b := writeBackup(t, kind, otherOrigin, us)
				var src Source
				if name == "db" {
					src = open(t, "", SourceOptions{}) // default prefix mdl_
				} else {
					src = mustCSV(t, ts)
				}
				nb, p, err := Reconcile(ctx, b, src, Options{}, report.New(0))
				if err != nil {
					t.Fatal(err)
				}
				outs[name] = string(readAll(t, nb.Entry(p.Entry)))
				if p.Scanned != len(ts) {
					t.Errorf("%s scanned %d rows, want %d", name, p.Scanned, len(ts))
				}
			}
			if outs["db"] != outs["csv"] {
				t.Errorf("%s: database and CSV sources disagree:\n%s", kind, cmp.Diff(outs["csv"], outs["db"]))
			}
			if !strings.Contains(outs["db"], "root@new.example.org") {
				t.Errorf("%s: admin not matched", kind)
			}
		}
	})

	t.Run("username case follows the database", func(t *testing.T) {
		s.createMoodleTables(t, "case_", site, []TargetUser{{ID: 40, Username: "kim", Email: "k@new", MNetHostID: 1}})
		b := writeBackup(t, backup.Moodle2, otherOrigin, []bu{{id: 10, username: "Kim", email: "kim@old"}})
		p, err := Check(ctx, b, open(t, "case_", SourceOptions{}), Options{Policy: PolicyFail})
		if err != nil {
			t.Fatal(err)
		}
		want := "create 2E" // PostgreSQL: username = 'Kim' does not find kim
		if s.flavor == "mysql" {
			want = "conflict 2D" // MySQL collations: it does
		}
		if got := fmt.Sprintf("%s %s", p.Outcomes[0].Action, p.Outcomes[0].Step); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	t.Run("prefix with no user table", func(t *testing.T) {
		src := open(t, "nope_", SourceOptions{})
		_, err := src.Site(ctx)
		if err == nil || !strings.Contains(err.Error(), `no table nope_user`) || !strings.Contains(err.Error(), "prefix") {
			t.Fatalf("err = %v", err)
		}
		if err := src.Scan(ctx, NewIndex(Moodle2, Site{}, false, nil, nil)); err == nil || !strings.Contains(err.Error(), "no table nope_user") {
			t.Fatalf("scan err = %v", err)
		}
	})

	t.Run("bad prefix characters", func(t *testing.T) {
		_, err := OpenSource(ctx, s.URL(), SourceOptions{Prefix: "mdl_; DROP TABLE x", Getenv: env(s.readerPW)})
		if err == nil || !strings.Contains(err.Error(), "only letters, digits and _") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("wrong password is not printed", func(t *testing.T) {
		const secret = "Wr0ng-pa55word-Xyz"
		_, err := OpenSource(ctx, s.URL(), SourceOptions{Getenv: env(secret)})
		if err == nil {
			t.Fatal("connected with a wrong password")
		}
		if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "cannot connect") {
			t.Fatalf("err = %v", err)
		}
		t.Log(err)
	})

	t.Run("password in the URL is not printed", func(t *testing.T) {
		const secret = "Url-pa55word-Xyz"
		u := strings.Replace(s.URL(), "reader@", "reader:"+secret+"@", 1)
		_, err := OpenSource(ctx, u, SourceOptions{Getenv: env("")})
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("password from a file", func(t *testing.T) {
		pf := filepath.Join(t.TempDir(), "pw")
		mustWrite(t, pf, []byte(s.readerPW+"\n"))
		for _, o := range []SourceOptions{{PasswordFile: pf, Getenv: env("")}, {Getenv: func(k string) string {
			if k == "MOODLEMIG_DB_PASSWORD_FILE" {
				return pf
			}
			return ""
		}}} {
			src, err := OpenSource(ctx, s.URL(), o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := src.Site(ctx); err != nil {
				t.Fatal(err)
			}
			src.Close()
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		const secret = "Unreach-pa55word"
		port := freePort(t) // nothing listens there
		u := strings.Replace(s.URL(), fmt.Sprintf(":%d/", s.port), fmt.Sprintf(":%d/", port), 1)
		start := time.Now()
		_, err := OpenSource(ctx, u, SourceOptions{Getenv: env(secret)})
		if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "cannot connect") || !strings.Contains(err.Error(), fmt.Sprint(port)) {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > 20*time.Second {
			t.Errorf("took %s to fail", time.Since(start))
		}
		t.Log(err)
	})
}
