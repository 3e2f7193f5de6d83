package gen

import (
	"sort"
	"strconv"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// legacyEncodings are the legacy charsets the generator can write, by the
// lower-case name used in 1.5 language packs and in Damage.Charset.
var legacyEncodings = map[string]encoding.Encoding{
	"iso-8859-1":   charmap.ISO8859_1,
	"windows-1252": charmap.Windows1252,
	"iso-8859-2":   charmap.ISO8859_2,
	"iso-8859-4":   charmap.ISO8859_4,
	"iso-8859-5":   charmap.ISO8859_5,
	"iso-8859-7":   charmap.ISO8859_7,
	"iso-8859-8":   charmap.ISO8859_8,
	"iso-8859-8-i": charmap.ISO8859_8I,
	"iso-8859-9":   charmap.ISO8859_9,
	"iso-8859-15":  charmap.ISO8859_15,
	"windows-1250": charmap.Windows1250,
	"windows-1251": charmap.Windows1251,
	"windows-1253": charmap.Windows1253,
	"windows-1256": charmap.Windows1256,
	"windows-1257": charmap.Windows1257,
	"koi8-r":       charmap.KOI8R,
	"tis-620":      charmap.Windows874, // superset; the generated Thai uses only TIS-620 letters
	"windows-874":  charmap.Windows874,
	"euc-jp":       japanese.EUCJP,
	"shift_jis":    japanese.ShiftJIS,
	"euc-kr":       korean.EUCKR,
	"gb2312":       simplifiedchinese.GBK, // GBK is a superset with the same bytes for GB2312 characters
	"gbk":          simplifiedchinese.GBK,
	"gb18030":      simplifiedchinese.GB18030,
	"big5":         traditionalchinese.Big5,
}

func charsetNames() []string {
	var s []string
	for k := range legacyEncodings {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// legacy converts UTF-8 text to what a site running on one legacy charset
// stored and wrote. It caches the bytes of each rune it has seen.
type legacy struct {
	name  string
	enc   *encoding.Encoder
	cache map[rune]string // "" = the charset cannot hold the rune
}

func newLegacy(name string) *legacy {
	return &legacy{name: name, enc: legacyEncodings[name].NewEncoder(), cache: map[rune]string{}}
}

func (l *legacy) bytesOf(r rune) string {
	if b, ok := l.cache[r]; ok {
		return b
	}
	out, err := l.enc.String(string(r))
	if err != nil || out == "" || (r != '?' && out == "?") || (r != 0x1a && out == "\x1a") {
		out = ""
	}
	l.cache[r] = out
	return out
}

// representable replaces every rune the charset cannot hold with the
// numeric character reference a browser sent for it (`&#1234;`): that is
// how text in a foreign script reached a legacy-charset database. The
// result is still UTF-8 (the correct reading of the stored bytes).
func (l *legacy) representable(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	out := make([]byte, 0, len(s)+16)
	out = append(out, s[:i]...)
	for _, r := range s[i:] {
		if r < utf8.RuneSelf || l.bytesOf(r) != "" {
			out = utf8.AppendRune(out, r)
			continue
		}
		out = append(out, "&#"...)
		out = strconv.AppendInt(out, int64(r), 10)
		out = append(out, ';')
	}
	return string(out)
}

// appendRaw appends the legacy bytes of UTF-8 text p (already
// representable). Runes it cannot hold (none, after representable) become '?'.
func (l *legacy) appendRaw(dst []byte, p []byte) []byte {
	for len(p) > 0 {
		if p[0] < utf8.RuneSelf {
			dst = append(dst, p[0])
			p = p[1:]
			continue
		}
		r, n := utf8.DecodeRune(p)
		p = p[n:]
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, '?')
			continue
		}
		if b := l.bytesOf(r); b != "" {
			dst = append(dst, b...)
		} else {
			dst = append(dst, '?')
		}
	}
	return dst
}

// appendMojibake appends what utf8_encode made of the legacy bytes of p:
// each legacy byte as the Latin-1 character of the same value, in UTF-8.
func (l *legacy) appendMojibake(dst []byte, p []byte) []byte {
	for len(p) > 0 {
		if p[0] < utf8.RuneSelf {
			dst = append(dst, p[0])
			p = p[1:]
			continue
		}
		r, n := utf8.DecodeRune(p)
		p = p[n:]
		b := "?"
		if !(r == utf8.RuneError && n == 1) {
			if x := l.bytesOf(r); x != "" {
				b = x
			}
		}
		for i := 0; i < len(b); i++ {
			dst = utf8.AppendRune(dst, rune(b[i]))
		}
	}
	return dst
}
