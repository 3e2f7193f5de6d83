package inspect

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moodlemig/moodlemig/charset"
	"github.com/moodlemig/moodlemig/mappings"
	"github.com/moodlemig/moodlemig/report"
)

// lastPre16 is the last BACKUP_VERSION written by a pre-Unicode Moodle
// (1.5.1); the 1.9 restore warns about anything up to it (spec
// moodle19-format.md §4.3, repairs.md §2.5).
const lastPre16 = 2005070500

// sample is one text value kept as evidence.
type sample struct {
	path string
	off  int64
	text []byte
}

// charsetStats classifies every non-ASCII text value of moodle.xml
// (spec repairs.md §2.5): not UTF-8 ("raw"), UTF-8 with every code point
// <= U+00FF ("lifted": what utf8_encode produces), UTF-8 with higher code
// points ("wide"), and lifted values whose bytes are UTF-8 again ("double").
type charsetStats struct {
	raw, lifted, wide, double int
	c1                        int // U+0080–U+009F in lifted values
	highLetters, asciiLetters int // in lifted values
	firstRaw, firstLifted     *sample
	firstDouble               *sample
	scratch                   []byte
}

func (c *charsetStats) value(raw []byte, bad bool, path []byte, off int64) {
	keep := func(p **sample) {
		if *p == nil {
			t := raw
			if len(t) > 120 {
				t = t[:120]
			}
			*p = &sample{path: string(path), off: off, text: append([]byte(nil), t...)}
		}
	}
	if bad {
		c.raw++
		keep(&c.firstRaw)
		return
	}
	maxr := rune(0)
	hl, al, c1 := 0, 0, 0
	for i := 0; i < len(raw); {
		b := raw[i]
		if b < utf8.RuneSelf {
			if b|0x20 >= 'a' && b|0x20 <= 'z' {
				al++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(raw[i:])
		i += n
		if r > maxr {
			maxr = r
		}
		switch {
		case r >= 0x80 && r <= 0x9F:
			c1++
		case r >= 0xC0 && r <= 0xFF && r != 0xD7 && r != 0xF7:
			hl++
		}
	}
	if maxr > 0xFF {
		c.wide++
		return
	}
	c.lifted++
	c.c1 += c1
	c.highLetters += hl
	c.asciiLetters += al
	keep(&c.firstLifted)
	// Double-encoded UTF-8: the lifted bytes form UTF-8 again.
	c.scratch = lower(c.scratch[:0], raw)
	if utf8.Valid(c.scratch) {
		c.double++
		keep(&c.firstDouble)
	}
}

// lower maps each code point <= U+00FF of UTF-8 text to one byte (undoing
// utf8_encode) and appends the bytes to dst.
func lower(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		i += n
		dst = append(dst, byte(r))
	}
	return dst
}

// latinFamily are the charsets whose utf8_encode'd text is already right
// (but for windows-1252's C1 punctuation).
func latinFamily(cs string) bool {
	switch strings.ToLower(cs) {
	case "iso-8859-1", "windows-1252", "iso-8859-15", "latin1":
		return true
	}
	return false
}

func isUTF8Name(cs string) bool {
	cs = strings.ToLower(cs)
	return cs == "utf-8" || cs == "utf8"
}

// decide turns the statistics into a Charset and, for legacy text, a
// finding.
func (c *charsetStats) decide(sc *scanner1, res *Result) *Charset {
	out := &Charset{Valid: c.raw == 0, Form: "utf-8"}
	if c.raw+c.lifted+c.wide == 0 {
		out.Evidence = []string{"no non-ASCII text"}
		return out
	}
	packs, _ := mappings.LoadLangCharsets()
	packCharset := func(lang string) string {
		if packs == nil || lang == "" {
			return ""
		}
		base := strings.TrimSuffix(lang, "_utf8")
		if cs, ok := packs.Charset(base); ok && !isUTF8Name(cs) {
			return cs
		}
		return ""
	}
	bv, _ := strconv.ParseFloat(strings.TrimSpace(res.BackupVersion), 64)
	pre16 := bv > 0 && bv <= lastPre16
	userLang := mostCommon(sc.userLang)
	guess, guessWhy := "", ""
	if cs := packCharset(res.Lang); cs != "" {
		guess, guessWhy = cs, fmt.Sprintf("course language %q → the 1.5 pack's charset %s", res.Lang, cs)
	} else if cs := packCharset(userLang); cs != "" {
		guess, guessWhy = cs, fmt.Sprintf("most common user language %q → the 1.5 pack's charset %s", userLang, cs)
	}
	counts := fmt.Sprintf("non-ASCII text values: %d lifted (all code points ≤ U+00FF), %d wider UTF-8, %d not UTF-8", c.lifted, c.wide, c.raw)
	ev := []string{counts}
	if pre16 {
		ev = append(ev, fmt.Sprintf("BACKUP_VERSION %s ≤ %d: written by a pre-1.6 Moodle, which utf8_encode'd the site charset", res.BackupVersion, lastPre16))
	}
	var first *sample
	switch {
	case c.raw > 0:
		out.Legacy, out.Form, first = true, "raw", c.firstRaw
		if d := res.Encoding; d != "" && !isUTF8Name(d) {
			if _, err := charset.Lookup(d); err == nil {
				guess, guessWhy = strings.ToLower(d), fmt.Sprintf("the XML declaration names %s", d)
			}
		}
	case c.double > 0 && c.double*2 >= c.lifted && !pre16:
		out.Legacy, out.Form, first = true, "double-utf8", c.firstDouble
		guess, guessWhy = "utf-8", fmt.Sprintf("%d of the lifted values are UTF-8 again once lowered to bytes (UTF-8 encoded twice)", c.double)
	case c.lifted > 0 && c.wide == 0 && guess != "" && !latinFamily(guess) && pre16:
		out.Legacy, out.Form, first = true, "utf8_encode", c.firstLifted
	case c.lifted > 0 && c.wide == 0 && guess != "" && !latinFamily(guess):
		// 1.6/1.7 sites without $CFG->unicodedb wrote the same mojibake
		// (spec moodle19-format.md §3.1 step 6).
		out.Legacy, out.Form, first = true, "utf8_encode", c.firstLifted
		ev = append(ev, fmt.Sprintf("the course language needs %s, yet no value holds a character above U+00FF", guess))
	case c.lifted > 0 && c.wide == 0 && pre16 && guess == "" && c.highLetters > c.asciiLetters:
		// Non-Latin text, language unknown.
		out.Legacy, out.Form, first = true, "utf8_encode", c.firstLifted
	case c.lifted > 0 && c.wide == 0 && pre16 && c.c1 > 0:
		// A Latin-1 pack on a site whose users typed windows-1252
		// punctuation: utf8_encode turned it into C1 controls (§2.5 item 4).
		out.Legacy, out.Form, first = true, "utf8_encode", c.firstLifted
		guess, guessWhy = "windows-1252", fmt.Sprintf("%d C1 control characters (U+0080–U+009F): windows-1252 punctuation (’ “ ” – …) utf8_encode'd as if Latin-1", c.c1)
	default:
		if c.c1 > 0 {
			ev = append(ev, fmt.Sprintf("%d C1 control characters (U+0080–U+009F): windows-1252 punctuation stored as Latin-1", c.c1))
		}
		if pre16 && c.wide == 0 {
			ev = append(ev, "pre-1.6 Latin-1 text: utf8_encode already gave the right characters")
		}
		out.Evidence = ev
		return out
	}
	if guess == "" && out.Form != "double-utf8" {
		if c.highLetters > c.asciiLetters || out.Form == "utf8_encode" {
			ev = append(ev, fmt.Sprintf("%d of the letters are U+00C0–U+00FF against %d ASCII: non-Latin text in an unknown charset; name it with the transcode stage's from: option", c.highLetters, c.asciiLetters))
		} else {
			guess, guessWhy = "windows-1252", "no language names a charset; mostly Latin letters"
		}
	}
	if guessWhy != "" {
		ev = append(ev, guessWhy)
	}
	out.Guess = guess
	before, after := "", ""
	if first != nil {
		before = snippet(first.text, 60)
		if dec := decodeSample(first.text, out.Form, guess); dec != "" {
			after = dec
			ev = append(ev, fmt.Sprintf("first value (%s): %q reads as %q", first.path, before, after))
		}
	}
	out.Evidence = ev
	msg := fmt.Sprintf("moodle.xml text is not plain UTF-8: %s", formDoc(out.Form, guess))
	if first == nil {
		first = &sample{}
	}
	sc.sink.Add(report.Finding{Code: CodeLegacyCharset, Severity: report.Warning, Offset: first.off, Path: first.path,
		Message: msg + "; the transcode stage converts it (evidence in the charset section)", Before: before, After: after})
	return out
}

func formDoc(form, guess string) string {
	g := guess
	if g == "" {
		g = "an unknown legacy charset"
	}
	switch form {
	case "raw":
		return "it holds raw " + g + " bytes"
	case "double-utf8":
		return "UTF-8 text encoded twice (mojibake such as Ã©)"
	}
	return "each " + g + " byte was utf8_encode'd into one U+0080–U+00FF character (mojibake)"
}

// decodeSample shows what a value becomes in the guessed charset.
func decodeSample(text []byte, form, guess string) string {
	if guess == "" {
		return ""
	}
	b := text
	if form != "raw" {
		b = lower(nil, text)
	}
	if form == "double-utf8" {
		return snippet(b, 60)
	}
	cs, err := charset.Lookup(guess)
	if err != nil {
		return ""
	}
	out, err := cs.Encoding().NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(out) {
		return ""
	}
	// Keep it only when it reads as letters.
	letters := 0
	for _, r := range string(out) {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters == 0 {
		return ""
	}
	return snippet(out, 60)
}

// mostCommon returns the most frequent non-empty key (ties: the smallest).
func mostCommon(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	best := ""
	for _, k := range keys {
		if best == "" || m[k] > m[best] {
			best = k
		}
	}
	return best
}
