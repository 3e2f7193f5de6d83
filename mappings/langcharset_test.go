package mappings

import (
	"strings"
	"testing"
)

func TestLangCharsetsEmbedded(t *testing.T) {
	tab, err := LoadLangCharsets()
	if err != nil {
		t.Fatal(err)
	}
	// 74 packs of the 2006-02-06 tree, plus mi_nt (1.5 only), en_ja and is
	// (migration table only): spec repairs.md §2.2.
	if n := len(tab.Packs()); n != 77 {
		t.Errorf("got %d packs, want 77", n)
	}
	tests := []struct {
		lang, want string
		ok         bool
	}{
		{"ru", "windows-1251", true},
		{" RU ", "windows-1251", true},
		{"he", "ISO-8859-8-I", true},
		{"th", "TIS-620", true},
		{"ja", "EUC-JP", true},
		{"en_ja", "euc-jp", true},
		{"ko", "EUC-KR", true},
		{"zh_cn", "GB18030", true},
		{"zh_tw", "Big5", true},
		{"lv", "ISO-8859-4", true},
		{"fr_ca", "iso-8859-15", true},
		{"no", "iso-8859-1", true},
		{"ru_utf8", "UTF-8", true},
		{"xx_utf8", "UTF-8", true},
		{"", "", false},
		{"sr", "", false},
		{"cy", "", false},
	}
	for _, tc := range tests {
		got, ok := tab.Charset(tc.lang)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Charset(%q) = %q, %v; want %q, %v", tc.lang, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseLangCharsetsErrors(t *testing.T) {
	tests := map[string]string{
		"unknown field": "packs:\n  ru: {charset: koi8-r, colour: red}\n",
		"no charset":    "packs:\n  ru: {note: x}\n",
		"bad code":      "packs:\n  Ru-RU: {charset: koi8-r}\n",
		"duplicate":     "packs:\n  ru: {charset: a}\n  ru: {charset: b}\n",
		"not a map":     "packs: [ru]\n",
		"unknown top":   "pack:\n  ru: {charset: a}\n",
	}
	for name, in := range tests {
		if _, err := ParseLangCharsets([]byte(in)); err == nil {
			t.Errorf("%s: no error for %q", name, in)
		} else if !strings.Contains(err.Error(), "lang charset table") {
			t.Errorf("%s: error lacks context: %v", name, err)
		}
	}
}
