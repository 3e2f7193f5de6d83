// Package backup opens Moodle course backups (1.x zip, 2.x .mbz as zip or
// tar.gz, or an extracted folder) as a list of entries that stream, detects
// their kind and version from the header alone, reads them safely (zip-slip,
// bombs, links, truncation), and writes zip/tar.gz outputs atomically.
//
// Open checks every entry before anything is read: unsafe names (zip-slip:
// "..", absolute paths, drive letters, backslashes), links and special files,
// duplicates, encryption, unsupported methods and bomb limits (Limits). Its
// errors are *Error or *UnsafeEntryError values naming the archive and the
// entry, saying what to do, and wrapping a sentinel (ErrNotBackup,
// ErrTruncated, ErrChecksum, ErrCorrupt, ErrLimit, ErrUnsafe, ...) for
// errors.Is. Entry readers report CRC mismatches and truncation the same way.
//
// Findings go to Options.Sink: archive.nested-root (the backup sits in a
// folder; see Relocate and the relocate-root stage), archive.outside-root
// (an entry dropped by Relocate), archive.legacy-name (a zip name decoded
// from a legacy code page), archive.undetectable (Moodle's own 200-byte
// format test would fail), archive.no-header and archive.both-main.
//
// It knows nothing of pipelines, YAML or the CLI.
package backup

import (
	"archive/zip"
	"io"
	"time"
)

// Kind is what a backup is.
type Kind string

// Kinds of backup.
const (
	KindUnknown Kind = ""
	Moodle1     Kind = "1.x" // moodle.xml (Moodle 1.0 - 1.9)
	Moodle2     Kind = "2.x" // moodle_backup.xml (Moodle 2.0+)
)

// Format is how a backup is packed.
type Format string

// Container formats.
const (
	FormatZip    Format = "zip"
	FormatTar    Format = "tar"
	FormatTarGz  Format = "tar.gz"
	FormatFolder Format = "folder"
)

// Entry is one file of a backup. Its bytes are produced on demand by Open, so
// a Backup never holds file contents in memory. Stages derive new entries with
// Replace (new contents) or Rename; the original is never modified.
type Entry struct {
	// Name is the slash-separated path inside the archive, as stored there
	// (a leading "./" dropped); folders end in "/". When Facts.Root is set
	// the backup's files are under that folder until Relocate strips it.
	Name string
	// Size is the uncompressed size in bytes, or -1 when not known in advance
	// (e.g. the output of a streaming transform).
	Size int64
	// Modified is the entry's modification time (zero when unknown).
	Modified time.Time
	// Dir is true for directory entries.
	Dir bool
	// RawName is the name's original bytes when they were not valid UTF-8 and
	// were decoded from a legacy code page (empty otherwise).
	RawName string

	open func() (io.ReadCloser, error)
	// raw is the source zip entry when the bytes are unchanged from a zip
	// input, so a zip writer can copy the compressed payload as it is.
	raw *zip.File
}

// NewEntry returns an entry named name whose contents come from open.
// size is the uncompressed size, or -1 when unknown.
func NewEntry(name string, size int64, open func() (io.ReadCloser, error)) *Entry {
	return &Entry{Name: name, Size: size, open: open}
}

// Open returns a reader of the entry's uncompressed bytes. The caller closes it.
func (e *Entry) Open() (io.ReadCloser, error) { return e.open() }

// Raw returns the source zip entry whose compressed payload holds exactly
// this entry's bytes, or nil when the bytes were changed or came from
// elsewhere.
func (e *Entry) Raw() *zip.File { return e.raw }

// Replace returns a copy of e whose contents come from open (size -1 when
// unknown). The copy has no raw payload.
func (e *Entry) Replace(size int64, open func() (io.ReadCloser, error)) *Entry {
	c := *e
	c.Size, c.open, c.raw = size, open, nil
	return &c
}

// Rename returns a copy of e with a new name and the same contents (and raw
// payload).
func (e *Entry) Rename(name string) *Entry {
	c := *e
	c.Name = name
	return &c
}

// Facts are what is known about a backup: read from its header when opened,
// and updated by stages (e.g. transcode sets Charset).
type Facts struct {
	Kind   Kind   `json:"kind"`
	Format Format `json:"format"`
	// Root is the folder that held moodle.xml / moodle_backup.xml inside the
	// archive ("" at the root, as Moodle requires).
	Root string `json:"root,omitempty"`

	MoodleVersion string    `json:"moodle_version,omitempty"` // e.g. 2007101591
	MoodleRelease string    `json:"moodle_release,omitempty"` // e.g. 1.9.19+ (Build: 20130513)
	BackupVersion string    `json:"backup_version,omitempty"` // e.g. 2009111300
	BackupRelease string    `json:"backup_release,omitempty"` // e.g. 1.9.7
	BackupDate    time.Time `json:"backup_date,omitempty"`
	WWWRoot       string    `json:"wwwroot,omitempty"`
	ZipMethod     string    `json:"zip_method,omitempty"`

	CourseID     string `json:"course_id,omitempty"`
	FullName     string `json:"fullname,omitempty"`
	ShortName    string `json:"shortname,omitempty"`
	Lang         string `json:"lang,omitempty"`          // course language, e.g. "fr" or "fr_utf8"
	CourseFormat string `json:"course_format,omitempty"` // e.g. "topics", "weeks"

	// Encoding is the declared encoding of the XML prolog.
	Encoding string `json:"encoding,omitempty"`
	// Charset is the charset the text of moodle.xml is known to be in after
	// the stages so far ("UTF-8" once transcoded), "" when not decided.
	Charset string `json:"charset,omitempty"`
}

// MainXML is the name of the main XML file of a kind of backup.
func (k Kind) MainXML() string {
	switch k {
	case Moodle1:
		return "moodle.xml"
	case Moodle2:
		return "moodle_backup.xml"
	}
	return ""
}

// Backup is an opened backup: its entries and what is known about it.
// Entries are in archive order. Close releases the underlying file.
type Backup struct {
	// Path is the archive (or folder) the backup was opened from.
	Path    string
	Entries []*Entry
	Facts   Facts

	closers []io.Closer
}

// Entry returns the entry named name, or nil.
func (b *Backup) Entry(name string) *Entry {
	for _, e := range b.Entries {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Main returns the main XML entry (moodle.xml or moodle_backup.xml, under
// Facts.Root when the backup sits in a folder), or nil.
func (b *Backup) Main() *Entry {
	if b.Facts.Kind.MainXML() == "" {
		return nil
	}
	return b.Entry(b.Facts.Root + b.Facts.Kind.MainXML())
}

// SetEntry replaces the entry with e's name, or appends e when there is none.
func (b *Backup) SetEntry(e *Entry) {
	for i, x := range b.Entries {
		if x.Name == e.Name {
			b.Entries[i] = e
			return
		}
	}
	b.Entries = append(b.Entries, e)
}

// OnClose registers c to be closed with the backup (e.g. a scratch folder
// or the source file of a derived backup).
func (b *Backup) OnClose(c io.Closer) { b.closers = append(b.closers, c) }

// Close releases everything the backup holds open, last registered first.
func (b *Backup) Close() error {
	var first error
	for i := len(b.closers) - 1; i >= 0; i-- {
		if err := b.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	b.closers = nil
	return first
}
