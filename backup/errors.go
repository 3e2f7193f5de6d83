package backup

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error Open, Write and the entry readers return wraps
// one of these (test with errors.Is) inside an *Error or *UnsafeEntryError that
// names the archive and the entry and says what to do.
var (
	// ErrNotBackup: the input is readable but is not a Moodle backup
	// (no moodle.xml / moodle_backup.xml, or not an archive at all).
	ErrNotBackup = errors.New("not a Moodle backup")
	// ErrAmbiguous: the archive holds more than one backup at the same depth.
	ErrAmbiguous = errors.New("several backups in one archive")
	// ErrEmptyMain: moodle.xml (or moodle_backup.xml) has 0 bytes.
	ErrEmptyMain = errors.New("main XML file is empty")
	// ErrTruncated: the archive or an entry ends before its declared end.
	ErrTruncated = errors.New("archive is truncated")
	// ErrChecksum: an entry's bytes do not match its stored CRC-32.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrCorrupt: an entry's stored data is malformed: a bad local header,
	// invalid compressed data, or more bytes than its declared size.
	ErrCorrupt = errors.New("entry data is corrupt")
	// ErrEncrypted: an entry is encrypted (password-protected zip).
	ErrEncrypted = errors.New("entry is encrypted")
	// ErrMethod: an entry uses a compression method this tool cannot read.
	ErrMethod = errors.New("unsupported compression method")
	// ErrLimit: a decompression limit was exceeded (ratio, total size or
	// number of entries): a possible decompression bomb.
	ErrLimit = errors.New("decompression limit exceeded")
	// ErrDuplicate: two entries have the same name.
	ErrDuplicate = errors.New("duplicate entry name")
	// ErrUnsafe: an entry name or type could write outside the output
	// (zip-slip, absolute path, drive letter, backslash, link, device).
	ErrUnsafe = errors.New("unsafe entry")
	// ErrExists: the output file exists and overwriting was not asked for.
	ErrExists = errors.New("output exists")
	// ErrInputOverwrite: the output path is one of the inputs.
	ErrInputOverwrite = errors.New("output is an input")
)

// Error is a problem with an archive or one of its entries.
type Error struct {
	Archive string // the archive or folder path
	Entry   string // the entry name, "" for the archive as a whole
	Err     error  // one of the sentinel errors above, or an underlying error
	Detail  string // what was found
	Hint    string // what to do
}

func (e *Error) Error() string {
	s := e.Archive
	if e.Entry != "" {
		s += ": entry " + quoteName(e.Entry)
	}
	s += ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Unwrap returns the sentinel (or underlying) error.
func (e *Error) Unwrap() error { return e.Err }

// UnsafeEntryError is an entry that would escape the output or is not a
// plain file or folder. errors.Is(err, ErrUnsafe) is true for it.
type UnsafeEntryError struct {
	Archive string
	Entry   string // the name as it is in the archive
	// Reason is a short code: "parent-dir", "absolute", "drive-letter",
	// "backslash", "empty-name", "nul", "symlink", "hardlink", "special".
	Reason string
	// Target is the link target for "symlink" and "hardlink".
	Target string
}

func (e *UnsafeEntryError) Error() string {
	why := map[string]string{
		"parent-dir":   "its name climbs out of the backup with \"..\"",
		"absolute":     "its name is an absolute path",
		"drive-letter": "its name starts with a Windows drive letter",
		"backslash":    "its name contains a backslash, which Windows takes as a folder separator",
		"empty-name":   "its name is empty",
		"nul":          "its name contains a NUL byte",
		"symlink":      "it is a symbolic link (to " + quoteName(e.Target) + ")",
		"hardlink":     "it is a hard link (to " + quoteName(e.Target) + ")",
		"special":      "it is not a regular file or folder (device, FIFO or socket)",
	}[e.Reason]
	if why == "" {
		why = e.Reason
	}
	return fmt.Sprintf("%s: entry %s: %s: %s; refusing to read it. A Moodle backup never holds such entries: "+
		"the archive was crafted or damaged, so do not extract it with other tools either; get a clean copy "+
		"of the backup or re-pack it with plain relative names",
		e.Archive, quoteName(e.Entry), ErrUnsafe, why)
}

// Is reports whether target is ErrUnsafe.
func (e *UnsafeEntryError) Is(target error) bool { return target == ErrUnsafe }

func quoteName(s string) string { return fmt.Sprintf("%q", s) }
