package inspect

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

const sampleDir = "../testdata/sample"

func sampleOptions(t *testing.T, file string) gen.Options {
	t.Helper()
	for _, s := range gen.Samples() {
		if s.File == file {
			return s.Options
		}
	}
	t.Fatalf("no sample %s", file)
	return gen.Options{}
}

func mustInspect(t *testing.T, path string, opts Options) *Result {
	t.Helper()
	r, err := Inspect(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Inspect(%s): %v", path, err)
	}
	return r
}

// warnings returns the codes of the findings above info.
func warnings(r *Result) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Findings {
		if f.Severity != report.Info && !seen[f.Code] {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	return out
}

// TestDiagnoses checks each FAQ diagnosis on a generated backup with that
// damage, and that the backup's undamaged twin (same course, same seed) has
// no such finding, nor any other warning.
func TestDiagnoses(t *testing.T) {
	tests := []struct {
		file  string
		codes []string // findings the damage must produce
	}{
		{"backup-15-control-chars.zip", []string{CodeInvalidChar}},
		{"backup-19-invalid-utf8.zip", []string{CodeInvalidChar, CodeInvalidUTF8, CodeLegacyCharset}},
		{"backup-15-fr-windows1252.zip", []string{CodeLegacyCharset}},
		{"backup-15-ru-windows1251.zip", []string{CodeLegacyCharset}},
		{"backup-15-ja-eucjp.zip", []string{CodeLegacyCharset}},
		{"backup-15-ru-koi8r-raw.zip", []string{CodeLegacyCharset, CodeInvalidUTF8}},
		{"backup-19-libxml2-stripped.zip", []string{CodeLibxml2}},
		{"backup-19-relative-links.zip", []string{CodeUnencodedLink}},
		{"backup-19-nested-root.zip", []string{"archive.nested-root"}},
		{"backup-19-truncated-xml.zip", []string{CodeTruncated}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := mustInspect(t, filepath.Join(sampleDir, tt.file), Options{})
			if r.Failed() {
				t.Fatalf("failed: %s", r.Error)
			}
			for _, c := range tt.codes {
				if r.FindingCounts[c] == 0 {
					t.Errorf("damaged: no %s finding; got %v", c, r.FindingCounts)
				}
			}
			twin := filepath.Join(t.TempDir(), "twin.zip")
			if _, err := gen.WriteZip(twin, sampleOptions(t, tt.file).Twin()); err != nil {
				t.Fatal(err)
			}
			tr := mustInspect(t, twin, Options{})
			if tr.Failed() {
				t.Fatalf("twin failed: %s", tr.Error)
			}
			if w := warnings(tr); len(w) > 0 {
				t.Errorf("clean twin has warnings %v: %v", w, tr.Findings)
			}
			if tr.Charset != nil && tr.Charset.Legacy {
				t.Errorf("clean twin charset %+v", tr.Charset)
			}
		})
	}
}

func TestCharsetGuess(t *testing.T) {
	tests := []struct{ file, form, guess string }{
		{"backup-15-fr-windows1252.zip", "utf8_encode", "windows-1252"},
		{"backup-15-ru-windows1251.zip", "utf8_encode", "windows-1251"},
		{"backup-15-ja-eucjp.zip", "utf8_encode", "euc-jp"},
		{"backup-15-ru-koi8r-raw.zip", "raw", "koi8-r"},
		{"backup-sample-19.zip", "utf-8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := mustInspect(t, filepath.Join(sampleDir, tt.file), Options{})
			cs := r.Charset
			if cs == nil {
				t.Fatal("no charset")
			}
			if cs.Form != tt.form || !strings.EqualFold(cs.Guess, tt.guess) || cs.Legacy != (tt.guess != "") {
				t.Errorf("charset = %+v, want form %s guess %s", cs, tt.form, tt.guess)
			}
			if cs.Legacy && len(cs.Evidence) < 2 {
				t.Errorf("too little evidence: %v", cs.Evidence)
			}
		})
	}
}

// TestMojibake16 covers the two kinds of mojibake a 1.6+ file can hold:
// utf8_encode'd legacy text of a non-Latin course (a site without
// $CFG->unicodedb) and UTF-8 encoded twice.
func TestMojibake16(t *testing.T) {
	tests := []struct {
		name, lang, text, form, guess string
	}{
		{"cyrillic lifted", "ru_utf8", "Ïðèâåò ìèð", "utf8_encode", "windows-1251"},
		{"double utf-8", "fr_utf8", "CafÃ© crÃ¨me", "double-utf8", "utf-8"},
		{"real french", "fr_utf8", "Café crème", "utf-8", ""},
		{"real russian", "ru_utf8", "Привет мир", "utf-8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFolder(t, tt.lang, "<FULLNAME>"+tt.text+"</FULLNAME>", "")
			r := mustInspect(t, dir, Options{})
			if r.Failed() {
				t.Fatal(r.Error)
			}
			if r.Charset.Form != tt.form || r.Charset.Guess != tt.guess {
				t.Errorf("charset = %+v, want %s %s", r.Charset, tt.form, tt.guess)
			}
			if got := r.FindingCounts[CodeLegacyCharset] > 0; got != (tt.guess != "") {
				t.Errorf("charset.legacy finding = %v", got)
			}
		})
	}
}

// writeFolder writes an extracted 1.9 backup whose HEADER holds header
// (extra elements) and whose COURSE holds body.
func writeFolder(t *testing.T, lang, header, body string) string {
	t.Helper()
	dir := t.TempDir()
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <INFO>
    <NAME>backup-x.zip</NAME>
    <MOODLE_VERSION>2007101592.00</MOODLE_VERSION>
    <MOODLE_RELEASE>1.9.19 (Build: 20120706)</MOODLE_RELEASE>
    <BACKUP_VERSION>2009111300</BACKUP_VERSION>
    <BACKUP_RELEASE>1.9.7</BACKUP_RELEASE>
    <DATE>1237043000</DATE>
    <ORIGINAL_WWWROOT>http://moodle.example.edu</ORIGINAL_WWWROOT>
  </INFO>
  <COURSE>
    <HEADER>
      <ID>5</ID>
      <SHORTNAME>X</SHORTNAME>
      <LANG>` + lang + `</LANG>
      ` + header + `
    </HEADER>
` + body + `
  </COURSE>
</MOODLE_BACKUP>
`
	if err := os.WriteFile(filepath.Join(dir, "moodle.xml"), []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestNotes checks the findings that follow from facts and counts, each
// with a backup that has it and one that has not.
func TestNotes(t *testing.T) {
	sample := filepath.Join(sampleDir, "backup-sample-19.zip")
	bare := writeFolder(t, "en_utf8", "", "")
	noUsers := filepath.Join(t.TempDir(), "nousers.zip")
	if _, err := gen.WriteZip(noUsers, gen.Options{Seed: 3, NoUserData: true}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		opts Options
		code string
		want bool
	}{
		{"users", sample, Options{}, CodeUsers, true},
		{"no users", noUsers, Options{}, CodeUsers, false},
		{"newer than 1.8", sample, Options{TargetVersion: "1.8"}, CodeNewer, true},
		{"not newer than 1.9", sample, Options{TargetVersion: "1.9"}, CodeNewer, false},
		{"not newer than 4.5", sample, Options{TargetVersion: "4.5"}, CodeNewer, false},
		{"questions", sample, Options{}, CodeQuestions, true},
		{"no questions", bare, Options{}, CodeQuestions, false},
		{"scales", sample, Options{}, CodeScales, true},
		{"no scales", bare, Options{}, CodeScales, false},
		{"oversize", sample, Options{OversizeBytes: 50 << 10}, CodeOversize, true},
		{"not oversize", sample, Options{}, CodeOversize, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustInspect(t, tt.path, tt.opts)
			if r.Failed() {
				t.Fatal(r.Error)
			}
			if got := r.FindingCounts[tt.code] > 0; got != tt.want {
				t.Errorf("%s finding = %v, want %v (%v)", tt.code, got, tt.want, r.FindingCounts)
			}
		})
	}
}

func TestNoDeclaration(t *testing.T) {
	o := gen.Options{Seed: 4, Sections: 2, ModulesPerSection: 1, Damage: gen.Damage{NoDeclaration: true}}
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.zip"), filepath.Join(dir, "good.zip")
	if _, err := gen.WriteZip(bad, o); err != nil {
		t.Fatal(err)
	}
	if _, err := gen.WriteZip(good, o.Twin()); err != nil {
		t.Fatal(err)
	}
	if r := mustInspect(t, bad, Options{}); r.FindingCounts[CodeNoDeclaration] != 1 {
		t.Errorf("headerless: %v %s", r.FindingCounts, r.Error)
	}
	if r := mustInspect(t, good, Options{}); r.FindingCounts[CodeNoDeclaration] != 0 {
		t.Errorf("twin: %v", r.FindingCounts)
	}
}

func TestBrokenArchive(t *testing.T) {
	r := mustInspect(t, filepath.Join(sampleDir, "backup-19-truncated.zip"), Options{})
	if !r.Failed() || !strings.Contains(r.Error, "truncated") {
		t.Errorf("truncated zip: error %q", r.Error)
	}
	r = mustInspect(t, filepath.Join(t.TempDir(), "missing.zip"), Options{})
	if !r.Failed() {
		t.Error("missing file did not fail")
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Inspect(ctx, filepath.Join(sampleDir, "backup-sample-19.zip"), Options{}); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestConservation compares the counts with what the generator wrote.
func TestConservation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.zip")
	m, err := gen.WriteZip(path, gen.Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	r := mustInspect(t, path, Options{})
	if r.Failed() {
		t.Fatal(r.Error)
	}
	files, bytes := 0, int64(0)
	for k, v := range m.Files {
		files += v
		bytes += m.FileBytes[k]
	}
	got := Counts{Sections: r.Counts.Sections, Activities: r.Counts.Activities, Users: r.Counts.Users,
		Questions: r.Counts.Questions, Categories: r.Counts.Categories, Posts: r.Counts.Posts, Scales: r.Counts.Scales,
		Files: r.Counts.Files, FileBytes: r.Counts.FileBytes}
	want := Counts{Sections: m.Sections, Activities: m.Modules, Users: m.Users, Questions: m.Questions,
		Categories: m.Categories, Posts: m.Posts, Scales: m.Scales, Files: files, FileBytes: bytes}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("counts (-manifest +inspect):\n%s", d)
	}
	if r.XMLBytes != m.XMLBytes {
		t.Errorf("xml bytes %d, manifest %d", r.XMLBytes, m.XMLBytes)
	}
}

// TestPositions checks that every located finding's line and column point
// at its byte offset in moodle.xml.
func TestPositions(t *testing.T) {
	for _, file := range []string{"backup-15-control-chars.zip", "backup-19-libxml2-stripped.zip", "backup-19-relative-links.zip", "backup-19-invalid-utf8.zip"} {
		path := filepath.Join(sampleDir, file)
		r := mustInspect(t, path, Options{})
		xml := readEntry(t, path, "moodle.xml")
		n := 0
		for _, f := range r.Findings {
			if f.Line == 0 || f.Column == 0 {
				continue
			}
			n++
			line, col := lineCol(xml, f.Offset)
			if line != f.Line || col != f.Column {
				t.Errorf("%s: %s at %d:%d, offset %d is at %d:%d", file, f.Code, f.Line, f.Column, f.Offset, line, col)
			}
		}
		if n == 0 {
			t.Errorf("%s: no located finding", file)
		}
	}
}

func readEntry(t *testing.T, path, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lineCol(b []byte, off int64) (int, int) {
	pre := b[:off]
	line := 1 + strings.Count(string(pre), "\n")
	last := strings.LastIndexByte(string(pre), '\n')
	return line, utf8.RuneCount(pre[last+1:]) + 1
}

// TestAgainstSpots compares findings with the damaged spots the generator
// lists: every finding is on a damaged value (no false positive) and the
// damaged values are found (all links and characters, ≥ 95% of the
// stripped HTML fields; a field whose damage changed nothing is not
// damaged).
func TestAgainstSpots(t *testing.T) {
	tests := []struct {
		file, code, kind string
		recall           float64
	}{
		{"backup-19-libxml2-stripped.zip", CodeLibxml2, "strip-entities", 0.95},
		{"backup-19-relative-links.zip", CodeUnencodedLink, "relative-link", 1},
		{"backup-15-control-chars.zip", CodeInvalidChar, "invalid-char", 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "x.zip")
			m, err := gen.WriteZip(p, sampleOptions(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r := mustInspect(t, p, Options{MaxPerCode: 10000})
			// Spots are located by the offset of their value; a finding
			// inside a value (invalid-char) belongs to the spot before it.
			var spots []gen.Spot
			for _, s := range m.Spots {
				if strings.HasPrefix(s.Kind, tt.kind) && s.Clean != s.Damaged {
					spots = append(spots, s)
				}
			}
			hit := map[int]bool{}
			for _, f := range r.Findings {
				if f.Code != tt.code {
					continue
				}
				k := -1
				for i, s := range spots {
					if s.Offset <= f.Offset && f.Offset <= s.Offset+int64(len(s.Damaged))+64 {
						k = i
					}
				}
				if k < 0 {
					t.Errorf("finding on an undamaged value: %v", f)
					continue
				}
				hit[k] = true
			}
			if got := float64(len(hit)) / float64(len(spots)); got < tt.recall {
				t.Errorf("found %d of %d damaged values (%.2f < %.2f)", len(hit), len(spots), got, tt.recall)
			}
		})
	}
}

func TestNotWellFormed(t *testing.T) {
	tests := []struct {
		name, header string
		code         string
		col          int // column of the first finding, on line 17
	}{
		{"bare ampersand", "<FULLNAME>Bio & Co</FULLNAME>", CodeNotWellFormed, 21},
		{"mismatched tag", "<FULLNAME>Bio</FULLNAM>", CodeNotWellFormed, 20},
		{"undeclared entity", "<FULLNAME>Bio&nbsp;Co</FULLNAME>", CodeNotWellFormed, 20},
		{"control character", "<FULLNAME>Bio\x1bCo</FULLNAME>", CodeInvalidChar, 20},
		{"clean", "<FULLNAME>Bio &amp; Co&#233;</FULLNAME>", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustInspect(t, writeFolder(t, "en_utf8", tt.header, ""), Options{})
			if r.Failed() {
				t.Fatal(r.Error)
			}
			w := warnings(r)
			if tt.code == "" {
				if len(w) > 0 {
					t.Errorf("clean: warnings %v", r.Findings)
				}
				return
			}
			if r.FindingCounts[tt.code] == 0 {
				t.Fatalf("no %s: %v", tt.code, r.Findings)
			}
			for _, f := range r.Findings {
				if f.Code == tt.code {
					if f.Line != 17 || f.Column != tt.col || f.Path != "MOODLE_BACKUP/COURSE/HEADER/FULLNAME" {
						t.Errorf("badly located: %+v", f)
					}
					break
				}
			}
		})
	}
}

// Test2x inspects an extracted 2.x backup: kind, facts, the sections and
// activities its moodle_backup.xml lists, and the newer-than-target check.
func Test2x(t *testing.T) {
	dir := t.TempDir()
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<moodle_backup>
  <information>
    <name>backup-moodle2-course-2-x.mbz</name>
    <moodle_version>2024100700</moodle_version>
    <moodle_release>4.5 (Build: 20241007)</moodle_release>
    <backup_version>2024100700</backup_version>
    <backup_release>4.5</backup_release>
    <backup_date>1728300000</backup_date>
    <original_wwwroot>https://lms.example.org</original_wwwroot>
    <original_course_fullname>Bio 101</original_course_fullname>
    <original_course_shortname>BIO101</original_course_shortname>
    <contents>
      <activities>
        <activity><moduleid>1</moduleid><sectionid>1</sectionid><modulename>forum</modulename><title>News</title><directory>activities/forum_1</directory></activity>
        <activity><moduleid>2</moduleid><sectionid>2</sectionid><modulename>quiz</modulename><title>Q</title><directory>activities/quiz_2</directory></activity>
        <activity><moduleid>3</moduleid><sectionid>2</sectionid><modulename>forum</modulename><title>F</title><directory>activities/forum_3</directory></activity>
      </activities>
      <sections>
        <section><sectionid>1</sectionid><title>0</title><directory>sections/section_1</directory></section>
        <section><sectionid>2</sectionid><title>1</title><directory>sections/section_2</directory></section>
      </sections>
      <course><courseid>2</courseid><title>BIO101</title><directory>course</directory></course>
    </contents>
  </information>
</moodle_backup>
`
	parts := map[string]string{
		"moodle_backup.xml": xml,
		"users.xml":         `<?xml version="1.0" encoding="UTF-8"?><users><user id="3"><username>a</username></user><user id="4"><username>b</username></user></users>`,
		"scales.xml":        `<?xml version="1.0" encoding="UTF-8"?><scales_definition><scale id="1"/></scales_definition>`,
		"questions.xml": `<?xml version="1.0" encoding="UTF-8"?><question_categories>
<question_category id="1"><questions><question id="1"><qtype>truefalse</qtype></question></questions></question_category>
<question_category id="2"><question_bank_entries><question_bank_entry id="9"><question_version><question_versions id="9"><questions>
<question id="2"><qtype>multichoice</qtype></question></questions></question_versions></question_version></question_bank_entry></question_bank_entries></question_category>
</question_categories>`,
		"activities/forum_1/forum.xml": `<?xml version="1.0" encoding="UTF-8"?><activity id="1" moduleid="1" modulename="forum"><forum id="1"><discussions><discussion id="1"><posts><post id="1"/><post id="2"/></posts></discussion></discussions></forum></activity>`,
		"activities/forum_3/forum.xml": `<?xml version="1.0" encoding="UTF-8"?><activity><forum><discussions><discussion><posts><post id="3">x &nbsp; y</post></posts></discussion></discussions></forum></activity>`,
	}
	for name, text := range parts {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := mustInspect(t, dir, Options{TargetVersion: "4.1"})
	if r.Failed() {
		t.Fatal(r.Error)
	}
	if r.Kind != "2.x" || r.Counts.Sections != 2 {
		t.Errorf("kind %s, sections %d", r.Kind, r.Counts.Sections)
	}
	if d := cmp.Diff(map[string]int{"forum": 2, "quiz": 1}, r.Counts.Activities); d != "" {
		t.Errorf("activities: %s", d)
	}
	if r.FindingCounts[CodeNewer] != 1 {
		t.Errorf("4.5 backup for a 4.1 target: %v", r.FindingCounts)
	}
	c := r.Counts
	if c.Users != 2 || c.Scales != 1 || c.Posts != 3 || c.Categories != 2 {
		t.Errorf("counts %+v", c)
	}
	if d := cmp.Diff(map[string]int{"truefalse": 1, "multichoice": 1}, c.Questions); d != "" {
		t.Errorf("questions: %s", d)
	}
	// The bad entity in forum_3/forum.xml is found and named by its entry.
	found := false
	for _, f := range r.Findings {
		if f.Code == CodeNotWellFormed && f.Entry == "activities/forum_3/forum.xml" && f.Line == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("no located finding in forum_3/forum.xml: %v", r.Findings)
	}
	if r := mustInspect(t, dir, Options{TargetVersion: "4.5"}); r.FindingCounts[CodeNewer] != 0 {
		t.Errorf("4.5 backup for a 4.5 target: %v", r.FindingCounts)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a.zip", "sub/b.MBZ", "sub/deep/c.tar.gz", "sub/notes.txt", "ext/moodle.xml", "ext/course_files/x.zip"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Find(context.Background(), []string{dir, filepath.Join(dir, "a.zip"), filepath.Join(dir, "sub", "*.MBZ")})
	if err != nil {
		t.Fatal(err)
	}
	rel := make([]string, len(got))
	for i, g := range got {
		rel[i], _ = filepath.Rel(dir, g)
	}
	// The extracted backup ext/ is one backup: its course_files are not searched.
	want := []string{"a.zip", "ext", "sub/b.MBZ", "sub/deep/c.tar.gz"}
	if d := cmp.Diff(want, rel); d != "" {
		t.Errorf("Find (-want +got):\n%s", d)
	}
	for _, bad := range []string{filepath.Join(dir, "missing.zip"), filepath.Join(dir, "*.none"), filepath.Join(dir, "sub", "deep", "..", "..", "ext", "course_files", "..", "..", "sub", "notes.txt", "x")} {
		if _, err := Find(context.Background(), []string{bad}); err == nil {
			t.Errorf("Find(%s): no error", bad)
		}
	}
}

// TestWriteText checks the human table of a damaged and of a broken backup.
func TestWriteText(t *testing.T) {
	var b strings.Builder
	r := mustInspect(t, filepath.Join(sampleDir, "backup-15-control-chars.zip"), Options{})
	if err := WriteText(&b, r, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"kind       1.x zip, Moodle 1.5.1",
		"diagnosis  questions.note ×1, scales.note ×1, users.present ×1, xml.invalid-char ×6",
		"… 3 more xml.invalid-char",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	b.Reset()
	r = mustInspect(t, filepath.Join(sampleDir, "backup-19-truncated.zip"), Options{})
	if err := WriteText(&b, r, true); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "error      ") || strings.Contains(out, "no problem found") {
		t.Errorf("broken backup:\n%s", out)
	}
	s := Summarize([]*Result{r, mustInspect(t, filepath.Join(sampleDir, "backup-sample-19.zip"), Options{})}, 0)
	if s.Backups != 2 || s.Failed != 1 || s.Clean != 1 || s.Problems[CodeUsers] != 1 {
		t.Errorf("summary %+v", s)
	}
}
