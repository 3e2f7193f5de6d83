package backup

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	kflate "github.com/klauspost/compress/flate"
	"golang.org/x/text/encoding"

	"github.com/moodlemig/moodlemig/report"
)

// Limits bound what Open accepts, against decompression bombs.
type Limits struct {
	// MaxRatio is the largest allowed ratio of uncompressed to compressed
	// size of one entry of at least RatioMinSize bytes, and of a whole
	// tar.gz (0: default 1000; deflate cannot exceed about 1032).
	MaxRatio int64
	// MaxTotal is the largest allowed sum of uncompressed sizes (0: default 64 GiB).
	MaxTotal int64
	// MaxEntries is the largest allowed number of entries (0: default 1,000,000).
	MaxEntries int
}

// RatioMinSize is the uncompressed size below which an entry's compression
// ratio is not checked: small, very repetitive files are normal and harmless.
const RatioMinSize = 1 << 20

// Default limits.
const (
	DefaultMaxRatio   = 1000
	DefaultMaxTotal   = 64 << 30
	DefaultMaxEntries = 1_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxRatio
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultMaxTotal
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	return l
}

// Options control Open.
type Options struct {
	Limits Limits
	// Sink receives findings (nested root, legacy names, ...). May be nil.
	Sink report.Sink
	// NameEncoding decodes zip entry names that are not valid UTF-8
	// (default: IBM code page 437, the zip format's default). Set it when the
	// archives are known to come from e.g. a Windows-1252 or Shift-JIS system.
	NameEncoding encoding.Encoding
	// Scratch is the folder for temporary files (a tar.gz is unpacked to one
	// uncompressed temporary file there). Default: os.TempDir().
	Scratch string
}

func (o *Options) add(f report.Finding) {
	if o.Sink != nil {
		o.Sink.Add(f)
	}
}

// Open opens the backup at path: a zip, a tar or tar.gz, or an extracted
// folder. It detects the kind and reads the header facts without reading the
// whole main XML. Entry names are kept as they are in the archive; when the
// main XML sits in a folder, Facts.Root names it and a finding
// archive.nested-root is reported (see Relocate).
//
// Errors name the archive and the entry and wrap one of the sentinel errors
// (ErrNotBackup, ErrTruncated, ErrUnsafe, ErrLimit, ...). Open checks names,
// links, sizes and flags of every entry up front; CRC mismatches surface
// when an entry is read (see Verify).
func Open(ctx context.Context, path string, opts Options) (*Backup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open backup: %w", err)
	}
	opts.Limits = opts.Limits.withDefaults()
	if fi.IsDir() {
		b, err := openFolder(ctx, path, &opts)
		if err != nil {
			return nil, err
		}
		return finish(ctx, b, &opts)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open backup: %w", err)
	}
	b, err := openFile(ctx, f, fi.Size(), path, &opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	b.closers = append([]io.Closer{f}, b.closers...)
	if b, err = finish(ctx, b, &opts); err != nil {
		return nil, err
	}
	return b, nil
}

// openFile opens an archive held in f (size bytes), named path in messages.
func openFile(ctx context.Context, f io.ReaderAt, size int64, path string, opts *Options) (*Backup, error) {
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && err != io.EOF {
		return nil, &Error{Archive: path, Err: err, Detail: "cannot read the first bytes"}
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return openTarGz(ctx, io.NewSectionReader(f, 0, size), size, path, opts)
	case isTar(head):
		return openTar(ctx, f, size, path, opts)
	}
	// Moodle reads anything that is not gzip as a zip; so do we (a zip may
	// start with other data, e.g. a self-extractor).
	return openZip(ctx, f, size, path, head, opts)
}

// isTar reports whether head starts with a ustar (POSIX or GNU) header.
func isTar(head []byte) bool {
	return len(head) >= 263 && bytes.Equal(head[257:262], []byte("ustar"))
}

// describe says in words what a file that is not an archive looks like.
func describe(head []byte) string {
	t := bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	switch {
	case len(head) == 0:
		return "the file is empty (0 bytes)"
	case bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(t, []byte("<MOODLE_BACKUP>")):
		return "a bare moodle.xml, not an archive; zip it alone (zip backup.zip moodle.xml) and open the zip"
	case bytes.HasPrefix(t, []byte("<?xml")) && bytes.Contains(t, []byte("<moodle_backup>")):
		return "a bare moodle_backup.xml, not an archive; open the folder that holds it, or the .mbz it came from"
	case bytes.HasPrefix(t, []byte("<?xml")):
		return "an XML file, not an archive"
	case bytes.HasPrefix(bytes.ToLower(t), []byte("<!doctype html")) || bytes.HasPrefix(bytes.ToLower(t), []byte("<html")):
		return "an HTML page (perhaps a login or error page saved instead of the download)"
	case bytes.HasPrefix(head, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(head, []byte("Rar!")):
		return "a RAR archive; extract it and open the folder, or re-pack it as zip"
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return "a 7-Zip archive; extract it and open the folder, or re-pack it as zip"
	case bytes.HasPrefix(head, []byte("BZh")):
		return "a bzip2 file; decompress it first"
	case bytes.HasPrefix(head, []byte("\xfd7zXZ")):
		return "an xz file; decompress it first"
	case bytes.HasPrefix(head, []byte("PK")):
		return "a zip file whose directory cannot be read"
	}
	return fmt.Sprintf("an unknown file type (first bytes %q)", head[:min(len(head), 16)])
}

// Verify reads every entry of b to the end, so that CRC mismatches and
// truncation inside entries are found. It returns the first error.
func (b *Backup) Verify(ctx context.Context) error {
	buf := make([]byte, 64<<10)
	for _, e := range b.Entries {
		if e.Dir {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rc, err := e.Open()
		if err != nil {
			return err
		}
		_, err = io.CopyBuffer(io.Discard, ctxReader{ctx, rc}, buf)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// ctxReader fails with the context's error once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// entryErr wraps a read error of an entry so that it names the archive and
// the entry, mapping the container libraries' errors to ours.
func entryErr(archive, entry string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var be *Error
	if errors.As(err, &be) {
		return err
	}
	switch {
	case isChecksum(err):
		return &Error{Archive: archive, Entry: entry, Err: ErrChecksum,
			Detail: "the bytes read do not match the stored CRC-32",
			Hint:   "the archive is damaged; get another copy (zip -FF may salvage the other entries)"}
	case errors.Is(err, zip.ErrFormat) || isFlateCorrupt(err):
		return &Error{Archive: archive, Entry: entry, Err: ErrCorrupt,
			Detail: fmt.Sprintf("it cannot be decompressed as stored (%v); it may also inflate past its declared size", err),
			Hint:   "the archive is damaged or crafted; get another copy"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Archive: archive, Entry: entry, Err: ErrTruncated,
			Detail: "the entry ends before its declared size",
			Hint:   "the file was cut short (interrupted copy or upload); get a complete copy"}
	}
	return &Error{Archive: archive, Entry: entry, Err: err}
}

func isFlateCorrupt(err error) bool {
	var ce flate.CorruptInputError
	var kce kflate.CorruptInputError
	return errors.As(err, &ce) || errors.As(err, &kce)
}
