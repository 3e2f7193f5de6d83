package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadHeader(t *testing.T) {
	old := `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <INFO>
    <NAME>backup-hist-200409.zip</NAME>
    <MOODLE_VERSION>2003091111</MOODLE_VERSION>
    <MOODLE_RELEASE>1.1.1</MOODLE_RELEASE>
    <BACKUP_VERSION>2003082800</BACKUP_VERSION>
    <BACKUP_RELEASE>1.1</BACKUP_RELEASE>
    <DATE>1094000000</DATE>
    <DETAILS><MOD><NAME>quiz</NAME></MOD></DETAILS>
  </INFO>
  <COURSE>
    <HEADER>
      <ID>3</ID>
      <FULLNAME>Histoire g` + "\xc3\x83\xc2\xa9" + `n` + "\xc3\x83\xc2\xa9" + `rale</FULLNAME>
      <SHORTNAME><![CDATA[H&G]]></SHORTNAME>
      <FORMAT>weeks</FORMAT>
    </HEADER>
  </COURSE>
</MOODLE_BACKUP>
`
	tests := []struct {
		name string
		in   string
		want Facts
		err  error
	}{
		{"1.9", moodle1XML, Facts{Kind: Moodle1, Encoding: "UTF-8",
			MoodleVersion: "2007101591.03", MoodleRelease: "1.9.12 (Build: 20110510)",
			BackupVersion: "2009111300", BackupRelease: "1.9.7",
			BackupDate: time.Unix(1237043000, 0).UTC(), WWWRoot: "http://moodle.example.edu", ZipMethod: "internal",
			CourseID: "5", FullName: "Biologie & Chimie 101", ShortName: "Bio 101", Lang: "fr_utf8", CourseFormat: "topics"}, nil},
		{"1.1 with mojibake kept raw and CDATA", old, Facts{Kind: Moodle1, Encoding: "UTF-8",
			MoodleVersion: "2003091111", MoodleRelease: "1.1.1", BackupVersion: "2003082800", BackupRelease: "1.1",
			BackupDate: time.Unix(1094000000, 0).UTC(), CourseID: "3",
			FullName: "Histoire g\xc3\x83\xc2\xa9n\xc3\x83\xc2\xa9rale", ShortName: "H&G", CourseFormat: "weeks"}, nil},
		{"2.x", moodle2XML, Facts{Kind: Moodle2, Encoding: "UTF-8",
			MoodleVersion: "2022112800", MoodleRelease: "4.1 (Build: 20221128)", BackupVersion: "2022112800", BackupRelease: "4.1",
			BackupDate: time.Unix(1704110400, 0).UTC(), WWWRoot: "https://lms.example.org",
			CourseID: "7", FullName: "Chemistry", ShortName: "CHEM", CourseFormat: "weeks"}, nil},
		{"BOM, single quotes, legacy encoding, raw bytes",
			"\xef\xbb\xbf<?xml version='1.0' encoding='ISO-8859-1'?>\n<MOODLE_BACKUP><INFO><MOODLE_RELEASE>1.4</MOODLE_RELEASE></INFO>" +
				"<COURSE><HEADER><FULLNAME>Fran\xe7ais &#233;t&#xE9;</FULLNAME><LANG>fr</LANG></HEADER></COURSE></MOODLE_BACKUP>",
			Facts{Kind: Moodle1, Encoding: "ISO-8859-1", MoodleRelease: "1.4", FullName: "Fran\xe7ais été", Lang: "fr"}, nil},
		{"comments and empty elements", "<?xml version=\"1.0\"?><!-- made by hand --><MOODLE_BACKUP><INFO><ZIP_METHOD/><DATE>x</DATE>" +
			"</INFO><COURSE><HEADER><ID>9</ID><SHORTNAME/></HEADER></COURSE></MOODLE_BACKUP>",
			Facts{Kind: Moodle1, CourseID: "9"}, nil},
		{"1.x without COURSE ends at EOF", "<MOODLE_BACKUP><INFO><BACKUP_RELEASE>1.9</BACKUP_RELEASE></INFO></MOODLE_BACKUP>",
			Facts{Kind: Moodle1, BackupRelease: "1.9"}, nil},
		{"HTML page", "<!DOCTYPE html><html><body>Login</body></html>", Facts{}, ErrNotBackup},
		{"empty", "", Facts{}, ErrNotBackup},
		{"text", "just some text", Facts{}, ErrNotBackup},
		{"no INFO", "<MOODLE_BACKUP><COURSE><HEADER><ID>1</ID></HEADER></COURSE></MOODLE_BACKUP>", Facts{Kind: Moodle1, CourseID: "1"}, ErrNoHeader},
		{"cut inside a tag", "<MOODLE_BACKUP><INFO><MOODLE_REL", Facts{Kind: Moodle1}, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadHeader(strings.NewReader(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}

// failAfter yields s and then fails: ReadHeader must not read past the header.
type failAfter struct{ r io.Reader }

func (f failAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errors.New("read past the header")
	}
	return n, err
}

func TestReadHeaderStopsEarly(t *testing.T) {
	for _, in := range []string{
		moodle1XML[:strings.Index(moodle1XML, "</HEADER>")+len("</HEADER>")],
		moodle1XML[:strings.Index(moodle1XML, "<BLOCKS>")+len("<BLOCKS>")],
		moodle2XML[:strings.Index(moodle2XML, "</information>")+len("</information>")],
	} {
		f, err := ReadHeader(failAfter{strings.NewReader(in)})
		if err != nil {
			t.Errorf("ReadHeader read too far: %v", err)
		}
		if f.CourseID == "" {
			t.Errorf("no course id in %+v", f)
		}
	}
}

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestReadHeaderGolden reads every testdata/headers/*.xml and compares the
// facts with the matching .golden.json (go test -run Golden -update rewrites
// them).
func TestReadHeaderGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/headers/*.xml")
	if len(paths) == 0 {
		t.Fatal("no header fixtures")
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ReadHeader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(f, "", "  ")
			got = append(got, '\n')
			golden := strings.TrimSuffix(p, ".xml") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("facts (-golden +got):\n%s", diff)
			}
		})
	}
}
