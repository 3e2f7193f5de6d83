package backup

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// unsafeReason returns why name may not be used as a path inside a backup
// ("" when it is safe): it must be relative, slash-separated, without ".."
// elements, drive letters, backslashes or NUL bytes.
func unsafeReason(name string) string {
	switch {
	case name == "" || name == "/":
		return "empty-name"
	case strings.IndexByte(name, 0) >= 0:
		return "nul"
	case strings.IndexByte(name, '\\') >= 0:
		return "backslash"
	case name[0] == '/':
		return "absolute"
	case len(name) >= 2 && name[1] == ':' && isLetter(name[0]):
		return "drive-letter"
	}
	for rest := name; rest != ""; {
		el := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			el, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if el == ".." {
			return "parent-dir"
		}
	}
	return ""
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// cleanName normalises harmless spellings of a safe name: a leading "./",
// repeated or "." elements. Directory names keep (or get) a trailing "/".
func cleanName(name string, dir bool) string {
	for strings.HasPrefix(name, "./") {
		name = name[2:]
	}
	if strings.Contains(name, "//") || strings.Contains(name, "/./") || strings.HasSuffix(name, "/.") {
		els := strings.Split(name, "/")
		kept := els[:0]
		for _, el := range els {
			if el != "" && el != "." {
				kept = append(kept, el)
			}
		}
		trail := strings.HasSuffix(name, "/")
		name = strings.Join(kept, "/")
		if trail && name != "" {
			name += "/"
		}
	}
	if dir && name != "" && !strings.HasSuffix(name, "/") {
		name += "/"
	}
	return name
}

// zipName returns the UTF-8 name of a zip entry and, when the stored bytes
// were not UTF-8, the raw bytes they were decoded from. Valid UTF-8 is taken
// as UTF-8 (1.x zips never set the UTF-8 flag, bit 11, even for UTF-8
// names); anything else is decoded with enc (CP437, the zip default, when
// nil), even when the flag claims UTF-8.
func zipName(raw string, enc encoding.Encoding) (name, rawName string) {
	if utf8.ValidString(raw) {
		return raw, ""
	}
	if enc == nil {
		enc = charmap.CodePage437
	}
	s, err := enc.NewDecoder().String(raw)
	if err != nil || !utf8.ValidString(s) {
		s = strings.ToValidUTF8(raw, "\uFFFD")
	}
	return s, raw
}
