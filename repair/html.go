package repair

import (
	"bytes"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// DefaultMinConfidence is the confidence at or above which RepairHTMLField
// rewrites a field when HTMLOptions.MinConfidence is 0. It was chosen with the
// accuracy test (html_accuracy_test.go, 3,000+ fields): confidence is the
// product of per-decision odds (each guessed attribute end, each inline start
// found back), so a long field with several links scores low although it is
// most likely right. From 0.9 down to 0.4, exact matches rise from 83% to
// 97% and tag recall from 74% to 99.5%, tag precision stays above 99.9%, and
// no undamaged field is changed at any threshold down to 0.01.
const DefaultMinConfidence = 0.4

// HTMLOptions control RepairHTMLField.
type HTMLOptions struct {
	// MinConfidence is the least confidence at which a field is rewritten;
	// 0 means DefaultMinConfidence. Fields scoring below it are returned
	// unchanged (their proposed changes are still returned, for the report).
	MinConfidence float64
}

func (o HTMLOptions) min() float64 {
	if o.MinConfidence <= 0 {
		return DefaultMinConfidence
	}
	return o.MinConfidence
}

// Confidence is how sure a repair is that a field was damaged by the libxml2
// 2.7 bug and that its rebuild is right: 0 (no damage seen) to 1.
type Confidence float64

// ChangeKind says what a Change rebuilt.
type ChangeKind string

// Kinds of change.
const (
	ChangeTag    ChangeKind = "tag"    // a start tag (with quoted attributes) or an end tag
	ChangeEntity ChangeKind = "entity" // an entity whose & was lost
)

// Change is one rebuilt spot of a field.
type Change struct {
	Offset int        // byte offset of Before in the input text
	Kind   ChangeKind //
	Before string     // the damaged text, e.g. `a href=view.php?id=5`
	After  string     // what it became, e.g. `<a href="view.php?id=5">`
}

// DamagedLibxml2 reports whether s could be text damaged by the libxml2 2.7
// bug: such text has no '<', '>', '"' or '&' left (repairs.md §3.2).
func DamagedLibxml2(s string) bool {
	// One vectorised scan per byte beats ContainsAny's byte-by-byte set.
	return strings.IndexByte(s, '&') < 0 && strings.IndexByte(s, '<') < 0 &&
		strings.IndexByte(s, '>') < 0 && strings.IndexByte(s, '"') < 0
}

// RepairHTMLField rebuilds the HTML of one field whose '<', '>', '"' and '&'
// were deleted by the libxml2 2.7 entity bug (repairs.md §3): tags of the
// closed element list with their attributes quoted again, and entities whose
// '&' was lost. It returns the text, the confidence of the diagnosis and the
// changes. When the confidence is below opts.MinConfidence (or nothing was
// found) the text is returned unchanged and changes lists what would have
// been done. A field holding any of the four deleted characters is never
// touched, so RepairHTMLField is idempotent.
func RepairHTMLField(s string, opts HTMLOptions) (string, Confidence, []Change) {
	var r rebuilder
	out, conf, changes, rewritten := r.repair(s, opts)
	if !rewritten {
		return s, conf, changes
	}
	return string(out), conf, changes
}

// repair is RepairHTMLField on a rebuilder whose buffers are reused from
// one field to the next (the streaming filter keeps one). The rebuilt text
// and the changes belong to r and are valid until its next repair; when
// rewritten is false the field is to be kept as it is.
func (r *rebuilder) repair(s string, opts HTMLOptions) (out []byte, conf Confidence, changes []Change, rewritten bool) {
	if !DamagedLibxml2(s) {
		return nil, 0, nil, false
	}
	return r.rebuild(s, opts)
}

// rebuild is repair of a field s known to hold none of '<', '>', '"' and
// '&' (DamagedLibxml2(s) is true).
func (r *rebuilder) rebuild(s string, opts HTMLOptions) (out []byte, conf Confidence, changes []Change, rewritten bool) {
	if s == "" || !mayHoldDamage(s) {
		return nil, 0, nil, false
	}
	r.reset(s)
	r.run()
	r.flush()
	if r.evidence == 0 || len(r.changes) == 0 {
		return nil, 0, nil, false
	}
	conf = Confidence((1 - math.Pow(0.1, r.evidence/2)) * math.Pow(2, -r.doubt))
	if r.strong == 0 {
		conf *= 0.3 // only weak entity tails ("copy;" may be a word)
	}
	if float64(conf) < opts.min() {
		return nil, conf, r.changes, false
	}
	return r.out, conf, r.changes, true
}

// reset prepares r for the rebuild of s, keeping its buffers.
func (r *rebuilder) reset(s string) {
	r.d = s
	if n := len(s) + len(s)/4 + 16; cap(r.out) < n {
		r.out = make([]byte, 0, n)
	} else {
		r.out = r.out[:0]
	}
	if n := len(s)/24 + 4; cap(r.changes) < n {
		r.changes = make([]Change, 0, n)
	} else {
		clear(r.changes) // drop the strings of the last field
		r.changes = r.changes[:0]
	}
	r.nChanges, r.nTags = 0, 0
	if r.segs == nil {
		r.segs = make([]seg, 0, 16)
	}
	r.segs = r.segs[:0]
	r.stack = r.stack[:0]
	r.ends = r.ends[:0]
	r.slashes = r.slashes[:0]
	r.slashesDone = false
	r.endTags = r.endTags[:0]
	r.slashesSeen = 0
	r.lastTag, r.blockStart, r.pastBoundary = 0, 0, false
	r.evidence, r.doubt = 0, 0
	r.href = ""
	r.strong = 0
	r.eq, r.nl, r.cr = byteCursor{0, -1}, byteCursor{0, -1}, byteCursor{0, -1}
	r.pendFrom, r.pendTo = 0, 0
	r.marks = r.marks[:0]
	r.attrPos, r.attrName = -1, ""
	if len(r.wordSeen) > 0 {
		clear(r.wordSeen) // its keys are pieces of the last field
	}
}

// mayHoldDamage is a fast pre-check: damaged fields contain a '/', a ';' or
// an '=' (end tags, entity tails, attributes). Plain words skip the parser.
func mayHoldDamage(s string) bool {
	return strings.IndexByte(s, '/') >= 0 || strings.IndexByte(s, ';') >= 0 || strings.IndexByte(s, '=') >= 0
}

// openEl is an element whose start tag was rebuilt and whose end was not.
type openEl struct {
	name   string
	block  bool
	outPos int // index of its '<' in out
}

// endList holds the position of the last "/name" in the field, or -1.
type endList struct {
	name string
	last int
}

// seg maps a run of out that was copied verbatim from the input.
type seg struct{ out, in, n int }

// rebuilder holds the state of one field's rebuild.
type rebuilder struct {
	d          string
	out        []byte
	changes    []Change
	stack      []openEl
	lastTag    int // index in out just after the last rebuilt tag
	blockStart int // index in out after the last block-level tag
	// pastBoundary: something else than white space was written since
	// blockStart (atBoundary is false until the next block tag).
	pastBoundary bool
	segs         []seg // verbatim text since blockStart, for backward searches
	evidence     float64
	doubt        float64
	trace        func(what string, at int, doubt float64) // tests: why doubt grew
	ends         []endList                                // the last "/name" positions found so far, by name
	slashes      []int                                    // positions of '/' in d, once slashesDone
	slashesDone  bool                                     //
	endTags      []int                                    // where endTagIn may stop, in slashes[:slashesSeen]
	slashesSeen  int                                      //
	segTmp       []seg                                    // scratch for insertStart
	tagBuf       []byte                                   // scratch for startTag
	// firstOnly: only the first change is read (the streaming filter
	// reports it, and counts the others): the others are not kept.
	firstOnly       bool
	noAfter         bool   // no change's After is read (the stream has nobody to report to)
	nChanges, nTags int    // changes made, and how many of them are tags
	href            string // the href of the tag being rebuilt
	strong          int    // tags and &nbsp;-class entities rebuilt
	// The next '=' (so that attrAt rejects most words without a look),
	// '\n' and '\r' (where attribute values stop).
	eq, nl, cr byteCursor
	// The last attribute looked up: at d[attrPos] (-1: none).
	attrPos  int
	attrName string
	attrKind valueKind
	wordSeen map[string][2]int // searchWords' answers for this field
	// d[pendFrom:pendTo] is verbatim text not yet copied to out (see
	// text); whatever reads or writes out flushes it first.
	pendFrom, pendTo int
	// marks are the spans of out written by the rebuild (tags, entities),
	// in order: the rest of out is text of d, which holds none of the
	// bytes XML escapes, so appendEscaped only escapes the marks.
	marks []span
}

// span is out[from:to], and esc its XML-escaped form if known.
type span struct {
	from, to int
	esc      string
}

// mark records that out[from:] was just written by the rebuild.
func (r *rebuilder) mark(from int) {
	r.marks = append(r.marks, span{from, len(r.out), ""})
}

// appendEscaped appends out, XML-escaped as escapeXML does, to dst.
func (r *rebuilder) appendEscaped(dst []byte) []byte {
	prev := 0
	for _, m := range r.marks {
		dst = append(dst, r.out[prev:m.from]...)
		switch {
		case m.esc != "":
			dst = append(dst, m.esc...)
		case r.out[m.from] == '&': // an entity: the rest is its name and ';'
			dst = append(dst, "&amp;"...)
			dst = append(dst, r.out[m.from+1:m.to]...)
		default:
			dst = escapeXML(dst, r.out[m.from:m.to])
		}
		prev = m.to
	}
	return append(dst, r.out[prev:]...)
}

// addDoubt records an uncertain decision at d[at].
func (r *rebuilder) addDoubt(x float64, what, name string, at int) {
	r.doubt += x
	if r.trace != nil {
		r.trace(what+name, at, x) // joined only when traced
	}
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return alnum[c] }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isHex(c byte) bool   { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' }

func (r *rebuilder) run() {
	d := r.d
	i := 0
	nextEq := -1 // the first '=' at or after the last position asked
	for i < len(d) {
		c := d[i]
		switch {
		case c == '/':
			if n := r.endTag(i); n > 0 {
				i += n
				continue
			}
		case c == '!' && strings.HasPrefix(d[i:], "!--"):
			if n := r.comment(i); n > 0 {
				i += n
				continue
			}
		case c == '#' || isAlnum(c):
			j := alnumEnd(d, i+1)
			// Most words are text: settle the usual case here (word
			// would copy it as it is), without a call.
			plain := c != '#'
			if plain && j < len(d) {
				if e := d[j]; e == ';' {
					plain = false // an entity tail?
				} else if e == ' ' && j+1 < len(d) {
					if j+1 > nextEq {
						if k := strings.IndexByte(d[j+1:], '='); k >= 0 {
							nextEq = j + 1 + k
						} else {
							nextEq = math.MaxInt - maxAttrName
						}
					}
					if d[j+1] == '/' || nextEq-(j+1) <= maxAttrName {
						plain = false // " /" or maybe attributes
					}
				}
			}
			// Inside running text (pending up to here, past the block
			// boundary, not after a line end) a word that cannot start
			// a list or table is text unless it glues a list on.
			switch {
			case !plain:
			case blockFirst[c] && !(r.pendTo == i && r.pendFrom < i && plainAfter[d[i-1]] && r.pastBoundary && !parentPrefix(d[i:j])):
				plain = r.plainStart(i, j)
			case j-i >= 4 && hasListPair(d[i:j]):
				plain = false
			}
			if plain {
				// The word, and the plain text after it (the next
				// iteration would take it so), join the pending text.
				for j < len(d) && plainText[d[j]] {
					j++
				}
				if r.pendTo == i && r.pendFrom < i {
					r.pendTo = j // the usual case of text, inline
				} else {
					r.text(i, j)
				}
				i = j
				continue
			}
			i += r.word(i, j)
			continue
		}
		// Plain text up to the next byte that may start something.
		j := i + 1
		for j < len(d) && plainText[d[j]] {
			j++
		}
		if r.pendTo == i && r.pendFrom < i {
			r.pendTo = j
		} else {
			r.text(i, j)
		}
		i = j
	}
	for _, e := range r.stack {
		r.addDoubt(0.5, "unclosed ", e.name, len(d))
	}
}

// alnumEnd returns the index of the first byte at or after d[j] that is
// not an ASCII letter or digit, or len(d); eight bytes at a time.
func alnumEnd(d string, j int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for j+8 <= len(d) {
		x := uint64(d[j]) | uint64(d[j+1])<<8 | uint64(d[j+2])<<16 | uint64(d[j+3])<<24 |
			uint64(d[j+4])<<32 | uint64(d[j+5])<<40 | uint64(d[j+6])<<48 | uint64(d[j+7])<<56
		// Per byte, on its low 7 bits t (no carry crosses a byte): t+0x80-a
		// has the high bit set when t >= a.
		t := x &^ hi
		digit := (t + (0x80-'0')*lo) &^ (t + (0x80-'9'-1)*lo)
		u := t | 0x20*lo // letters folded to lower case
		alpha := (u + (0x80-'a')*lo) &^ (u + (0x80-'z'-1)*lo)
		if other := ^(digit|alpha)&hi | x&hi; other != 0 {
			return j + bits.TrailingZeros64(other)/8
		}
		j += 8
	}
	for j < len(d) && alnum[d[j]] {
		j++
	}
	return j
}

// alnum marks the ASCII letters and digits.
var alnum = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isAlpha(byte(c)) || isDigit(byte(c))
	}
	return t
}()

// childFirst marks the first bytes of the block elements childStarts knows
// a first child of.
var childFirst = [256]bool{'u': true, 'o': true, 't': true, 'U': true, 'O': true, 'T': true}

// plainText marks the bytes run copies as text without a look: all but
// '/', '!', '#' and ASCII letters and digits.
var plainText = func() (t [256]bool) {
	for c := range 256 {
		b := byte(c)
		t[c] = b != '/' && b != '!' && b != '#' && !isAlpha(b) && !isDigit(b)
	}
	return t
}()

// plainStart reports, cheaply, that word(i, j) would find no block element
// and no glued list starting in the word d[i:j], when no attribute and no
// " /" follow it.
func (r *rebuilder) plainStart(i, j int) bool {
	d := r.d
	// As word: without a tag-name suffix before attributes, a block
	// element may start only at a line start (or at the boundary), after
	// a tag, or glued when its first child follows.
	if c := d[i]; blockFirst[c] && (r.lastOut() == '>' || i > 0 && lineEnd[d[i-1]] ||
		r.atBoundary() || childFirst[c] && childGlued(d, i, j)) {
		return false
	}
	return j-i < 4 || !hasListPair(d[i:j])
}

// lineEnd marks the bytes after which word sees a line start.
var lineEnd = [256]bool{'\n': true, '.': true, '!': true, '?': true, ':': true}

// plainAfter marks the bytes after which a word is inside running text:
// not a line end, not a tag's '>'.
var plainAfter = func() (t [256]bool) {
	for c := range 256 {
		t[c] = !lineEnd[c] && c != '>'
	}
	return t
}()

// childGlued reports whether the word d[i:j] starts with the name of a
// block element (as word matches it) whose first child follows at once
// (childStarts): "ulli", "tabletbody".
func childGlued(d string, i, j int) bool {
	w := d[i:j]
	for _, k := range tagFirst[w[0]] {
		n := tagNamesByLen[k]
		if !childParent[k] || len(n) > len(w) {
			continue
		}
		if name := w[:len(n)]; name != n && name != tagNamesUpper[k] {
			continue
		}
		if childStarts(n, strings.TrimLeft(d[i+len(n):min(len(d), i+len(n)+16)], " \r\n\t")) {
			return true
		}
	}
	return false
}

// parentPrefix reports whether w starts with the name of an element
// childStarts knows a first child of (as word matches names: in lower or
// in upper case), the words childGlued may accept.
func parentPrefix(w string) bool {
	if len(w) < 2 {
		return false
	}
	switch w[:2] {
	case "ul", "ol", "tr", "UL", "OL", "TR":
		return true
	case "ta", "tb", "th":
		return len(w) >= 5 && (w[:5] == "table" || w[:5] == "tbody" || w[:5] == "thead")
	case "TA", "TB", "TH":
		return len(w) >= 5 && (w[:5] == "TABLE" || w[:5] == "TBODY" || w[:5] == "THEAD")
	}
	return false
}

// childParent marks (by index in tagNamesByLen) the elements childStarts
// knows a first child of.
var childParent = func() []bool {
	p := make([]bool, len(tagNamesByLen))
	for k, n := range tagNamesByLen {
		switch n {
		case "ul", "ol", "table", "tbody", "thead", "tr":
			p[k] = true
		}
	}
	return p
}()

// hasListPair reports whether w holds "ulli" or "olli" (either case), the
// glued list word checks for.
func hasListPair(w string) bool {
	for k := 0; k+4 <= len(w); k++ {
		if c := w[k+2]; c != 'l' && c != 'L' {
			continue
		}
		if pair := w[k : k+4]; pair == "ulli" || pair == "olli" || pair == "ULLI" || pair == "OLLI" {
			return true
		}
	}
	return false
}

// text copies d[i:j] to out verbatim: it is kept pending while the text
// runs on, and copied in one piece by flush.
func (r *rebuilder) text(i, j int) {
	switch {
	case r.pendFrom == r.pendTo:
		r.pendFrom, r.pendTo = i, j
	case r.pendTo == i:
		r.pendTo = j
	default:
		r.flush()
		r.pendFrom, r.pendTo = i, j
	}
}

// flush copies the pending text to out.
func (r *rebuilder) flush() {
	if r.pendFrom < r.pendTo {
		r.copyText(r.pendFrom, r.pendTo)
		r.pendFrom = r.pendTo
	}
}

// copyText copies d[i:j] to out verbatim.
func (r *rebuilder) copyText(i, j int) {
	if n := len(r.segs); n > 0 {
		s := &r.segs[n-1]
		if s.out+s.n == len(r.out) && s.in+s.n == i {
			s.n += j - i
			r.out = append(r.out, r.d[i:j]...)
			return
		}
	}
	r.segs = append(r.segs, seg{out: len(r.out), in: i, n: j - i})
	r.out = append(r.out, r.d[i:j]...)
}

// emitTag appends a rebuilt tag made from d[i:j].
func (r *rebuilder) emitTag(i, j int, tag string, block bool) {
	r.emitTagEsc(i, j, tag, "", block)
}

// emitTagEsc is emitTag of a tag whose XML-escaped form is esc ("": not
// known).
func (r *rebuilder) emitTagEsc(i, j int, tag, esc string, block bool) {
	r.flush()
	r.out = append(r.out, tag...)
	r.marks = append(r.marks, span{len(r.out) - len(tag), len(r.out), esc})
	r.tagEmitted(i, j, tag, block)
}

// tagEmitted records a rebuilt tag from d[i:j] just appended to out.
func (r *rebuilder) tagEmitted(i, j int, tag string, block bool) {
	r.lastTag = len(r.out)
	if block {
		r.blockStart, r.pastBoundary = len(r.out), false
		r.segs = r.segs[:0]
	}
	r.addChange(Change{Offset: i, Kind: ChangeTag, Before: r.d[i:j], After: tag})
	r.strong++
}

// addChange records c; with firstOnly, only the first change is kept and
// the others are counted.
func (r *rebuilder) addChange(c Change) {
	r.nChanges++
	if c.Kind == ChangeTag {
		r.nTags++
	}
	if !r.firstOnly || len(r.changes) == 0 {
		r.changes = append(r.changes, c)
	}
}

// afterNeeded reports whether the next change needs its After text: always,
// unless only the first change is read (firstOnly) and it is recorded.
func (r *rebuilder) afterNeeded() bool {
	return !r.noAfter && (!r.firstOnly || len(r.changes) == 0)
}

// atBoundary reports whether a block element may start here: at the start
// of the field or after a rebuilt block tag and white space.
func (r *rebuilder) atBoundary() bool {
	if r.pastBoundary {
		return false
	}
	for _, c := range r.out[r.blockStart:] {
		if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			r.pastBoundary = true
			return false
		}
	}
	for _, c := range []byte(r.d[r.pendFrom:r.pendTo]) {
		if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			r.pastBoundary = true
			return false
		}
	}
	return true
}

func (r *rebuilder) onStack(name string) int {
	for k := len(r.stack) - 1; k >= 0; k-- {
		if r.stack[k].name == name {
			return k
		}
	}
	return -1
}

// hasEndLater reports whether "/name" occurs in d after i (not followed
// by a lower-case letter when name is upper case: "/Physics" is no </P>).
func (r *rebuilder) hasEndLater(i int, name string) bool {
	for _, e := range r.ends {
		if e.name == name {
			return e.last >= i
		}
	}
	// Only the last occurrence of name right after a '/' matters: search
	// back from the end of the field.
	d := r.d
	last := -1
	sl := r.slashList()
	for k := len(sl) - 1; k >= 0; k-- {
		p := sl[k] + 1
		if !strings.HasPrefix(d[p:], name) {
			continue
		}
		if !(isUpper(name[0]) && p+len(name) < len(d) && isLower(d[p+len(name)])) {
			last = p
			break
		}
	}
	r.ends = append(r.ends, endList{name: name, last: last})
	return last >= i
}

// slashList returns the positions of '/' in d, found once per field.
func (r *rebuilder) slashList() []int {
	if !r.slashesDone {
		d := r.d
		for k := 0; ; {
			j := strings.IndexByte(d[k:], '/')
			if j < 0 {
				break
			}
			r.slashes = append(r.slashes, k+j)
			k += j + 1
		}
		r.slashesDone = true
	}
	return r.slashes
}

// tagSuffix returns the longest tag name that ends word.
func tagSuffix(word string) (string, tagInfo, bool) {
	if word == "" {
		return "", tagInfo{}, false
	}
	for _, k := range tagLast[word[len(word)-1]] {
		n := tagNamesByLen[k]
		if len(n) > len(word) {
			continue
		}
		w := word[len(word)-len(n):]
		if w == n {
			return w, tagInfos[k], true
		}
		if w == tagNamesUpper[k] {
			return w, tagInfosUpper[k], true
		}
	}
	return "", tagInfo{}, false
}

// maxAttrName is the length of the longest attribute name.
var maxAttrName = len(attrNamesByLen[0])

// attrAt is attrAt(r.d, i), but a position with no '=' within an attribute
// name's length is rejected without a look at its bytes: ordinary words
// are followed by one only where attributes are.
func (r *rebuilder) attrAt(i int) string {
	an, _ := r.attrKindAt(i)
	return an
}

// attrKindAt is r.attrAt with the kind of the attribute's value.
func (r *rebuilder) attrKindAt(i int) (string, valueKind) {
	if r.eq.next(r.d, i, '=')-i > maxAttrName {
		return "", 0
	}
	// The same place is asked for again (word, then startTag; valueEnd,
	// then startTag): remember the last answer.
	if i != r.attrPos {
		r.attrPos = i
		r.attrName, r.attrKind = attrKindAt(r.d, i)
	}
	return r.attrName, r.attrKind
}

// attrAt returns the attribute name followed by '=' at d[i:], or "".
func attrAt(d string, i int) string {
	an, _ := attrKindAt(d, i)
	return an
}

// attrKindAt is attrAt with the kind of the attribute's value.
func attrKindAt(d string, i int) (string, valueKind) {
	if i >= len(d) || !isAlpha(d[i]) {
		return "", 0
	}
	// Attribute names are letters (and a ':'): the first other byte must
	// be the '='.
	e := i + 1
	for e < len(d) && (isAlpha(d[e]) || d[e] == ':') {
		e++
	}
	if e >= len(d) || d[e] != '=' {
		return "", 0
	}
	for _, k := range attrFirst[d[i]] {
		n := attrNamesByLen[k]
		e := i + len(n)
		if e >= len(d) || d[e] != '=' {
			continue
		}
		w := d[i:e]
		if w == n || w == attrNamesUpper[k] {
			return w, attrKinds[k]
		}
	}
	return "", 0
}

// word handles the alphanumeric run d[i:j] and returns how many bytes it
// consumed (at least 1).
func (r *rebuilder) word(i, j int) int {
	d := r.d
	w := d[i:j]
	attrs := j < len(d) && d[j] == ' ' && r.attrAt(j+1) != ""
	var sufName string
	var sufInfo tagInfo
	var hasSuf bool
	if attrs || (j+1 < len(d) && d[j] == ' ' && d[j+1] == '/') {
		sufName, sufInfo, hasSuf = tagSuffix(w)
	}
	// A block element at a block boundary: "pHello", "ulli", "table border=",
	// or at the start of a line; or glued to the text before it when its
	// next tag follows at once: "text.pimg src=", "text:tabletbody".
	if blockFirst[w[0]] {
		boundary := r.atBoundary()
		lineStart := boundary || i > 0 && lineEnd[d[i-1]]
		glued := !boundary && !isAlnum(r.lastOut())
		afterTag := r.lastOut() == '>'
		// Inside a line and not right after a tag, only a block element
		// whose first child follows it (ul, ol, table, tbody, thead, tr)
		// or whose attributes do may start here.
		childOnly := !lineStart && !afterTag && !(hasSuf && attrs)
		if (lineStart || glued) && (!childOnly || childFirst[w[0]]) {
			for _, k := range tagFirst[w[0]] {
				n := tagNamesByLen[k]
				if !tagInfos[k].block || len(n) > len(w) {
					continue
				}
				name := w[:len(n)]
				if name != n && name != tagNamesUpper[k] {
					continue
				}
				if hasSuf && attrs && len(name) > len(w)-len(sufName) {
					continue // "table border=": the attribute path rebuilds it
				}
				if !lineStart && !(afterTag && (len(n) > 1 && n != "li" && n != "td" && n != "tr" && n != "th" || len(w) > 1 && isUpper(w[1]))) {
					rest := w[len(name):]
					next := strings.TrimLeft(d[i+len(name):min(len(d), i+len(name)+16)], " \r\n\t")
					if !(hasSuf && attrs && rest == sufName) && !childStarts(n, next) {
						continue
					}
				}
				if !r.blockAllowed(n) || !r.hasEndLater(i+len(name), name) {
					continue
				}
				ti := &tagInfos[k]
				if name != n {
					ti = &tagInfosUpper[k]
				}
				r.openBlock(i, name, ti)
				return len(name)
			}
		}
	}
	// A list glued to the text before it: "textulliItem".
	if len(w) >= 4 {
		for k := 0; k+4 <= len(w); k++ {
			if c := w[k+2]; c != 'l' && c != 'L' {
				continue
			}
			pair := w[k : k+4]
			if pair != "ulli" && pair != "olli" && pair != "ULLI" && pair != "OLLI" {
				continue
			}
			name := pair[:2]
			if !r.blockAllowed(lower(name)) || !r.hasEndLater(i+k+2, name) {
				break
			}
			if k > 0 {
				r.text(i, i+k)
			}
			r.openBlock(i+k, name, listInfos[name])
			return k + 2
		}
	}
	if hasSuf && attrs {
		ts := j - len(sufName)
		if ts > i {
			r.text(i, ts)
		}
		return ts - i + r.startTag(ts, sufName, sufInfo)
	}
	if hasSuf && (strings.EqualFold(sufName, "br") || strings.EqualFold(sufName, "hr")) {
		// "br /": <br />
		ts := j - len(sufName)
		if ts > i {
			r.text(i, ts)
		}
		r.emitTagEsc(ts, j+2, sufInfo.selfClose, sufInfo.escSelfClose, sufInfo.block)
		r.evidence += 2
		if ts == i && i > 0 && d[i-1] == ' ' && j+2 < len(d) && d[j+2] == ' ' {
			// "use br / hr": the word br between spaces is weak evidence.
			r.evidence -= 1.5
			r.strong--
		}
		return j + 2 - i
	}
	if j < len(d) && d[j] == ';' {
		if n := r.entity(i, j); n > 0 {
			return n
		}
	}
	if w[0] == '#' {
		r.text(i, i+1)
		return 1
	}
	r.text(i, j)
	return j - i
}

// listInfos are the tagInfos of ul and ol, as word finds them glued.
var listInfos = func() map[string]*tagInfo {
	m := map[string]*tagInfo{}
	for k, n := range tagNamesByLen {
		if n == "ul" || n == "ol" {
			m[n], m[tagNamesUpper[k]] = &tagInfos[k], &tagInfosUpper[k]
		}
	}
	return m
}()

// openBlock rebuilds the start tag of block element name (ti) at d[i].
func (r *rebuilder) openBlock(i int, name string, ti *tagInfo) {
	r.emitTagEsc(i, i+len(name), ti.open, ti.escOpen, true)
	r.stack = append(r.stack, openEl{name: name, block: true, outPos: r.lastTag - len(name) - 2})
	r.evidence++
}

// childStarts reports whether rest starts with the usual first child of a
// block element (ul → li, table → tbody or tr, tr → td or th).
func childStarts(name, rest string) bool {
	has := func(p string) bool { return hasPrefixFold(rest, p) }
	switch name {
	case "ul", "ol":
		return has("li")
	case "table":
		return has("tbody") || has("thead") || has("tr")
	case "tbody", "thead":
		return has("tr")
	case "tr":
		return has("td") || has("th")
	}
	return false
}

// blockAllowed reports whether a block element name may open inside the
// current stack (a p cannot hold another block).
func (r *rebuilder) blockAllowed(name string) bool {
	if len(r.stack) == 0 {
		return true
	}
	topEl := r.stack[len(r.stack)-1]
	top := lower(topEl.name)
	switch top {
	case "p", "h1", "h2", "h3", "h4", "h5", "h6":
		return false
	case "ul", "ol":
		return name == "li"
	case "table":
		return name == "tbody" || name == "thead" || name == "tr"
	case "tbody", "thead":
		return name == "tr"
	case "tr":
		return name == "td" || name == "th"
	}
	if !topEl.block { // as htmlTags[top].block: the stack holds known tags
		return false // inside an inline element
	}
	return true
}

// entity rebuilds an entity tail ending at d[j] == ';' within the word
// d[i:j]. It returns the bytes consumed, or 0 when the word has none.
func (r *rebuilder) entity(i, j int) int {
	d := r.d
	w := d[i:j]
	start := -1
	weight := 0.0
	if w[0] == '#' {
		if len(w) >= 3 && (w[1] == 'x' || w[1] == 'X') && allHex(w[2:]) && len(w) <= 8 {
			start, weight = i, 2
			r.strong++
		} else if len(w) >= 2 && len(w) <= 8 && allDigits(w[1:]) {
			start, weight = i, 2
			r.strong++
		}
	} else {
		for k := 0; k < len(w); k++ {
			name := w[k:]
			if len(name) > 8 || !htmlEntities[name] {
				continue
			}
			prev := prevByte(d, i+k)
			if k == 0 {
				prev = r.lastOut()
			}
			glued := k > 0 || !isSpaceOrPunct(prev)
			if !entityPlausible(name, glued, prev) {
				continue
			}
			start = i + k
			switch name {
			case "nbsp", "amp", "lt", "gt", "quot":
				weight = 2
				r.strong++
			default:
				weight = 1
				if !glued {
					weight = 0.5
				}
				if glued || len(name) >= 4 && !wordTailEntities[name] {
					r.strong++ // cafeacute;, Itrsquo;s, mdash;: no plain word ends so
				}
			}
			break
		}
	}
	if start < 0 {
		return 0
	}
	if start > i {
		r.text(i, start)
	}
	ent := ""
	if r.afterNeeded() {
		ent = "&" + d[start:j+1]
	}
	r.flush()
	r.out = append(r.out, '&')
	r.out = append(r.out, d[start:j+1]...)
	r.mark(len(r.out) - (j + 2 - start))
	r.addChange(Change{Offset: start, Kind: ChangeEntity, Before: d[start : j+1], After: ent})
	r.evidence += weight
	return j + 1 - i
}

// entityPlausible decides whether an entity name found before ';' was an
// entity: ordinary words end in entity names (online; result; camp;), so a
// name glued to the word before it must be long and not a common word; the
// short ones are accepted glued only after a digit (10lt;) or, for amp, an
// upper-case letter (Ramp;D from R&amp;D).
func entityPlausible(name string, glued bool, prev byte) bool {
	if !glued {
		return !commonWordEntities[name] && !commonWordEntities[lower(name)]
	}
	switch name {
	case "nbsp", "quot":
		return true
	case "amp":
		return isUpper(prev) || isDigit(prev)
	case "lt", "gt":
		return isDigit(prev)
	}
	return len(name) >= 4 && !commonWordEntities[name] && !wordTailEntities[name]
}

// lastOut returns the last byte written, or ' ' at the start.
func (r *rebuilder) lastOut() byte {
	if r.pendFrom < r.pendTo {
		return r.d[r.pendTo-1]
	}
	if len(r.out) == 0 {
		return ' '
	}
	return r.out[len(r.out)-1]
}

func prevByte(s string, i int) byte {
	if i == 0 {
		return ' '
	}
	return s[i-1]
}

func isSpaceOrPunct(c byte) bool {
	return c < 0x80 && !isAlnum(c)
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return s != ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// comment rebuilds "!-- … --" as an HTML comment.
func (r *rebuilder) comment(i int) int {
	e := strings.Index(r.d[i+3:], "--")
	if e < 0 {
		return 0
	}
	j := i + 3 + e + 2
	r.emitTag(i, j, "<"+r.d[i:j]+">", false)
	r.evidence++
	return j - i
}

// endTag tries to rebuild an end tag at d[i] == '/'. It returns the bytes
// consumed, or 0 when d[i] stays text.
func (r *rebuilder) endTag(i int) int {
	s := r.d[i+1:]
	if s == "" {
		return 0
	}
	// The tag names that start s, in the case written, longest first.
	for _, k := range tagFirst[s[0]] {
		n := tagNamesByLen[k]
		if len(n) > len(s) || tagInfos[k].void {
			continue
		}
		var ti *tagInfo
		switch w := s[:len(n)]; w {
		case n:
			ti = &tagInfos[k]
		case tagNamesUpper[k]:
			ti = &tagInfosUpper[k]
		default:
			continue
		}
		if took := r.endTagNamed(i, s[:len(n)], ti); took > 0 {
			return took
		}
	}
	return 0
}

// endTagNamed tries to rebuild the end tag of name (not void, described
// by ti) at d[i] == '/'. It returns the bytes consumed, or 0 when this
// name does not end there.
func (r *rebuilder) endTagNamed(i int, name string, ti *tagInfo) int {
	d := r.d
	after := i + 1 + len(name)
	glued := after < len(d) && isAlnum(d[after])
	if isUpper(name[0]) && glued && isLower(d[after]) {
		return 0 // "/Physics" is not </P>
	}
	if k := r.onStack(name); k >= 0 {
		if glued && isLower(d[after]) && !blockTagStarts(d[after:]) && !entityTailAt(d, after) && r.cleanEndSoon(after, name) {
			return 0 // "/again", "/project" in a URL shown as text; the end comes later
		}
		for _, e := range r.stack[k+1:] {
			r.addDoubt(0.5, "closed implicitly ", e.name, i)
		}
		r.stack = r.stack[:k]
		r.emitTagEsc(i, after, ti.close, ti.escClose, ti.block)
		r.evidence++
		return after - i
	}
	if glued && !blockTagStarts(d[after:]) {
		return 0
	}
	if ti.block {
		r.addDoubt(0.3, "end tag never opened /", name, i)
		return 0
	}
	if !bareInline(name) {
		return 0 // a, font and span come with attributes
	}
	if p, in, ok := r.findInlineStart(name); ok {
		r.insertStart(p, in, name, ti.open, ti.escOpen)
		r.emitTagEsc(i, after, ti.close, ti.escClose, false)
		r.evidence += 2
		return after - i
	}
	return 0
}

// maxInlineSearch bounds how far back an inline start is searched.
const maxInlineSearch = 4096

// findInlineStart searches the text rebuilt since the last block tag (and
// after the innermost open element) for where the inline element name
// started: of the occurrences at a word boundary, the one startScore rates
// best, less a cost per word from the end tag (nearer wins a tie); else the
// right-most occurrence at all (with doubt).
func (r *rebuilder) findInlineStart(name string) (outPos, inPos int, ok bool) {
	r.flush()
	floor := r.blockStart
	if n := len(r.stack); n > 0 && r.stack[n-1].outPos > floor {
		floor = r.stack[n-1].outPos
	}
	best := startCand{out: -1, score: math.Inf(-1)} // the best whose score is known
	// Candidates whose word is no frequent one and whose content is no
	// word the field knows score 0, or -1.5 if the field holds the word
	// itself: that search is left for the end, for the few that may win.
	var pend [maxStartLooks]startCand
	npend := 0
	anyOut, anyIn := -1, -1
	words := 0 // words passed since the end tag, for the distance cost
	looks := 0 // candidates for which the field was searched
	for k := len(r.segs) - 1; k >= 0; k-- {
		s := r.segs[k]
		if s.out+s.n <= floor || len(r.out)-(s.out+s.n) > maxInlineSearch {
			break
		}
		txt := r.out[s.out : s.out+s.n]
		for e := len(txt); e > 0; {
			p := bytes.LastIndex(txt[:e], []byte(name))
			if p < 0 {
				break
			}
			words += bytes.Count(txt[p:e], []byte{' '})
			if maxStartScore-startDistanceCost*float64(words) <= best.score {
				goto found // nothing further back can beat the best
			}
			e = p
			op := s.out + p
			if op < floor || op+len(name) >= len(r.out) {
				continue // before the floor, or nothing inside
			}
			if c := r.out[op+len(name)]; c == ' ' || c == '\n' {
				continue // content does not start with a space
			}
			if op == 0 || boundaryByte(r.out[op-1]) {
				c := startCand{out: op, in: s.in + p, order: looks}
				cost := startDistanceCost * float64(words)
				raw, st := r.startScore(name, op, c.in, best.score+cost, looks < maxStartLooks)
				looks++
				c.raw, c.score = raw, raw-cost
				switch st {
				case startBeaten:
					continue
				case startPending:
					c.word = r.wordAt(op, c.in)
					pend[npend] = c
					npend++
					continue
				}
				if c.score > best.score {
					best = c
				}
				if raw >= 1 {
					goto found // the content is a word, the text is none
				}
				continue
			}
			if anyOut < 0 {
				anyOut, anyIn = op, s.in+p
			}
		}
	}
found:
	// A pending candidate that would win is looked up; if the field
	// holds its word, it drops and the next may win.
	for {
		k := -1
		for i := range npend {
			if c := pend[i]; c.out >= 0 && c.beats(best) && (k < 0 || c.beats(pend[k])) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		c := &pend[k]
		lw := strings.ToLower(c.word)
		fp, _ := r.searchWords(lw, len(name), true, false)
		if elsewhere(fp, c.in) {
			c.raw -= 1.5
			c.score -= 1.5
		}
		if c.beats(best) {
			best = *c
		}
		c.out = -1
	}
	if best.out >= 0 {
		if best.raw < 0.5 {
			r.addDoubt(0.3, "inline start breaks a word ", name, best.in)
		}
		return best.out, best.in, true
	}
	if anyOut >= 0 {
		r.addDoubt(0.5, "inline start inside a word ", name, anyIn)
		return anyOut, anyIn, true
	}
	return 0, 0, false
}

// startCand is a candidate start of an inline element: out[out:] (from
// d[in:]), the word there, its score without and with the distance cost,
// and its order from the end tag back.
type startCand struct {
	out, in    int
	word       string
	raw, score float64
	order      int
}

// beats reports whether c is a better start than b: a higher score, or as
// high and nearer the end tag.
func (c startCand) beats(b startCand) bool {
	return b.out < 0 || c.score > b.score || c.score == b.score && c.order < b.order
}

// What startScore knows of its score.
const (
	startKnown   = iota // the score is known
	startBeaten         // the score cannot beat the best: not worked out
	startPending        // the score is 0, or 1.5 less if the field holds the word
)

// maxStartScore is the highest startScore; startDistanceCost is what each
// word between a candidate start and the end tag costs (inline elements
// hold a few words more often than many).
const maxStartScore, startDistanceCost = 3, 0.2

// maxStartLooks is how many candidate starts, nearest first, are looked up
// in the rest of the field; further ones are rated on their shape and the
// frequent words only (fields with many inline tags stay linear).
const maxStartLooks = 2

// startScore rates the word at out[op] (from d[in]) as the place where the
// inline element name started: the text there is name glued to the first
// word of the content. The word with the name taken off should be a word
// ("bmarks": marks), and the word as it stands should not ("ball": a word
// the text may hold, not <b>all). Signals that hold in any language come
// first: a content word that starts with a capital, a digit or a
// non-ASCII letter after a lower-case name ("bForum", "b1109", "bÄrger"), a
// doubled first letter ("bbottom"); then the field itself (is the word, or
// the rest, written elsewhere in it) and the short list of frequent English
// words.
//
// The field is searched only where it may change the choice: when the
// score cannot exceed beat, the state is startBeaten; when only the search
// for the word itself is left, startPending.
func (r *rebuilder) startScore(name string, op, in int, beat float64, search bool) (score float64, state int) {
	word := r.wordAt(op, in)
	rest := word[len(name):]
	sc := 0.0
	if rest == "" {
		// Only a word of letters and digits is read: a content that
		// starts with a non-ASCII letter ("bΕλληνικά") or a sign ("b-")
		// ends it at once.
		if e := op + len(word); e < len(r.out) && r.out[e] >= 0x80 {
			return 2, startKnown
		}
		return -1, startKnown
	}
	c := rest[0]
	switch {
	case isLower(name[len(name)-1]) && (isUpper(c) || isDigit(c) || c >= 0x80):
		sc += 2
	case c == name[len(name)-1] && len(name) == 1:
		sc += 1.5 // "bbottom": no word starts so
	}
	lw := strings.ToLower(word)
	lr := lw[len(name):]
	cw, cr := commonWords[lw], commonWords[lr]
	shape := sc
	if cw {
		sc -= 1.5
	}
	if cr {
		sc++
	}
	// After a shape that is no word, the start is taken whether the word
	// is written elsewhere or not.
	needFull := search && shape == 0 && !cw && len(lw) >= 2
	needRest := search && !cr && len(lr) >= 2
	if ub := sc + b2f(needRest); ub <= beat && ub < 1 {
		return sc, startBeaten // (a score of 1 would end the search)
	}
	if needRest {
		// Both words are found in one pass when both are asked.
		_, rp := r.searchWords(lw, len(name), needFull, true)
		if elsewhere(rp, -1) {
			sc++
		}
	}
	if needFull {
		if sc < 1 {
			return sc, startPending
		}
		fp, _ := r.searchWords(lw, len(name), true, false)
		if elsewhere(fp, in) {
			sc -= 1.5
		}
	}
	return sc, startKnown
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// elsewhere reports whether the places pl of a word (see searchWords)
// hold one that is not self.
func elsewhere(pl [2]int, self int) bool {
	return pl[0] >= 0 && pl[0] != self || pl[1] >= 0 && pl[1] != self
}

// searchWords returns the first two places in d of the whole word w (when
// full) and of w[n:] (when rest), kept in wordSeen for the field: a word
// the text uses elsewhere is a real word. Both are found in one pass over
// the field when neither is known yet.
func (r *rebuilder) searchWords(w string, n int, full, rest bool) (fp, rp [2]int) {
	if r.wordSeen == nil {
		r.wordSeen = map[string][2]int{}
	}
	haveFull, haveRest := false, false
	if full {
		fp, haveFull = r.wordSeen[w]
	}
	if rest {
		rp, haveRest = r.wordSeen[w[n:]]
	}
	switch {
	case full && !haveFull && rest && !haveRest:
		fp, rp = r.searchPair(w, n)
		r.wordSeen[w], r.wordSeen[w[n:]] = fp, rp
	case full && !haveFull:
		fp = r.searchWord(w)
		r.wordSeen[w] = fp
	case rest && !haveRest:
		rp = r.searchWord(w[n:])
		r.wordSeen[w[n:]] = rp
	}
	return fp, rp
}

// searchPair is searchWord of w and of w[n:] in one pass: each place of
// w[n:] is a whole word, the end of w, or neither.
func (r *rebuilder) searchPair(w string, n int) (full, rest [2]int) {
	d, tail, head := r.d, w[n:], w[:n]
	full, rest = [2]int{-1, -1}, [2]int{-1, -1}
	nf, nr := 0, 0
	for i := 0; nf < 2 || nr < 2; {
		k := strings.Index(d[i:], tail)
		if k < 0 {
			break
		}
		p := i + k
		i = p + 1
		if e := p + len(tail); e < len(d) && isAlpha(d[e]) {
			continue
		}
		switch {
		case p == 0 || !isAlpha(d[p-1]):
			if nr < 2 {
				rest[nr] = p
				nr++
			}
		case p >= n && d[p-n:p] == head && (p == n || !isAlpha(d[p-n-1])):
			if nf < 2 {
				full[nf] = p - n
				nf++
			}
		}
	}
	return full, rest
}

// searchWord returns the first two places of w in d as a whole word (-1:
// none).
func (r *rebuilder) searchWord(w string) [2]int {
	pl := [2]int{-1, -1}
	n := 0
	for i := 0; ; {
		k := strings.Index(r.d[i:], w)
		if k < 0 {
			return pl
		}
		p := i + k
		e := p + len(w)
		if (p == 0 || !isAlpha(r.d[p-1])) && (e == len(r.d) || !isAlpha(r.d[e])) {
			pl[n] = p
			n++
			if n == 2 {
				return pl
			}
		}
		i = p + 1
	}
}

// wordAt returns the word (letters, digits and apostrophes) starting at
// out[i]; in is where that text came from in d, whose copy is returned
// when it is the same (no allocation).
func (r *rebuilder) wordAt(i, in int) string {
	b := r.out
	j := i
	for j < len(b) && (isAlnum(b[j]) || b[j] == '\'') {
		j++
	}
	if e := in + j - i; in >= 0 && e <= len(r.d) && r.d[in:e] == string(b[i:j]) {
		return r.d[in:e]
	}
	return string(b[i:j])
}

// entityTailAt reports whether an entity tail ("nbsp;") starts at d[i].
func entityTailAt(d string, i int) bool {
	j := i
	for j < len(d) && j-i <= 8 && isAlnum(d[j]) {
		j++
	}
	return j < len(d) && d[j] == ';' && htmlEntities[d[i:j]]
}

// cleanEndSoon reports whether "/name" followed by a non-alphanumeric byte
// comes within the next 300 bytes after i.
func (r *rebuilder) cleanEndSoon(i int, name string) bool {
	d := r.d
	end := min(len(d), i+300)
	for p := i; p < end; {
		k := strings.Index(d[p:end], "/"+name)
		if k < 0 {
			return false
		}
		e := p + k + 1 + len(name)
		if e == len(d) || !isAlnum(d[e]) {
			return true
		}
		p = e
	}
	return false
}

// bareInline reports whether an inline element is usually written without
// attributes, so that its start may be searched back from its end tag.
func bareInline(name string) bool {
	switch lower(name) {
	case "b", "i", "u", "em", "strong", "sub", "sup":
		return true
	}
	return false
}

// blockTagStarts reports whether s starts with a block element's name
// ("/apimg", "/bol": an end tag glued to the next block).
func blockTagStarts(s string) bool {
	if s == "" {
		return false
	}
	for _, k := range blockOrVoidFirst[s[0]] {
		n := tagNamesByLen[k]
		if len(n) > len(s) {
			continue
		}
		if w := s[:len(n)]; w == n || w == tagNamesUpper[k] {
			return true
		}
	}
	return false
}

func boundaryByte(c byte) bool {
	switch c {
	case ' ', '\n', '\t', '>', '(', '[', '\'', '-', ':', ',':
		return true
	}
	return false
}

// insertStart turns the text name at out[p:] (input offset in) into the
// start tag tag (<name>).
func (r *rebuilder) insertStart(p, in int, name, tag, esc string) {
	n := len(tag) - len(name)
	r.out = append(r.out, make([]byte, n)...)
	copy(r.out[p+len(tag):], r.out[p+len(name):len(r.out)-n])
	copy(r.out[p:], tag)
	if r.lastTag > p {
		r.lastTag += n
	}
	for k := range r.stack {
		if r.stack[k].outPos > p {
			r.stack[k].outPos += n
		}
	}
	// The marks after p shift; the new tag is marked in its place.
	at := len(r.marks)
	for k := len(r.marks) - 1; k >= 0 && r.marks[k].from >= p; k-- {
		r.marks[k].from += n
		r.marks[k].to += n
		at = k
	}
	r.marks = slices.Insert(r.marks, at, span{p, p + len(tag), esc})
	// Split the segment holding p; later segments shift. The segments
	// are in order: those ending by p (all but the last few) stay.
	k0 := len(r.segs)
	for k0 > 0 && r.segs[k0-1].out+r.segs[k0-1].n > p {
		k0--
	}
	tail := append(r.segTmp[:0], r.segs[k0:]...)
	segs := r.segs[:k0]
	for _, s := range tail {
		switch {
		case s.out > p:
			s.out += n
			segs = append(segs, s)
		default:
			if p > s.out {
				segs = append(segs, seg{out: s.out, in: s.in, n: p - s.out})
			}
			rest := s.out + s.n - (p + len(name))
			if rest > 0 {
				segs = append(segs, seg{out: p + len(tag), in: s.in + (p - s.out) + len(name), n: rest})
			}
		}
	}
	r.segs, r.segTmp = segs, tail
	r.addChange(Change{Offset: in, Kind: ChangeTag, Before: name, After: tag})
}

// startTag rebuilds a start tag with attributes at d[ts:], name being the
// tag name there. It returns the bytes consumed.
func (r *rebuilder) startTag(ts int, name string, ti tagInfo) int {
	r.flush()
	d := r.d
	k := ts + len(name)
	b := append(r.tagBuf[:0], '<')
	b = append(b, name...)
	r.href = ""
	for k < len(d) && d[k] == ' ' {
		an, kind := r.attrKindAt(k + 1)
		if an == "" {
			break
		}
		v := k + 1 + len(an) + 1
		e := r.valueEnd(kind, name, ti, v)
		if an == "href" || an == "HREF" {
			r.href = d[v:e]
		}
		b = append(b, ' ')
		b = append(b, an...)
		b = append(b, `="`...)
		b = appendFixedEntities(b, d[v:e], kind)
		b = append(b, '"')
		r.evidence += 0.5
		k = e
	}
	selfClose := false
	if strings.HasPrefix(d[k:], " /") {
		selfClose = true
		b = append(b, " />"...)
		k += 2
	} else {
		b = append(b, '>')
	}
	r.tagBuf = b
	tag := ""
	if r.afterNeeded() {
		tag = string(b)
	}
	r.out = append(r.out, b...)
	r.mark(len(r.out) - len(b))
	r.tagEmitted(ts, k, tag, ti.block)
	if ti.void {
		r.evidence += 1.5
	} else if !selfClose {
		r.stack = append(r.stack, openEl{name: name, block: ti.block, outPos: len(r.out) - len(b)})
		r.evidence++
	}
	return k - ts
}

// appendFixedEntities appends v, an attribute value of kind, to b with its
// entity tails rebuilt: amp; and quot; everywhere, other names and numbers in URLs and text
// (never in CSS or colours, where "underline;" and "#284111;" are values).
func appendFixedEntities(b []byte, v string, kind valueKind) []byte {
	if !strings.Contains(v, ";") {
		return append(b, v...)
	}
	i := 0
	for i < len(v) {
		c := v[i]
		if c == '#' || isAlnum(c) {
			j := i + 1
			for j < len(v) && isAlnum(v[j]) {
				j++
			}
			if j < len(v) && v[j] == ';' {
				if s := entityStart(v, i, j, kind); s >= 0 {
					b = append(b, v[i:s]...)
					b = append(b, '&')
					b = append(b, v[s:j+1]...)
					i = j + 1
					continue
				}
			}
			b = append(b, v[i:j]...)
			i = j
			continue
		}
		b = append(b, c)
		i++
	}
	return b
}

// entityStart returns where an entity name ending at v[j] == ';' starts in
// the word v[i:j], or -1.
func entityStart(v string, i, j int, kind valueKind) int {
	w := v[i:j]
	if kind == vStyle || kind == vColor {
		switch {
		case strings.HasSuffix(w, "quot"):
			return j - 4
		case strings.HasSuffix(w, "amp"):
			return j - 3
		}
		return -1
	}
	if w[0] == '#' {
		if len(w) >= 2 && len(w) <= 8 && allDigits(w[1:]) || len(w) >= 3 && (w[1] == 'x' || w[1] == 'X') && allHex(w[2:]) {
			return i
		}
		return -1
	}
	for k := 0; k < len(w); k++ {
		name := w[k:]
		if !htmlEntities[name] {
			continue
		}
		prev := prevByte(v, i+k)
		glued := k > 0 || !isSpaceOrPunct(prev)
		if name == "amp" || entityPlausible(name, glued, prev) {
			return i + k
		}
	}
	return -1
}
