package gen

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

var versions = []string{"1.5", "1.5.0", "1.6", "1.7", "1.8", "1.9.0", "1.9.4", "1.9.5", "1.9.9", "1.9"}

func TestDeterministic(t *testing.T) {
	cases := []Options{
		{},
		{Seed: 7, Version: "1.5", Lang: "ru", Damage: Damage{Charset: "auto"}},
		{Seed: 3, Lang: "ja", Damage: Damage{InvalidXMLChars: 4, RelativeLinks: 3, StripEntities: []string{"all"}, StripRatio: 0.5}},
	}
	for i, o := range cases {
		a, _ := xmlOf(t, o)
		b, _ := xmlOf(t, o)
		if !bytes.Equal(a, b) {
			t.Errorf("case %d: two runs with the same options differ", i)
		}
		o.Seed++
		c, _ := xmlOf(t, o)
		if bytes.Equal(a, c) {
			t.Errorf("case %d: another seed gave the same bytes", i)
		}
	}
	dir := t.TempDir()
	o := Options{Seed: 11, Damage: Damage{NestedRoot: "x"}}
	if _, err := WriteZip(filepath.Join(dir, "a.zip"), o); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteZip(filepath.Join(dir, "b.zip"), o); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "a.zip"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.zip"))
	if !bytes.Equal(a, b) {
		t.Error("two zips with the same options differ")
	}
}

// TestWellFormed parses the clean output of every version and language with
// a strict parser and checks the prolog rules of spec §2.1.
func TestWellFormed(t *testing.T) {
	for _, v := range versions {
		for _, lang := range []string{"en", "ru", "ja", "ar"} {
			o := Options{Seed: int64(len(v)), Version: v, Lang: lang, Sections: 4}
			data, _ := xmlOf(t, o)
			if _, err := parseXML(data); err != nil {
				t.Errorf("%s %s: %v", v, lang, err)
			}
			head := string(data[:200])
			if !strings.HasPrefix(head, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n") || !strings.Contains(head, "<INFO>") {
				t.Errorf("%s %s: prolog: %q", v, lang, head[:80])
			}
			if !bytes.HasSuffix(data, []byte("</MOODLE_BACKUP>\n")) {
				t.Errorf("%s %s: does not end with </MOODLE_BACKUP>", v, lang)
			}
			if !utf8.Valid(data) {
				t.Errorf("%s %s: not valid UTF-8", v, lang)
			}
			if bytes.Contains(data, []byte("\r")) {
				t.Errorf("%s %s: CR in output", v, lang)
			}
		}
	}
}

// TestManifestMatchesParse checks every count of the manifest against what
// a parser finds.
func TestManifestMatchesParse(t *testing.T) {
	for _, o := range []Options{
		{},
		{Version: "1.5", Seed: 2, Sections: 12, ModulesPerSection: 4, Users: 5, Logs: 40},
		{Seed: 6, Logs: 25, XMLSize: 1 << 20},
		{Version: "1.7", Seed: 3, Lang: "el", OrphanSections: 2},
		{Version: "1.9.3", Seed: 4, NoUserData: true},
	} {
		data, m := xmlOf(t, o)
		p, err := parseXML(data)
		if err != nil {
			t.Fatal(err)
		}
		const c = "MOODLE_BACKUP/COURSE/"
		checks := []struct {
			name string
			got  int
			want int
		}{
			{"sections", p.paths[c+"SECTIONS/SECTION"], m.Sections},
			{"section mods", p.paths[c+"SECTIONS/SECTION/MODS/MOD"], m.SectionMods},
			{"modules", p.paths[c+"MODULES/MOD"], sum(m.Modules)},
			{"users", p.paths[c+"USERS/USER"], m.Users},
			{"categories", p.paths[c+"QUESTION_CATEGORIES/QUESTION_CATEGORY"], m.Categories},
			{"questions", p.paths[c+"QUESTION_CATEGORIES/QUESTION_CATEGORY/QUESTIONS/QUESTION"], sum(m.Questions)},
			{"blocks", p.paths[c+"BLOCKS/BLOCK"], m.Blocks},
			{"groups", p.paths[c+"GROUPS/GROUP"], m.Groups},
			{"groupings", p.paths[c+"GROUPINGS/GROUPING"], m.Groupings},
			{"scales", p.paths[c+"SCALES/SCALE"], m.Scales},
			{"events", p.paths[c+"EVENTS/EVENT"], m.Events},
			{"grade items", p.paths[c+"GRADEBOOK/GRADE_ITEMS/GRADE_ITEM"] + p.paths[c+"GRADEBOOK/GRADE_CATEGORIES/GRADE_CATEGORY/GRADE_ITEMS/GRADE_ITEM"], m.GradeItems},
			{"grades", p.paths[c+"GRADEBOOK/GRADE_ITEMS/GRADE_ITEM/GRADE_GRADES/GRADE"], m.Grades},
			{"discussions", p.paths[c+"MODULES/MOD/DISCUSSIONS/DISCUSSION"], m.Discussions},
			{"posts", p.paths[c+"MODULES/MOD/DISCUSSIONS/DISCUSSION/POSTS/POST"], m.Posts},
			{"submissions", p.paths[c+"MODULES/MOD/SUBMISSIONS/SUBMISSION/NUMFILES"], m.Submissions},
			{"glossary entries", p.paths[c+"MODULES/MOD/ENTRIES/ENTRY/CONCEPT"], m.Entries},
			{"attempts", p.paths[c+"MODULES/MOD/ATTEMPTS/ATTEMPT"], m.Attempts},
			{"logs", p.paths[c+"LOGS/LOG"], m.Logs},
		}
		for _, ch := range checks {
			if ch.got != ch.want {
				t.Errorf("%s %s: parsed %d, manifest %d", o.Version, ch.name, ch.got, ch.want)
			}
		}
		for typ, n := range m.Modules {
			if got := p.byText[c+"MODULES/MOD/MODTYPE"][typ]; got != n {
				t.Errorf("%s modules %s: parsed %d, manifest %d", o.Version, typ, got, n)
			}
		}
		for qt, n := range m.Questions {
			if got := p.byText[c+"QUESTION_CATEGORIES/QUESTION_CATEGORY/QUESTIONS/QUESTION/QTYPE"][qt]; got != n {
				t.Errorf("%s qtype %s: parsed %d, manifest %d", o.Version, qt, got, n)
			}
		}
		for tok, n := range m.Links {
			if tok == "external" || tok == "unencoded" || tok == "filephp-collision" {
				continue
			}
			if p.tokens[tok] != n {
				t.Errorf("%s token %s: parsed %d, manifest %d", o.Version, tok, p.tokens[tok], n)
			}
		}
		if n := len(regexp.MustCompile(`\$@FILEPHP@\$[0-9]`).FindAll(data, -1)); n != m.Links["filephp-collision"] {
			t.Errorf("%s: %d colliding file links in the file, manifest %d", o.Version, n, m.Links["filephp-collision"])
		}
		for tok := range p.tokens {
			if _, ok := m.Links[tok]; !ok && tok != "NULL" && tok != "LINEFEED" {
				t.Errorf("%s token %s in the file but not in the manifest", o.Version, tok)
			}
		}
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestEveryModuleAndQtype checks that the default course has every core
// module, resource type, assignment type and qtype.
func TestEveryModuleAndQtype(t *testing.T) {
	_, m := xmlOf(t, Options{})
	for _, typ := range []string{"assignment", "chat", "choice", "data", "forum", "glossary", "hotpot", "journal",
		"label", "lesson", "quiz", "resource", "scorm", "survey", "wiki", "workshop"} {
		if m.Modules[typ] == 0 {
			t.Errorf("no %s", typ)
		}
	}
	for _, rt := range []string{"text", "html", "file", "directory", "ims"} {
		if m.Resources[rt] == 0 {
			t.Errorf("no %s resource", rt)
		}
	}
	for _, at := range []string{"offline", "online", "upload", "uploadsingle"} {
		if m.Assignments[at] == 0 {
			t.Errorf("no %s assignment", at)
		}
	}
	for _, qt := range []string{"shortanswer", "truefalse", "multichoice", "random", "match", "randomsamatch",
		"description", "numerical", "multianswer", "calculated", "essay"} {
		if m.Questions[qt] == 0 {
			t.Errorf("no %s question", qt)
		}
	}
	if m.Links["FILEPHP"] == 0 || m.Links["SLASH"] == 0 || m.Links["COURSEVIEWBYID"] == 0 {
		t.Errorf("links: %v", m.Links)
	}
}

// TestEras checks what each release wrote (spec §4.3, §12).
func TestEras(t *testing.T) {
	cases := []struct {
		version       string
		backupVersion string
		has, hasNot   []string
	}{
		{"1.5", "2005070500", []string{"<GRADE_PREFERENCES>", "<PUBLISH>", "<DELETED>0</DELETED>", "<TYPE>student</TYPE>", "<GUID>", "<GROUPS>"},
			[]string{"<ROLES>\n    <ROLE>", "<INSTANCES>", "<CONTEXT>", "<GROUPINGS>", "$@NULL@$", "<FORMATDATA>", "$@SLASH@$", "<AJAX>", "<ENROLMENTKEY>"}},
		{"1.5.0", "2005060300", nil, []string{"<INSTANCES>"}},
		{"1.6", "2006042801", []string{"<INSTANCES>", "<PUBLISH>", "<DELETED>0</DELETED>"}, []string{"<ROLES_ASSIGNMENTS>", "<AJAX>"}},
		{"1.7", "2006082301", []string{"<ROLES_ASSIGNMENTS>", "<AJAX>", "<CURRENCY>", "<TYPE>teacher</TYPE>"}, []string{"<FORMATDATA>", "<DELETED>0</DELETED>\n            <SCORE>"}},
		{"1.8", "2006082304", []string{"<FORMATDATA>", "<ENROLMENTKEY>", "<SECRET>"}, []string{"<CONTEXT>", "<GROUPINGS>"}},
		{"1.9.0", "2007122700", []string{"<CONTEXT>", "<GROUPINGS>", "<GROUPINGSGROUPS>", "$@NULL@$", "<GRADE_ITEMS>", "</USERNAME>\n        <PASSWORD>", "<SITEFILES>"},
			[]string{"<TYPE>teacher</TYPE>", "<SECRET>", "$@SLASH@$", "<ORIGINAL_SITE_IDENTIFIER_HASH>", "<GRADEBOOKHISTORIES>"}},
		{"1.9.4", "2008030301", []string{"<ORIGINAL_SITE_IDENTIFIER_HASH>"}, []string{"$@SLASH@$"}},
		{"1.9.5", "2008030301", []string{"$@SLASH@$"}, []string{"COURSEVIEWBYID"}},
		{"1.9", "2009111300", []string{"$@COURSEVIEWBYID*", "<MOODLE_RELEASE>1.9.19 (Build: 20120706)</MOODLE_RELEASE>"}, []string{"</USERNAME>\n        <PASSWORD>"}},
	}
	for _, c := range cases {
		data, m := xmlOf(t, Options{Version: c.version, Seed: 5})
		s := string(data)
		if m.BackupVersion != c.backupVersion || !strings.Contains(s, "<BACKUP_VERSION>"+c.backupVersion+"</BACKUP_VERSION>") {
			t.Errorf("%s: backup version %s", c.version, m.BackupVersion)
		}
		for _, h := range c.has {
			if !strings.Contains(s, h) {
				t.Errorf("%s: %q missing", c.version, h)
			}
		}
		for _, h := range c.hasNot {
			if strings.Contains(s, h) {
				t.Errorf("%s: %q present", c.version, h)
			}
		}
	}
}

// TestZipLayout checks the zip is made as PclZip made it (spec §1.2, §1.3).
func TestZipLayout(t *testing.T) {
	for _, v := range []string{"1.5", "1.9"} {
		path := filepath.Join(t.TempDir(), "b.zip")
		m, err := WriteZip(path, Options{Version: v, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		files, dirs := 0, 0
		for i, f := range zr.File {
			names[f.Name] = true
			if i == 0 && f.Name != "moodle.xml" {
				t.Errorf("%s: first entry %s", v, f.Name)
			}
			if f.Flags != 0 {
				t.Errorf("%s: %s has flags %#x (want none: no UTF-8 flag, no data descriptor)", v, f.Name, f.Flags)
			}
			if len(f.Extra) != 0 {
				t.Errorf("%s: %s has an extra field", v, f.Name)
			}
			if strings.HasSuffix(f.Name, "/") {
				dirs++
				if f.ExternalAttrs != 0x10 {
					t.Errorf("%s: dir %s attrs %#x", v, f.Name, f.ExternalAttrs)
				}
				continue
			}
			files++
			if d := parentDir(f.Name); d != "" && !names[d] {
				t.Errorf("%s: %s comes before its folder entry %s", v, f.Name, d)
			}
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			n, err := bytes.NewBuffer(nil).ReadFrom(rc)
			rc.Close()
			if err != nil || uint64(n) != f.UncompressedSize64 {
				t.Errorf("%s: read %s: %d bytes, %v", v, f.Name, n, err)
			}
		}
		zr.Close()
		if files-1 != sum(m.Files) || dirs != m.Dirs {
			t.Errorf("%s: %d files, %d dirs; manifest %v, %d dirs", v, files, dirs, m.Files, m.Dirs)
		}
		for _, d := range []string{"moddata/resource/", "course_files/", "moddata/forum/"} {
			if !names[d] {
				t.Errorf("%s: no %s entry", v, d)
			}
		}
		bucketed := false
		for n := range names {
			parts := strings.Split(n, "/")
			if parts[0] == "user_files" && len(parts) == 4 && parts[3] != "" {
				bucketed = true
			}
		}
		if bucketed != (v == "1.9") {
			t.Errorf("%s: user_files bucketed = %v", v, bucketed)
		}
	}
}

func TestOptionsErrors(t *testing.T) {
	for _, o := range []Options{
		{Version: "2.0"}, {Version: "1.4"}, {Version: "1.9.20"}, {Lang: "xx"},
		{Damage: Damage{Charset: "utf-7"}}, {Damage: Damage{RawLegacyBytes: true}},
		{Damage: Damage{NestedRoot: "../x"}}, {Damage: Damage{TruncateAt: 1.5}}, {ZipLevel: 12},
	} {
		if _, err := WriteXML(&bytes.Buffer{}, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// TestXMLSize checks the size knob reaches its target within 10%, from the
// smallest course (about 30 KB: below that the smallest course is written)
// up; the course shrinks when its shape is left to the defaults.
func TestXMLSize(t *testing.T) {
	for _, c := range []struct {
		size int64
		o    Options
	}{
		{10 << 10, Options{}}, {32 << 10, Options{}}, {100 << 10, Options{}}, {200 << 10, Options{}},
		{600 << 10, Options{}}, {3 << 20, Options{Lang: "ja"}}, {24 << 20, Options{}},
		{2 << 20, Options{Sections: 2, ModulesPerSection: 1}},
		{2 << 20, Options{Version: "1.5", Lang: "ru", Damage: Damage{Charset: "auto"}}},
	} {
		o := c.o
		o.XMLSize, o.Seed = c.size, 1
		cw := &countWriter{}
		m, err := WriteXML(cw, o)
		if err != nil {
			t.Fatal(err)
		}
		if m.XMLBytes != cw.n {
			t.Errorf("manifest %d bytes, wrote %d", m.XMLBytes, cw.n)
		}
		if c.size < 30<<10 {
			if cw.n > 35<<10 {
				t.Errorf("target %d: smallest course is %d bytes", c.size, cw.n)
			}
			continue
		}
		if ratio := float64(cw.n) / float64(c.size); ratio < 0.9 || ratio > 1.1 {
			t.Errorf("target %d %+v: wrote %d (%.2f)", c.size, c.o, cw.n, ratio)
		}
	}
}

// TestDamageAtScale checks the damage counts are exact when the file grows
// far beyond the course (the spreaders work from an estimate).
func TestDamageAtScale(t *testing.T) {
	o := Options{Seed: 5, XMLSize: 6 << 20, Damage: Damage{InvalidXMLChars: 25, RelativeLinks: 30}}
	m, err := WriteXML(io.Discard, o)
	if err != nil {
		t.Fatal(err)
	}
	inv := m.Damage["invalid-char:latin1"] + m.Damage["invalid-char:truncated-utf8"] + m.Damage["invalid-char:fffe"]
	rel := sum(m.Damage) - inv
	if inv != 25 || rel != 30 {
		t.Errorf("damage %v: want 25 invalid chars and 30 relative links", m.Damage)
	}
	// spread over the file, not bunched at the start
	last := m.Spots[len(m.Spots)-1].Offset
	if last < m.XMLBytes/2 {
		t.Errorf("last damaged spot at %d of %d bytes", last, m.XMLBytes)
	}
}

// FuzzWriteXML checks that any seed, language, version and course shape
// gives a well-formed clean file whose counts match the manifest.
func FuzzWriteXML(f *testing.F) {
	f.Add(int64(1), uint8(0), uint8(9), uint8(10), uint8(3))
	f.Add(int64(-7), uint8(5), uint8(0), uint8(1), uint8(1))
	codes := languageCodes()
	f.Fuzz(func(t *testing.T, seed int64, lang, version, sections, mods uint8) {
		o := Options{Seed: seed, Lang: codes[int(lang)%len(codes)], Version: versions[int(version)%len(versions)],
			Sections: 1 + int(sections)%12, ModulesPerSection: 1 + int(mods)%5, Users: 1 + int(mods)%4}
		data, m := xmlOf(t, o)
		p, err := parseXML(data)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if got := p.paths["MOODLE_BACKUP/COURSE/MODULES/MOD"]; got != sum(m.Modules) {
			t.Fatalf("%+v: %d modules parsed, manifest %d", o, got, sum(m.Modules))
		}
	})
}

// TestOrphanSections checks sections above NUMSECTIONS are written, each
// with its activity.
func TestOrphanSections(t *testing.T) {
	data, m := xmlOf(t, Options{Sections: 4, OrphanSections: 2})
	if !bytes.Contains(data, []byte("<NUMSECTIONS>4</NUMSECTIONS>")) || m.Sections != 7 {
		t.Errorf("NUMSECTIONS 4 and %d sections, want 7", m.Sections)
	}
	if !bytes.Contains(data, []byte("<NUMBER>6</NUMBER>")) {
		t.Error("no section 6")
	}
}

// cancelAfter cancels a context once n bytes went through it.
type cancelAfter struct {
	n      int64
	cancel func()
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.n -= int64(len(p))
	if c.n <= 0 {
		c.cancel()
	}
	return len(p), nil
}

// TestCancel checks a cancelled context stops a large write promptly and
// WriteZipContext leaves no file behind.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelAfter{n: 1 << 20, cancel: cancel}
	_, err := WriteXMLContext(ctx, w, Options{XMLSize: 1 << 30})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if written := (1 << 20) - w.n; written > 4<<20 {
		t.Errorf("wrote %d bytes after cancel", written)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	path := filepath.Join(t.TempDir(), "c.zip")
	if _, err := WriteZipContext(ctx, path, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("zip: err %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("zip left behind: %v", err)
	}
}

// TestModuleTypes: a course of one module family holds that family in its
// numbered sections (section 0 keeps its news forum and label), and an
// unknown type is refused.
func TestModuleTypes(t *testing.T) {
	var b strings.Builder
	if _, err := WriteXML(&b, Options{Sections: 2, ModulesPerSection: 3, ModuleTypes: []string{"choice", "wiki"}}); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, m := range regexp.MustCompile(`<MODTYPE>(\w+)</MODTYPE>`).FindAllStringSubmatch(b.String(), -1) {
		types[m[1]]++
	}
	want := map[string]int{"forum": 1, "label": 1, "choice": 3, "wiki": 3}
	if !reflect.DeepEqual(types, want) {
		t.Errorf("module types %v, want %v", types, want)
	}
	if _, err := WriteXML(io.Discard, Options{ModuleTypes: []string{"wikki"}}); err == nil {
		t.Error("an unknown module type was accepted")
	}
}
