package charset

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/moodlemig/moodlemig/repair"
)

// maxTagLen bounds how much of one tag the scanner keeps to read its name;
// longer tags pass through unread.
const maxTagLen = 4096

// maxValLen bounds the small leaf values the scanner reads (ids, languages).
const maxValLen = 64

// scanner walks moodle.xml markup tolerantly: it splits the byte stream into
// tags (copied as they are) and text, tracks the element path, the users
// and records that own text, and hands each text field to its owner (a
// prescan or a Transcoder). It keeps no more than one tag and one small
// value between calls.
type scanner struct {
	h fieldHandler

	path    repair.PathStack
	trk     repair.Tracker
	inTag   bool
	tag     []byte // a tag split across calls
	comment byte   // inside <!-- (1) or <![CDATA[ (2) split across calls
	seen    int    // bytes of the current tag seen in earlier calls
	last    [2]byte
	val     []byte // text of the current leaf when it is a tracked one
	wantVal bool
	// holdDepth is the depth of the outermost open element whose text
	// matters to the handler even when ASCII (see hold); 0: none.
	holdDepth int
	// busy is kept set by the handler while it holds text back (a field
	// it decodes, a value): then every span and field end is handed over.
	// When it is clear, ASCII text outside held elements and the end of a
	// field that did not start change nothing, and are not handed over.
	busy bool
	// general turns the shortcuts (plainLeaf, spans not handed over) off,
	// for tests that check they change nothing.
	general bool
	// noPos is set by a handler that will not call pos again: lines are
	// then no longer counted.
	noPos bool

	ordinal int64 // start tags seen
	// buf is the buffer being fed; trk has advanced over buf[:mark].
	buf  []byte
	mark int
	// cur is the index in buf of the byte being handled (a text span's
	// start while text is handed over, the '<' while a field ends).
	cur int
	// recUser[i] is the USERID of the open element at depth i (0: none).
	recUser []int64
	// recOrd[i] is the ordinal of the open element at depth i.
	recOrd []int64
	// userDepth is the depth of the open USERS/USER element (0: none).
	userDepth int
	userIdx   int // ordinal of the current USERS/USER (0-based), -1 before
	// late maps element ordinals to a USERID that comes after the record's
	// text (from a prescan).
	late []lateUser
	lcur int
}

// lateUser is a record (by start-tag ordinal) whose USERID follows its text.
type lateUser struct{ ord, user int64 }

// pos returns the line, column and offset of buf[s.cur+k].
func (s *scanner) pos(k int) (int, int, int64) {
	i := s.cur + k
	if i > len(s.buf) {
		i = len(s.buf)
	}
	if i >= s.mark {
		s.trk.Advance(s.buf[s.mark:i])
		s.mark = i
	}
	return s.trk.Pos()
}

// fieldHandler receives what the scanner finds. To spare calls that
// change nothing, the scanner hands over ASCII text and field ends only
// while the handler keeps scanner.busy set, inside elements it asked to
// hold, or in tracked leaves: a handler must do nothing with ASCII text
// otherwise.
type fieldHandler interface {
	// text receives text bytes of the current field.
	text(p []byte)
	// endField ends the current field (at '<' or at the end of input).
	endField()
	// leaf reports a tracked leaf value when its element closes.
	leaf(s *scanner, name []byte, val []byte)
	// open reports a start tag (after it is pushed).
	open(s *scanner, name []byte)
}

func newScanner(h fieldHandler) *scanner {
	return &scanner{h: h, userIdx: -1}
}

// tracked reports whether the scanner keeps the value of a leaf named name.
func tracked(name []byte) bool {
	switch string(name) {
	case "LANG", "ID", "USERID", "TYPE", "AUTHORITY", "BACKUP_VERSION", "MOODLE_VERSION":
		return true
	}
	return false
}

// feed scans buf. It always consumes all of it.
func (s *scanner) feed(buf []byte) {
	s.buf, s.mark = buf, 0
	i := 0
	for i < len(buf) {
		p := buf[i:]
		if !s.inTag {
			k := bytes.IndexByte(p, '<')
			span := p
			if k >= 0 {
				span = p[:k]
			}
			if len(span) > 0 {
				if s.wantVal && len(s.val)+len(span) <= maxValLen {
					s.val = append(s.val, span...)
				} else {
					s.wantVal = false
				}
				s.cur = i
				if s.busy || s.general || s.wantVal || s.holdDepth != 0 || firstNonASCII(span) >= 0 {
					s.h.text(span)
				}
			}
			if k < 0 {
				break
			}
			i += k
			s.cur = i
			if s.busy || s.general {
				s.h.endField()
			}
			p = buf[i:]
			s.inTag = true
			s.tag = s.tag[:0]
			s.comment = 0
			s.seen = 0
		}
		// In a tag: find its end.
		end := s.tagEnd(p)
		if end < 0 {
			if len(s.tag) < maxTagLen {
				s.tag = append(s.tag, p[:min(len(p), maxTagLen-len(s.tag))]...)
			}
			if len(p) >= 2 {
				s.last = [2]byte{p[len(p)-2], p[len(p)-1]}
			} else {
				s.last = [2]byte{s.last[1], p[0]}
			}
			s.seen += len(p)
			break
		}
		var t []byte
		if len(s.tag) > 0 {
			t = append(s.tag, p[:min(end, maxTagLen)]...)
		} else {
			t = p[:end]
		}
		i += end
		s.cur = i
		s.inTag = false
		if s.handleTag(t) && s.holdDepth == 0 && !s.general {
			i += s.plainLeaf(buf[i:])
		}
	}
	if !s.noPos {
		s.trk.Advance(buf[s.mark:])
	}
	s.buf, s.mark, s.cur = nil, 0, 0
}

// tagEnd returns the length of p up to and including the end of the
// current tag, or -1. Comments and CDATA sections end at --> and ]]>.
func (s *scanner) tagEnd(p []byte) int {
	if s.comment == 0 && (len(s.tag) > 0 && s.tag[0] == '<' && len(s.tag) < 9 || len(s.tag) == 0 && len(p) > 1 && p[1] == '!') {
		switch {
		case joinedHasPrefix(s.tag, p, "<!--") == 2:
			s.comment = 1
		case joinedHasPrefix(s.tag, p, "<![CDATA[") == 2:
			s.comment = 2
		case joinedHasPrefix(s.tag, p, "<!--") == 1 || joinedHasPrefix(s.tag, p, "<![CDATA[") == 1:
			return -1 // too short to tell; wait for more
		}
	}
	switch s.comment {
	case 1:
		return s.termEnd(p, "-->")
	case 2:
		return s.termEnd(p, "]]>")
	}
	k := bytes.IndexByte(p, '>')
	if k < 0 {
		return -1
	}
	return k + 1
}

// joinedHasPrefix tells whether a+b starts with pre: 2 yes, 1 a+b is a
// proper prefix of pre, 0 no.
func joinedHasPrefix(a, b []byte, pre string) int {
	n := 0
	for _, c := range a {
		if n == len(pre) {
			return 2
		}
		if c != pre[n] {
			return 0
		}
		n++
	}
	for _, c := range b {
		if n == len(pre) {
			return 2
		}
		if c != pre[n] {
			return 0
		}
		n++
	}
	if n == len(pre) {
		return 2
	}
	return 1
}

// termEnd finds the multi-byte terminator term, which may straddle the
// bytes seen in earlier calls and p.
func (s *scanner) termEnd(p []byte, term string) int {
	if s.seen > 0 {
		h := min(s.seen, 2)
		var j [4]byte
		copy(j[:], s.last[2-h:])
		n := copy(j[h:], p[:min(len(p), 2)])
		if k := bytes.Index(j[:h+n], []byte(term)); k >= 0 && k+len(term) > h {
			return k + len(term) - h
		}
	}
	k := bytes.Index(p, []byte(term))
	if k < 0 {
		return -1
	}
	return k + len(term)
}

// handleTag handles a whole tag; it reports whether the tag opened an
// element (a start tag, not an empty-element tag).
func (s *scanner) handleTag(t []byte) bool {
	if len(t) < 2 {
		return false
	}
	switch t[1] {
	case '/':
		// Mostly the end tag of the open element: compare instead of scan.
		name := s.path.Top()
		if k := 2 + len(name); name == nil || len(t) <= k || !nameEnd[t[k]] || !bytes.Equal(t[2:k], name) {
			name = tagName(t[2:])
		}
		s.closeElem(name)
	case '?', '!':
	default:
		name := tagName(t[1:])
		if len(name) == 0 {
			return false
		}
		empty := t[len(t)-1] == '>' && t[len(t)-2] == '/'
		s.ordinal++
		if empty {
			return false
		}
		d := s.path.Depth()
		s.path.Push(name)
		var u int64
		for s.lcur < len(s.late) && s.late[s.lcur].ord < s.ordinal {
			s.lcur++
		}
		if s.lcur < len(s.late) && s.late[s.lcur].ord == s.ordinal {
			u = s.late[s.lcur].user
		}
		s.recUser = append(s.recUser, u)
		s.recOrd = append(s.recOrd, s.ordinal)
		if s.userDepth == 0 && string(name) == "USER" && d >= 1 && string(s.path.Name(d-1)) == "USERS" {
			s.userDepth = d + 1
			s.userIdx++
		}
		s.wantVal = tracked(name)
		s.val = s.val[:0]
		s.h.open(s, name)
		return true
	}
	return false
}

// plainLeaf passes over what follows a start tag, p, when it is ASCII text
// and the end tag of the element just opened, and returns how many bytes
// that was (0 when p is something else, left to the general path). Most
// elements of moodle.xml are such leaves (ids, numbers, flags), and for
// them handing the text over (neither handler does anything with ASCII
// text outside held elements), ending the field (none was started) and
// matching the end tag come down to keeping the value of a tracked
// element, reporting it, and closing the element.
func (s *scanner) plainLeaf(p []byte) int {
	k := asciiTo(p, '<')
	if k < 0 || k+2 >= len(p) || p[k+1] != '/' {
		return 0
	}
	name := s.path.Top()
	e := k + 2 + len(name)
	if name == nil || e >= len(p) || p[e] != '>' || !bytes.Equal(p[k+2:e], name) {
		return 0
	}
	if s.wantVal {
		if k <= maxValLen {
			s.val = append(s.val[:0], p[:k]...)
			s.h.leaf(s, name, s.val)
		}
		s.wantVal = false
	}
	s.pop()
	return e + 1
}

// asciiTo returns the index of the first c in p when every byte before it
// is ASCII, else -1. It reads a word at a time: the values it is used for
// are short, where a call of bytes.IndexByte costs more than the search.
func asciiTo(p []byte, c byte) int {
	const ones = 0x0101010101010101
	pat := ones * uint64(c)
	i := 0
	for ; i+8 <= len(p); i += 8 {
		w := binary.LittleEndian.Uint64(p[i:])
		x := w ^ pat
		// Flag the bytes equal to c (x zero there) and those not ASCII.
		// Only bytes above a byte equal to c can be flagged wrongly, so
		// the lowest flag is right.
		if m := ((x-ones)&^x | w) & 0x8080808080808080; m != 0 {
			j := i + bits.TrailingZeros64(m)>>3
			if p[j] == c {
				return j
			}
			return -1
		}
	}
	for ; i < len(p); i++ {
		if p[i] == c {
			return i
		}
		if p[i] >= 0x80 {
			return -1
		}
	}
	return -1
}

// nameEnd marks the bytes that end a tag name.
var nameEnd = [256]bool{'>': true, '/': true, ' ': true, '\t': true, '\n': true, '\r': true}

func tagName(p []byte) []byte {
	n := 0
	for n < len(p) && !nameEnd[p[n]] {
		n++
	}
	return p[:n]
}

func (s *scanner) closeElem(name []byte) {
	d := s.path.Depth()
	if d == 0 {
		return
	}
	if !bytes.Equal(s.path.Top(), name) {
		// Tolerate damage: close up to the named element if it is open,
		// else ignore the stray end tag.
		k := d - 1
		for k >= 0 && !bytes.Equal(s.path.Name(k), name) {
			k--
		}
		if k < 0 {
			return
		}
		for s.path.Depth() > k+1 {
			s.pop()
		}
	}
	if s.wantVal {
		s.h.leaf(s, name, s.val)
	}
	s.wantVal = false
	s.pop()
}

func (s *scanner) pop() {
	if s.path.Depth() == s.userDepth {
		s.userDepth = 0
	}
	s.path.Pop()
	if s.holdDepth > s.path.Depth() {
		s.holdDepth = 0
	}
	if n := len(s.recUser); n > 0 {
		s.recUser = s.recUser[:n-1]
		s.recOrd = s.recOrd[:n-1]
	}
}

// hold is called by a handler's open when the text of the element just
// opened matters even when it is ASCII: until the element closes, every
// span is handed over.
func (s *scanner) hold() {
	if s.holdDepth == 0 {
		s.holdDepth = s.path.Depth()
	}
}

// parseID parses a positive decimal id (0 when it is not one).
func parseID(val []byte) int64 {
	val = bytes.TrimSpace(val)
	if len(val) == 0 || len(val) > 18 {
		return 0
	}
	var n int64
	for _, b := range val {
		if b < '0' || b > '9' {
			return 0
		}
		n = n*10 + int64(b-'0')
	}
	return n
}

// setRecordUser records the USERID of the parent of the current leaf.
func (s *scanner) setRecordUser(val []byte) {
	n := len(s.recUser)
	if n < 2 {
		return
	}
	if id := parseID(val); id > 0 {
		s.recUser[n-2] = id
	}
}

// recordUser returns the USERID of the innermost open record that has one
// (0: none).
func (s *scanner) recordUser() int64 {
	for i := len(s.recUser) - 1; i >= 0; i-- {
		if s.recUser[i] != 0 {
			return s.recUser[i]
		}
	}
	return 0
}

// inUserProfile reports whether the scanner is inside USERS/USER.
func (s *scanner) inUserProfile() bool { return s.userDepth > 0 }
