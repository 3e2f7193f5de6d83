package restorecheck

import (
	"archive/zip"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// The moodlemig binary and the converted golden course, made once per test
// process (a build takes a while on a loaded machine).
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// moodlemig builds the binary of this module once.
func moodlemig(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "restorecheck-bin-")
		if binErr == nil {
			binPath, binErr = Build(context.Background(), "..", binDir)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// convertGolden converts convert/testdata/<name> (zipped) with moodlemig.
func convertGolden(t *testing.T, name string) *Converted {
	t.Helper()
	bin := moodlemig(t)
	dir := t.TempDir()
	in := filepath.Join(dir, name+".zip")
	if err := zipFolder(filepath.Join("..", "convert", "testdata", name), in); err != nil {
		t.Fatal(err)
	}
	c, err := Convert(context.Background(), bin, in, filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// extract unpacks the zip .mbz into a new folder.
func extract(t *testing.T, mbz string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "backup")
	zr, err := zip.OpenReader(mbz)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		p := filepath.Join(dst, filepath.FromSlash(f.Name))
		if strings.HasSuffix(f.Name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// A breakage damages an extracted backup on purpose and says what it did.
type breakage struct {
	name string
	// apply damages dir and returns a description.
	apply func(t *testing.T, dir string) string
	// static is a pattern the static problems must match.
	static string
	// validate: moodlemig validate reports it.
	validate bool
	// moodle is what Moodle's restore does with it: "silent" (restores
	// without a word), "warning" or "fails".
	moodle string
	// compare is the Diff.What the comparison of the restored course with
	// the output must report ("" when the counts cannot show it).
	compare string
}

// fileRecordOf finds the first files.xml record of component (not a
// directory) and returns its id and contenthash.
func fileRecordOf(t *testing.T, dir, component string) (id, hash string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "files.xml"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?s)<file id="(\d+)">\s*<contenthash>([0-9a-f]{40})</contenthash>.*?<component>([^<]*)</component>.*?<filename>([^<]*)</filename>`)
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		if m[3] == component && m[4] != "." {
			return m[1], m[2]
		}
	}
	t.Fatalf("no %s file record in files.xml", component)
	return "", ""
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s holds no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(s, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// breakages are the damages the check must report. They work on any output
// with a mod_resource file and a url activity (the golden course-basic).
var breakages = []breakage{
	{
		name: "pool-bytes-differ-from-hash",
		apply: func(t *testing.T, dir string) string {
			_, hash := fileRecordOf(t, dir, "mod_resource")
			p := filepath.Join(dir, "files", hash[:2], hash)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			data[0] ^= 0xff // same size, other bytes
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return "flipped the first byte of pool file " + hash + " (mod_resource): its SHA-1 no longer matches files.xml"
		},
		static:   `holds bytes whose SHA-1 is`,
		validate: true,
		moodle:   "silent", // stores the altered bytes under their own hash
	},
	{
		name: "files-xml-hash-without-pool-file",
		apply: func(t *testing.T, dir string) string {
			_, hash := fileRecordOf(t, dir, "mod_resource")
			h := sha1.Sum([]byte("not in the pool"))
			other := hex.EncodeToString(h[:])
			replaceIn(t, filepath.Join(dir, "files.xml"), "<contenthash>"+hash+"</contenthash>", "<contenthash>"+other+"</contenthash>")
			return "files.xml: contenthash of the mod_resource file changed to " + other + ", which has no pool file"
		},
		static:   `pool file files/../[0-9a-f]+ is absent`,
		validate: true,
		moodle:   "warning", // "Missing file in backup", the file is dropped
		compare:  "files",
	},
	{
		name: "inforef-reference-missing",
		apply: func(t *testing.T, dir string) string {
			id, _ := fileRecordOf(t, dir, "mod_resource")
			matches, _ := filepath.Glob(filepath.Join(dir, "activities", "resource_*", "inforef.xml"))
			for _, p := range matches {
				data, _ := os.ReadFile(p)
				re := regexp.MustCompile(`\s*<file>\s*<id>` + id + `</id>\s*</file>`)
				if re.Match(data) {
					if err := os.WriteFile(p, re.ReplaceAll(data, nil), 0o644); err != nil {
						t.Fatal(err)
					}
					rel, _ := filepath.Rel(dir, p)
					return "removed <file><id>" + id + "</id></file> from " + filepath.ToSlash(rel)
				}
			}
			t.Fatalf("no resource inforef.xml lists file %s", id)
			return ""
		},
		static:  `no inforef.xml lists it`,
		moodle:  "silent", // the file is never loaded, nothing is logged
		compare: "files",
	},
	{
		name: "listed-module-absent",
		apply: func(t *testing.T, dir string) string {
			matches, _ := filepath.Glob(filepath.Join(dir, "activities", "url_*"))
			if len(matches) == 0 {
				t.Fatal("no url activity to remove")
			}
			if err := os.RemoveAll(matches[0]); err != nil {
				t.Fatal(err)
			}
			return "removed " + filepath.Base(matches[0]) + "/ (moodle_backup.xml still lists it)"
		},
		static:   `is listed in moodle_backup.xml but activities/url_\d+/module.xml is absent`,
		validate: true,
		moodle:   "fails", // missing_moodle_backup_xml_file
	},
	{
		name: "text-links-absent-file",
		apply: func(t *testing.T, dir string) string {
			matches, _ := filepath.Glob(filepath.Join(dir, "activities", "label_*", "label.xml"))
			if len(matches) == 0 {
				t.Fatal("no label to edit")
			}
			replaceIn(t, matches[0], "<intro>", "<intro>&lt;img src=\"@@PLUGINFILE@@/pics/not%20there.png\"&gt;")
			rel, _ := filepath.Rel(dir, matches[0])
			return "linked @@PLUGINFILE@@/pics/not%20there.png, a file the backup does not hold, from the intro of " + filepath.ToSlash(rel)
		},
		static: `links @@PLUGINFILE@@/pics/not%20there.png but files.xml has no file /pics/not there.png`,
		moodle: "silent", // the text is restored as is: a dead image
	},
}
