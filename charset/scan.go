package charset

import (
	"bytes"
	"strconv"

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

	ordinal int64 // start tags seen
	// recUser[i] is the USERID of the open element at depth i, when known.
	recUser []string
	// recOrd[i] is the ordinal of the open element at depth i.
	recOrd []int64
	// userDepth is the depth of the open USERS/USER element (0: none).
	userDepth int
	userIdx   int // ordinal of the current USERS/USER (0-based), -1 before
	// late maps element ordinals to a USERID that comes after the record's
	// text (from a prescan).
	late map[int64]string
}

// fieldHandler receives what the scanner finds.
type fieldHandler interface {
	// markup receives bytes to pass through unchanged (tags and ASCII text).
	markup(p []byte)
	// text receives text bytes of the current field; start is true for the
	// first non-empty piece of a field.
	text(p []byte)
	// endField ends the current field (at '<' or at the end of input).
	endField()
	// leaf reports a tracked leaf value when its element closes.
	leaf(s *scanner, name string, val []byte)
	// open reports a start tag (after it is pushed).
	open(s *scanner, name []byte)
}

func newScanner(h fieldHandler) *scanner {
	return &scanner{h: h, userIdx: -1}
}

// tracked reports whether the scanner keeps the value of a leaf named name.
func tracked(name []byte) bool {
	switch string(name) {
	case "LANG", "ID", "USERID", "TYPE", "AUTHORITY", "BACKUP_VERSION", "MOODLE_VERSION", "EDITALL":
		return true
	}
	return false
}

// feed scans p. It always consumes all of p.
func (s *scanner) feed(p []byte) {
	for len(p) > 0 {
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
				s.h.text(span)
			}
			if k < 0 {
				s.trk.Advance(p)
				return
			}
			s.h.endField()
			s.trk.Advance(p[:k])
			p = p[k:]
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
			s.h.markup(p)
			s.trk.Advance(p)
			return
		}
		var t []byte
		if len(s.tag) > 0 {
			t = append(s.tag, p[:min(end, maxTagLen)]...)
		} else {
			t = p[:end]
		}
		s.h.markup(p[:end])
		s.trk.Advance(p[:end])
		p = p[end:]
		s.inTag = false
		s.handleTag(t)
	}
}

// tagEnd returns the length of p up to and including the end of the
// current tag, or -1. Comments and CDATA sections end at --> and ]]>.
func (s *scanner) tagEnd(p []byte) int {
	if s.comment == 0 {
		head := s.tag
		if len(head) < 9 {
			head = append(head[:len(head):len(head)], p[:min(len(p), 9-len(head))]...)
		}
		switch {
		case bytes.HasPrefix(head, []byte("<!--")):
			s.comment = 1
		case bytes.HasPrefix(head, []byte("<![CDATA[")):
			s.comment = 2
		case len(head) < 9 && (bytes.HasPrefix([]byte("<!--"), head) || bytes.HasPrefix([]byte("<![CDATA["), head)):
			// Too short to tell; a '>' here cannot end it.
			if k := bytes.IndexByte(p, '>'); k >= 0 && k < 9-len(s.tag) {
				return -1
			}
		}
	}
	term := []byte(">")
	switch s.comment {
	case 1:
		term = []byte("-->")
	case 2:
		term = []byte("]]>")
	}
	if len(term) > 1 && s.seen > 0 {
		// The terminator may straddle the split.
		h := min(s.seen, 2)
		var j [4]byte
		copy(j[:], s.last[2-h:])
		n := copy(j[h:], p[:min(len(p), 2)])
		if k := bytes.Index(j[:h+n], term); k >= 0 && k+len(term) > h {
			return k + len(term) - h
		}
	}
	k := bytes.Index(p, term)
	if k < 0 {
		return -1
	}
	return k + len(term)
}

func (s *scanner) handleTag(t []byte) {
	if len(t) < 2 {
		return
	}
	switch t[1] {
	case '/':
		name := tagName(t[2:])
		s.closeElem(name)
	case '?', '!':
	default:
		name := tagName(t[1:])
		if len(name) == 0 {
			return
		}
		empty := bytes.HasSuffix(t, []byte("/>"))
		s.ordinal++
		if empty {
			return
		}
		d := s.path.Depth()
		s.path.Push(name)
		u := ""
		if s.late != nil {
			u = s.late[s.ordinal]
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
	}
}

func tagName(p []byte) []byte {
	n := 0
	for n < len(p) && p[n] != '>' && p[n] != '/' && p[n] != ' ' && p[n] != '\t' && p[n] != '\n' && p[n] != '\r' {
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
		s.h.leaf(s, string(name), s.val)
	}
	s.wantVal = false
	s.pop()
}

func (s *scanner) pop() {
	if s.path.Depth() == s.userDepth {
		s.userDepth = 0
	}
	s.path.Pop()
	if n := len(s.recUser); n > 0 {
		s.recUser = s.recUser[:n-1]
		s.recOrd = s.recOrd[:n-1]
	}
}

// setRecordUser records the USERID of the parent of the current leaf.
func (s *scanner) setRecordUser(val []byte) {
	n := len(s.recUser)
	if n < 2 {
		return
	}
	v := string(bytes.TrimSpace(val))
	if v == "" || v == "0" {
		return
	}
	if _, err := strconv.ParseInt(v, 10, 64); err != nil {
		return
	}
	s.recUser[n-2] = v
}

// recordUser returns the USERID of the innermost open record that has one.
func (s *scanner) recordUser() string {
	for i := len(s.recUser) - 1; i >= 0; i-- {
		if s.recUser[i] != "" {
			return s.recUser[i]
		}
	}
	return ""
}

// inUserProfile reports whether the scanner is inside USERS/USER.
func (s *scanner) inUserProfile() bool { return s.userDepth > 0 }
