package charset

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moodlemig/moodlemig/mappings"
	"github.com/moodlemig/moodlemig/report"
)

const pre16 = "2005070500"
const v19 = "2008030301"

// TestRoundTripEveryCharset: for each supported charset, text encoded in it
// (lifted, as Moodle 1.5 wrote it, and raw, as a hand-edited file holds it)
// transcodes back to the original.
func TestRoundTripEveryCharset(t *testing.T) {
	for _, name := range Names() {
		text, ok := samples[name]
		if !ok {
			t.Errorf("no sample text for %s", name)
			continue
		}
		for _, variant := range []string{"lifted", "raw"} {
			t.Run(name+"/"+variant, func(t *testing.T) {
				var field string
				if variant == "lifted" {
					field = liftedIn(name, text)
				} else {
					if name == "utf-8" {
						t.Skip("raw UTF-8 is UTF-8")
					}
					field = rawIn(name, text)
				}
				in := doc{backupVersion: pre16, summary: field}.String()
				out, err := TranscodeString(in, Options{From: name})
				if err != nil {
					t.Fatal(err)
				}
				if got := textOf(out, "SUMMARY"); got != text {
					t.Errorf("got %q, want %q", got, text)
				}
				if !utf8.ValidString(out) {
					t.Error("output not UTF-8")
				}
			})
		}
	}
}

// TestAutoEveryPack: with from: auto, a generated pre-1.6 backup in each
// Moodle 1.5 language pack comes out right from COURSE/HEADER/LANG alone.
func TestAutoEveryPack(t *testing.T) {
	table, err := mappings.LoadLangCharsets()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range table.Packs() {
		cs, err := Lookup(p.Charset)
		if err != nil {
			t.Errorf("pack %s: %v", p.Code, err)
			continue
		}
		text := samples[cs.Name]
		if cs.Name == "iso-8859-1" {
			text = samples["iso-8859-1"]
		}
		t.Run(p.Code, func(t *testing.T) {
			rep := report.New(0)
			in := doc{backupVersion: pre16, courseLang: p.Code, summary: liftedIn(cs.Name, text)}.String()
			out, err := TranscodeString(in, Options{Report: rep})
			if err != nil {
				t.Fatal(err)
			}
			if got := textOf(out, "SUMMARY"); got != text {
				t.Errorf("got %q, want %q (%s)", got, text, cs.Name)
			}
			again, err := TranscodeString(out, Options{})
			if err != nil || again != out {
				t.Errorf("not idempotent: %v\n%q\n%q", err, out, again)
			}
		})
	}
}

func TestAutoOwners(t *testing.T) {
	d := doc{
		backupVersion: pre16,
		summary:       liftedIn("windows-1251", "Курс биологии"),
		users: []docUser{
			{id: "2", lang: "ru", first: liftedIn("windows-1251", "Иван"), teacher: true},
			{id: "7", lang: "el", first: liftedIn("windows-1253", "Νίκος")},
			{id: "9", lang: "ja", first: liftedIn("euc-jp", "太郎")},
		},
		posts: []docPost{
			{userID: "7", message: liftedIn("windows-1253", "Καλημέρα σε όλους")},
			{userID: "9", message: liftedIn("euc-jp", "こんにちは"), lateUserID: true},
			{userID: "2", message: liftedIn("windows-1251", "Добро пожаловать")},
		},
	}
	rep := report.New(0)
	out, err := TranscodeString(d.String(), Options{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(out, "SUMMARY"); got != "Курс биологии" {
		t.Errorf("course summary (main teacher's language): %q", got)
	}
	wantFirst := []string{"Иван", "Νίκος", "太郎"}
	for i, got := range allTexts(out, "FIRSTNAME") {
		if got != wantFirst[i] {
			t.Errorf("user %d FIRSTNAME %q, want %q", i, got, wantFirst[i])
		}
	}
	wantPosts := []string{"Καλημέρα σε όλους", "こんにちは", "Добро пожаловать"}
	for i, got := range allTexts(out, "MESSAGE") {
		if got != wantPosts[i] {
			t.Errorf("post %d %q, want %q", i, got, wantPosts[i])
		}
	}
	if !strings.Contains(out, "<LANG>ru_utf8</LANG>") || !strings.Contains(out, "<LANG>el_utf8</LANG>") {
		t.Errorf("legacy LANG not renamed to _utf8")
	}
	if rep.Count(CodeTranscoded) != 7 {
		t.Errorf("%d transcoded findings, want 7: %v", rep.Count(CodeTranscoded), rep.Findings())
	}
	for _, f := range rep.Findings() {
		if f.Code == CodeTranscoded && (f.Line == 0 || f.Path == "" || f.Before == "" || f.After == "") {
			t.Errorf("finding lacks location or samples: %+v", f)
		}
	}
	// A forced course language beats the author's language.
	d.courseLang = "ru"
	d.posts = []docPost{{userID: "7", message: liftedIn("windows-1251", "Тест")}}
	out, err = TranscodeString(d.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(out, "MESSAGE"); got != "Тест" {
		t.Errorf("course language should win: %q", got)
	}
}

// TestMixedFieldByField: a partly converted pre-1.6 file with real UTF-8,
// lifted and raw legacy fields side by side.
func TestMixedFieldByField(t *testing.T) {
	d := doc{
		backupVersion: pre16, courseLang: "ru",
		summary: "Уже UTF-8",
		posts: []docPost{
			{userID: "0", message: liftedIn("windows-1251", "Поднятый текст")},
			{userID: "0", message: rawIn("windows-1251", "Сырые байты")},
			{userID: "0", message: "ok " + rawIn("windows-1251", "сырые") + " и UTF-8 — ё"},
		},
	}
	out, err := TranscodeString(d.String(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Поднятый текст", "Сырые байты", "ok сырые и UTF-8 — ё"}
	if got := textOf(out, "SUMMARY"); got != "Уже UTF-8" {
		t.Errorf("UTF-8 field changed: %q", got)
	}
	for i, got := range allTexts(out, "MESSAGE") {
		if got != want[i] {
			t.Errorf("field %d: %q, want %q", i, got, want[i])
		}
	}
}

func TestWindows1252VsLatin1(t *testing.T) {
	tests := []struct{ name, lifted, want, code string }{
		{"smart quotes", liftedIn("windows-1252", "“Hi” – 5 €"), "“Hi” – 5 €", CodeWindows1252},
		{"plain latin-1", liftedIn("iso-8859-1", "Noël"), "Noël", ""},
		{"undefined 0x81 keeps latin-1", lift([]byte("a\x81\x93b")), "a\u0081\u0093b", CodeLatin1Kept},
	}
	for _, tc := range tests {
		rep := report.New(0)
		in := doc{backupVersion: pre16, courseLang: "fr", summary: tc.lifted}.String()
		out, err := TranscodeString(in, Options{Report: rep})
		if err != nil {
			t.Fatal(err)
		}
		if got := textOf(out, "SUMMARY"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if tc.code != "" && rep.Count(tc.code) != 1 {
			t.Errorf("%s: no %s finding: %v", tc.name, tc.code, rep.Codes())
		}
	}
}

func TestFixMojibake(t *testing.T) {
	twice := func(s string) string { return lift([]byte(s)) }
	in := doc{backupVersion: v19, courseLang: "en_utf8", summary: twice("Café ’quoted’"), posts: []docPost{{userID: "0", message: twice(twice("é"))}}}.String()
	out, err := TranscodeString(in, Options{FixMojibake: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(out, "SUMMARY"); got != "Café ’quoted’" {
		t.Errorf("got %q", got)
	}
	if got := textOf(out, "MESSAGE"); got != "é" {
		t.Errorf("triple encoding: got %q", got)
	}
	out, _ = TranscodeString(in, Options{})
	if got := textOf(out, "SUMMARY"); got != "CafÃ© â€™quotedâ€™" {
		t.Errorf("without fix-mojibake the text changed: %q", got)
	}
	// Real Latin-1-range text is never "fixed".
	in = doc{backupVersion: v19, summary: "Ã la carte"}.String()
	out, _ = TranscodeString(in, Options{FixMojibake: true})
	if got := textOf(out, "SUMMARY"); got != "Ã la carte" {
		t.Errorf("changed real text: %q", got)
	}
}

func TestRawBytesIn19File(t *testing.T) {
	in := doc{backupVersion: v19, courseLang: "fr_utf8", summary: rawIn("iso-8859-1", "Café")}.String()
	out, err := TranscodeString(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(out, "SUMMARY"); got != "Café" {
		t.Errorf("got %q", got)
	}
}

// TestAutoRefuses: auto never guesses silently.
func TestAutoRefuses(t *testing.T) {
	tests := []struct {
		name string
		d    doc
		want string
	}{
		{"no language, cyrillic", doc{backupVersion: pre16, summary: liftedIn("windows-1251", "Привет, мир, как дела")}, "from: <charset>"},
		{"unknown pack", doc{backupVersion: pre16, courseLang: "sr", summary: liftedIn("windows-1251", "Здраво")}, "not a Moodle 1.5 language pack"},
		{"declared latin-1 but UTF-8", doc{backupVersion: v19, declEncoding: "ISO-8859-1", summary: "Привет"}, "from: utf-8"},
		{"bad bytes for euc-jp", doc{backupVersion: pre16, courseLang: "ja", summary: lift([]byte("\xff\xfe\xfd\xfc\xa1"))}, "keep-undecided"},
		{"raw bytes no language", doc{backupVersion: v19, summary: rawIn("windows-1251", "Привет")}, "from:"},
	}
	for _, tc := range tests {
		_, err := TranscodeString(tc.d.String(), Options{})
		var u *UndecidedError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want UndecidedError naming %q", tc.name, err, tc.want)
		}
	}
	// Latin-looking text with no language is read as Latin-1, with a warning.
	rep := report.New(0)
	out, err := TranscodeString(doc{backupVersion: pre16, summary: liftedIn("iso-8859-1", "Café au lait")}.String(), Options{Report: rep})
	if err != nil || textOf(out, "SUMMARY") != "Café au lait" || rep.Count(CodeGuess) != 1 {
		t.Errorf("latin guess: %v %q %v", err, out, rep.Codes())
	}
	// With the option set, the same input passes.
	out, err = TranscodeString(tests[0].d.String(), Options{From: "windows-1251"})
	if err != nil || textOf(out, "SUMMARY") != "Привет, мир, как дела" {
		t.Errorf("from: windows-1251: %v", err)
	}
	out, err = TranscodeString(tests[0].d.String(), Options{SiteLang: "ru"})
	if err != nil || textOf(out, "SUMMARY") != "Привет, мир, как дела" {
		t.Errorf("site-lang: ru: %v", err)
	}
}

func TestDeclarationRewritten(t *testing.T) {
	d := doc{backupVersion: v19, declEncoding: "windows-1251", summary: rawIn("windows-1251", "Привет")}
	rep := report.New(0)
	out, err := TranscodeString(d.String(), Options{Report: rep})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>") {
		t.Errorf("declaration: %q", out[:60])
	}
	if textOf(out, "SUMMARY") != "Привет" || rep.Count(CodeDeclaration) != 1 {
		t.Errorf("got %q %v", textOf(out, "SUMMARY"), rep.Codes())
	}
}

func TestValidUTF8Unchanged(t *testing.T) {
	in := doc{backupVersion: v19, courseLang: "ru_utf8", summary: "Привет &amp; 日本語 — Café", users: []docUser{{id: "2", lang: "en_utf8", first: "Zoë"}}}.String()
	rep := report.New(0)
	out, err := TranscodeString(in, Options{Report: rep})
	if err != nil || out != in || len(rep.Findings()) != 0 {
		t.Errorf("changed valid 1.9 input: %v %v", err, rep.Findings())
	}
}
