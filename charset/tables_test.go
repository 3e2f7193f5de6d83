package charset

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// refAppend decodes src the plain way the tables stand in for: byte by byte
// through the rune table (single-byte), or all of it through x/text
// (multi-byte), counting U+FFFD in x/text's output as bad.
func refAppend(c *Charset, src []byte) ([]byte, int) {
	var out []byte
	bad := 0
	if c.table != nil {
		for _, b := range src {
			if b < 0x80 {
				out = append(out, b)
				continue
			}
			if c.bad[b] {
				bad++
			}
			out = utf8.AppendRune(out, c.table[b])
		}
		return out, bad
	}
	out, _, err := transform.Bytes(c.enc.NewDecoder(), src)
	if err != nil {
		panic(err) // x/text decoders replace bad input; they do not fail
	}
	for p := out; len(p) > 0; {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError {
			bad++
		}
		p = p[size:]
	}
	return out, bad
}

// refHasMultiByteUTF8 steps rune by rune: the definition hasMultiByteUTF8
// shortcuts.
func refHasMultiByteUTF8(v []byte) bool {
	for p := v; len(p) > 0; {
		r, size := utf8.DecodeRune(p)
		if size > 1 && r != utf8.RuneError {
			return true
		}
		p = p[size:]
	}
	return false
}

// checkDecode checks, for every charset, that the table-driven decoding of
// src is the plain one, straight and from lifted text, and that the
// shortcuts that skip UTF-8 checks decide as the definitions.
func checkDecode(t *testing.T, src []byte) {
	t.Helper()
	const prefix = "kept" // decoding appends
	for _, name := range Names() {
		c := byName[name]
		if c.IsUTF8() {
			continue
		}
		want, wantBad := refAppend(c, src)
		got, bad := c.NewDecoder().Append([]byte(prefix), src)
		if !bytes.Equal(got, append([]byte(prefix), want...)) || bad != wantBad {
			t.Fatalf("%s: Append(%q) = %q, %d bad; want %q, %d", name, src, got[len(prefix):], bad, want, wantBad)
		}
		lifted, bad, ok := c.NewDecoder().AppendLifted([]byte(prefix), []byte(lift(src)))
		if !ok || !bytes.Equal(lifted, got) || bad != wantBad {
			t.Fatalf("%s: AppendLifted(lift(%q)) = %q, %d bad, %v; want %q, %d", name, src, lifted[len(prefix):], bad, ok, want, wantBad)
		}
		clean, ok := c.NewDecoder().appendLiftedClean(nil, []byte(lift(src)))
		wantOK := (c.table != nil || c.mbTable() != nil) && wantBad == 0 && classify([]byte(lift(src))) == classLifted
		if ok && (!wantOK || !bytes.Equal(clean, want)) {
			t.Fatalf("%s: appendLiftedClean(lift(%q)) = %q, ok; want %q, ok %v", name, src, clean, want, wantOK)
		}
		if !ok && wantOK && c.table != nil {
			t.Fatalf("%s: appendLiftedClean(lift(%q)) not ok; want %q", name, src, want)
		}
		if c.table != nil {
			out, bad, whole := c.NewDecoder().appendSingle(nil, src, true)
			if whole == refHasMultiByteUTF8(src) || whole && (!bytes.Equal(out, want) || bad != wantBad) {
				t.Fatalf("%s: appendSingle(%q, stop) = %q, %d, %v; want %q, %d, %v", name, src, out, bad, whole, want, wantBad, !refHasMultiByteUTF8(src))
			}
		}
	}
	if got, want := hasMultiByteUTF8(src), refHasMultiByteUTF8(src); got != want {
		t.Fatalf("hasMultiByteUTF8(%q) = %v, want %v", src, got, want)
	}
}

// decodeSeeds are inputs that reach every path of the decoders: ASCII runs
// of every length around a word, each kind of CJK unit, bytes that start
// longer units, units cut at the end, UTF-8 (valid, overlong, U+FFFD).
var decodeSeeds = [][]byte{
	nil,
	[]byte("plain ASCII, longer than one word of eight bytes"),
	[]byte("\xcf\xf0\xe8\xe2\xe5\xf2, \xec\xe8\xf0!"),      // windows-1251
	[]byte("\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf abc"), // EUC-JP
	[]byte("\x8e\xb1\x8e\xb2 \x8f\xb0\xa1 \xa4"),           // EUC-JP half-width kana, JIS X 0212, cut pair
	[]byte("\x82\xa0\xb1\xb2\x81\x40\x81"),                 // Shift_JIS pair, single kana, cut pair
	[]byte("\x81\x30\x81\x30 \xc4\xe3\xba\xc3 \x80 \xff"),  // GB18030 four-byte, pairs, 0x80, 0xFF
	[]byte("\x88\x62\x88\x64\xa4\x40 \xf9\xfe"),            // Big5 pairs that give two code points
	[]byte("\xb0\xa1\xc7\xd1 \xa1"),                        // EUC-KR
	[]byte("\xd0\x9f\xd1\x80\xd0\xb8 \xe2\x82\xac \xef\xbf\xbd \xc0\xaf \xf0\x9f\x98\x80"),
	[]byte("\x80\x81\x8d\x8f\x90\x9d\x9f\xa0\xdb\xdc\xfc\xfd\xfe\xff"),
}

func TestDecodeTablesMatchPlainDecoding(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecode(t, s)
	}
	// Random bytes, and random mixes of the seeds' pieces and ASCII.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		n := rng.IntN(40)
		b := make([]byte, n)
		for i := range b {
			switch rng.IntN(4) {
			case 0:
				b[i] = byte(rng.IntN(0x80))
			default:
				b[i] = byte(0x80 + rng.IntN(0x80))
			}
		}
		checkDecode(t, b)
	}
}

func TestMBTablesCoverTheCommonUnits(t *testing.T) {
	// Text of each CJK charset must decode by table, not fall to x/text
	// at every unit, or the tables are pointless.
	for name, text := range map[string]string{
		"euc-jp": "日本語のテキスト", "shift_jis": "日本語のテキスト", "gb18030": "中文文本", "big5": "中文文本", "euc-kr": "한국어 텍스트",
	} {
		c := byName[name]
		raw, err := c.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		tab := c.mbTable()
		if tab == nil {
			t.Fatalf("%s: no table", name)
		}
		out, k := tab.decode(nil, raw)
		if k != len(raw) || string(out) != text {
			t.Errorf("%s: table decoded %d of %d bytes to %q, want all to %q", name, k, len(raw), out, text)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkDecode(t, src)
	})
}
