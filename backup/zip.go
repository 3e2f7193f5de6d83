package backup

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	kflate "github.com/klauspost/compress/flate"

	"github.com/moodlemig/moodlemig/report"
)

func isChecksum(err error) bool {
	return errors.Is(err, zip.ErrChecksum) || errors.Is(err, gzip.ErrChecksum)
}

// zipMethodName names the compression methods met in the wild.
var zipMethodName = map[uint16]string{
	1: "Shrink", 6: "Implode", 9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES",
}

// openZip reads the zip directory of r (size bytes) and checks every entry:
// names, duplicates, encryption, methods, sizes against the limits.
func openZip(ctx context.Context, r io.ReaderAt, size int64, path string, head []byte, opts *Options) (*Backup, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
			return nil, &Error{Archive: path, Err: ErrTruncated,
				Detail: fmt.Sprintf("it starts as a zip but its central directory cannot be read (%v)", err),
				Hint:   "the file was probably cut short during copy or upload; get a complete copy (zip -FF can salvage what is there)"}
		}
		return nil, &Error{Archive: path, Err: ErrNotBackup, Detail: "found " + describe(head),
			Hint: "open a Moodle backup (.zip or .mbz) or an extracted backup folder"}
	}
	// klauspost's inflate is faster than the standard library's and does not
	// allocate per deflate block.
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return kflate.NewReader(r) })
	l := opts.Limits
	if len(zr.File) > l.MaxEntries {
		return nil, &Error{Archive: path, Err: ErrLimit,
			Detail: fmt.Sprintf("%d entries, more than the limit of %d", len(zr.File), l.MaxEntries),
			Hint:   "raise the entry limit if the archive is trusted"}
	}
	b := &Backup{Path: path, Facts: Facts{Format: FormatZip}}
	seen := make(map[string]bool, len(zr.File))
	var total uint64
	for i, f := range zr.File {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		name, rawName := zipName(f.Name, opts.NameEncoding)
		if why := unsafeReason(name); why != "" {
			return nil, &UnsafeEntryError{Archive: path, Entry: name, Reason: why}
		}
		if m := f.Mode(); m&fs.ModeSymlink != 0 {
			// Info-ZIP stores a Unix symlink as an entry whose data is the target.
			return nil, &UnsafeEntryError{Archive: path, Entry: name, Reason: "symlink", Target: zipLinkTarget(f)}
		} else if m&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket|fs.ModeCharDevice) != 0 {
			return nil, &UnsafeEntryError{Archive: path, Entry: name, Reason: "special"}
		}
		dir := f.Mode().IsDir() || (len(name) > 0 && name[len(name)-1] == '/')
		name = cleanName(name, dir)
		if name == "" { // "./" itself
			continue
		}
		if seen[name] {
			return nil, &Error{Archive: path, Entry: name, Err: ErrDuplicate,
				Detail: "the name appears more than once, so which copy is meant is unclear",
				Hint:   "re-pack the backup so that each file appears once"}
		}
		seen[name] = true
		if rawName != "" {
			opts.add(report.Finding{Code: "archive.legacy-name", Severity: report.Warning, Archive: path, Entry: name,
				Message: "entry name is not UTF-8; decoded from a legacy code page (CP437 unless configured); " +
					"check the name and set the name encoding if it looks wrong",
				Before: rawName, After: name})
		}
		if f.Flags&0x1 != 0 {
			return nil, &Error{Archive: path, Entry: name, Err: ErrEncrypted,
				Detail: "the entry is password-protected",
				Hint:   "decrypt the archive with the tool that made it (unzip -P) and re-zip it without a password"}
		}
		if !dir && f.Method != zip.Store && f.Method != zip.Deflate {
			m := zipMethodName[f.Method]
			if m == "" {
				m = "unknown"
			}
			return nil, &Error{Archive: path, Entry: name, Err: ErrMethod,
				Detail: fmt.Sprintf("compression method %d (%s); only store (0) and deflate (8) are read", f.Method, m),
				Hint:   "extract it with the tool that made it and re-zip with standard deflate, or open the extracted folder"}
		}
		total += f.UncompressedSize64
		if total > uint64(l.MaxTotal) {
			return nil, &Error{Archive: path, Entry: name, Err: ErrLimit,
				Detail: fmt.Sprintf("the entries add up to more than the limit of %d bytes uncompressed", l.MaxTotal),
				Hint:   "a possible decompression bomb; raise the total-size limit only if the archive is trusted"}
		}
		if f.UncompressedSize64 >= RatioMinSize && f.UncompressedSize64 > f.CompressedSize64*uint64(l.MaxRatio) {
			return nil, &Error{Archive: path, Entry: name, Err: ErrLimit,
				Detail: fmt.Sprintf("%d bytes compressed to %d, a ratio above the limit of %d",
					f.UncompressedSize64, f.CompressedSize64, l.MaxRatio),
				Hint: "a possible decompression bomb; raise the ratio limit only if the archive is trusted"}
		}
		b.Entries = append(b.Entries, zipEntry(path, name, rawName, dir, f))
	}
	return b, nil
}

func zipEntry(archive, name, rawName string, dir bool, f *zip.File) *Entry {
	e := &Entry{
		Name:     name,
		Size:     int64(f.UncompressedSize64),
		Modified: f.Modified,
		Dir:      dir,
		RawName:  rawName,
		raw:      f,
	}
	if dir {
		e.Size = 0
	}
	e.open = func() (io.ReadCloser, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, entryErr(archive, name, err)
		}
		return &errReadCloser{rc: rc, archive: archive, entry: name}, nil
	}
	return e
}

// errReadCloser maps read errors to *Error naming the archive and entry.
type errReadCloser struct {
	rc             io.ReadCloser
	archive, entry string
}

func (r *errReadCloser) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	return n, entryErr(r.archive, r.entry, err)
}

func (r *errReadCloser) Close() error { return r.rc.Close() }

// zipLinkTarget reads a symlink entry's target (its data), if small.
func zipLinkTarget(f *zip.File) string {
	if f.UncompressedSize64 > 4096 {
		return "?"
	}
	rc, err := f.Open()
	if err != nil {
		return "?"
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 4096))
	return string(b)
}
