package backup

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/moodlemig/moodlemig/xmlscan"
)

// MaxHeaderBytes is how far ReadHeader reads before it gives up looking for
// the end of the header. The header is near the top of every backup (1.x:
// INFO, ROLES, COURSE/HEADER; 2.x: information), well within this.
const MaxHeaderBytes = 32 << 20

// maxValue caps the length of one captured value; longer values are cut.
const maxValue = 4 << 10

// ErrNoHeader is returned by ReadHeader when the root element is a Moodle
// backup's but its INFO (1.x) or information (2.x) block is missing.
var ErrNoHeader = errors.New("no INFO/information header")

// ReadHeader reads the header of a main backup XML (moodle.xml or
// moodle_backup.xml) from r and returns what it says: the kind (from the
// root element), declared encoding, versions, release, backup date, wwwroot,
// zip method and course facts. It streams: it stops at the end of
// COURSE/HEADER (1.x) or of information (2.x), and never reads more than
// MaxHeaderBytes.
//
// It is tolerant: a hand-rolled scan that accepts the damage repair stages
// fix later (invalid XML characters, legacy bytes). Values are kept as raw
// strings (entities decoded, charset not), so legacy text is not altered.
// Facts.Format and Facts.Root are left empty: they belong to the container.
//
// The error wraps ErrNotBackup when the root element is neither
// MOODLE_BACKUP nor moodle_backup (Facts.Kind is then KindUnknown), and
// ErrNoHeader when the header block is missing.
func ReadHeader(r io.Reader) (Facts, error) {
	s := headerScanner{r: bufio.NewReaderSize(io.LimitReader(r, MaxHeaderBytes), 16<<10), names: map[string]string{}}
	return s.run()
}

type headerScanner struct {
	r     *bufio.Reader
	f     Facts
	stack []string
	text  []byte // text of the current leaf of interest
	want  bool   // capturing text for the current element
	info  bool   // saw the INFO / information start tag
	tag   []byte
	// names interns element names: a header repeats few names many times.
	names map[string]string
	// dateText is the raw INFO/DATE or backup_date value (a Unix time).
	dateText string
}

func (s *headerScanner) run() (Facts, error) {
	// Skip a UTF-8 byte order mark.
	if b, err := s.r.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		s.r.Discard(3)
	}
	for {
		// Text up to the next '<'.
		chunk, err := s.r.ReadSlice('<')
		if s.want && len(s.text) < maxValue {
			t := chunk
			if err == nil {
				t = chunk[:len(chunk)-1]
			}
			s.text = append(s.text, t...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return s.end(err)
		}
		done, err := s.markup()
		if err != nil {
			return s.end(err)
		}
		if done {
			if s.f.Kind == KindUnknown {
				return s.f, fmt.Errorf("%w: root element is <%s>", ErrNotBackup, s.stack[0])
			}
			if !s.info {
				return s.finish(), fmt.Errorf("%w: %s has no %s block", ErrNoHeader, s.stack0(), infoName(s.f.Kind))
			}
			return s.finish(), nil
		}
	}
}

// end is called when the input ends (or fails) before the header's end.
func (s *headerScanner) end(err error) (Facts, error) {
	if err == io.ErrUnexpectedEOF && s.f.Kind == KindUnknown {
		err = io.EOF // cut before the root element: not a backup
	}
	if err != io.EOF {
		return s.f, fmt.Errorf("read header: %w", err)
	}
	switch {
	case s.f.Kind == KindUnknown:
		if len(s.stack) == 0 {
			return s.f, fmt.Errorf("%w: no XML root element found", ErrNotBackup)
		}
		return s.f, fmt.Errorf("%w: root element is <%s>", ErrNotBackup, s.stack[0])
	case !s.info:
		return s.finish(), fmt.Errorf("%w: %s has no %s block", ErrNoHeader, s.stack0(), infoName(s.f.Kind))
	}
	// INFO was read but the file ended (or the limit was hit) before the end
	// of COURSE/HEADER: keep what was found.
	return s.finish(), nil
}

func (s *headerScanner) stack0() string {
	if s.f.Kind == Moodle1 {
		return "MOODLE_BACKUP"
	}
	return "moodle_backup"
}

func infoName(k Kind) string {
	if k == Moodle1 {
		return "INFO"
	}
	return "information"
}

// markup reads one markup construct after '<' and updates the state.
// done is true once the header is complete.
func (s *headerScanner) markup() (done bool, err error) {
	b, err := s.r.Peek(1)
	if err != nil {
		return false, err
	}
	switch b[0] {
	case '?': // processing instruction, e.g. the prolog
		body, err := s.readUntil("?>")
		if err != nil {
			return false, err
		}
		if bytes.HasPrefix(body, []byte("?xml")) && s.f.Encoding == "" {
			s.f.Encoding = attr(body, "encoding")
		}
		return false, nil
	case '!':
		if p, _ := s.r.Peek(3); bytes.Equal(p, []byte("!--")) {
			_, err := s.readUntil("-->")
			return false, err
		}
		if p, _ := s.r.Peek(8); bytes.Equal(p, []byte("![CDATA[")) {
			body, err := s.readUntil("]]>")
			if err != nil {
				return false, err
			}
			if s.want && len(s.text) < maxValue {
				// Escape '&' so that value() restores CDATA text as is.
				s.text = append(s.text, bytes.ReplaceAll(body[8:len(body)-3], []byte("&"), []byte("&amp;"))...)
			}
			return false, nil
		}
		_, err := s.readUntil(">") // DOCTYPE and the like
		return false, err
	}
	tag, err := s.readUntil(">")
	if err != nil {
		return false, err
	}
	tag = tag[:len(tag)-1] // drop '>'
	if len(tag) > 0 && tag[0] == '/' {
		return s.closeTag(), nil
	}
	selfClosing := len(tag) > 0 && tag[len(tag)-1] == '/'
	if selfClosing {
		tag = tag[:len(tag)-1]
	}
	name := s.intern(tagName(tag))
	if done := s.openTag(name); done {
		return true, nil
	}
	if selfClosing {
		return s.closeTag(), nil
	}
	return false, nil
}

// readUntil reads up to and including delim and returns the bytes read.
func (s *headerScanner) readUntil(delim string) ([]byte, error) {
	s.tag = s.tag[:0]
	last := delim[len(delim)-1]
	for {
		chunk, err := s.r.ReadSlice(last)
		s.tag = append(s.tag, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if bytes.HasSuffix(s.tag, []byte(delim)) {
			return s.tag, nil
		}
	}
}

func tagName(tag []byte) []byte {
	for i, c := range tag {
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			return tag[:i]
		}
	}
	return tag
}

func (s *headerScanner) intern(b []byte) string {
	if n, ok := s.names[string(b)]; ok {
		return n
	}
	n := string(b)
	s.names[n] = n
	return n
}

// openTag handles a start tag; it returns true when the header is complete.
func (s *headerScanner) openTag(name string) bool {
	depth := len(s.stack) // depth of the new element (0 = root)
	if depth == 0 {
		switch name {
		case "MOODLE_BACKUP":
			s.f.Kind = Moodle1
		case "moodle_backup":
			s.f.Kind = Moodle2
		}
	}
	s.stack = append(s.stack, name)
	s.want, s.text = false, s.text[:0]
	if s.f.Kind == KindUnknown {
		return depth == 0 // a foreign root: stop at once
	}
	switch {
	case depth == 1 && (name == "INFO" || name == "information"):
		s.info = true
	case s.f.Kind == Moodle1 && depth == 2 && s.stack[1] == "COURSE" && name != "HEADER":
		return true // COURSE/HEADER comes first; anything else means it is over
	case depth == 2 || depth == 3:
		s.want = s.field() != nil
	}
	return false
}

// closeTag handles an end tag; it returns true when the header is complete.
func (s *headerScanner) closeTag() bool {
	if len(s.stack) == 0 {
		return false
	}
	if s.want {
		if p := s.field(); p != nil && *p == "" {
			*p = value(s.text)
		}
		s.want = false
	}
	path := s.stack
	s.stack = s.stack[:len(s.stack)-1]
	switch {
	case s.f.Kind == Moodle2 && len(path) == 2 && path[1] == "information":
		return true
	case s.f.Kind == Moodle1 && len(path) == 3 && path[1] == "COURSE" && path[2] == "HEADER":
		return true
	case s.f.Kind == Moodle1 && len(path) == 2 && path[1] == "COURSE":
		return true
	}
	return false
}

// field returns where the value of the element at the top of the stack goes,
// or nil when it is not a header fact.
func (s *headerScanner) field() *string {
	st := s.stack
	f := &s.f
	switch {
	case s.f.Kind == Moodle1 && len(st) == 3 && st[1] == "INFO":
		switch st[2] {
		case "MOODLE_VERSION":
			return &f.MoodleVersion
		case "MOODLE_RELEASE":
			return &f.MoodleRelease
		case "BACKUP_VERSION":
			return &f.BackupVersion
		case "BACKUP_RELEASE":
			return &f.BackupRelease
		case "DATE":
			return &s.dateText
		case "ORIGINAL_WWWROOT":
			return &f.WWWRoot
		case "ZIP_METHOD":
			return &f.ZipMethod
		}
	case s.f.Kind == Moodle1 && len(st) == 4 && st[1] == "COURSE" && st[2] == "HEADER":
		switch st[3] {
		case "ID":
			return &f.CourseID
		case "FULLNAME":
			return &f.FullName
		case "SHORTNAME":
			return &f.ShortName
		case "LANG":
			return &f.Lang
		case "FORMAT":
			return &f.CourseFormat
		}
	case s.f.Kind == Moodle2 && len(st) == 3 && st[1] == "information":
		switch st[2] {
		case "moodle_version":
			return &f.MoodleVersion
		case "moodle_release":
			return &f.MoodleRelease
		case "backup_version":
			return &f.BackupVersion
		case "backup_release":
			return &f.BackupRelease
		case "backup_date":
			return &s.dateText
		case "original_wwwroot":
			return &f.WWWRoot
		case "original_course_id":
			return &f.CourseID
		case "original_course_fullname":
			return &f.FullName
		case "original_course_shortname":
			return &f.ShortName
		case "original_course_format":
			return &f.CourseFormat
		}
	}
	return nil
}

func (s *headerScanner) finish() Facts {
	if n, err := strconv.ParseInt(strings.TrimSpace(s.dateText), 10, 64); err == nil && n > 0 {
		s.f.BackupDate = time.Unix(n, 0).UTC()
	}
	return s.f
}

// attr returns the value of attribute name in the body of a tag or
// processing instruction ("" when absent).
func attr(body []byte, name string) string {
	i := bytes.Index(body, []byte(name))
	for i >= 0 {
		rest := bytes.TrimLeft(body[i+len(name):], " \t\r\n")
		if len(rest) > 1 && rest[0] == '=' {
			rest = bytes.TrimLeft(rest[1:], " \t\r\n")
			if len(rest) > 0 && (rest[0] == '"' || rest[0] == '\'') {
				if j := bytes.IndexByte(rest[1:], rest[0]); j >= 0 {
					return string(rest[1 : 1+j])
				}
			}
			return ""
		}
		j := bytes.Index(body[i+1:], []byte(name))
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return ""
}

// value turns captured element text into a fact: entities decoded, space
// trimmed, bytes otherwise untouched (legacy charsets stay as they are).
func value(text []byte) string {
	return string(xmlscan.Unescape(nil, bytes.TrimSpace(text)))
}
