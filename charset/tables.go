package charset

import (
	"bytes"
	"encoding/binary"
	"slices"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// Decoding tables. Transcoding spends most of its time turning legacy bytes
// into UTF-8, so each charset's answers are computed once, pre-encoded:
//
//   - single-byte charsets: for each byte, its UTF-8 bytes, their count and
//     whether the charset leaves the byte undefined, packed in a uint32 so
//     that one 4-byte store writes any character;
//   - multi-byte charsets: for each unit x/text decodes on its own (a high
//     byte that is a character by itself, or a lead and trail pair) to one
//     to three bytes of UTF-8, those bytes, packed in a uint32 (the tables
//     stay small enough for the CPU's first cache). The tables are taken
//     from x/text itself, so a text made of such units decodes exactly as
//     x/text decodes it; anything else (three- and four-byte sequences,
//     invalid bytes, the rare pairs that give more) is handed to x/text.

// packedByte is the entry of a single-byte table: bits 0–1 the length of
// the UTF-8 (1–3), bit 2 set when the byte is undefined, bits 8–31 the
// UTF-8 bytes, first byte lowest.
type packedByte = uint32

func packByte(utf []byte, bad bool) packedByte {
	var e [4]byte
	copy(e[1:], utf)
	v := binary.LittleEndian.Uint32(e[:])&^0xFF | uint32(len(utf))
	if bad {
		v |= 4
	}
	return v
}

// mbTable is the table of a multi-byte charset. An entry's low byte is the
// length of its UTF-8 (0: not in the table), the next three bytes the UTF-8.
type mbTable struct {
	single [128]uint32      // high bytes (0x80–0xFF) that decode alone
	pair   [128][256]uint32 // lead 0x80–0xFF, trail 0x00–0xFF
}

// buildMB asks x/text how enc decodes every unit of one or two bytes. An
// entry is made only when the decoder, given no byte after the unit and not
// at the end of input, decodes the whole unit to valid UTF-8 without
// U+FFFD: its answer then cannot depend on what follows, and, the decoders
// being stateless, not on what precedes either. nil when ASCII does not
// decode to itself (then the table could not skip it).
func buildMB(enc encoding.Encoding) *mbTable {
	d := enc.NewDecoder()
	var out [32]byte
	unit := func(src ...byte) (uint32, bool) {
		d.Reset()
		nDst, nSrc, err := d.Transform(out[:], src, false)
		if err != nil || nSrc != len(src) || nDst == 0 || nDst > 3 {
			return 0, false
		}
		u := out[:nDst]
		if bytes.Contains(u, []byte("\uFFFD")) || !utf8.Valid(u) {
			return 0, false
		}
		var e [4]byte
		e[0] = byte(nDst)
		copy(e[1:], u)
		return binary.LittleEndian.Uint32(e[:]), true
	}
	for b := 0; b < 0x80; b++ {
		if e, ok := unit(byte(b)); !ok || e != uint32(b)<<8|1 {
			return nil
		}
	}
	t := new(mbTable)
	for lead := 0x80; lead < 0x100; lead++ {
		if e, ok := unit(byte(lead)); ok {
			t.single[lead-0x80] = e
			continue
		}
		d.Reset()
		if _, _, err := d.Transform(out[:], []byte{byte(lead)}, false); err != transform.ErrShortSrc {
			continue // not the lead of a longer unit
		}
		for trail := 0; trail < 0x100; trail++ {
			if e, ok := unit(byte(lead), byte(trail)); ok {
				t.pair[lead-0x80][trail] = e
			}
		}
	}
	return t
}

// asciiMask has the high bit of each of 8 bytes: a word of text is ASCII
// when it has none of them.
const asciiMask = 0x8080808080808080

// decode appends the decoding of the longest prefix of src made of ASCII
// and units of t; it returns dst and the length of that prefix.
func (t *mbTable) decode(dst, src []byte) ([]byte, int) {
	dst = slices.Grow(dst, 2*len(src)+16)
	n, buf := len(dst), dst[:cap(dst)]
	i := 0
	for i < len(src) {
		if len(buf)-n < 8 {
			buf = slices.Grow(buf[:n], 2*(len(src)-i)+16)
			buf = buf[:cap(buf)]
		}
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
		e, k := t.single[b-0x80], 1
		if e == 0 {
			if i+1 >= len(src) {
				break
			}
			e, k = t.pair[b-0x80][src[i+1]], 2
			if e == 0 {
				break
			}
		}
		binary.LittleEndian.PutUint32(buf[n:], e>>8)
		n, i = n+int(e&0xFF), i+k
	}
	return buf[:n], i
}

// decodeLifted is decode over the bytes lifted text v stands for (each
// code point U+0080–U+00FF, a C2 or C3 pair, is one byte; see unlift),
// without writing them out. It returns dst, how much of v it decoded
// (always a whole number of code points; it stops at any other byte) and
// how many pairs that held.
func (t *mbTable) decodeLifted(dst, v []byte) (out []byte, k, pairs int) {
	dst = slices.Grow(dst, len(v)+len(v)/2+16)
	n, buf := len(dst), dst[:cap(dst)]
	i := 0
	for i < len(v) {
		if len(buf)-n < 8 {
			buf = slices.Grow(buf[:n], len(v)-i+16)
			buf = buf[:cap(buf)]
		}
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
		if b&0xFE != 0xC2 || i+1 >= len(v) || v[i+1]&0xC0 != 0x80 {
			break
		}
		lead := (b&0x03)<<6 | v[i+1]&0x3F
		e, k, p := t.single[lead-0x80], 2, 1
		if e == 0 {
			if i+2 >= len(v) {
				break
			}
			trail := v[i+2]
			k = 3
			if trail >= 0x80 {
				if trail&0xFE != 0xC2 || i+3 >= len(v) || v[i+3]&0xC0 != 0x80 {
					break
				}
				trail = (trail&0x03)<<6 | v[i+3]&0x3F
				k, p = 4, 2
			}
			e = t.pair[lead-0x80][trail]
			if e == 0 {
				break
			}
		}
		binary.LittleEndian.PutUint32(buf[n:], e>>8)
		n, i, pairs = n+int(e&0xFF), i+k, pairs+p
	}
	return buf[:n], i, pairs
}
