package gen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"unicode/utf8"
)

// gen holds the state of one moodle.xml run.
type gen struct {
	ctx       context.Context
	o         Options
	e         era
	p         *plan
	m         *Manifest
	x         *xw
	leg       *legacy            // charset of the text being written; nil = UTF-8
	courseLeg *legacy            // the course's legacy charset
	legs      map[string]*legacy // users' pack charsets by language
	mojibake  bool
	links     *linkEncoder
	strip     map[string]bool
	stripAll  bool
	dmg       *rand.Rand // damage decisions only, so content never depends on them
	invalid   spreader
	rel       spreader
	dbl       spreader // DoubleUTF8
	pending   []pendingSpot

	// growth: the forum writer adds discussions until the file reaches
	// growTo bytes minus the bytes that follow the forums (tail).
	growTo int64
	tail   int64
	// measured by a first pass
	forumsEnd     int64
	linkCount     int64
	nonEmpty      int64     // non-empty text values (candidates for invalid characters)
	nonASCII      int64     // values with non-ASCII text (candidates for double UTF-8)
	internalLinks int64     // links to the source site (candidates for relative links)
	noRel         bool      // writing text that does not go through xw.text (block config)
	files         []zipFile // module, user and group files met while writing
	seenFile      map[string]bool
	limit         int64 // TruncateXML: bytes of moodle.xml to write

	growForums     int   // growable forums not yet written
	discID, postID int64 // last forum discussion and post ids
}

type pendingSpot struct{ kind, clean, damaged string }

// spreader picks `left` events out of a stream, one every `every`.
type spreader struct {
	every, next, seen int64
	left              int
}

func newSpreader(n int, total int64) spreader {
	if n <= 0 {
		return spreader{}
	}
	every := total / int64(n+1)
	if every < 1 {
		every = 1
	}
	return spreader{every: every, next: every / 2, left: n}
}

func (s *spreader) hit() bool {
	if s.left == 0 {
		return false
	}
	s.seen++
	if s.seen-1 < s.next {
		return false
	}
	s.next += s.every
	s.left--
	return true
}

// rng returns a generator for one part of the course, derived from the seed
// and the part's name, so that each part's content does not depend on how
// much was written before it.
func (g *gen) rng(parts ...any) *rand.Rand {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return rand.New(rand.NewPCG(uint64(g.o.Seed), h.Sum64()))
}

func (g *gen) stripOn(name string) bool {
	if !g.stripAll && !g.strip[name] {
		return false
	}
	if g.o.Damage.StripRatio >= 1 {
		return true
	}
	return g.dmg.Float64() < g.o.Damage.StripRatio
}

func (g *gen) countLink(tok string) {
	g.m.Links[tok]++
	g.linkCount++
}

// spot records one damaged place. at is the byte index of the damage in the
// damaged text (-1 = the whole value).
func (g *gen) spot(x *xw, kind string, ord, off int64, clean, damaged string, at int) {
	g.m.Damage[kind]++
	if len(g.m.Spots) >= MaxSpots {
		return
	}
	if at >= 0 || len(clean) > 1024 || len(damaged) > 1024 {
		clean, damaged = excerpt(clean, at), excerpt(damaged, at)
	}
	g.m.Spots = append(g.m.Spots, Spot{Kind: kind, Path: x.path(x.innerName()), Value: ord, Offset: off,
		Clean: clean, Damaged: damaged})
}

// innerName is the name of the leaf being written: the writer has opened it
// without pushing it, so it is recovered from the buffer.
func (x *xw) innerName() string {
	b := x.buf
	i := len(b) - 1
	for i >= 0 && b[i] != '<' {
		i--
	}
	if i < 0 || len(b)-i < 3 {
		return "?"
	}
	return string(b[i+1 : len(b)-1])
}

func excerpt(s string, at int) string {
	if at < 0 {
		at = len(s) / 2
	}
	lo, hi := at-500, at+500
	if lo < 0 {
		lo = 0
	}
	if hi > len(s) {
		hi = len(s)
	}
	for lo > 0 && !utf8.RuneStart(s[lo]) {
		lo--
	}
	for hi < len(s) && !utf8.RuneStart(s[hi]) {
		hi++
	}
	return s[lo:hi]
}

// injectInvalid puts one character XML forbids into a value, as the era's
// writer would have let it through. It returns the clean twin's text (which
// may differ from the input when the damage needs a Latin letter), the
// damaged text, the kind and the byte index of the damage.
func (g *gen) injectInvalid(clean, dam string) (string, string, string, int) {
	at := strings.IndexByte(clean, ' ')
	if at < 0 {
		at = len(clean)
	}
	// dam may differ from clean (stripped); put the damage at the same kind
	// of place in each.
	dat := strings.IndexByte(dam, ' ')
	if dat < 0 {
		dat = len(dam)
	}
	if !g.e.stripControls {
		c := []string{"\x0c", "\x0b", "\x1b", "\x01", "\x08", "\x00"}[g.dmg.IntN(6)]
		return clean, dam[:dat] + c + dam[dat:], "invalid-char:control", dat
	}
	switch g.dmg.IntN(3) {
	case 0: // Latin-1 letter in a UTF-8 database: clean has "é", damaged the lone byte E9
		return clean[:at] + " café" + clean[at:], dam[:dat] + " caf\xe9" + dam[dat:], "invalid-char:latin1", dat + 4
	case 1: // a byte-based cut through the last character of the value
		return clean + " ", dam + " \xc3", "invalid-char:truncated-utf8", len(dam) + 1
	default:
		return clean, dam[:dat] + "\uFFFE" + dam[dat:], "invalid-char:fffe", dat
	}
}

// WriteXMLFile writes moodle.xml alone to the file path (for benchmarks and
// tools that need a big input on disk).
func WriteXMLFile(path string, o Options) (*Manifest, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	m, err := WriteXML(w, o)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	return m, nil
}

// WriteXML writes moodle.xml for o to w, streamed (memory stays flat
// whatever Options.XMLSize), and returns what it wrote. Damage that lives in
// the zip (NestedRoot, Truncate) is ignored here.
func WriteXML(w io.Writer, o Options) (*Manifest, error) {
	return WriteXMLContext(context.Background(), w, o)
}

// WriteXMLContext is WriteXML that stops with ctx's error when ctx is done
// (checked at least every 128 KB of output).
func WriteXMLContext(ctx context.Context, w io.Writer, o Options) (*Manifest, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	m, _, _, err := writeXML(ctx, w, o)
	return m, err
}

// writeXML runs the (optional) measuring pass and the real one.
func writeXML(ctx context.Context, w io.Writer, o Options) (*Manifest, []zipFile, *plan, error) {
	e, _ := parseVersion(o.Version)
	p := newPlan(o, e)
	var growTo, tail int64
	invalidTotal, relTotal, dblTotal := int64(0), int64(0), int64(0)
	if o.XMLSize > 0 || o.Damage.InvalidXMLChars > 0 || o.Damage.RelativeLinks > 0 || o.Damage.DoubleUTF8 > 0 {
		// First pass: the course without growth or damage, to measure it.
		measure := func() (*gen, error) {
			mo := o
			mo.XMLSize = 0
			mo.Damage = Damage{Charset: o.Damage.Charset, RawLegacyBytes: o.Damage.RawLegacyBytes, DoubleUTF8: o.Damage.DoubleUTF8}
			g := newGen(ctx, mo, e, p)
			return g, g.run(io.Discard, 0, 0)
		}
		g, err := measure()
		if err != nil {
			return nil, nil, nil, err
		}
		// A course larger than the size target shrinks, when its shape
		// was left to the defaults: fewer sections, then a lean course.
		for o.autoShape && g.m.XMLBytes > o.XMLSize && !(o.lean && o.Sections == 1) {
			if o.Sections > 1 {
				o.Sections = max(1, int(float64(o.Sections)*float64(o.XMLSize)/float64(g.m.XMLBytes)*0.8))
			} else {
				o = o.leaned()
			}
			p = newPlan(o, e)
			if g, err = measure(); err != nil {
				return nil, nil, nil, err
			}
		}
		base := g.m.XMLBytes
		tail = base - g.forumsEnd
		scale := 1.0
		if o.XMLSize > base {
			growTo = o.XMLSize
			scale = float64(o.XMLSize) / float64(base)
		}
		f := 1.0
		if scale > 1 {
			f = 0.9 // growth is estimated: spread a little tighter
		}
		invalidTotal = int64(float64(g.nonEmpty) * scale * f)
		relTotal = int64(float64(g.internalLinks) * scale * f)
		dblTotal = int64(float64(g.nonASCII) * scale * f)
	}
	g := newGen(ctx, o, e, p)
	g.invalid = newSpreader(o.Damage.InvalidXMLChars, invalidTotal)
	g.rel = newSpreader(o.Damage.RelativeLinks, relTotal)
	g.dbl = newSpreader(o.Damage.DoubleUTF8, dblTotal)
	limit := int64(0)
	if o.Damage.TruncateXML > 0 && !o.Clean {
		if o.XMLSize > 0 {
			limit = int64(float64(o.XMLSize) * o.Damage.TruncateXML)
		} else {
			// measure first, then cut
			cw := &countWriter{}
			g2 := newGen(ctx, o, e, p)
			g2.invalid, g2.rel, g2.dbl = g.invalid, g.rel, g.dbl
			if err := g2.run(cw, growTo, tail); err != nil {
				return nil, nil, nil, err
			}
			limit = int64(float64(cw.n) * o.Damage.TruncateXML)
		}
		if limit < 1 {
			limit = 1
		}
	}
	g.limit = limit
	if err := g.run(w, growTo, tail); err != nil {
		return nil, nil, nil, err
	}
	if limit > 0 {
		g.m.TruncatedXML = g.m.XMLBytes
	}
	return g.m, g.files, p, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func newGen(ctx context.Context, o Options, e era, p *plan) *gen {
	g := &gen{ctx: ctx, o: o, e: e, p: p, m: newManifest(), dmg: rand.New(rand.NewPCG(uint64(o.Seed), 0xda3a9e))}
	g.m.Version = fmt.Sprintf("1.%d.%d", e.minor, e.patch)
	g.m.BackupVersion = e.backupVersion
	g.m.Lang = o.Lang
	g.m.CourseID = p.courseID
	g.m.WWWRoot = p.www
	if o.Damage.Charset != "" {
		name, _ := o.charsetName()
		g.leg = newLegacy(name)
		g.courseLeg = g.leg
		g.mojibake = e.mojibakeEra() && !o.Damage.RawLegacyBytes
		g.m.Charset = name
		g.m.Mojibake = g.mojibake && !o.Clean
	}
	g.links = newLinkEncoder(p.www, p.courseID, e)
	g.discID = 10 + p.courseID*3
	g.postID = 100 + p.courseID*17
	g.strip = map[string]bool{}
	for _, f := range o.Damage.StripEntities {
		if strings.EqualFold(f, "all") {
			g.stripAll = true
		}
		g.strip[strings.ToUpper(f)] = true
	}
	return g
}

// run writes the document.
func (g *gen) run(w io.Writer, growTo, tail int64) error {
	g.x = &xw{out: w, g: g, buf: make([]byte, 0, flushAt+64<<10), limit: g.limit, eol: "\n"}
	if g.o.Damage.CRLF && !g.o.Clean {
		g.x.eol = "\r\n"
	}
	g.growTo, g.tail = growTo, tail
	g.writeDocument()
	g.x.flush()
	g.m.XMLBytes = g.x.flushed
	if g.x.err != nil && !errors.Is(g.x.err, errStop) {
		return fmt.Errorf("write moodle.xml: %w", g.x.err)
	}
	return nil
}

// stopped reports whether writing has ended (error or TruncateXML), so long
// loops can give up early.
func (g *gen) stopped() bool { return g.x.err != nil }
