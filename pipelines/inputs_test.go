package pipelines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExpandInputs(t *testing.T) {
	root := t.TempDir()
	chdir(t, root)
	for _, f := range []string{"shelf/a.zip", "shelf/2009/b.MBZ", "shelf/2009/c.tar.gz", "shelf/.hidden/d.zip",
		"shelf/out/e.zip", "shelf/readme.txt", "loose.zip", "odd.bin", "shelf/ext/moodle.xml", "shelf/ext/course_files/f.zip"} {
		os.MkdirAll(filepath.Dir(f), 0o755)
		os.WriteFile(f, []byte("12345"), 0o644)
	}
	os.WriteFile("list.txt", []byte("# a manifest\nloose.zip\n\nodd.bin\n"), 0o644)
	type got struct{ Key, Dir string }
	expand := func(args []string, stdin string, exclude ...string) ([]got, error) {
		in, err := ExpandInputs(args, strings.NewReader(stdin), exclude...)
		var g []got
		for _, x := range in {
			g = append(g, got{x.Key, x.Dir})
		}
		return g, err
	}
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string
		exclude []string
		want    []got
		err     string
	}{
		{name: "folder searched, hidden and excluded skipped, extracted backup kept whole",
			args: []string{"shelf"}, exclude: []string{"shelf/out"},
			want: []got{{"shelf/2009/b.MBZ", "2009/"}, {"shelf/2009/c.tar.gz", "2009/"}, {"shelf/a.zip", ""}, {"shelf/ext", ""}}},
		{name: "a file is an input whatever its name", args: []string{"odd.bin", "loose.zip"},
			want: []got{{"odd.bin", ""}, {"loose.zip", ""}}},
		{name: "glob", args: []string{"shelf/2009/*"},
			want: []got{{"shelf/2009/b.MBZ", ""}, {"shelf/2009/c.tar.gz", ""}}},
		{name: "manifest file and stdin, duplicates once", args: []string{"@list.txt", "-", "loose.zip"}, stdin: "shelf/a.zip\nloose.zip\n",
			want: []got{{"loose.zip", ""}, {"odd.bin", ""}, {"shelf/a.zip", ""}}},
		{name: "extracted folder named directly", args: []string{"shelf/ext"}, want: []got{{"shelf/ext", ""}}},
		{name: "missing file", args: []string{"nope.zip"}, err: "input nope.zip"},
		{name: "glob without match", args: []string{"*.rar"}, err: `no file matches "*.rar"`},
		{name: "manifest line names the line", args: []string{"-"}, stdin: "loose.zip\nmissing.zip\n", err: "manifest stdin:2: input missing.zip"},
		{name: "nothing found", args: []string{"shelf/.hidden/../2009/../out/../../shelf/out"}, exclude: []string{"shelf/out"}, want: []got{{"shelf/out/e.zip", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := expand(tc.args, tc.stdin, tc.exclude...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, g); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func chdir(t *testing.T, dir string) {
	t.Helper()
	old, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
}
