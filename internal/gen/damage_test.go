package gen

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"regexp"

	"golang.org/x/text/encoding"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// pair writes the damaged file and its Clean twin.
func pair(t *testing.T, o Options) (dam, clean []byte, dm, cm *Manifest) {
	t.Helper()
	dam, dm = xmlOf(t, o)
	clean, cm = xmlOf(t, o.Twin())
	if dm.TextValues != cm.TextValues {
		t.Fatalf("damaged file has %d text values, twin %d", dm.TextValues, cm.TextValues)
	}
	if len(dm.Spots) != len(cm.Spots) {
		t.Fatalf("damaged file has %d spots, twin %d", len(dm.Spots), len(cm.Spots))
	}
	for i := range dm.Spots {
		a, b := dm.Spots[i], cm.Spots[i]
		if a.Kind != b.Kind || a.Value != b.Value || a.Path != b.Path || a.Clean != b.Clean {
			t.Fatalf("spot %d: damaged %+v, twin %+v", i, a, b)
		}
	}
	return
}

// diffLeaves returns the indexes of the leaves that differ; both files must
// have the same leaves.
func diffLeaves(t *testing.T, a, b []leaf) []int {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("damaged file has %d leaves, twin %d", len(a), len(b))
	}
	var d []int
	for i := range a {
		if a[i].name != b[i].name {
			t.Fatalf("leaf %d: %s vs %s", i, a[i].name, b[i].name)
		}
		if a[i].val != b[i].val {
			d = append(d, i)
		}
	}
	return d
}

// TestCharsetMojibake checks the default legacy-charset damage: valid UTF-8
// holding each legacy byte as one Latin-1 character, so that every damaged
// value maps back, byte by byte, to its twin through the charset.
func TestCharsetMojibake(t *testing.T) {
	cases := []struct{ version, lang, charset string }{
		{"1.5", "fr", "windows-1252"}, {"1.5", "en", "iso-8859-1"}, {"1.5", "ru", "auto"}, {"1.5", "ru", "koi8-r"},
		{"1.5", "ja", "auto"}, {"1.5", "ja", "shift_jis"}, {"1.5", "zh_tw", "auto"}, {"1.5", "zh_cn", "gbk"},
		{"1.5", "ko", "auto"}, {"1.5", "th", "auto"}, {"1.5", "ar", "auto"}, {"1.5", "he", "auto"},
		{"1.5", "pl", "auto"}, {"1.5", "hr", "auto"}, {"1.5", "lt", "auto"}, {"1.5", "tr", "auto"},
		{"1.5", "el", "iso-8859-7"}, {"1.5", "ru", "iso-8859-5"}, {"1.6", "el", "auto"}, {"1.7", "de", "iso-8859-15"},
	}
	for _, c := range cases {
		o := Options{Version: c.version, Lang: c.lang, Seed: 21, Sections: 3, Damage: Damage{Charset: c.charset}}
		dam, clean, dm, _ := pair(t, o)
		name := c.lang + "/" + c.charset
		if !utf8.Valid(dam) {
			t.Errorf("%s: mojibake must be valid UTF-8", name)
		}
		if _, err := parseXML(dam); err != nil {
			t.Errorf("%s: damaged file does not parse: %v", name, err)
		}
		if !dm.Mojibake || dm.Charset == "" {
			t.Errorf("%s: manifest %q mojibake=%v", name, dm.Charset, dm.Mojibake)
		}
		dec := legacyEncodings[dm.Charset].NewDecoder()
		dl, cl := leaves(dam), leaves(clean)
		diff := diffLeaves(t, dl, cl)
		if int64(len(diff)) > dm.LegacyValues || len(diff) == 0 && c.lang != "en" {
			t.Errorf("%s: %d values differ, manifest says %d legacy values", name, len(diff), dm.LegacyValues)
		}
		for _, i := range diff {
			if dl[i].name == "CONFIGDATA" {
				checkConfig(t, name, dec, dl[i].val, cl[i].val)
				continue
			}
			var raw []byte
			for _, r := range unescape(dl[i].val) {
				if r > 0xFF {
					t.Fatalf("%s: %s holds U+%04X, not a utf8_encode'd byte", name, dl[i].name, r)
				}
				raw = append(raw, byte(r))
			}
			got, err := dec.Bytes(raw)
			if err != nil || string(got) != unescape(cl[i].val) {
				t.Fatalf("%s: %s decodes to %q, twin has %q (%v)", name, dl[i].name, got, unescape(cl[i].val), err)
			}
		}
		if c.lang != "en" && !bytes.Contains(dam, []byte("<LANG>"+c.lang+"</LANG>")) {
			t.Errorf("%s: HEADER/LANG is not the plain pre-1.6 code", name)
		}
	}
}

var configRE = regexp.MustCompile(`<CONFIGDATA>[^<]*</CONFIGDATA>`)

// checkConfig compares the html block's serialized config (base64 of PHP
// serialize of legacy bytes) with the twin's, byte lengths aside.
func checkConfig(t *testing.T, name string, dec *encoding.Decoder, dam, clean string) {
	t.Helper()
	d, err1 := base64.StdEncoding.DecodeString(dam)
	c, err2 := base64.StdEncoding.DecodeString(clean)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: CONFIGDATA is not base64", name)
	}
	text, err := dec.Bytes(d)
	lens := regexp.MustCompile(`s:\d+:`)
	if err != nil || string(lens.ReplaceAll(text, nil)) != string(lens.ReplaceAll(c, nil)) {
		t.Errorf("%s: CONFIGDATA %q, twin %q", name, text, c)
	}
	if bytes.Equal(text, c) {
		t.Errorf("%s: CONFIGDATA byte lengths were not recomputed for the legacy bytes", name)
	}
}

// TestCharsetRaw checks the hand-edited variant (raw legacy bytes with the
// charset in the declaration, or no declaration) and the 1.8+ variant (raw
// bytes under the UTF-8 declaration).
func TestCharsetRaw(t *testing.T) {
	for _, c := range []struct {
		version, lang, charset string
		raw, nodecl            bool
		decl                   string
	}{
		{"1.5", "ru", "koi8-r", true, false, `<?xml version="1.0" encoding="koi8-r"?>`},
		{"1.5", "ja", "euc-jp", true, true, ""},
		{"1.9", "ru", "windows-1251", false, false, `<?xml version="1.0" encoding="UTF-8"?>`},
	} {
		o := Options{Version: c.version, Lang: c.lang, Seed: 4, Sections: 3, Damage: Damage{Charset: c.charset, RawLegacyBytes: c.raw, NoDeclaration: c.nodecl}}
		dam, clean, dm, _ := pair(t, o)
		if dm.Mojibake {
			t.Errorf("%s: manifest says mojibake", c.charset)
		}
		first, rest, _ := bytes.Cut(dam, []byte("\n"))
		if c.decl == "" {
			if !bytes.HasPrefix(dam, []byte("<MOODLE_BACKUP>\n")) {
				t.Errorf("%s: file starts %q", c.charset, first)
			}
			rest = dam
		} else if string(first) != c.decl {
			t.Errorf("%s: declaration %q", c.charset, first)
		}
		if utf8.Valid(dam) {
			t.Errorf("%s: raw legacy bytes should not be valid UTF-8", c.charset)
		}
		got, err := legacyEncodings[c.charset].NewDecoder().Bytes(configRE.ReplaceAll(rest, nil))
		_, want, _ := bytes.Cut(clean, []byte("\n"))
		want = configRE.ReplaceAll(want, nil)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: decoding the raw file does not give the twin (%v)", c.charset, err)
		}
	}
}

func isForbidden(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			return true
		}
	}
	return false
}

// TestInvalidXMLChars checks that exactly the asked number of values hold a
// character XML forbids, of the kinds the era's writer let through.
func TestInvalidXMLChars(t *testing.T) {
	for _, c := range []struct {
		version string
		n       int
		kinds   []string
	}{
		{"1.5", 7, []string{"invalid-char:control"}},
		{"1.9", 12, []string{"invalid-char:latin1", "invalid-char:truncated-utf8", "invalid-char:fffe"}},
	} {
		o := Options{Version: c.version, Seed: 8, Damage: Damage{InvalidXMLChars: c.n}}
		dam, clean, dm, _ := pair(t, o)
		if _, err := parseXML(dam); err == nil {
			t.Errorf("%s: damaged file parses", c.version)
		}
		if _, err := parseXML(clean); err != nil {
			t.Errorf("%s: twin does not parse: %v", c.version, err)
		}
		if len(dm.Spots) != c.n || sum(dm.Damage) != c.n {
			t.Fatalf("%s: %d spots, damage %v, want %d", c.version, len(dm.Spots), dm.Damage, c.n)
		}
		for k := range dm.Damage {
			found := false
			for _, want := range c.kinds {
				found = found || k == want
			}
			if !found {
				t.Errorf("%s: kind %s not written by this era", c.version, k)
			}
		}
		dl, cl := leaves(dam), leaves(clean)
		diff := diffLeaves(t, dl, cl)
		if len(diff) != c.n {
			t.Errorf("%s: %d values differ from the twin, want %d", c.version, len(diff), c.n)
		}
		starts := map[int64]bool{}
		for _, i := range diff {
			starts[int64(dl[i].start)] = true
			if !isForbidden(dl[i].val) || isForbidden(cl[i].val) {
				t.Errorf("%s: %s: damaged %q twin %q", c.version, dl[i].name, dl[i].val, cl[i].val)
			}
		}
		for _, s := range dm.Spots {
			if !starts[s.Offset] {
				t.Errorf("%s: spot %+v is not at a damaged value", c.version, s)
			}
			if !isForbidden(s.Damaged) || isForbidden(s.Clean) {
				t.Errorf("%s: spot samples %q / %q", c.version, s.Damaged, s.Clean)
			}
		}
	}
}

// htmlFields are the element names the generator writes as HTML.
func htmlFields(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	f := map[string]bool{}
	for _, l := range leaves(data) {
		if strings.Contains(l.val, "&lt;p") || strings.Contains(l.val, "&lt;table") || strings.Contains(l.val, "&lt;div") {
			f[l.name] = true
		}
	}
	return f
}

// TestStripEntities checks the libxml2 damage hits only the chosen fields,
// and removes every < > " & there.
func TestStripEntities(t *testing.T) {
	for _, c := range []struct {
		fields []string
		ratio  float64
	}{{[]string{"SUMMARY"}, 0}, {[]string{"message", "INTRO"}, 0}, {[]string{"all"}, 0}, {[]string{"all"}, 0.5}} {
		o := Options{Seed: 13, Damage: Damage{StripEntities: c.fields, StripRatio: c.ratio}}
		dam, clean, dm, _ := pair(t, o)
		if _, err := parseXML(dam); err != nil {
			t.Fatalf("%v: damaged file does not parse: %v", c.fields, err)
		}
		allowed := map[string]bool{}
		for _, f := range c.fields {
			allowed[strings.ToUpper(f)] = true
		}
		if c.fields[0] == "all" {
			allowed = htmlFields(t, clean)
		}
		dl, cl := leaves(dam), leaves(clean)
		diff := diffLeaves(t, dl, cl)
		if len(diff) == 0 || len(diff) > dm.Damage["strip-entities"] {
			t.Errorf("%v: %d values differ, %d stripped", c.fields, len(diff), dm.Damage["strip-entities"])
		}
		for _, i := range diff {
			if !allowed[dl[i].name] {
				t.Errorf("%v: %s damaged", c.fields, dl[i].name)
			}
			if v := unescape(dl[i].val); strings.ContainsAny(v, "<>\"&") {
				t.Errorf("%v: %s still holds markup: %.80q", c.fields, dl[i].name, v)
			}
		}
		for _, s := range dm.Spots {
			if s.Damaged != stripEntities(s.Clean) {
				t.Errorf("%v: spot damaged %.60q is not the stripped clean %.60q", c.fields, s.Damaged, s.Clean)
			}
		}
		if c.ratio == 0.5 {
			_, full := xmlOf(t, Options{Seed: 13, Damage: Damage{StripEntities: c.fields}})
			share := float64(dm.Damage["strip-entities"]) / float64(full.Damage["strip-entities"])
			if share < 0.35 || share > 0.65 {
				t.Errorf("ratio 0.5 damaged %.2f of the fields", share)
			}
		}
	}
}

// TestRelativeLinks checks that exactly N internal links are written in a
// form the 1.x writer did not encode, and the twin has them encoded.
func TestRelativeLinks(t *testing.T) {
	const n = 9
	dam, clean, dm, cm := pair(t, Options{Seed: 17, Damage: Damage{RelativeLinks: n}})
	for _, d := range [][]byte{dam, clean} {
		if _, err := parseXML(d); err != nil {
			t.Fatal(err)
		}
	}
	if len(dm.Spots) != n {
		t.Fatalf("%d spots, want %d", len(dm.Spots), n)
	}
	if len(diffLeaves(t, leaves(dam), leaves(clean))) == 0 {
		t.Fatal("no value differs from the twin")
	}
	tokens := func(m *Manifest) int {
		return sum(m.Links) - m.Links["external"] - m.Links["unencoded"] - m.Links["SLASH"] - m.Links["FORCEDOWNLOAD"]
	}
	// each damaged link is one token fewer, unless the writer would not
	// have encoded it anyway (survey links, other courses' files)
	if d := tokens(cm) - tokens(dm); d > n || d < n/2 {
		t.Errorf("twin has %d tokens, damaged %d: want up to %d fewer", tokens(cm), tokens(dm), n)
	}
	for _, s := range dm.Spots {
		if !strings.HasPrefix(s.Clean, dm.WWWRoot) || strings.HasPrefix(s.Damaged, dm.WWWRoot+"/") {
			t.Errorf("spot %s: clean %q damaged %q", s.Kind, s.Clean, s.Damaged)
		}
		val := dam[s.Offset:]
		val = val[:bytes.IndexByte(val, '<')]
		if !bytes.Contains(val, appendEscaped(nil, []byte(s.Damaged))) {
			t.Errorf("spot %s at %d (%s): %q not in the value", s.Kind, s.Offset, s.Path, s.Damaged)
		}
	}
}

// TestZipDamage checks the nested root, the truncated zip and the
// truncated moodle.xml.
func TestZipDamage(t *testing.T) {
	dir := t.TempDir()
	o := Options{Seed: 3, Sections: 3, Damage: Damage{NestedRoot: "backup-x", Truncate: true, TruncateXML: 0.5}}

	// nested root alone
	nested := o
	nested.Damage = Damage{NestedRoot: o.Damage.NestedRoot}
	p := filepath.Join(dir, "nested.zip")
	if _, err := WriteZip(p, nested); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	hasXML := false
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "backup-x/") {
			t.Errorf("entry %s outside the nested root", f.Name)
		}
		hasXML = hasXML || f.Name == "backup-x/moodle.xml"
	}
	zr.Close()
	if !hasXML {
		t.Error("no backup-x/moodle.xml")
	}

	// truncated zip
	trunc := o
	trunc.Damage = Damage{Truncate: true}
	p = filepath.Join(dir, "trunc.zip")
	m, err := WriteZip(p, trunc)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if !m.TruncatedZip || st.Size() != m.ZipBytes {
		t.Errorf("truncated zip: %d bytes, manifest %d", st.Size(), m.ZipBytes)
	}
	if _, err := zip.OpenReader(p); err == nil {
		t.Error("truncated zip opens")
	}
	twin := filepath.Join(dir, "twin.zip")
	cm, err := WriteZip(twin, trunc.Twin())
	if err != nil {
		t.Fatal(err)
	}
	if float64(m.ZipBytes) > 0.61*float64(cm.ZipBytes) || float64(m.ZipBytes) < 0.59*float64(cm.ZipBytes) {
		t.Errorf("truncated to %d of %d", m.ZipBytes, cm.ZipBytes)
	}
	whole, _ := os.ReadFile(twin)
	cut, _ := os.ReadFile(p)
	if !bytes.HasPrefix(whole, cut) {
		t.Error("the truncated zip is not a prefix of its twin")
	}

	// truncated moodle.xml
	tx := o
	tx.Damage = Damage{TruncateXML: 0.5}
	p = filepath.Join(dir, "tx.zip")
	m, err = WriteZip(p, tx)
	if err != nil {
		t.Fatal(err)
	}
	zr, err = zip.OpenReader(p)
	if err != nil {
		t.Fatalf("zip with a truncated moodle.xml must open: %v", err)
	}
	rc, _ := zr.File[0].Open()
	data, _ := io.ReadAll(rc)
	rc.Close()
	zr.Close()
	full, _ := xmlOf(t, tx.Twin())
	if int64(len(data)) != m.TruncatedXML || !bytes.HasPrefix(full, data) || len(data) < len(full)/2-1 || len(data) > len(full)/2+1 {
		t.Errorf("moodle.xml cut to %d of %d (manifest %d), prefix %v", len(data), len(full), m.TruncatedXML, bytes.HasPrefix(full, data))
	}
	if _, err := parseXML(data); err == nil {
		t.Error("truncated moodle.xml parses")
	}
}

// TestCRLF checks the CR LF damage is exactly the twin with CR LF line ends.
func TestCRLF(t *testing.T) {
	for _, o := range []Options{{Seed: 2, Damage: Damage{CRLF: true}}, {Seed: 3, Version: "1.5", Lang: "ru", Damage: Damage{CRLF: true, Charset: "auto"}}} {
		dam, clean, _, _ := pair(t, o)
		if bytes.Contains(bytes.ReplaceAll(dam, []byte("\r\n"), nil), []byte("\n")) {
			t.Error("a line end without CR")
		}
		want := clean
		if o.Damage.Charset != "" {
			// the twin is UTF-8; compare line structure only
			if bytes.Count(dam, []byte("\r\n")) != bytes.Count(clean, []byte("\n")) {
				t.Errorf("%d CR LF, twin has %d LF", bytes.Count(dam, []byte("\r\n")), bytes.Count(clean, []byte("\n")))
			}
			continue
		}
		if got := bytes.ReplaceAll(dam, []byte("\r\n"), []byte("\n")); !bytes.Equal(got, want) {
			t.Error("CR LF file is not the twin with CR LF line ends")
		}
		if _, err := parseXML(dam); err != nil {
			t.Errorf("CR LF file does not parse: %v", err)
		}
	}
}

// TestMissingFiles checks referenced files are left out of the zip and
// listed in the manifest, and the twin has them.
func TestMissingFiles(t *testing.T) {
	dir := t.TempDir()
	o := Options{Seed: 4, Damage: Damage{MissingFiles: 3}}
	m, err := WriteZip(filepath.Join(dir, "d.zip"), o)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := WriteZip(filepath.Join(dir, "c.zip"), o.Twin())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.MissingFiles) != 3 || len(cm.MissingFiles) != 0 || sum(cm.Files)-sum(m.Files) != 3 {
		t.Fatalf("missing %v; files %d vs twin %d", m.MissingFiles, sum(m.Files), sum(cm.Files))
	}
	names := func(p string) map[string]bool {
		zr, err := zip.OpenReader(p)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		n := map[string]bool{}
		for _, f := range zr.File {
			n[f.Name] = true
		}
		return n
	}
	d, c := names(filepath.Join(dir, "d.zip")), names(filepath.Join(dir, "c.zip"))
	for _, f := range m.MissingFiles {
		if d[f] || !c[f] {
			t.Errorf("%s: in damaged zip %v, in twin %v", f, d[f], c[f])
		}
	}
}

// TestDoubleUTF8 checks exactly N values are double-encoded UTF-8 and map
// back to their twin (Latin-1 characters -> bytes -> UTF-8).
func TestDoubleUTF8(t *testing.T) {
	for _, o := range []Options{
		{Version: "1.5", Lang: "fr", Seed: 2, Damage: Damage{DoubleUTF8: 6}},
		{Version: "1.9", Lang: "ru", Seed: 3, Damage: Damage{DoubleUTF8: 5}},
		{Version: "1.5", Lang: "ru", Seed: 4, Damage: Damage{DoubleUTF8: 4, Charset: "auto"}},
	} {
		n := o.Damage.DoubleUTF8
		dam, clean, dm, _ := pair(t, o)
		if dm.Damage["double-utf8"] != n || len(dm.Spots) != n {
			t.Fatalf("%s/%s: %v", o.Version, o.Lang, dm.Damage)
		}
		dl, cl := leaves(dam), leaves(clean)
		byStart := map[int]int{}
		for i, l := range dl {
			byStart[l.start] = i
		}
		for _, s := range dm.Spots {
			if s.Damaged != string(liftLatin1(nil, []byte(s.Clean))) {
				t.Errorf("spot: %q is not the lifted %q", s.Damaged, s.Clean)
			}
			i, ok := byStart[int(s.Offset)]
			if !ok {
				t.Fatalf("spot at %d is not a value", s.Offset)
			}
			var raw []byte
			for _, r := range unescape(dl[i].val) {
				if r > 0xFF {
					t.Fatalf("%s holds U+%04X", dl[i].name, r)
				}
				raw = append(raw, byte(r))
			}
			if !utf8.Valid(raw) || string(raw) != unescape(cl[i].val) {
				t.Errorf("%s: %q does not map back to the twin's %q", dl[i].name, raw, unescape(cl[i].val))
			}
		}
	}
}
