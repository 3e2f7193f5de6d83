package stages

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/users"
)

const usersMoodleXML = `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <INFO>
    <ORIGINAL_WWWROOT>http://old.example.edu</ORIGINAL_WWWROOT>
    <ORIGINAL_SITE_IDENTIFIER_HASH>0123456789abcdef0123456789abcdef</ORIGINAL_SITE_IDENTIFIER_HASH>
  </INFO>
  <COURSE>
    <USERS>
      <USER>
        <ID>2</ID>
        <USERNAME>admin</USERNAME>
        <EMAIL>admin@old.example.edu</EMAIL>
        <FIRSTACCESS>1100000000</FIRSTACCESS>
      </USER>
      <USER>
        <ID>7</ID>
        <USERNAME>jo</USERNAME>
        <EMAIL>jo@old.example.edu</EMAIL>
        <FIRSTACCESS>0</FIRSTACCESS>
      </USER>
      <USER>
        <ID>8</ID>
        <USERNAME>ann</USERNAME>
        <EMAIL>ann@old.example.edu</EMAIL>
        <FIRSTACCESS>0</FIRSTACCESS>
      </USER>
    </USERS>
  </COURSE>
</MOODLE_BACKUP>
`

func usersStage(t *testing.T, opts map[string]any) Stage {
	t.Helper()
	spec := ReconcileUsersSpec()
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

func TestReconcileUsersStage(t *testing.T) {
	if Builtin().Lookup("reconcile-users") == nil {
		t.Fatal("reconcile-users is not registered")
	}
	csv := filepath.Join(t.TempDir(), "target.csv")
	os.WriteFile(csv, []byte("id,username,email,firstaccess,mnethostid,deleted,auth\n2,admin,root@new.example.org,1500000000,1,0,manual\n30,jo,joanna@example.org,0,1,0,manual\n"), 0o644)

	t.Run("no target: nothing happens", func(t *testing.T) {
		b := textBackup(backup.Moodle1, "", usersMoodleXML)
		e := b.Main()
		nb, err := usersStage(t, nil).Apply(context.Background(), b, Env{Report: report.New(0)})
		if err != nil || nb.Main() != e {
			t.Fatalf("err %v, entry replaced %v", err, nb.Main() != e)
		}
	})
	t.Run("defaults: admin matched, jo renamed", func(t *testing.T) {
		b := textBackup(backup.Moodle1, "", usersMoodleXML)
		rep := report.New(0)
		nb, err := usersStage(t, map[string]any{"target": csv, "wwwroot": "https://new.example.org"}).Apply(context.Background(), b, Env{Report: rep})
		if err != nil {
			t.Fatal(err)
		}
		out, err := readMain(t, nb)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(usersMoodleXML, "<EMAIL>admin@old.example.edu<", "<EMAIL>root@new.example.org<", 1)
		want = strings.Replace(want, "<USERNAME>jo<", "<USERNAME>jo_01234567<", 1)
		if out != want {
			t.Errorf("output:\n%s", out)
		}
		if rep.Count(users.CodeMatched) != 1 || rep.Count(users.CodeRenamed) != 1 || rep.Count(users.CodeSummary) != 1 {
			t.Errorf("findings %v", rep.Counts())
		}
	})
	t.Run("fail policy fails the archive", func(t *testing.T) {
		b := textBackup(backup.Moodle1, "", usersMoodleXML)
		rep := report.New(0)
		_, err := usersStage(t, map[string]any{"target": csv, "on-conflict": "fail", "admin": "fail"}).Apply(context.Background(), b, Env{Report: rep})
		if !users.IsConflict(err) || !strings.Contains(err.Error(), "course.zip") {
			t.Fatalf("err = %v", err)
		}
		if rep.Count(users.CodeConflict) != 2 {
			t.Errorf("findings %v", rep.Counts())
		}
	})
	t.Run("bad option values", func(t *testing.T) {
		spec := ReconcileUsersSpec()
		full := map[string]any{}
		for _, o := range spec.Options {
			full[o.Name] = o.Default
		}
		full["map"] = filepath.Join(t.TempDir(), "missing.csv")
		if _, err := spec.New(full); err == nil || !strings.Contains(err.Error(), "missing.csv") {
			t.Errorf("missing map: %v", err)
		}
	})
}
