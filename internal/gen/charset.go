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
// stored and wrote. It caches the bytes of each rune it has seen in a
// table, so converting gigabytes stays fast.
type legacy struct {
	name string
	enc  *encoding.Encoder
	idx  []int32        // runes < 0x10000: 0 = not seen, -1 = not representable, else 1 + index in seqs
	big  map[rune]int32 // other runes, same values
	seqs []legacySeq
}

// legacySeq is the stored form of one rune: its legacy bytes, and those
// bytes utf8_encode'd (one Latin-1 character per byte).
type legacySeq struct{ raw, moji string }

func newLegacy(name string) *legacy {
	return &legacy{name: name, enc: legacyEncodings[name].NewEncoder(), idx: make([]int32, 0x10000), big: map[rune]int32{}}
}

// lookup returns the stored form of r, or false when the charset cannot
// hold it.
func (l *legacy) lookup(r rune) (legacySeq, bool) {
	var i int32
	if r < 0x10000 {
		i = l.idx[r]
	} else {
		i = l.big[r]
	}
	if i == 0 {
		i = l.learn(r)
	}
	if i < 0 {
		return legacySeq{}, false
	}
	return l.seqs[i-1], true
}

func (l *legacy) learn(r rune) int32 {
	out, err := l.enc.String(string(r))
	i := int32(-1)
	if err == nil && out != "" && (r == '?' || out != "?") && (r == 0x1a || out != "\x1a") {
		var moji []byte
		for k := 0; k < len(out); k++ {
			moji = utf8.AppendRune(moji, rune(out[k]))
		}
		l.seqs = append(l.seqs, legacySeq{raw: out, moji: string(moji)})
		i = int32(len(l.seqs))
	}
	if r < 0x10000 {
		l.idx[r] = i
	} else {
		l.big[r] = i
	}
	return i
}

// representable replaces every rune the charset cannot hold with the
// numeric character reference a browser sent for it (`&#1234;`): that is
// how text in a foreign script reached a legacy-charset database. The
// result is still UTF-8 (the correct reading of the stored bytes).
func (l *legacy) representable(s string) string {
	if !hasNonASCII([]byte(s)) {
		return s
	}
	return string(l.appendRepresentable(nil, []byte(s)))
}

// appendRepresentable is representable for bytes, appended to dst.
func (l *legacy) appendRepresentable(dst, p []byte) []byte {
	for len(p) > 0 {
		if p[0] < utf8.RuneSelf {
			dst = append(dst, p[0])
			p = p[1:]
			continue
		}
		r, n := utf8.DecodeRune(p)
		if _, ok := l.lookup(r); ok || r == utf8.RuneError && n == 1 {
			dst = append(dst, p[:n]...)
		} else {
			dst = append(dst, "&#"...)
			dst = strconv.AppendInt(dst, int64(r), 10)
			dst = append(dst, ';')
		}
		p = p[n:]
	}
	return dst
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
		if sq, ok := l.lookup(r); ok && !(r == utf8.RuneError && n == 1) {
			dst = append(dst, sq.raw...)
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
		if sq, ok := l.lookup(r); ok && !(r == utf8.RuneError && n == 1) {
			dst = append(dst, sq.moji...)
		} else {
			dst = append(dst, '?')
		}
	}
	return dst
}
