package charset

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/mappings"
	"github.com/moodlemig/moodlemig/report"
)

// Finding codes of transcode.
const (
	CodeTranscoded   = "charset.transcoded"   // lifted legacy text decoded with its owner's charset
	CodeLegacyBytes  = "charset.legacy-bytes" // raw legacy bytes (not UTF-8) decoded
	CodeWindows1252  = "charset.windows-1252" // C1 controls read as windows-1252
	CodeMojibake     = "charset.mojibake"     // double-encoded UTF-8 repaired
	CodeUndecided    = "charset.undecided"    // a field left as it was: the evidence does not decide
	CodeGuess        = "charset.guess"        // a charset chosen on weak evidence (said so)
	CodeDeclaration  = "charset.declaration"  // the XML declaration rewritten to UTF-8
	CodeLatin1Kept   = "charset.latin1-kept"  // C1 controls kept: windows-1252 leaves a byte undefined
	CodeNotTIS620    = "charset.not-tis620"   // bytes TIS-620 leaves undefined, decoded as windows-874
	CodeLangRenamed  = "charset.lang-renamed" // a legacy LANG pack renamed to its _utf8 pack
	CodeInvalidUTF8  = "charset.invalid-utf8" // bytes outside any decoded text replaced by U+FFFD
	maxField         = 1 << 20                // longest field decided as one piece
	pre16LastVersion = 2005070500             // last BACKUP_VERSION of Moodle 1.5 (spec §2.5)
)

// Options configure transcoding.
type Options struct {
	// From is "auto" (or "") to decide from the evidence, or a charset
	// name every legacy text is in (Lookup names).
	From string
	// SiteLang is the language pack of the source site (e.g. "ru"); the
	// backup does not carry it. "" means: the most common user language,
	// reported as a guess.
	SiteLang string
	// FixMojibake repairs double-encoded UTF-8 ("Ã©" → "é").
	FixMojibake bool
	// KeepUndecided keeps fields whose charset cannot be decided (reported)
	// instead of failing.
	KeepUndecided bool
	// Report receives one finding per change (nil: none).
	Report report.Sink
}

// UndecidedError says why auto cannot pick a charset and which option to
// set.
type UndecidedError struct {
	Reason   string
	Evidence []string
	// Option is what to set, e.g. "from: windows-1251".
	Option string
}

func (e *UndecidedError) Error() string {
	s := "cannot decide the charset: " + e.Reason
	if len(e.Evidence) > 0 {
		s += " (" + strings.Join(e.Evidence, "; ") + ")"
	}
	return s + "; set " + e.Option
}

// User is what a prescan learns of one USERS/USER.
type User struct {
	ID        int64
	Lang      string
	Teacher   bool
	Authority int
}

// Sample locates one text field that needs a charset.
type Sample struct {
	Line, Column int
	Path         string
	Text         string
}

func (s Sample) String() string {
	return fmt.Sprintf("line %d:%d %s %q", s.Line, s.Column, s.Path, s.Text)
}

// Evidence is what the first pass over moodle.xml learns.
type Evidence struct {
	BackupVersion string
	MoodleVersion string
	// Declared is the encoding of the XML declaration ("" when none).
	Declared   string
	CourseLang string
	Users      []User
	// Fields counts text fields by kind: ASCII-only fields are not counted.
	// Once a field that needs a charset was seen (raw, or lifted in a
	// pre-1.6 file), counting stops after 5000 non-ASCII fields: a sample
	// is all the decision needs.
	Lifted int // valid UTF-8, every code point <= U+00FF
	UTF8   int // valid UTF-8 with code points above U+00FF
	Raw    int // not valid UTF-8
	// HighLetters and ASCIILetters count letters of lifted fields in
	// U+00C0–U+00FF and in ASCII: a high share means non-Latin text.
	HighLetters, ASCIILetters int
	First                     *Sample // the first lifted or raw field
	// late lists records (by start-tag ordinal) whose USERID follows
	// their text, in the order the USERIDs came.
	late []lateUser
}

// Pre16 reports whether the backup comes from Moodle 1.5 or older.
func (ev *Evidence) Pre16() bool {
	v, err := strconv.ParseInt(strings.TrimSpace(ev.BackupVersion), 10, 64)
	return err == nil && v <= pre16LastVersion
}

// TeacherLang returns the language of the main teacher: the teacher with
// the lowest AUTHORITY (first on ties), "" when none.
func (ev *Evidence) TeacherLang() string {
	best := -1
	for i, u := range ev.Users {
		if !u.Teacher || u.Lang == "" {
			continue
		}
		if best < 0 || u.Authority < ev.Users[best].Authority {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return ev.Users[best].Lang
}

// CommonUserLang returns the most common non-empty user language.
func (ev *Evidence) CommonUserLang() string {
	n := map[string]int{}
	for _, u := range ev.Users {
		if u.Lang != "" {
			n[u.Lang]++
		}
	}
	best, bn := "", 0
	for l, c := range n {
		if c > bn || c == bn && l < best {
			best, bn = l, c
		}
	}
	return best
}

// fieldBuf gathers a text field from its first non-ASCII byte; the ASCII
// prefix needs no decision.
type fieldBuf struct {
	buf    []byte
	active bool
}

// prescan is the first pass's handler.
type prescan struct {
	s    *scanner
	ev   *Evidence
	f    fieldBuf
	pend []bool // by depth: open records with non-ASCII text before their USERID
	// marked: pend is up to date for the open elements down to this depth
	// (a record once marked stays so until another element opens there).
	marked int
	curUsr *User
	pre16  bool
	line   int
	col    int
}

// Prescan reads moodle.xml once and gathers the evidence a Transcoder
// decides from. Memory stays bounded (one field of at most 1 MiB, one entry
// per user).
func Prescan(r io.Reader) (*Evidence, error) { return prescanWith(r, false) }

// prescanWith is Prescan, with the scanner's shortcuts off when general
// (for tests).
func prescanWith(r io.Reader, general bool) (*Evidence, error) {
	p := &prescan{ev: &Evidence{}}
	p.s = newScanner(p)
	p.s.general = general
	buf := make([]byte, 64<<10)
	first := true
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if first {
				p.ev.Declared = declaredEncoding(buf[:n])
				first = false
			}
			p.s.feed(buf[:n])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("prescan: %w", err)
		}
	}
	p.endField()
	return p.ev, nil
}

// declaredEncoding returns the encoding of an XML declaration at the start
// of p.
func declaredEncoding(p []byte) string {
	p = bytes.TrimPrefix(p, []byte("\xEF\xBB\xBF"))
	if !bytes.HasPrefix(p, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(p, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := p[:end]
	k := bytes.Index(decl, []byte("encoding"))
	if k < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[k+8:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
		return ""
	}
	q := rest[0]
	e := bytes.IndexByte(rest[1:], q)
	if e < 0 {
		return ""
	}
	return string(rest[1 : 1+e])
}

func (p *prescan) text(b []byte) {
	if !p.f.active {
		k := firstNonASCII(b)
		if k < 0 {
			return
		}
		p.f.active = true
		p.s.busy = true
		if p.ev.First == nil {
			p.line, p.col, _ = p.s.pos(k)
		}
		b = b[k:]
	}
	if p.sampled() {
		return // enough evidence: only note that the field is not ASCII
	}
	if len(p.f.buf)+len(b) > maxField {
		b = b[:max(0, maxField-len(p.f.buf))]
	}
	p.f.buf = append(p.f.buf, b...)
}

// sampleFields is how many non-ASCII fields the prescan classifies once it
// has seen one that needs a charset; the counts of Evidence are then a
// sample, which is all the decision needs.
const sampleFields = 5000

func (p *prescan) sampled() bool {
	ev := p.ev
	return ev.Lifted+ev.UTF8+ev.Raw >= sampleFields && (ev.Raw > 0 || p.pre16 && ev.Lifted > 0)
}

func (p *prescan) endField() {
	if !p.f.active {
		return
	}
	v := p.f.buf
	p.f.buf, p.f.active = p.f.buf[:0], false
	p.s.busy = false
	depth := p.s.path.Depth()
	for d := p.marked + 1; d <= depth; d++ {
		if p.s.recUser[d-1] == 0 {
			for len(p.pend) <= d {
				p.pend = append(p.pend, false)
			}
			p.pend[d] = true
		}
	}
	p.marked = max(p.marked, depth)
	if p.sampled() {
		return
	}
	switch classify(v) {
	case classLifted:
		p.ev.Lifted++
		// Only C2/C3 lead bytes occur: C3 80–BF is U+00C0–U+00FF.
		for i, b := range v {
			switch {
			case b == 0xC3 && i+1 < len(v) && v[i+1] != 0x97 && v[i+1] != 0xB7:
				p.ev.HighLetters++
			case b|0x20 >= 'a' && b|0x20 <= 'z':
				p.ev.ASCIILetters++
			}
		}
	case classUTF8:
		p.ev.UTF8++
		return
	case classRaw:
		p.ev.Raw++
	}
	if p.ev.First == nil {
		p.ev.First = &Sample{Line: p.line, Column: p.col, Path: p.s.path.String(), Text: shortSample(v)}
		p.s.noPos = true // the one position the prescan needs
	}
}

func (p *prescan) open(s *scanner, name []byte) {
	d := s.path.Depth()
	if d < len(p.pend) {
		p.pend[d] = false
	}
	p.marked = min(p.marked, d-1)
	if s.userDepth == s.path.Depth() {
		p.ev.Users = append(p.ev.Users, User{})
		p.curUsr = &p.ev.Users[len(p.ev.Users)-1]
	}
}

func (p *prescan) leaf(s *scanner, nb []byte, val []byte) {
	d := s.path.Depth()
	name := ""
	switch string(nb) {
	case "BACKUP_VERSION", "MOODLE_VERSION", "LANG", "TYPE", "AUTHORITY":
		name = string(nb)
	case "ID":
		if s.userDepth > 0 && d == s.userDepth+1 && p.curUsr != nil {
			p.curUsr.ID = parseID(val)
		}
		return
	case "USERID":
		if s.userDepth == 0 && d >= 2 {
			// A USERID after text of the same record: remember it by the
			// record's ordinal for the second pass.
			if d-1 < len(p.pend) && p.pend[d-1] {
				if id := parseID(val); id > 0 {
					p.ev.late = append(p.ev.late, lateUser{s.recOrd[d-2], id})
				}
			}
			s.setRecordUser(val)
		}
		return
	default:
		return
	}
	v := string(bytes.TrimSpace(val))
	switch name {
	case "BACKUP_VERSION", "MOODLE_VERSION":
		if s.path.HasSuffix("MOODLE_BACKUP", "INFO", name) {
			if name == "BACKUP_VERSION" {
				p.ev.BackupVersion = v
				p.pre16 = p.ev.Pre16()
			} else {
				p.ev.MoodleVersion = v
			}
		}
	case "LANG":
		if s.path.HasSuffix("COURSE", "HEADER", "LANG") {
			p.ev.CourseLang = v
		} else if s.userDepth > 0 && d == s.userDepth+1 && p.curUsr != nil {
			p.curUsr.Lang = v
		}
	case "TYPE":
		if s.userDepth > 0 && s.path.HasSuffix("ROLES", "ROLE", "TYPE") && p.curUsr != nil &&
			(v == "teacher" || v == "editingteacher") {
			p.curUsr.Teacher = true
		}
	case "AUTHORITY":
		if s.userDepth > 0 && s.path.HasSuffix("ROLES", "ROLE", "AUTHORITY") && p.curUsr != nil {
			if n, err := strconv.Atoi(v); err == nil {
				p.curUsr.Authority = n
			}
		}
	}
}

type class uint8

const (
	classASCII class = iota
	classLifted
	classUTF8
	classRaw
)

// classify tells lifted text (valid UTF-8, every code point <= U+00FF) from
// real UTF-8 and from bytes that are not UTF-8.
func classify(v []byte) class {
	// Fast path for what pre-1.6 files hold: ASCII and C2/C3 pairs.
	c := classASCII
	i := 0
	for i < len(v) {
		if i+8 <= len(v) && binary.LittleEndian.Uint64(v[i:])&asciiMask == 0 {
			i += 8
			continue
		}
		b := v[i]
		if b < 0x80 {
			i++
			continue
		}
		if (b == 0xC2 || b == 0xC3) && i+1 < len(v) && v[i+1]&0xC0 == 0x80 {
			c = classLifted
			i += 2
			continue
		}
		break
	}
	if i == len(v) {
		return c
	}
	if !utf8.Valid(v) {
		return classRaw
	}
	c = classASCII
	for _, b := range v {
		if b >= 0xC4 {
			return classUTF8
		}
		if b >= 0x80 {
			c = classLifted
		}
	}
	return c
}

func firstNonASCII(p []byte) int {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		if binary.LittleEndian.Uint64(p[i:])&asciiMask != 0 {
			break
		}
	}
	for ; i < len(p); i++ {
		if p[i] >= 0x80 {
			return i
		}
	}
	return -1
}

// shortSamples returns shortSample(a) and shortSample(b), in one
// allocation when both are valid UTF-8 (a finding per rewritten field
// needs both).
func shortSamples(a, b []byte) (string, string) {
	a, b = sampleCut(a), sampleCut(b)
	if !utf8.Valid(a) || !utf8.Valid(b) {
		return shortSample(a), shortSample(b)
	}
	var buf [2 * sampleLen]byte
	s := string(append(append(buf[:0], a...), b...))
	return s[:len(a)], s[len(a):]
}

// sampleLen is the most bytes of text a sample shows.
const sampleLen = 40

// sampleCut cuts v to at most sampleLen bytes, on a UTF-8 lead byte.
func sampleCut(v []byte) []byte {
	if len(v) > sampleLen {
		k := sampleLen
		for k > 0 && v[k]&0xC0 == 0x80 {
			k--
		}
		v = v[:k]
	}
	return v
}

func shortSample(v []byte) string {
	v = sampleCut(v)
	if utf8.Valid(v) {
		return string(v)
	}
	b := make([]byte, 0, 4*len(v))
	for len(v) > 0 {
		r, size := utf8.DecodeRune(v)
		if r == utf8.RuneError && size == 1 {
			const hex = "0123456789ABCDEF"
			b = append(b, '\\', 'x', hex[v[0]>>4], hex[v[0]&15])
		} else {
			b = append(b, v[:size]...)
		}
		v = v[size:]
	}
	return string(b)
}

// owner is who a text belongs to, and what follows for its charset.
// desc says where the owner's charset came from, for messages.
// message returns the message of format for o, built once: %[1]s is the
// charset of lifted text, %[2]s the owner, %[3]s the charset of raw bytes.
func (o *owner) message(cache *string, format string) string {
	if *cache == "" {
		cs, raw := "", ""
		if o.cs != nil {
			cs = o.cs.Name
		}
		if o.rawCS != nil {
			raw = o.rawCS.Name
		}
		*cache = fmt.Sprintf(format, cs, o.desc(), raw)
	}
	return *cache
}

func (o *owner) desc() string {
	why := o.why
	if o.uid != 0 {
		why = fmt.Sprintf("%s %d", why, o.uid)
	}
	if o.lang == "" {
		return why
	}
	return fmt.Sprintf("%s %q", why, o.lang)
}

type owner struct {
	// messages built once per owner
	msgDecoded, msgLiftedUTF8, msgRaw string

	uid    int64
	lang   string
	why    string
	lifted bool     // the text went through utf8_encode
	cs     *Charset // charset of lifted text (nil: unknown)
	rawCS  *Charset // charset of raw legacy bytes (nil: unknown)
	dec    *Decoder
	rawDec *Decoder
	// fastLifted: lifted text of this owner is decoded by one table
	// (decodeLifted's first case), so decodeField may try it first.
	fastLifted bool
}

// Transcoder is a transform.Transformer that rewrites moodle.xml to real
// UTF-8, deciding field by field from the Evidence of a prescan (spec
// repairs.md §2.4, §2.5). Tags pass through unchanged, except that an XML
// declaration naming another encoding is rewritten to UTF-8. It is not safe
// for concurrent use; memory is bounded by one field (1 MiB) and its output.
type Transcoder struct {
	opts  Options
	ev    *Evidence
	table *mappings.LangCharsets
	from  *Charset // explicit or decided file-wide charset (nil: by owner)
	pre16 bool
	site  string
	// declared: the XML declaration names the (legacy) charset of every byte.
	declared bool
	// siteFromFile: site was taken from the users' languages.
	siteFromFile bool
	s            *scanner
	f            fieldBuf
	out          []byte
	outPos       int
	valid        int // t.out[:valid] is checked UTF-8
	// decoded lists the spans of t.out[valid:] that decoded fields wrote:
	// valid UTF-8 by construction, so sanitize need not check them again.
	decoded [][2]int
	owners  map[ownerKey]*owner
	lastKey ownerKey // the owner found last, and its key
	last    *owner
	late    []lateUser // ev.late sorted by ordinal
	// teacher is the main teacher's language; userLang maps user ids to
	// their language.
	teacher  string
	userLang map[int64]string
	decs     map[*Charset]*Decoder
	fpos     [3]int64 // line, column, offset of the current field's buffer start
	tmp      []byte
	tmp2     []byte
	first    bool
	undec    int
	undec1   string
	lang     []byte // a LANG value held back to be renamed
	inLang   bool
	langPos  [3]int64
	copyFrom int // pending bytes of the scanner's buffer start here
	paths    map[string]string
	cfg      []byte // a CONFIGDATA value (base64 of serialized PHP) held back
	inCfg    bool
	cfgOver  bool
	err      error
}

// configData writes the held CONFIGDATA value with the legacy bytes of its
// serialized strings decoded and their lengths recomputed (base64 hid them
// from utf8_encode, so they are raw bytes of the owner's charset).
func (t *Transcoder) configData() {
	v := t.cfg
	t.cfg, t.inCfg = t.cfg[:0], false
	o := t.ownerOf()
	cs := o.rawCS
	if cs == nil {
		cs = o.cs
	}
	n, bad := 0, 0
	out, ok := configStrings(v, func(str []byte) []byte {
		if utf8.Valid(str) {
			return str
		}
		if cs == nil || cs.IsUTF8() {
			bad++
			return str
		}
		d, nb := t.decoder(cs).Append(nil, str)
		if nb > 0 {
			bad++
			return str
		}
		n++
		return d
	})
	if !ok || n == 0 && bad == 0 {
		t.out = append(t.out, v...)
		return
	}
	l, c, off := t.s.pos(0)
	if bad > 0 {
		t.undec++
		if t.undec == 1 {
			t.undec1 = fmt.Sprintf("line %d %s: %d serialized string(s) not decodable (%s)", l, t.pathString(), bad, o.desc())
		}
	}
	if n == 0 {
		t.out = append(t.out, v...)
		return
	}
	t.out = append(t.out, out...)
	if !t.keeps(CodeTranscoded, report.Info, off) {
		return
	}
	t.report(report.Finding{Code: CodeTranscoded, Severity: report.Info, Line: l, Column: c, Offset: off, Path: t.pathString(),
		Message: fmt.Sprintf("%d serialized string(s) in base64 decoded from %s (%s), byte lengths recomputed", n, cs.Name, o.desc()),
		Before:  shortSample(v), After: shortSample(out), Fixed: true})
}

// pathString returns the current element path, interned: paths repeat
// field after field, so reporting them costs no allocation once seen.
func (t *Transcoder) pathString() string {
	p := t.s.path.Bytes()
	if s, ok := t.paths[string(p)]; ok {
		return s
	}
	s := string(p)
	if len(t.paths) < 4096 {
		if t.paths == nil {
			t.paths = map[string]string{}
		}
		t.paths[s] = s
	}
	return s
}

// renameLang writes the held LANG value; a legacy pack becomes its _utf8
// pack, as the 1.6 UTF-8 migration did, since the text is now UTF-8.
func (t *Transcoder) renameLang() {
	v := t.lang
	t.lang, t.inLang = t.lang[:0], false
	code := strings.TrimSpace(string(v))
	name, ok := t.table.Charset(code)
	if !ok || strings.HasSuffix(strings.ToLower(code), "_utf8") {
		t.out = append(t.out, v...)
		return
	}
	if cs, err := Lookup(name); err != nil || cs.IsUTF8() {
		t.out = append(t.out, v...)
		return
	}
	nv := code + "_utf8"
	t.out = append(t.out, nv...)
	if !t.keeps(CodeLangRenamed, report.Info, t.langPos[2]) {
		return
	}
	l, c, off := int(t.langPos[0]), int(t.langPos[1]), t.langPos[2]
	t.report(report.Finding{Code: CodeLangRenamed, Severity: report.Info, Line: l, Column: c, Offset: off,
		Path: t.pathString(), Message: fmt.Sprintf("language %q renamed %q: its text is UTF-8 now", code, nv),
		Before: string(v), After: nv, Fixed: true})
}

// NewTranscoder decides, from ev and opts, how to transcode. With From
// "auto" it returns an *UndecidedError when the evidence does not decide.
func NewTranscoder(ev *Evidence, opts Options) (*Transcoder, error) {
	table, err := mappings.LoadLangCharsets()
	if err != nil {
		return nil, err
	}
	t := &Transcoder{opts: opts, ev: ev, table: table, pre16: ev.Pre16(),
		owners: map[ownerKey]*owner{}, decs: map[*Charset]*Decoder{}, first: true,
		teacher: ev.TeacherLang(), userLang: map[int64]string{}}
	for _, u := range ev.Users {
		if u.ID != 0 && u.Lang != "" {
			t.userLang[u.ID] = u.Lang
		}
	}
	// By ordinal; of two USERIDs of one record, the later counts.
	t.late = slices.Clone(ev.late)
	slices.SortStableFunc(t.late, func(a, b lateUser) int { return cmp.Compare(a.ord, b.ord) })
	k := 0
	for i, l := range t.late {
		if i+1 < len(t.late) && t.late[i+1].ord == l.ord {
			continue
		}
		t.late[k] = l
		k++
	}
	t.late = t.late[:k]
	from := strings.TrimSpace(opts.From)
	if from != "" && !strings.EqualFold(from, "auto") {
		cs, err := Lookup(from)
		if err != nil {
			return nil, fmt.Errorf("transcode: option from: %w", err)
		}
		t.from = cs
	}
	t.site = strings.TrimSpace(opts.SiteLang)
	if t.site != "" {
		if _, ok := table.Charset(t.site); !ok {
			return nil, fmt.Errorf("transcode: option site-lang: %q is not a Moodle 1.5 language pack", t.site)
		}
	}
	if t.from == nil {
		if err := t.decide(); err != nil {
			return nil, err
		}
	}
	t.s = newScanner(t)
	t.s.late = t.late
	return t, nil
}

// needs reports how many fields need a charset to be decoded.
func (t *Transcoder) needs() int {
	n := t.ev.Raw
	if t.pre16 {
		n += t.ev.Lifted
	}
	return n
}

// decide settles file-wide questions for From: auto.
func (t *Transcoder) decide() error {
	ev := t.ev
	if d := ev.Declared; d != "" && !strings.EqualFold(d, "utf-8") {
		cs, err := Lookup(d)
		if err == nil && cs.IsUTF8() {
			return t.decideUTF8()
		}
		if err != nil {
			return &UndecidedError{Reason: fmt.Sprintf("the XML declaration names encoding %q, which is unknown", d), Option: "from: <charset>"}
		}
		if ev.Raw == 0 && (ev.UTF8 > 0 || ev.Lifted > 0) && !cs.IsUTF8() {
			return &UndecidedError{Reason: fmt.Sprintf("the XML declaration says %s but the bytes are valid UTF-8", d),
				Evidence: sampleEvidence(ev), Option: fmt.Sprintf("from: utf-8 (text already UTF-8) or from: %s", cs.Name)}
		}
		t.from, t.declared = cs, true
		return nil
	}
	return t.decideUTF8()
}

// decideUTF8 settles a file declared (or taken to be) UTF-8.
func (t *Transcoder) decideUTF8() error {
	ev := t.ev
	if t.needs() == 0 {
		return nil
	}
	if t.site == "" {
		if l := ev.CommonUserLang(); l != "" {
			t.site, t.siteFromFile = l, true
			t.report(report.Finding{Code: CodeGuess, Severity: report.Warning,
				Message: fmt.Sprintf("site language taken as %q, the most common user language (the backup does not record it; set site-lang to be sure)", l)})
		}
	}
	chain := []struct{ lang, why string }{{ev.CourseLang, "course language"}, {ev.TeacherLang(), "main teacher's language"}, {t.site, "site language"}}
	for _, c := range chain {
		if c.lang == "" {
			continue
		}
		if _, ok := t.table.Charset(c.lang); !ok {
			return &UndecidedError{Reason: fmt.Sprintf("the %s %q is not a Moodle 1.5 language pack, so its charset is unknown", c.why, c.lang),
				Evidence: sampleEvidence(ev), Option: "from: <charset> (e.g. from: windows-1251)"}
		}
		return nil
	}
	// No language anywhere: only Latin-looking text can be read safely.
	if ev.Raw == 0 && ev.HighLetters*4 < ev.HighLetters+ev.ASCIILetters {
		t.from, _ = Lookup("iso-8859-1")
		t.report(report.Finding{Code: CodeGuess, Severity: report.Warning,
			Message: "no course, teacher, user or site language in the backup; the text looks Latin, read as ISO-8859-1 (windows-1252 where it has C1 bytes); set from or site-lang to be sure"})
		return nil
	}
	return &UndecidedError{Reason: fmt.Sprintf("no course, teacher, user or site language in the backup, and %d field(s) hold legacy text that does not look Latin", t.needs()),
		Evidence: sampleEvidence(ev), Option: "from: <charset> (e.g. from: windows-1251) or site-lang: <pack> (e.g. site-lang: ru)"}
}

func sampleEvidence(ev *Evidence) []string {
	e := []string{fmt.Sprintf("%d lifted, %d raw legacy, %d UTF-8 field(s)", ev.Lifted, ev.Raw, ev.UTF8)}
	if ev.First != nil {
		e = append(e, "first: "+ev.First.String())
	}
	if ev.BackupVersion != "" {
		e = append(e, "BACKUP_VERSION "+ev.BackupVersion)
	}
	return e
}

// keeps reports whether a finding of code would be kept in full, so is
// worth building. When the report would only count it, keeps adds a bare
// finding of code, sev and offset off in its place (counts and the worst
// severity stay exact) and returns false.
func (t *Transcoder) keeps(code string, sev report.Severity, off int64) bool {
	if t.opts.Report == nil {
		return false
	}
	if report.Keeps(t.opts.Report, code) {
		return true
	}
	t.opts.Report.Add(report.Finding{Code: code, Severity: sev, Offset: off})
	return false
}

func (t *Transcoder) report(f report.Finding) {
	if t.opts.Report != nil {
		t.opts.Report.Add(f)
	}
}

func (t *Transcoder) decoder(cs *Charset) *Decoder {
	if cs == nil {
		return nil
	}
	d := t.decs[cs]
	if d == nil {
		d = cs.NewDecoder()
		t.decs[cs] = d
	}
	return d
}

// ownerOf returns the owner of text at the scanner's current place.
func (t *Transcoder) ownerOf() *owner { return t.owner(false) }

// courseOwner returns the owner of course texts (course language, main
// teacher, site), whatever the current place.
func (t *Transcoder) courseOwner() *owner { return t.owner(true) }

func (t *Transcoder) owner(course bool) *owner {
	s := t.s
	var chain [3]string
	var whys [3]string
	var uid int64
	switch {
	case course:
		chain = [3]string{t.ev.CourseLang, t.teacher, t.site}
		whys = [3]string{"course language", "main teacher's language", "site language"}
	case s.inUserProfile():
		u := t.user(s.userIdx)
		chain, whys = [3]string{u}, [3]string{"the user's language"}
		chain[1], whys[1] = t.site, "site language"
	default:
		c := t.ev.CourseLang
		if uid = s.recordUser(); uid != 0 {
			chain = [3]string{c, t.userLang[uid], t.site}
			whys = [3]string{"course language", "language of user", "site language"}
		} else {
			chain = [3]string{c, t.teacher, t.site}
			whys = [3]string{"course language", "main teacher's language", "site language"}
		}
	}
	lang, why := "", ""
	for i, l := range chain {
		if l != "" {
			lang, why = l, whys[i]
			break
		}
	}
	if why != "language of user" {
		uid = 0
	}
	key := ownerKey{lang, why, uid}
	if t.last != nil && t.lastKey == key {
		return t.last // field after field has the same owner
	}
	if o := t.owners[key]; o != nil {
		t.lastKey, t.last = key, o
		return o
	}
	o := &owner{lang: lang, why: why, uid: uid, lifted: t.pre16}
	if lang != "" {
		if name, ok := t.table.Charset(lang); ok {
			cs, _ := Lookup(name)
			if cs != nil && !cs.IsUTF8() {
				// A legacy pack named in the file: the site was not yet
				// UTF-8 (the site-lang option alone does not say so).
				if why != "site language" || t.siteFromFile {
					o.lifted = true
				}
				o.cs, o.rawCS = cs, cs
			} else if cs != nil {
				o.cs = cs
				base := strings.TrimSuffix(strings.ToLower(lang), "_utf8")
				if bn, ok := t.table.Charset(base); ok && base != strings.ToLower(lang) {
					o.rawCS, _ = Lookup(bn)
					if o.rawCS != nil && o.rawCS.IsUTF8() {
						o.rawCS = nil
					}
				}
			}
		}
	}
	if t.from != nil {
		o.cs, o.rawCS = t.from, t.from
		o.why, o.lang = "option from", ""
		if t.ev.Declared != "" && !strings.EqualFold(t.ev.Declared, "utf-8") {
			o.why = "declared encoding"
		}
	}
	o.dec, o.rawDec = t.decoder(o.cs), t.decoder(o.rawCS)
	o.fastLifted = o.lifted && o.cs != nil && o.cs.Name != "iso-8859-1" && o.cs.Name != "tis-620" && (o.cs.table != nil || o.cs.MultiByte())
	t.owners[key] = o
	t.lastKey, t.last = key, o
	return o
}

func (t *Transcoder) user(i int) string {
	if i >= 0 && i < len(t.ev.Users) {
		return t.ev.Users[i].Lang
	}
	return ""
}

type ownerKey struct {
	lang, why string
	uid       int64
}

// Reset implements transform.Transformer; the Evidence is kept.
func (t *Transcoder) Reset() {
	general := t.s.general
	t.s = newScanner(t)
	t.s.late = t.late
	t.s.general = general
	t.f = fieldBuf{}
	t.out, t.outPos, t.valid, t.first, t.undec, t.undec1, t.err = t.out[:0], 0, 0, true, 0, "", nil
	t.decoded = t.decoded[:0]
	t.lang, t.inLang = t.lang[:0], false
	t.cfg, t.inCfg, t.cfgOver = t.cfg[:0], false, false
}

// Transform implements transform.Transformer.
func (t *Transcoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if t.err != nil {
		return 0, 0, t.err
	}
	for {
		n := copy(dst[nDst:], t.out[t.outPos:t.valid])
		nDst += n
		t.outPos += n
		if t.outPos < t.valid {
			return nDst, nSrc, transform.ErrShortDst
		}
		// Keep only bytes not yet checked (an incomplete character).
		t.out = append(t.out[:0], t.out[t.valid:]...)
		t.outPos, t.valid = 0, 0
		if nSrc == len(src) {
			break
		}
		chunk := src[nSrc:min(len(src), nSrc+64<<10)]
		if t.first {
			// The XML declaration must be whole to be rewritten.
			if len(src) < 256 && !atEOF && (bytes.HasPrefix(src, []byte("<?xml")) && !bytes.Contains(src, []byte("?>")) || bytes.HasPrefix([]byte("<?xml"), src)) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			t.first = false
			if k := t.declaration(src); k > 0 {
				nSrc += k
				t.sanitize(false)
				continue
			}
		}
		t.copyFrom = 0
		if t.holding() {
			t.copyFrom = len(chunk) // nothing pending until the held value ends
		}
		t.s.feed(chunk)
		if !t.holding() {
			t.out = append(t.out, chunk[t.copyFrom:]...)
		}
		nSrc += len(chunk)
		t.sanitize(atEOF && nSrc == len(src))
	}
	if atEOF {
		t.endField()
		t.sanitize(true)
		n := copy(dst[nDst:], t.out[t.outPos:t.valid])
		nDst += n
		t.outPos += n
		if t.outPos < t.valid {
			return nDst, nSrc, transform.ErrShortDst
		}
		t.out, t.outPos, t.valid = t.out[:0], 0, 0
		if t.undec > 0 && !t.opts.KeepUndecided {
			t.err = &UndecidedError{Reason: fmt.Sprintf("%d field(s) could not be decoded cleanly with their owner's charset", t.undec),
				Evidence: []string{"first: " + t.undec1}, Option: "from: <charset>, or keep-undecided: true to keep them as they are"}
			return nDst, nSrc, t.err
		}
	}
	return nDst, nSrc, nil
}

// sanitize makes t.out[t.valid:] valid UTF-8, replacing bytes that are not
// (outside decided fields: in tags, or kept undecided fields) with U+FFFD,
// and advances t.valid. Unless final, an incomplete character at the end
// is held back for the next call.
func (t *Transcoder) sanitize(final bool) {
	// Check only the bytes between decoded spans. A decoded span starts
	// with a whole character, so a span cannot complete a character cut
	// before it: checking the pieces apart decides as checking the whole.
	ok, at := true, t.valid
	for _, d := range t.decoded {
		if !utf8.Valid(t.out[at:d[0]]) {
			ok = false
			break
		}
		at = d[1]
	}
	t.decoded = t.decoded[:0]
	if ok && utf8.Valid(t.out[at:]) {
		t.valid = len(t.out)
		return
	}
	region := t.out[t.valid:]
	var fixed []byte
	bad := 0
	p := region
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size == 1 {
			if !final && !utf8.FullRune(p) {
				break
			}
			fixed = append(fixed, "\uFFFD"...)
			bad++
		} else {
			fixed = append(fixed, p[:size]...)
		}
		p = p[size:]
	}
	hold := append([]byte(nil), p...)
	t.out = append(append(t.out[:t.valid], fixed...), hold...)
	t.valid = len(t.out) - len(hold)
	if bad == 0 {
		return
	}
	if l, c, off := t.s.pos(0); t.keeps(CodeInvalidUTF8, report.Warning, off) {
		t.report(report.Finding{Code: CodeInvalidUTF8, Severity: report.Warning, Line: l, Column: c, Offset: off,
			Path: t.pathString(), Message: fmt.Sprintf("%d byte(s) that are not UTF-8 and belong to no decoded text replaced by U+FFFD (near here)", bad), Fixed: true})
	}
}

// declaration rewrites an XML declaration at the start of src that names
// another encoding; it returns how many bytes of src it consumed.
func (t *Transcoder) declaration(src []byte) int {
	if !bytes.HasPrefix(src, []byte("<?xml")) {
		return 0
	}
	end := bytes.Index(src, []byte("?>"))
	if end < 0 {
		return 0
	}
	decl := src[:end+2]
	enc := declaredEncoding(decl)
	if enc == "" || strings.EqualFold(enc, "utf-8") {
		return 0
	}
	k := bytes.Index(decl, []byte(enc))
	nd := append(append(append([]byte{}, decl[:k]...), "UTF-8"...), decl[k+len(enc):]...)
	t.out = append(t.out, nd...)
	t.s.trk.Advance(decl) // not fed to the scanner
	t.report(report.Finding{Code: CodeDeclaration, Severity: report.Info, Line: 1, Column: 1,
		Message: fmt.Sprintf("XML declaration encoding %q rewritten to UTF-8", enc), Before: string(decl), After: string(nd), Fixed: true})
	return len(decl)
}

// Bytes the Transcoder does not change (tags, ASCII text) are not copied
// one by one: they stay pending in the scanner's buffer from copyFrom on,
// and are copied in one piece when a held value starts or the buffer ends.

// flush copies the pending bytes up to index i of the scanner's buffer.
func (t *Transcoder) flush(i int) {
	if i > t.copyFrom {
		t.out = append(t.out, t.s.buf[t.copyFrom:i]...)
	}
	t.copyFrom = i
}

// holding reports whether bytes are being held back (a field, a LANG or a
// CONFIGDATA value).
func (t *Transcoder) holding() bool { return t.f.active || t.inLang || t.inCfg }

func (t *Transcoder) text(b []byte) {
	t.takeText(b)
	t.s.busy = t.holding() || t.cfgOver
}

// dropLang stops holding a LANG value that grew too long to be a language
// (the scanner stopped keeping it) in a later piece: the held bytes are
// text like any other, as when the value comes in one piece. The rest of
// the value follows in the current span.
func (t *Transcoder) dropLang() {
	v := t.lang
	t.lang, t.inLang = t.lang[:0], false
	t.copyFrom = t.s.cur
	k := firstNonASCII(v)
	if k < 0 {
		t.out = append(t.out, v...)
		return
	}
	// A field starts in the held bytes, at langPos moved over v[:k].
	t.out = append(t.out, v[:k]...)
	line, col, off := t.langPos[0], t.langPos[1]+int64(k), t.langPos[2]+int64(k)
	if n := bytes.Count(v[:k], nl); n > 0 {
		line += int64(n)
		col = int64(k - bytes.LastIndexByte(v[:k], '\n'))
	}
	t.fpos = [3]int64{line, col, off}
	t.f.active = true
	t.f.buf = append(t.f.buf[:0], v[k:]...)
}

var nl = []byte{'\n'}

func (t *Transcoder) takeText(b []byte) {
	if t.inLang && !t.s.wantVal {
		t.dropLang()
	}
	if t.s.wantVal && string(t.s.path.Top()) == "LANG" {
		if !t.inLang {
			t.flush(t.s.cur)
			l, c, off := t.s.pos(0)
			t.langPos = [3]int64{int64(l), int64(c), off}
		}
		t.lang = append(t.lang, b...)
		t.inLang = true
		return
	}
	if string(t.s.path.Top()) == "CONFIGDATA" && !t.f.active {
		if !t.cfgOver && len(t.cfg)+len(b) <= maxConfig {
			if !t.inCfg {
				t.flush(t.s.cur)
			}
			t.cfg = append(t.cfg, b...)
			t.inCfg = true
			return
		}
		// Too long to decode: pass it through as it is.
		if t.inCfg {
			t.out = append(t.out, t.cfg...)
			t.copyFrom = t.s.cur
		}
		t.cfgOver, t.inCfg = true, false
		t.cfg = t.cfg[:0]
	}
	if !t.f.active {
		k := firstNonASCII(b)
		if k < 0 {
			return // pending
		}
		t.flush(t.s.cur + k)
		t.f.active = true
		l, c, off := t.s.pos(k)
		t.fpos = [3]int64{int64(l), int64(c), off}
		b = b[k:]
	}
	for len(t.f.buf)+len(b) > maxField {
		// Cut a long field on a character boundary and decide the piece.
		n := maxField - len(t.f.buf)
		for n > 0 && n < len(b) && b[n]&0xC0 == 0x80 {
			n--
		}
		t.f.buf = append(t.f.buf, b[:n]...)
		b = b[n:]
		t.field(t.f.buf)
		t.f.buf = t.f.buf[:0]
	}
	t.f.buf = append(t.f.buf, b...)
}

func (t *Transcoder) endField() {
	held := t.holding()
	if t.inLang {
		t.renameLang()
	}
	if t.inCfg {
		t.configData()
	}
	t.cfgOver = false
	if t.f.active {
		t.field(t.f.buf)
		t.f.buf, t.f.active = t.f.buf[:0], false
	}
	if held {
		t.copyFrom = t.s.cur
	}
	t.s.busy = false
}

func (t *Transcoder) open(s *scanner, name []byte) {
	switch string(name) {
	case "CONFIGDATA", "LANG":
		s.hold() // their values are held whole, even when ASCII (see text)
	}
}

func (t *Transcoder) leaf(s *scanner, name []byte, val []byte) {
	if string(name) == "USERID" && s.userDepth == 0 {
		s.setRecordUser(val)
	}
}

// field decides one field (from its first non-ASCII byte) and writes it.
func (t *Transcoder) field(v []byte) {
	o := t.ownerOf()
	var note string
	if alt := t.latinAlternative(o, v); alt != nil {
		note = fmt.Sprintf("; %s %q is Latin but the text cannot be (two thirds of it in U+00A1–U+00FF), so the course's charset was used (%s)", o.why, o.lang, alt.desc())
		o = alt
	}
	start := len(t.out)
	code, msg := t.decodeField(o, v)
	if note != "" && code != "" {
		msg += note
		if t.keeps(CodeGuess, report.Warning, t.fpos[2]) {
			t.report(report.Finding{Code: CodeGuess, Severity: report.Warning, Line: int(t.fpos[0]), Column: int(t.fpos[1]), Offset: t.fpos[2],
				Path: t.pathString(), Message: "charset chosen by plausibility" + note, Before: shortSample(v)})
		}
	}
	switch code {
	case "", CodeMojibake, CodeWindows1252, CodeLatin1Kept, CodeUndecided:
	default:
		// Decoded text gets the repairs of real UTF-8 text too (C1
		// controls from ISO-8859-x bytes 0x80–0x9F, double encoding), so
		// that a second run changes nothing.
		out, moj, c1, _ := t.normalize(t.out[start:])
		if moj || c1 {
			t.out = append(t.out[:start], out...)
			if c1 {
				msg += "; C1 controls read as windows-1252"
			}
			if moj {
				msg += "; double-encoded UTF-8 decoded once more"
			}
		}
	}
	t.decoded = append(t.decoded, [2]int{start, len(t.out)})
	if code == "" || !t.keeps(code, severity(code), t.fpos[2]) {
		return
	}
	before, after := shortSamples(v, t.out[start:])
	t.report(report.Finding{Code: code, Severity: severity(code), Line: int(t.fpos[0]), Column: int(t.fpos[1]), Offset: t.fpos[2],
		Path: t.pathString(), Message: msg, Before: before, After: after, Fixed: code != CodeUndecided && code != CodeLatin1Kept})
}

// latinAlternative returns the course owner when o's charset is a Latin one
// but v cannot be Latin text (most of its letters would be in À–ÿ, as
// when a user whose language is "en" typed Cyrillic on a windows-1251
// site), and the course's charset is a different, non-Latin one.
func (t *Transcoder) latinAlternative(o *owner, v []byte) *owner {
	if o.cs == nil || !latin(o.cs) || (t.from != nil) {
		return nil
	}
	alt := t.courseOwner()
	if alt == o || alt.cs == nil || latin(alt.cs) || alt.cs.IsUTF8() {
		return nil
	}
	high, ascii := 0, 0
	for p := v; len(p) > 0; {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size == 1 {
			r = rune(p[0])
		}
		switch {
		case r >= 0xA1 && r <= 0xFF:
			high++
		case r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z'):
			ascii++
		}
		p = p[size:]
	}
	// Latin text has a few accented letters among ASCII ones; legacy
	// bytes of other scripts read as Latin-1 are mostly À–ÿ and symbols.
	if high < 2 || high*3 < 2*(high+ascii) {
		return nil
	}
	return alt
}

func latin(cs *Charset) bool {
	switch cs.Name {
	case "iso-8859-1", "windows-1252", "iso-8859-15":
		return true
	}
	return false
}

func severity(code string) report.Severity {
	switch code {
	case CodeUndecided:
		return report.Error
	case CodeLatin1Kept, CodeNotTIS620, CodeMojibake:
		return report.Warning
	}
	return report.Info
}

// decodeField appends the decoding of v to t.out and says what it did
// ("" when v is written unchanged).
func (t *Transcoder) decodeField(o *owner, v []byte) (code, msg string) {
	if t.declared {
		// The declaration names a legacy charset: every byte is in it,
		// even where it happens to look like UTF-8.
		return t.decodeMixed(o, v)
	}
	if o.fastLifted {
		// What pre-1.6 files hold: decode in one pass, checking on the way
		// that v is lifted text, as decodeLifted would after classify.
		if out, ok := o.dec.appendLiftedClean(t.out, v); ok {
			t.out = out
			return CodeTranscoded, o.message(&o.msgDecoded, "decoded from %[1]s (%[2]s)")
		}
	}
	switch classify(v) {
	case classRaw:
		return t.decodeMixed(o, v)
	case classLifted:
		if o.lifted {
			return t.decodeLifted(o, v)
		}
	}
	return t.decodeUTF8(v)
}

// decodeUTF8 writes real UTF-8 text, reading C1 controls as windows-1252 and,
// with FixMojibake, undoing double encoding.
func (t *Transcoder) decodeUTF8(v []byte) (string, string) {
	out, moj, c1, kept := t.normalize(v)
	t.out = append(t.out, out...)
	switch {
	case moj:
		return CodeMojibake, "double-encoded UTF-8 decoded once more"
	case c1:
		return CodeWindows1252, "C1 controls read as windows-1252 (curly quotes, dashes, €)"
	case kept:
		return CodeLatin1Kept, "C1 controls kept: the text has a byte windows-1252 leaves undefined, so it is not windows-1252"
	}
	return "", ""
}

// normalize applies, until nothing changes, the repairs of real UTF-8 text:
// double encoding undone (with FixMojibake) and C1 controls read as
// windows-1252. Reaching a fixed point makes transcoding idempotent.
func (t *Transcoder) normalize(v []byte) (out []byte, moj, c1, kept bool) {
	out = v
	for range 6 {
		progressed := false
		if t.opts.FixMojibake {
			if f, n := unMojibake(out); n > 0 {
				out, moj, progressed = f, true, true
			}
		}
		if hasC1(out) {
			if f, ok := c1To1252(nil, out); ok {
				out, c1, progressed = f, true, true
			} else {
				kept = true
			}
		}
		if !progressed {
			break
		}
	}
	return out, moj, c1, kept
}

// decodeLifted undoes utf8_encode and decodes the bytes with the owner's
// charset.
func (t *Transcoder) decodeLifted(o *owner, v []byte) (string, string) {
	if o.cs == nil {
		return t.undecided(v, fmt.Sprintf("no charset known for %s %q", o.why, o.lang))
	}
	if o.cs.Name == "iso-8859-1" {
		// Identity, but for windows-1252 bytes read as Latin-1.
		return t.decodeUTF8(v)
	}
	if o.cs.table != nil && o.cs.Name != "tis-620" || o.cs.MultiByte() {
		start := len(t.out)
		out, bad, ok := o.dec.AppendLifted(t.out, v)
		if ok && bad == 0 {
			t.out = out
			return CodeTranscoded, o.message(&o.msgDecoded, "decoded from %[1]s (%[2]s)")
		}
		t.out = out[:start]
	}
	raw := unlift(t.tmp2[:0], v)
	t.tmp2 = raw
	if o.cs.IsUTF8() {
		// A UTF-8 pack on a 1.5 site: lifted text is double-encoded UTF-8.
		// Text that does not un-lift to UTF-8 is real text already (e.g. a
		// file transcoded before).
		if !utf8.Valid(raw) {
			return t.decodeUTF8(v)
		}
		t.out = append(t.out, raw...)
		return CodeTranscoded, o.message(&o.msgLiftedUTF8, "lifted UTF-8 (%[2]s) decoded")
	}
	start := len(t.out)
	out, bad := o.dec.Append(t.out, raw)
	if bad > 0 && !(o.cs.Name == "tis-620" && tisOnlyHigh(raw)) {
		t.out = out[:start]
		return t.undecided(v, fmt.Sprintf("%d byte(s) undefined in %s (%s)", bad, o.cs.Name, o.desc()))
	}
	t.out = out
	if bad > 0 {
		return CodeNotTIS620, fmt.Sprintf("decoded from %s (%s); %d byte(s) in 0x80–0xA0 are not TIS-620, read as windows-874", o.cs.Name, o.desc(), bad)
	}
	return CodeTranscoded, o.message(&o.msgDecoded, "decoded from %[1]s (%[2]s)")
}

// tisOnlyHigh reports whether every byte of raw that TIS-620 leaves
// undefined is one windows-874 defines (0x80–0xA0: dashes, quotes, NBSP):
// the text is then windows-874, decoded so and reported (spec §2.4).
func tisOnlyHigh(raw []byte) bool {
	w874 := byName["windows-874"]
	for _, b := range raw {
		if w874.bad[b] {
			return false
		}
	}
	return true
}

// decodeMixed decodes a field that is not valid UTF-8: raw legacy bytes,
// possibly mixed with UTF-8 (hand-edited or partly converted files).
func (t *Transcoder) decodeMixed(o *owner, v []byte) (string, string) {
	cs, dec := o.rawCS, o.rawDec
	if cs == nil {
		return t.undecided(v, fmt.Sprintf("bytes that are not UTF-8 and no legacy charset known for %s %q", o.why, o.lang))
	}
	start := len(t.out)
	var out []byte
	var bad int
	asWhole := true // decode v as a whole: it holds no multi-byte UTF-8, or cannot
	switch {
	case cs.MultiByte() || t.declared:
		out, bad = dec.Append(t.out, v)
	case cs.table != nil:
		out, bad, asWhole = dec.appendSingle(t.out, v, true)
	default:
		if asWhole = !hasMultiByteUTF8(v); asWhole {
			out, bad = dec.Append(t.out, v)
		}
	}
	if asWhole {
		if bad > 0 && cs.Name == "tis-620" && tisOnlyHigh(v) {
			t.out = out
			return CodeNotTIS620, fmt.Sprintf("legacy bytes decoded from %s (%s); %d byte(s) in 0x80–0xA0 are not TIS-620, read as windows-874", cs.Name, o.desc(), bad)
		}
		if bad > 2 || bad > 0 && !cs.MultiByte() {
			t.out = out[:start]
			return t.undecided(v, fmt.Sprintf("%d byte(s) invalid in %s (%s)", bad, cs.Name, o.desc()))
		}
		t.out = out
		if bad > 0 {
			return CodeLegacyBytes, fmt.Sprintf("legacy bytes decoded from %s (%s); %d invalid sequence(s) replaced by U+FFFD", cs.Name, o.desc(), bad)
		}
		return CodeLegacyBytes, o.message(&o.msgRaw, "legacy bytes decoded from %[3]s (%[2]s)")
	}
	// Single-byte charset and valid multi-byte UTF-8 in the same field:
	// either real UTF-8 mixed in (a partly converted field), or legacy
	// bytes that happen to form UTF-8. Decode both ways; keep the UTF-8
	// runs only when their letters are of a script the legacy part uses.
	whole, bad := dec.Append(t.tmp[:0], v)
	t.tmp = whole
	mixed, mbad, consistent := t.mixedRuns(o, v, dec)
	// Two-byte UTF-8 sequences arise by accident in legacy text all the
	// time; a valid three- or four-byte sequence rarely does.
	strong := hasLongUTF8(v)
	switch {
	case consistent && mbad == 0 && (strong || bad > 0):
		t.out = append(t.out, mixed...)
		return CodeLegacyBytes, fmt.Sprintf("legacy bytes decoded from %s (%s), UTF-8 parts kept", cs.Name, o.desc())
	case bad == 0:
		t.out = append(t.out, whole...)
		return CodeLegacyBytes, o.message(&o.msgRaw, "legacy bytes decoded from %[3]s (%[2]s)")
	case cs.Name == "tis-620" && tisOnlyHigh(v):
		t.out = append(t.out, whole...)
		return CodeNotTIS620, fmt.Sprintf("legacy bytes decoded from %s (%s); %d byte(s) in 0x80–0xA0 are not TIS-620, read as windows-874", cs.Name, o.desc(), bad)
	}
	t.out = t.out[:start]
	return t.undecided(v, fmt.Sprintf("byte(s) undefined in %s (%s)", cs.Name, o.desc()))
}

// mixedRuns decodes v run by run: valid UTF-8 runs kept (un-lifted and
// decoded where the owner's text is lifted), other bytes decoded with dec.
// consistent is false when a kept run has letters of a script the decoded
// legacy part does not use.
func (t *Transcoder) mixedRuns(o *owner, v []byte, dec *Decoder) (out []byte, nbad int, consistent bool) {
	var legacy, kept scriptSet
	for p := v; len(p) > 0; {
		k := 0
		for k < len(p) {
			r, size := utf8.DecodeRune(p[k:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			k += size
		}
		if k > 0 {
			run := p[:k]
			if o.lifted && classify(run) == classLifted && o.cs != nil && !o.cs.IsUTF8() {
				var bad int
				n := len(out)
				out, bad = o.dec.Append(out, unlift(nil, run))
				nbad += bad
				legacy.add(out[n:])
			} else {
				out = append(out, run...)
				kept.add(run)
			}
			p = p[k:]
			continue
		}
		for k < len(p) {
			r, size := utf8.DecodeRune(p[k:])
			if !(r == utf8.RuneError && size == 1) {
				break
			}
			k++
		}
		var bad int
		n := len(out)
		out, bad = dec.Append(out, p[:k])
		nbad += bad
		legacy.add(out[n:])
		p = p[k:]
	}
	return out, nbad, kept&^legacy == 0
}

// scriptSet is a set of scripts of non-ASCII letters.
type scriptSet uint16

var scripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Arabic, unicode.Hebrew,
	unicode.Thai, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Armenian}

func (s *scriptSet) add(p []byte) {
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		p = p[size:]
		if unicode.Is(unicode.M, r) {
			*s |= scriptSet(1) << len(scripts) // a bare combining mark: no script text starts with
			continue
		}
		if r < 0x80 || !unicode.IsLetter(r) {
			continue
		}
		bit := scriptSet(1) << len(scripts) // any other script
		for i, tab := range scripts {
			if unicode.Is(tab, r) {
				bit = 1 << i
				break
			}
		}
		*s |= bit
	}
}

func (t *Transcoder) undecided(v []byte, why string) (string, string) {
	// Kept as it is, but as valid UTF-8 (U+FFFD for each byte that is not)
	// and with the repairs of real UTF-8 text, so that a second run
	// changes nothing.
	w := v
	if !utf8.Valid(w) {
		w = make([]byte, 0, len(v)+8)
		for p := v; len(p) > 0; {
			r, size := utf8.DecodeRune(p)
			if r == utf8.RuneError && size == 1 {
				w = append(w, "\uFFFD"...)
			} else {
				w = append(w, p[:size]...)
			}
			p = p[size:]
		}
	}
	w, _, _, _ = t.normalize(w)
	t.out = append(t.out, w...)
	t.undec++
	if t.undec == 1 {
		t.undec1 = fmt.Sprintf("line %d:%d %s %q: %s", t.fpos[0], t.fpos[1], t.pathString(), shortSample(v), why)
	}
	return CodeUndecided, "left as it was: " + why
}

// hasLongUTF8 reports whether v holds a valid UTF-8 sequence of three or
// four bytes.
func hasLongUTF8(v []byte) bool {
	for p := v; len(p) > 0; {
		r, size := utf8.DecodeRune(p)
		if size >= 3 && r != utf8.RuneError {
			return true
		}
		p = p[size:]
	}
	return false
}

// hasMultiByteUTF8 reports whether v holds a valid UTF-8 sequence of two or
// more bytes other than U+FFFD.
func hasMultiByteUTF8(v []byte) bool {
	// Stepping rune by rune visits every byte that can start a sequence,
	// so look only where one can start: most legacy bytes are followed by
	// a byte that is no continuation.
	for i := 0; i+1 < len(v); i++ {
		b := v[i]
		if b < 0xC2 || b > 0xF4 || v[i+1]&0xC0 != 0x80 {
			continue
		}
		if b < 0xE0 {
			return true
		}
		if r, size := utf8.DecodeRune(v[i:]); size > 1 && r != utf8.RuneError {
			return true
		}
	}
	return false
}

// unlift maps each code point U+0000–U+00FF of valid UTF-8 v back to one
// byte, undoing utf8_encode. v must be classLifted or ASCII.
func unlift(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		b := v[i]
		if b < 0x80 {
			dst = append(dst, b)
			continue
		}
		dst = append(dst, (b&0x03)<<6|v[i+1]&0x3F)
		i++
	}
	return dst
}

func hasC1(v []byte) bool {
	// Jump from 0xC2 to 0xC2: most text has none, or few.
	for i := 0; i+1 < len(v); i++ {
		k := bytes.IndexByte(v[i:len(v)-1], 0xC2)
		if k < 0 {
			return false
		}
		i += k
		if v[i+1] >= 0x80 && v[i+1] <= 0x9F {
			return true
		}
	}
	return false
}

var w1252 = byName["windows-1252"]

// c1To1252 rewrites C1 controls of UTF-8 v as the windows-1252 characters of
// the same bytes; ok is false when one of them is undefined there.
func c1To1252(dst, v []byte) ([]byte, bool) {
	for i := 0; i < len(v); i++ {
		if v[i] == 0xC2 && i+1 < len(v) && v[i+1] >= 0x80 && v[i+1] <= 0x9F {
			b := v[i+1]
			if w1252.bad[b] {
				return dst, false
			}
			dst = utf8.AppendRune(dst, w1252.table[b])
			i++
			continue
		}
		dst = append(dst, v[i])
	}
	return dst, true
}

// rev1252 maps the windows-1252 characters above U+00FF back to their byte.
var rev1252 = func() map[rune]byte {
	m := map[rune]byte{}
	for b := 0x80; b < 0xA0; b++ {
		if r := w1252.table[b]; r > 0xFF && !w1252.bad[b] {
			m[r] = byte(b)
		}
	}
	return m
}()

// unMojibake undoes double encoding: while v, read as windows-1252/Latin-1
// characters, is the UTF-8 of other text (with at least one multi-byte
// sequence), decode once more (spec repairs.md §2.5 rule 5). It returns the
// result and how many layers it removed (0: v is left alone).
func unMojibake(v []byte) ([]byte, int) {
	n := 0
	cur := v
	for n < 3 {
		raw := make([]byte, 0, len(cur))
		ok, multi := true, false
		for p := cur; len(p) > 0; {
			r, size := utf8.DecodeRune(p)
			switch {
			case r == utf8.RuneError && size == 1:
				ok = false
			case r < 0x100:
				raw = append(raw, byte(r))
			default:
				b, found := rev1252[r]
				if !found {
					ok = false
				}
				raw = append(raw, b)
			}
			if !ok {
				break
			}
			p = p[size:]
		}
		if !ok || !utf8.Valid(raw) {
			break
		}
		for _, b := range raw {
			if b >= 0x80 {
				multi = true
				break
			}
		}
		if !multi || bytes.Equal(raw, cur) {
			break
		}
		cur = raw
		n++
	}
	return cur, n
}

// TranscodeString runs a prescan and a Transcoder over s: a convenience
// for tests and small inputs.
func TranscodeString(s string, opts Options) (string, error) {
	ev, err := Prescan(strings.NewReader(s))
	if err != nil {
		return "", err
	}
	t, err := NewTranscoder(ev, opts)
	if err != nil {
		return "", err
	}
	out, _, err := transform.String(t, s)
	return out, err
}

// IsUndecided reports whether err is (or wraps) an *UndecidedError.
func IsUndecided(err error) bool {
	var u *UndecidedError
	return errors.As(err, &u)
}

// Langs returns the language codes the evidence mentions, sorted (for
// messages and tests).
func (ev *Evidence) Langs() []string {
	m := map[string]bool{}
	if ev.CourseLang != "" {
		m[ev.CourseLang] = true
	}
	for _, u := range ev.Users {
		if u.Lang != "" {
			m[u.Lang] = true
		}
	}
	var l []string
	for k := range m {
		l = append(l, k)
	}
	sort.Strings(l)
	return l
}
