package repair

import (
	"bytes"
	"strings"
)

// Tracker follows line, column and byte offset over a stream that arrives in
// chunks. Feed it every input byte once, in order, with Advance; Pos then
// tells where the next byte is. Lines and columns are 1-based; columns count
// bytes, like encoding/xml's InputPos.
type Tracker struct {
	off       int64 // offset of the next byte
	line      int   // line of the next byte, 0 until first use (means 1)
	lineStart int64 // offset of the first byte of the current line
}

// Advance moves the tracker over p.
func (t *Tracker) Advance(p []byte) {
	if n := bytes.Count(p, nl); n > 0 {
		t.line += n
		t.lineStart = t.off + int64(bytes.LastIndexByte(p, '\n')) + 1
	}
	t.off += int64(len(p))
}

var nl = []byte{'\n'}

// Pos returns the line, column and byte offset of the next byte.
func (t *Tracker) Pos() (line, col int, off int64) {
	return t.line + 1, int(t.off-t.lineStart) + 1, t.off
}

// Offset returns the offset of the next byte.
func (t *Tracker) Offset() int64 { return t.off }

// Reset puts the tracker back at the start of a stream.
func (t *Tracker) Reset() { *t = Tracker{} }

// MaxPathDepth bounds how many element names a PathStack remembers; deeper
// elements are counted but not named, so memory stays bounded on hostile
// input.
const MaxPathDepth = 256

// PathStack is the stack of open element names, for element paths such as
// MOODLE_BACKUP/COURSE/HEADER/FULLNAME. Names are kept in one buffer, so a
// push or pop does not allocate once the buffer has grown.
type PathStack struct {
	buf   []byte // names joined by '/'
	ends  []int  // end of each name in buf
	extra int    // open elements beyond MaxPathDepth
}

// Push opens an element named name.
func (s *PathStack) Push(name []byte) {
	if len(s.ends) >= MaxPathDepth {
		s.extra++
		return
	}
	if len(s.ends) > 0 {
		s.buf = append(s.buf, '/')
	}
	s.buf = append(s.buf, name...)
	s.ends = append(s.ends, len(s.buf))
}

// Pop closes the innermost element. It does nothing on an empty stack.
func (s *PathStack) Pop() {
	if s.extra > 0 {
		s.extra--
		return
	}
	if len(s.ends) == 0 {
		return
	}
	s.ends = s.ends[:len(s.ends)-1]
	if len(s.ends) == 0 {
		s.buf = s.buf[:0]
		return
	}
	s.buf = s.buf[:s.ends[len(s.ends)-1]]
}

// Depth is the number of open elements.
func (s *PathStack) Depth() int { return len(s.ends) + s.extra }

// Top returns the innermost element's name (nil when empty, or when it is
// beyond MaxPathDepth). The slice is valid until the next Push or Pop.
func (s *PathStack) Top() []byte {
	if s.extra > 0 || len(s.ends) == 0 {
		return nil
	}
	start := 0
	if n := len(s.ends); n > 1 {
		start = s.ends[n-2] + 1
	}
	return s.buf[start:s.ends[len(s.ends)-1]]
}

// Name returns the name of the open element at depth i (0 = root).
func (s *PathStack) Name(i int) []byte {
	if i < 0 || i >= len(s.ends) {
		return nil
	}
	start := 0
	if i > 0 {
		start = s.ends[i-1] + 1
	}
	return s.buf[start:s.ends[i]]
}

// String returns the element path, names joined by '/'.
func (s *PathStack) String() string {
	if s.extra > 0 {
		return string(s.buf) + strings.Repeat("/…", s.extra)
	}
	return string(s.buf)
}

// Bytes returns the element path like String, as a view into the stack's
// buffer, valid until the next Push or Pop (names beyond MaxPathDepth are
// left out).
func (s *PathStack) Bytes() []byte { return s.buf }

// HasSuffix reports whether the path ends with the given names, e.g.
// HasSuffix("USERS", "USER", "LANG").
func (s *PathStack) HasSuffix(names ...string) bool {
	n := len(s.ends)
	if s.extra > 0 || len(names) > n {
		return false
	}
	for k := range names {
		if string(s.Name(n-len(names)+k)) != names[k] {
			return false
		}
	}
	return true
}

// Reset empties the stack, keeping its buffers.
func (s *PathStack) Reset() {
	s.buf, s.ends, s.extra = s.buf[:0], s.ends[:0], 0
}
