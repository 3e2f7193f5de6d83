// Package charset detects the legacy charsets of Moodle 1.x backups and
// transcodes their text to UTF-8 (spec repairs.md §2, moodle19-format.md §3).
//
// Real pre-1.6 backups are valid UTF-8 whose values were passed through PHP's
// utf8_encode: each byte of the site's legacy charset became one code point
// U+0000–U+00FF ("lifted" text, mojibake for anything but Latin-1). The
// Transcoder undoes that lift and decodes the bytes with the charset of the
// text's owner (course language, main teacher, author, site language, as the
// 1.6 UTF-8 migration did); it also handles hand-edited files that hold raw
// legacy bytes or mix UTF-8 and legacy text field by field, windows-1252
// bytes read as ISO-8859-1, and (optionally) double-encoded UTF-8.
//
// It streams with bounded memory and reports every change as a
// report.Finding. When the evidence does not decide, it refuses with an
// *UndecidedError naming the option to set. It knows nothing of pipelines.
package charset

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// Charset is one character set moodlemig decodes. A *Charset is read-only
// and safe for concurrent use; Decoder values made from it are not.
type Charset struct {
	// Name is the canonical lower-case name, e.g. "windows-1251".
	Name string
	enc  encoding.Encoding
	// table decodes a single-byte charset (nil for multi-byte and UTF-8).
	table *[256]rune
	// bad marks bytes the charset leaves undefined (single-byte only).
	bad *[256]bool
	// utf8 holds the UTF-8 encoding of each byte (single-byte only).
	utf8 *[256][]byte
	// packed is table, bad and utf8 in one (single-byte only).
	packed *[256]packedByte
	// mb is the table of a multi-byte charset, built on first use.
	mbOnce sync.Once
	mb     *mbTable
}

// mbTable returns the table of a multi-byte charset (nil: none).
func (c *Charset) mbTable() *mbTable {
	c.mbOnce.Do(func() { c.mb = buildMB(c.enc) })
	return c.mb
}

// MultiByte reports whether the charset uses more than one byte per
// character (EUC-JP, Shift_JIS, EUC-KR, GB18030, Big5).
func (c *Charset) MultiByte() bool { return c.table == nil && c.enc != nil }

// IsUTF8 reports whether c is UTF-8.
func (c *Charset) IsUTF8() bool { return c.enc == nil }

// Encoding returns the x/text encoding (nil for UTF-8).
func (c *Charset) Encoding() encoding.Encoding { return c.enc }

type entry struct {
	name string
	enc  encoding.Encoding
	// tis620 marks TIS-620, decoded with windows-874 but with 0x80–0xA0
	// counted as undefined (spec repairs.md §2.4).
	tis620 bool
}

// known lists every charset, canonical name first. Every charset of a
// Moodle 1.5 language pack is here (spec repairs.md §2.2), with the usual
// aliases.
var known = []struct {
	e       entry
	aliases []string
}{
	{entry{name: "utf-8"}, []string{"utf8"}},
	{entry{"iso-8859-1", charmap.ISO8859_1, false}, []string{"latin1", "iso8859-1", "iso_8859-1", "l1"}},
	{entry{"windows-1252", charmap.Windows1252, false}, []string{"cp1252", "win1252"}},
	{entry{"iso-8859-2", charmap.ISO8859_2, false}, []string{"latin2", "iso8859-2", "iso_8859-2"}},
	{entry{"iso-8859-4", charmap.ISO8859_4, false}, []string{"latin4", "iso8859-4"}},
	{entry{"iso-8859-5", charmap.ISO8859_5, false}, []string{"iso8859-5"}},
	{entry{"iso-8859-7", charmap.ISO8859_7, false}, []string{"iso8859-7"}},
	{entry{"iso-8859-8-i", charmap.ISO8859_8I, false}, []string{"iso-8859-8", "iso8859-8", "iso-8859-8i"}},
	{entry{"iso-8859-9", charmap.ISO8859_9, false}, []string{"latin5", "iso8859-9"}},
	{entry{"iso-8859-15", charmap.ISO8859_15, false}, []string{"latin9", "iso8859-15"}},
	{entry{"windows-1250", charmap.Windows1250, false}, []string{"cp1250", "win1250"}},
	{entry{"windows-1251", charmap.Windows1251, false}, []string{"cp1251", "win1251"}},
	{entry{"windows-1253", charmap.Windows1253, false}, []string{"cp1253", "win1253"}},
	{entry{"windows-1254", charmap.Windows1254, false}, []string{"cp1254"}},
	{entry{"windows-1255", charmap.Windows1255, false}, []string{"cp1255"}},
	{entry{"windows-1256", charmap.Windows1256, false}, []string{"cp1256", "win1256"}},
	{entry{"windows-1257", charmap.Windows1257, false}, []string{"cp1257", "win1257"}},
	{entry{"windows-874", charmap.Windows874, false}, []string{"cp874"}},
	{entry{"tis-620", charmap.Windows874, true}, []string{"tis620", "iso-8859-11"}},
	{entry{"koi8-r", charmap.KOI8R, false}, nil},
	{entry{"koi8-u", charmap.KOI8U, false}, nil},
	{entry{"euc-jp", japanese.EUCJP, false}, []string{"eucjp", "x-euc-jp"}},
	{entry{"shift_jis", japanese.ShiftJIS, false}, []string{"sjis", "shift-jis", "cp932"}},
	{entry{"euc-kr", korean.EUCKR, false}, []string{"euckr", "cp949", "ks_c_5601-1987"}},
	{entry{"gb18030", simplifiedchinese.GB18030, false}, []string{"gb2312", "gbk", "cp936"}},
	{entry{"big5", traditionalchinese.Big5, false}, []string{"big-5", "cp950"}},
}

var byName = func() map[string]*Charset {
	m := map[string]*Charset{}
	for _, k := range known {
		cs := &Charset{Name: k.e.name, enc: k.e.enc}
		if cm, ok := k.e.enc.(*charmap.Charmap); ok {
			var t [256]rune
			var bad [256]bool
			for b := 0; b < 256; b++ {
				r := cm.DecodeByte(byte(b))
				t[b] = r
				if r == utf8.RuneError || k.e.tis620 && b >= 0x80 && b <= 0xA0 {
					bad[b] = true
				}
			}
			if k.e.name == "windows-1252" {
				// x/text maps the five bytes windows-1252 leaves undefined to
				// the C1 code points; they are undefined all the same.
				for _, b := range []byte{0x81, 0x8D, 0x8F, 0x90, 0x9D} {
					bad[b] = true
					t[b] = rune(b)
				}
			}
			var u [256][]byte
			var pk [256]packedByte
			for b := range t {
				u[b] = utf8.AppendRune(nil, t[b])
				pk[b] = packByte(u[b], bad[b])
				if b < 0x80 {
					pk[b] = packByte([]byte{byte(b)}, false) // ASCII is copied as it is
				}
			}
			cs.table, cs.bad, cs.utf8, cs.packed = &t, &bad, &u, &pk
		}
		m[k.e.name] = cs
		for _, a := range k.aliases {
			m[a] = cs
		}
	}
	return m
}()

// Lookup returns the charset named name (case-insensitive; Moodle's names
// and common aliases), or an error listing the supported names.
func Lookup(name string) (*Charset, error) {
	if cs, ok := byName[strings.ToLower(strings.TrimSpace(name))]; ok {
		return cs, nil
	}
	return nil, fmt.Errorf("unknown charset %q (supported: %s)", name, strings.Join(Names(), ", "))
}

// Names returns the canonical names of every supported charset, sorted.
func Names() []string {
	var n []string
	for _, k := range known {
		n = append(n, k.e.name)
	}
	sort.Strings(n)
	return n
}

// Decoder decodes bytes of one charset to UTF-8, reusing its buffers. It is
// not safe for concurrent use.
type Decoder struct {
	cs  *Charset
	dec *encoding.Decoder
	raw []byte // lifted text un-lifted, for x/text
}

// NewDecoder returns a decoder for cs.
func (c *Charset) NewDecoder() *Decoder {
	d := &Decoder{cs: c}
	if c.MultiByte() {
		d.dec = c.enc.NewDecoder()
	}
	return d
}

// Append appends the UTF-8 decoding of src to dst. bad counts bytes or
// sequences the charset does not define (decoded as U+FFFD, or by the
// superset charset for TIS-620).
func (d *Decoder) Append(dst, src []byte) (out []byte, bad int) {
	c := d.cs
	switch {
	case c.IsUTF8():
		for p := src; len(p) > 0; {
			r, size := utf8.DecodeRune(p)
			if r == utf8.RuneError && size == 1 {
				bad++
			}
			p = p[size:]
		}
		return append(dst, src...), bad
	case c.table != nil:
		out, bad, _ = d.appendSingle(dst, src, false)
		return out, bad
	}
	if t := c.mbTable(); t != nil {
		// The units of the table decode as x/text would; x/text takes
		// over at the first other one. The table gives no U+FFFD, so bad
		// counts x/text's part only.
		var k int
		dst, k = t.decode(dst, src)
		if src = src[k:]; len(src) == 0 {
			return dst, 0
		}
	}
	d.dec.Reset()
	start := len(dst)
	need := len(src)*2 + 8
	for {
		if cap(dst)-len(dst) < need {
			nd := make([]byte, len(dst), len(dst)+need+cap(dst)/2)
			copy(nd, dst)
			dst = nd
		}
		nDst, nSrc, err := d.dec.Transform(dst[len(dst):cap(dst)], src, true)
		dst = dst[:len(dst)+nDst]
		src = src[nSrc:]
		if err == nil {
			break
		}
		if err == transform.ErrShortDst {
			need = len(src)*3 + 16
			continue
		}
		// x/text decoders replace bad input themselves; anything else is
		// counted and skipped byte by byte.
		dst = append(dst, "\uFFFD"...)
		if len(src) == 0 {
			break
		}
		src = src[1:]
	}
	for p := dst[start:]; len(p) > 0; {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError {
			bad++
		}
		p = p[size:]
	}
	return dst, bad
}

// appendSingle is Append for a single-byte charset. With stopAtUTF8 it
// gives up (ok false) at the first valid UTF-8 sequence of two or more
// bytes other than U+FFFD, as hasMultiByteUTF8 would find it.
func (d *Decoder) appendSingle(dst, src []byte, stopAtUTF8 bool) (out []byte, bad int, ok bool) {
	c := d.cs
	// One byte becomes at most 3, stored as 4 (8 for a run of ASCII):
	// grow once, then write in place.
	dst = slices.Grow(dst, 3*len(src)+8)
	n, buf := len(dst), dst[:cap(dst)]
	for i := 0; i < len(src); {
		if i+8 <= len(src) {
			if w := binary.LittleEndian.Uint64(src[i:]); w&asciiMask == 0 {
				binary.LittleEndian.PutUint64(buf[n:], w)
				n, i = n+8, i+8
				continue
			}
		}
		b := src[i]
		if b < 0x80 {
			buf[n] = b
			n, i = n+1, i+1
			continue
		}
		// A run of legacy bytes (a word of non-Latin text), without
		// looking for ASCII between them.
		for {
			if stopAtUTF8 && b >= 0xC2 && b <= 0xF4 && i+1 < len(src) && src[i+1]&0xC0 == 0x80 {
				if b < 0xE0 {
					return buf[:n], bad, false
				}
				if r, size := utf8.DecodeRune(src[i:]); size > 1 && r != utf8.RuneError {
					return buf[:n], bad, false
				}
			}
			e := c.packed[b]
			binary.LittleEndian.PutUint32(buf[n:], e>>8)
			n += int(e & 3)
			bad += int(e >> 2 & 1)
			i++
			if i >= len(src) {
				break
			}
			if b = src[i]; b < 0x80 {
				break
			}
		}
	}
	return buf[:n], bad, true
}

// AppendLifted appends the decoding of lifted text v (valid UTF-8 whose code
// points are all <= U+00FF, each standing for one byte of c, as PHP's
// utf8_encode wrote it) without materialising the bytes, as far as it can:
// the result is that of Append over the bytes. ok is false for UTF-8, and
// when v is not lifted text (for a single-byte charset: when v ends inside
// a pair).
func (d *Decoder) AppendLifted(dst, v []byte) (out []byte, bad int, ok bool) {
	if d.cs.table == nil {
		return d.appendLiftedMB(dst, v)
	}
	out, bad, _, ok = d.appendLifted(dst, v)
	return out, bad, ok
}

// appendLiftedClean appends the decoding of v when v is lifted text
// (classify(v) is classLifted) that decodes with no undefined byte and
// without x/text; ok is false otherwise, and the bytes past dst are then
// meaningless. For an owner whose lifted text a table decodes, it is
// decodeLifted's result in one pass.
func (d *Decoder) appendLiftedClean(dst, v []byte) (out []byte, ok bool) {
	if d.cs.table == nil {
		t := d.cs.mbTable()
		if t == nil {
			return dst, false
		}
		out, k, pairs := t.decodeLifted(dst, v)
		return out, k == len(v) && pairs > 0
	}
	out, bad, pairs, ok := d.appendLifted(dst, v)
	return out, ok && pairs > 0 && bad == 0
}

// appendLifted is AppendLifted for a single-byte charset. It counts the
// lifted pairs; ok is false when v holds a byte that is neither ASCII nor
// part of a C2 or C3 pair (ok and pairs > 0 say that classify(v) is
// classLifted).
func (d *Decoder) appendLifted(dst, v []byte) (out []byte, bad, pairs int, ok bool) {
	c := d.cs
	// An ASCII byte stays one byte, a lifted pair becomes at most 3, stored
	// as 4 (8 for a run of ASCII): grow once, then write in place.
	dst = slices.Grow(dst, 2*len(v)+8)
	n, buf := len(dst), dst[:cap(dst)]
	for i := 0; i < len(v); {
		if i+8 <= len(v) {
			if w := binary.LittleEndian.Uint64(v[i:]); w&asciiMask == 0 {
				binary.LittleEndian.PutUint64(buf[n:], w)
				n, i = n+8, i+8
				continue
			}
		}
		b := v[i]
		if b < 0x80 {
			buf[n] = b
			n, i = n+1, i+1
			continue
		}
		// A run of pairs (a word of non-Latin text), without looking for
		// ASCII between them; two at a time while there are two.
		for i+4 <= len(v) {
			w := binary.LittleEndian.Uint32(v[i:])
			if w&0xC0FEC0FE != 0x80C280C2 {
				break
			}
			e0 := c.packed[(w&0x03)<<6|w>>8&0x3F]
			e1 := c.packed[(w>>16&0x03)<<6|w>>24&0x3F]
			binary.LittleEndian.PutUint32(buf[n:], e0>>8)
			n += int(e0 & 3)
			binary.LittleEndian.PutUint32(buf[n:], e1>>8)
			n += int(e1 & 3)
			bad += int(e0>>2&1 + e1>>2&1)
			i += 4
			pairs += 2
		}
		if i >= len(v) {
			break
		}
		if b = v[i]; b < 0x80 {
			continue
		}
		for {
			if i+1 >= len(v) || b&0xFE != 0xC2 || v[i+1]&0xC0 != 0x80 {
				return buf[:n], bad, pairs, false
			}
			e := c.packed[(b&0x03)<<6|v[i+1]&0x3F]
			binary.LittleEndian.PutUint32(buf[n:], e>>8)
			n += int(e & 3)
			bad += int(e >> 2 & 1)
			i += 2
			pairs++
			if i >= len(v) {
				break
			}
			if b = v[i]; b < 0x80 {
				break
			}
		}
	}
	return buf[:n], bad, pairs, true
}

// appendLiftedMB is AppendLifted for a multi-byte charset: the table
// decodes straight from the lifted text, x/text the rest once un-lifted.
func (d *Decoder) appendLiftedMB(dst, v []byte) (out []byte, bad int, ok bool) {
	c := d.cs
	if !c.MultiByte() {
		return dst, 0, false
	}
	start := len(dst)
	if t := c.mbTable(); t != nil {
		var k int
		dst, k, _ = t.decodeLifted(dst, v)
		if v = v[k:]; len(v) == 0 {
			return dst, 0, true
		}
	}
	if classify(v) > classLifted {
		return dst[:start], 0, false
	}
	d.raw = unlift(d.raw[:0], v)
	out, bad = d.Append(dst, d.raw)
	return out, bad, true
}

// Encode encodes UTF-8 text s in charset c (for tests and fixtures).
func (c *Charset) Encode(s string) ([]byte, error) {
	if c.IsUTF8() {
		return []byte(s), nil
	}
	b, err := c.enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("encode in %s: %w", c.Name, err)
	}
	return b, nil
}
