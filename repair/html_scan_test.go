package repair

import (
	"math/rand/v2"
	"testing"
)

// TestAlnumEnd checks the eight-bytes-at-a-time word scan against the
// byte table, on random text rich in the bytes next to the ranges it
// tests ('@', '[', '`', '{', '/', ':', bytes over 0x7f).
func TestAlnumEnd(t *testing.T) {
	const near = "aZz09AM_ @[`{/:\x80\xff\xc3\xa9"
	r := rand.New(rand.NewPCG(3, 4))
	for it := 0; it < 100000; it++ {
		b := make([]byte, r.IntN(30))
		for k := range b {
			if r.IntN(4) == 0 {
				b[k] = byte(r.IntN(256))
			} else {
				b[k] = near[r.IntN(len(near))]
			}
		}
		s := string(b)
		for j := 0; j <= len(s); j++ {
			want := j
			for want < len(s) && alnum[s[want]] {
				want++
			}
			if got := alnumEnd(s, j); got != want {
				t.Fatalf("alnumEnd(%q, %d) = %d, want %d", s, j, got, want)
			}
		}
	}
}

// TestHasXMLSpecial checks the eight-byte test escapeXML skips with
// against the byte table.
func TestHasXMLSpecial(t *testing.T) {
	const near = "&<>\"%=;'.|~\x80\xa6\xbc\xbe\xa2"
	r := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 1000000; it++ {
		var x uint64
		want := false
		for k := 0; k < 8; k++ {
			c := byte(r.IntN(256))
			if r.IntN(3) == 0 {
				c = near[r.IntN(len(near))]
			}
			x |= uint64(c) << (8 * k)
			want = want || xmlSpecial[c]
		}
		if got := hasXMLSpecial(x); got != want {
			t.Fatalf("hasXMLSpecial(%#016x) = %v, want %v", x, got, want)
		}
	}
}
