package users

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxValue bounds the fields read from a user record.
const maxValue = 64 << 10

// null is how 2.x backups write a NULL value.
const null = "$@NULL@$"

// field ids of a user record.
const (
	fID = iota + 1
	fUsername
	fEmail
	fFirstAccess
	fDeleted
	fAuth
	fFirstName
	fLastName
	fMNetHostURL
)

var fields1 = map[string]int{
	"ID": fID, "USERNAME": fUsername, "EMAIL": fEmail, "FIRSTACCESS": fFirstAccess,
	"DELETED": fDeleted, "AUTH": fAuth, "FIRSTNAME": fFirstName, "LASTNAME": fLastName,
	"MNETHOSTURL": fMNetHostURL,
}

var fields2 = map[string]int{
	"username": fUsername, "email": fEmail, "firstaccess": fFirstAccess,
	"deleted": fDeleted, "auth": fAuth, "firstname": fFirstName, "lastname": fLastName,
	"mnethosturl": fMNetHostURL,
}

// walker walks a scanner's tokens keeping the element path.
type walker struct {
	s      *scanner
	stack  []string
	intern map[string]string
}

func newWalker(r io.Reader) *walker {
	return &walker{s: newScanner(r, maxValue), intern: map[string]string{}}
}

func (w *walker) name(b []byte) string {
	if s, ok := w.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	w.intern[s] = s
	return s
}

// next returns the next token, keeping the path: after a start token the
// path ends with its name; after an end token the name is popped.
func (w *walker) next() (token, error) {
	t, err := w.s.next()
	if err != nil {
		return t, err
	}
	switch t.kind {
	case tokStart:
		if !t.selfClose {
			w.stack = append(w.stack, w.name(t.name))
		}
	case tokEnd:
		n := len(w.stack)
		if n == 0 || w.stack[n-1] != string(t.name) {
			want := "nothing"
			if n > 0 {
				want = "</" + w.stack[n-1] + ">"
			}
			return t, &syntaxError{t.line, t.col, fmt.Sprintf("</%s> closes %s", t.name, want)}
		}
		w.stack = w.stack[:n-1]
	}
	return t, nil
}

func (w *walker) at(path ...string) bool {
	if len(w.stack) != len(path) {
		return false
	}
	for i, p := range path {
		if w.stack[i] != p {
			return false
		}
	}
	return true
}

// leaf reads the value of the element whose start token is t, up to its
// end tag, and where its raw value lies.
func (w *walker) leaf(t token) (string, Span, error) {
	if t.selfClose {
		return "", Span{Offset: t.off, Raw: string(w.s.raw()), Line: t.line, Column: t.col, Tag: string(t.name)}, nil
	}
	name := string(t.name)
	sp := Span{Offset: t.end}
	sp.Line, sp.Column = w.s.pos()
	var raw, val strings.Builder
	for {
		c, err := w.next()
		if err == io.EOF {
			return "", sp, &syntaxError{t.line, t.col, "unexpected end of file inside <" + name + ">"}
		}
		if err != nil {
			return "", sp, err
		}
		switch c.kind {
		case tokText:
			if c.truncated {
				return "", sp, &syntaxError{c.line, c.col, fmt.Sprintf("<%s> value longer than %d bytes", name, maxValue)}
			}
			raw.Write(c.text)
			val.WriteString(unescape(c.text))
		case tokCDATA:
			if c.truncated {
				return "", sp, &syntaxError{c.line, c.col, fmt.Sprintf("<%s> value longer than %d bytes", name, maxValue)}
			}
			raw.WriteString("<![CDATA[")
			raw.Write(c.text)
			raw.WriteString("]]>")
			val.Write(c.text)
		case tokEnd:
			sp.Raw = raw.String()
			return val.String(), sp, nil
		default:
			return "", sp, &syntaxError{c.line, c.col, fmt.Sprintf("unexpected markup inside <%s>", name)}
		}
	}
}

func parseInt(v string, sp Span, name string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == null {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, &syntaxError{sp.Line, sp.Column, fmt.Sprintf("<%s> is %q, not an integer", name, v)}
	}
	return n, nil
}

// setField stores one field value into u.
func setField(u *BackupUser, f int, name, v string, sp Span) error {
	if v == null {
		v = ""
	}
	var err error
	switch f {
	case fID:
		u.ID, err = parseInt(v, sp, name)
	case fUsername:
		u.Username, u.UsernameAt = v, sp
	case fEmail:
		u.Email, u.EmailAt = v, sp
	case fFirstAccess:
		u.FirstAccess, err = parseInt(v, sp, name)
		u.FirstAccessAt = sp
	case fDeleted:
		var n int64
		n, err = parseInt(v, sp, name)
		u.Deleted = n != 0
	case fAuth:
		u.Auth = v
	case fFirstName:
		u.FirstName = v
	case fLastName:
		u.LastName = v
	case fMNetHostURL:
		u.MNetHostURL = v
	}
	return err
}

// ReadMoodle1 reads the origin (INFO) and the users (COURSE/USERS/USER) of
// a 1.x moodle.xml. It stops after the USERS section.
func ReadMoodle1(r io.Reader) (Origin, []*BackupUser, error) {
	var o Origin
	var us []*BackupUser
	var alloc userAlloc
	w := newWalker(r)
	var cur *BackupUser
	for {
		t, err := w.next()
		if err == io.EOF {
			if len(w.stack) > 0 {
				return o, us, &syntaxError{w.s.line, 0, "unexpected end of file inside <" + w.stack[len(w.stack)-1] + ">"}
			}
			return o, us, nil
		}
		if err != nil {
			return o, us, err
		}
		switch t.kind {
		case tokStart:
			if t.selfClose {
				if cur != nil && w.at("MOODLE_BACKUP", "COURSE", "USERS", "USER") {
					if f, ok := fields1[string(t.name)]; ok {
						v, sp, _ := w.leaf(t)
						if err := setField(cur, f, string(t.name), v, sp); err != nil {
							return o, us, err
						}
					}
				}
				continue
			}
			switch {
			case w.at("MOODLE_BACKUP", "INFO", "ORIGINAL_WWWROOT"), w.at("MOODLE_BACKUP", "INFO", "ORIGINAL_SITE_IDENTIFIER_HASH"):
				isWWW := string(t.name) == "ORIGINAL_WWWROOT"
				v, _, err := w.leaf(t) // t's bytes are reused from here on
				if err != nil {
					return o, us, err
				}
				if isWWW {
					o.WWWRoot = strings.TrimSpace(v)
				} else {
					o.SiteIdentifierHash = strings.TrimSpace(v)
				}
			case w.at("MOODLE_BACKUP", "COURSE", "USERS", "USER"):
				cur = alloc.new()
				cur.Ordinal, cur.At = len(us), Span{Offset: t.off, Line: t.line, Column: t.col}
				us = append(us, cur)
			case cur != nil && len(w.stack) == 5 && w.stack[3] == "USER" && w.stack[2] == "USERS" && w.stack[1] == "COURSE":
				f, ok := fields1[w.stack[4]]
				if !ok {
					continue
				}
				name := w.stack[4]
				v, sp, err := w.leaf(t)
				if err != nil {
					return o, us, err
				}
				if err := setField(cur, f, name, v, sp); err != nil {
					return o, us, err
				}
			}
		case tokEnd:
			if w.at("MOODLE_BACKUP", "COURSE") && string(t.name) == "USERS" {
				return o, us, nil
			}
		}
	}
}

// ReadMoodle2Users reads the users of a 2.x users.xml.
func ReadMoodle2Users(r io.Reader) ([]*BackupUser, error) {
	var us []*BackupUser
	var alloc userAlloc
	w := newWalker(r)
	var cur *BackupUser
	for {
		t, err := w.next()
		if err == io.EOF {
			if len(w.stack) > 0 {
				return us, &syntaxError{w.s.line, 0, "unexpected end of file inside <" + w.stack[len(w.stack)-1] + ">"}
			}
			return us, nil
		}
		if err != nil {
			return us, err
		}
		if t.kind != tokStart {
			continue
		}
		switch {
		case !t.selfClose && len(w.stack) == 2 && w.at("users", "user"):
			cur = alloc.new()
			cur.Ordinal, cur.At = len(us), Span{Offset: t.off, Line: t.line, Column: t.col}
			us = append(us, cur)
			if v, ok := attr(t.attrs, "id"); ok {
				if cur.ID, err = parseInt(v, Span{Line: t.line, Column: t.col}, "user id"); err != nil {
					return us, err
				}
			}
		case cur != nil && len(w.stack) == 3 && w.at("users", "user", w.stack[2]):
			if f, ok := fields2[w.stack[2]]; ok {
				name := w.stack[2]
				v, sp, err := w.leaf(t)
				if err != nil {
					return us, err
				}
				if err := setField(cur, f, name, v, sp); err != nil {
					return us, err
				}
			}
		case t.selfClose && cur != nil && w.at("users", "user"):
			if f, ok := fields2[string(t.name)]; ok {
				v, sp, _ := w.leaf(t)
				if err := setField(cur, f, string(t.name), v, sp); err != nil {
					return us, err
				}
			}
		}
	}
}

// ReadMoodle2Origin reads original_wwwroot and original_site_identifier_hash
// from a 2.x moodle_backup.xml, stopping at the end of <information>'s
// header fields.
func ReadMoodle2Origin(r io.Reader) (Origin, error) {
	var o Origin
	w := newWalker(r)
	for {
		t, err := w.next()
		if err == io.EOF {
			return o, nil
		}
		if err != nil {
			return o, err
		}
		if t.kind == tokEnd && w.at("moodle_backup") && string(t.name) == "information" {
			return o, nil
		}
		if t.kind != tokStart || t.selfClose {
			continue
		}
		switch {
		case w.at("moodle_backup", "information", "original_wwwroot"):
			v, _, err := w.leaf(t)
			if err != nil {
				return o, err
			}
			o.WWWRoot = strings.TrimSpace(v)
		case w.at("moodle_backup", "information", "original_site_identifier_hash"):
			v, _, err := w.leaf(t)
			if err != nil {
				return o, err
			}
			o.SiteIdentifierHash = strings.TrimSpace(v)
		case w.at("moodle_backup", "information", "details"), w.at("moodle_backup", "information", "contents"):
			// The fields we need come before these; stop early.
			return o, nil
		}
	}
}

// userAlloc hands out users from blocks, so that reading many users never
// copies them as a growing slice would.
type userAlloc struct{ block []BackupUser }

func (a *userAlloc) new() *BackupUser {
	if len(a.block) == cap(a.block) {
		a.block = make([]BackupUser, 0, 1024)
	}
	a.block = a.block[:len(a.block)+1]
	return &a.block[len(a.block)-1]
}
