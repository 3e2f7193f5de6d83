package xmlscan

import "fmt"

// ErrorKind classifies a well-formedness error.
type ErrorKind uint8

// Kinds of SyntaxError.
const (
	// ErrSyntax: markup that is not well-formed (bad tag, mismatched or
	// stray end tag, '<' starting no markup, text outside the root).
	ErrSyntax ErrorKind = iota
	// ErrInvalidChar: a character XML 1.0 forbids (C0 controls other than
	// TAB/LF/CR, U+FFFE, U+FFFF), literally or as a &#...; reference.
	ErrInvalidChar
	// ErrInvalidUTF8: bytes that are not valid UTF-8.
	ErrInvalidUTF8
	// ErrEntity: '&' that starts no well-formed reference, or an entity
	// other than the five predefined ones.
	ErrEntity
	// ErrTruncated: the input ends inside a token or with elements open.
	ErrTruncated
)

var errorKindNames = [...]string{"syntax", "invalid-char", "invalid-utf8", "entity", "truncated"}

// String returns a short stable name: syntax, invalid-char, invalid-utf8,
// entity, truncated.
func (k ErrorKind) String() string {
	if int(k) < len(errorKindNames) {
		return errorKindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", k)
}

// SyntaxError is a well-formedness error with its place in the input.
type SyntaxError struct {
	Kind ErrorKind
	Pos  Pos
	// Path is the element path open at the error, e.g.
	// "MOODLE_BACKUP/COURSE/HEADER/SUMMARY".
	Path string
	Msg  string
	// Near is up to 24 input bytes starting at the error.
	Near string
}

func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("line %d, column %d (offset %d): %s", e.Pos.Line, e.Pos.Column, e.Pos.Offset, e.Msg)
	if e.Path != "" {
		s += " in " + e.Path
	}
	return s
}
