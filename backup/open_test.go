package backup

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/moodlemig/moodlemig/report"
)

func TestOpenKinds(t *testing.T) {
	dir := t.TempDir()
	folder1 := filepath.Join(dir, "folder1")
	writeFile(t, folder1, "moodle.xml", []byte(moodle1XML))
	writeFile(t, folder1, "course_files/a.txt", []byte("hello"))
	folderNested := filepath.Join(dir, "folder-nested")
	writeFile(t, folderNested, "backup-x/moodle.xml", []byte(moodle1XML))
	folder2 := filepath.Join(dir, "folder2")
	writeFile(t, folder2, "moodle_backup.xml", []byte(moodle2XML))

	tests := []struct {
		name     string
		path     string
		kind     Kind
		format   Format
		root     string
		main     string
		findings []string
	}{
		{"1.x zip at root",
			writeFile(t, dir, "root.zip", zipBytes(t, zent{name: "moodle.xml", body: moodle1XML}, zent{name: "course_files/", dir: true}, zent{name: "course_files/a.txt", body: "a"})),
			Moodle1, FormatZip, "", "moodle.xml", nil},
		{"1.x zip nested",
			writeFile(t, dir, "nested.zip", zipBytes(t, zent{name: "backup-x/", dir: true}, zent{name: "backup-x/moodle.xml", body: moodle1XML}, zent{name: "__MACOSX/backup-x/._moodle.xml", body: "junk"})),
			Moodle1, FormatZip, "backup-x/", "backup-x/moodle.xml", []string{"archive.nested-root"}},
		{"1.x zip nested two deep",
			writeFile(t, dir, "nested2.zip", zipBytes(t, zent{name: "a/b/moodle.xml", body: moodle1XML}, zent{name: "a/b/course_files/x/moodle.xml", body: "not this one"})),
			Moodle1, FormatZip, "a/b/", "a/b/moodle.xml", []string{"archive.nested-root"}},
		{"2.x zip",
			writeFile(t, dir, "c.mbz", zipBytes(t, zent{name: "moodle_backup.xml", body: moodle2XML}, zent{name: "files.xml", body: "<files/>"})),
			Moodle2, FormatZip, "", "moodle_backup.xml", nil},
		{"2.x tar.gz",
			writeFile(t, dir, "t.mbz", tarBytes(t, true, tent{name: "./", typeflag: '5'}, tent{name: "./moodle_backup.xml", body: moodle2XML}, tent{name: "files/", typeflag: '5'})),
			Moodle2, FormatTarGz, "", "moodle_backup.xml", nil},
		{"2.x tar",
			writeFile(t, dir, "plain.tar", tarBytes(t, false, tent{name: "moodle_backup.xml", body: moodle2XML})),
			Moodle2, FormatTar, "", "moodle_backup.xml", nil},
		{"1.x folder", folder1, Moodle1, FormatFolder, "", "moodle.xml", nil},
		{"1.x folder nested", folderNested, Moodle1, FormatFolder, "backup-x/", "backup-x/moodle.xml", []string{"archive.nested-root"}},
		{"2.x folder", folder2, Moodle2, FormatFolder, "", "moodle_backup.xml", nil},
		{"both main files: 2.x wins",
			writeFile(t, dir, "both.zip", zipBytes(t, zent{name: "moodle.xml", body: moodle1XML}, zent{name: "moodle_backup.xml", body: moodle2XML})),
			Moodle2, FormatZip, "", "moodle_backup.xml", []string{"archive.both-main"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := report.New(0)
			b, err := Open(context.Background(), tt.path, Options{Sink: rep})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if b.Facts.Kind != tt.kind || b.Facts.Format != tt.format || b.Facts.Root != tt.root {
				t.Errorf("kind, format, root = %q, %q, %q; want %q, %q, %q", b.Facts.Kind, b.Facts.Format, b.Facts.Root, tt.kind, tt.format, tt.root)
			}
			m := b.Main()
			if m == nil || m.Name != tt.main {
				t.Fatalf("Main() = %v, want %s", m, tt.main)
			}
			rc, err := m.Open()
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := moodle1XML
			if tt.kind == Moodle2 {
				want = moodle2XML
			}
			if string(got) != want {
				t.Errorf("main XML bytes differ from the input")
			}
			if diff := cmp.Diff(tt.findings, codes(rep), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("finding codes (-want +got):\n%s", diff)
			}
			if err := b.Verify(context.Background()); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestOpenFactsFromHeader(t *testing.T) {
	p := writeFile(t, t.TempDir(), "b.zip", zipBytes(t, zent{name: "moodle.xml", body: moodle1XML}))
	b, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Facts.MoodleRelease != "1.9.12 (Build: 20110510)" || b.Facts.ShortName != "Bio 101" || b.Facts.Format != FormatZip {
		t.Errorf("facts = %+v", b.Facts)
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "nope.zip"), Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want not-exist", err)
	}
}
