package inspect

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTargetUsers checks that --target-users reports exactly the backup
// users whose username exists on the target with another e-mail and first
// access (decision table row 2D), and nothing for users that would match or
// be created.
func TestTargetUsers(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "target.csv")
	// admin and u16b exist on the target as other people; u23c has the
	// same e-mail as in the backup (a match, not a conflict).
	sample := filepath.Join("..", "testdata", "sample", "backup-sample-19.zip")
	email23 := userEmail(t, sample, "u23c")
	body := "id,username,email,firstaccess,mnethostid,deleted,auth\n" +
		"2,admin,root@new.example.org,1500000000,1,0,manual\n" +
		"40,u16b,someone.else@example.org,1500000001,1,0,manual\n" +
		"41,u23c," + email23 + ",0,1,0,manual\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		target string
		want   []string // usernames reported as conflicts
	}{
		{"no target, no conflict check", "", nil},
		{"two conflicts", csv, []string{"admin", "u16b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Inspect(context.Background(), sample, Options{TargetUsers: tc.target})
			if err != nil || res.Failed() {
				t.Fatalf("Inspect: %v %s", err, res.Error)
			}
			var got []string
			for _, f := range res.Findings {
				if f.Code == CodeUserConflict {
					got = append(got, strings.Fields(f.Message)[3]) // "restore would stop: NAME (id …"
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("conflicts %q, want %q", got, tc.want)
			}
			if n := res.FindingCounts[CodeUserConflict]; n != len(tc.want) {
				t.Errorf("count %d, want %d", n, len(tc.want))
			}
		})
	}
	t.Run("bad target is the backup's error", func(t *testing.T) {
		res, err := Inspect(context.Background(), sample, Options{TargetUsers: filepath.Join(dir, "missing.csv")})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Failed() || !strings.Contains(res.Error, "missing.csv") {
			t.Errorf("want a failure naming missing.csv, got %q", res.Error)
		}
	})
}

// userEmail reads one user's e-mail from a sample's moodle.xml.
func userEmail(t *testing.T, zipPath, username string) string {
	t.Helper()
	xml := readMainXML(t, zipPath)
	i := strings.Index(xml, "<USERNAME>"+username+"</USERNAME>")
	if i < 0 {
		t.Fatalf("no user %s in %s", username, zipPath)
	}
	rest := xml[i:]
	j := strings.Index(rest, "<EMAIL>")
	k := strings.Index(rest, "</EMAIL>")
	return rest[j+len("<EMAIL>") : k]
}

func readMainXML(t *testing.T, zipPath string) string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	rc, err := zr.Open("moodle.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
