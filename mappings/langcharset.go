package mappings

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed langcharset.yaml
var langCharsetYAML []byte

// Pack is one Moodle 1.x language pack and the charset its text was stored in.
type Pack struct {
	Code    string `yaml:"-"`       // pack code as written in LANG, e.g. "ru"
	Charset string `yaml:"charset"` // charset name as Moodle wrote it, e.g. "windows-1251"
	Note    string `yaml:"note,omitempty"`
}

// LangCharsets maps language pack codes to charsets. It is read-only once
// built and safe for concurrent use.
type LangCharsets struct {
	packs map[string]Pack
}

var loadLangCharsets = sync.OnceValues(func() (*LangCharsets, error) {
	return ParseLangCharsets(langCharsetYAML)
})

// LoadLangCharsets returns the embedded table of every Moodle 1.5 language
// pack (spec repairs.md §2.2). It is parsed and checked once.
func LoadLangCharsets() (*LangCharsets, error) { return loadLangCharsets() }

// ParseLangCharsets parses a table in the format of langcharset.yaml: a
// mapping "packs" of pack code to {charset, note}. Unknown keys, empty
// charsets and codes that are not lower-case pack names are errors.
func ParseLangCharsets(data []byte) (*LangCharsets, error) {
	var doc struct {
		Packs yaml.Node `yaml:"packs"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("lang charset table: %w", err)
	}
	n := &doc.Packs
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("lang charset table: line %d: packs must be a mapping", n.Line)
	}
	t := &LangCharsets{packs: make(map[string]Pack, len(n.Content)/2)}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		code := k.Value
		if !validCode(code) {
			return nil, fmt.Errorf("lang charset table: line %d: bad pack code %q", k.Line, code)
		}
		if _, dup := t.packs[code]; dup {
			return nil, fmt.Errorf("lang charset table: line %d: pack %q listed twice", k.Line, code)
		}
		var p Pack
		if err := decodeStrict(v, &p); err != nil {
			return nil, fmt.Errorf("lang charset table: line %d: pack %q: %w", v.Line, code, err)
		}
		if strings.TrimSpace(p.Charset) == "" {
			return nil, fmt.Errorf("lang charset table: line %d: pack %q has no charset", v.Line, code)
		}
		p.Code = code
		t.packs[code] = p
	}
	return t, nil
}

func decodeStrict(n *yaml.Node, p *Pack) error {
	// yaml.v3 checks unknown fields only through a Decoder; re-encode the
	// node to reuse that check.
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	return dec.Decode(p)
}

func validCode(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c == '_' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Charset returns the charset of the language pack lang as Moodle named it.
// lang is trimmed and lower-cased; any code ending in "_utf8" is "UTF-8"
// (1.6+ naming). ok is false for an empty or unknown code.
func (t *LangCharsets) Charset(lang string) (charset string, ok bool) {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang == "" {
		return "", false
	}
	if p, found := t.packs[lang]; found {
		return p.Charset, true
	}
	if strings.HasSuffix(lang, "_utf8") {
		return "UTF-8", true
	}
	return "", false
}

// Pack returns the pack named code, if listed.
func (t *LangCharsets) Pack(code string) (Pack, bool) {
	p, ok := t.packs[code]
	return p, ok
}

// Packs returns every listed pack, sorted by code.
func (t *LangCharsets) Packs() []Pack {
	out := make([]Pack, 0, len(t.packs))
	for _, p := range t.packs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
