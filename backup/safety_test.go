package backup

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/moodlemig/moodlemig/report"
)

// rawZip builds a zip whose single extra entry is written with CreateRaw, so
// tests can set any method or flag.
func rawZip(t *testing.T, main string, fh zip.FileHeader, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("moodle.xml")
	w.Write([]byte(main))
	fh.CRC32 = crc32.ChecksumIEEE(body)
	fh.CompressedSize64, fh.UncompressedSize64 = uint64(len(body)), uint64(len(body))
	w, err := zw.CreateRaw(&fh)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	zeros := strings.Repeat("\x00", 2<<20)
	big := strings.Repeat("x", 600)
	okMain := zent{name: "moodle.xml", body: moodle1XML}
	good := zipBytes(t, okMain, zent{name: "course_files/a.txt", body: strings.Repeat("course file ", 1000)})
	goodTgz := tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "files/ab/abcd", body: strings.Repeat("file pool ", 1000)})
	goodTar := tarBytes(t, false, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "files/ab/abcd", body: strings.Repeat("file pool ", 1000)})
	badGzCRC := append([]byte(nil), goodTgz...)
	badGzCRC[len(badGzCRC)-8] ^= 0xff // the CRC-32 in the gzip trailer

	tests := []struct {
		name   string
		data   []byte
		limits Limits
		err    error
		reason string // UnsafeEntryError.Reason
		entry  string // must appear in the message
		detail string // must appear in the message
	}{
		{"zip-slip parent", zipBytes(t, okMain, zent{name: "../evil.php", body: "x"}), Limits{}, ErrUnsafe, "parent-dir", "../evil.php", ""},
		{"zip-slip inner parent", zipBytes(t, okMain, zent{name: "course_files/../../evil", body: "x"}), Limits{}, ErrUnsafe, "parent-dir", "course_files/../../evil", ""},
		{"zip-slip absolute", zipBytes(t, okMain, zent{name: "/etc/cron.d/x", body: "x"}), Limits{}, ErrUnsafe, "absolute", "/etc/cron.d/x", ""},
		{"zip-slip drive letter", zipBytes(t, okMain, zent{name: "C:/Windows/x.dll", body: "x"}), Limits{}, ErrUnsafe, "drive-letter", "C:/Windows/x.dll", ""},
		{"zip-slip drive-relative", zipBytes(t, okMain, zent{name: "d:x.dll", body: "x"}), Limits{}, ErrUnsafe, "drive-letter", "d:x.dll", ""},
		{"zip-slip backslash", zipBytes(t, okMain, zent{name: `..\..\evil.bat`, body: "x"}), Limits{}, ErrUnsafe, "backslash", `..\\..\\evil.bat`, ""},
		{"zip symlink", zipBytes(t, okMain, zent{name: "course_files/passwd", body: "/etc/passwd", edit: func(fh *zip.FileHeader) { fh.SetMode(os.ModeSymlink | 0o777) }}), Limits{}, ErrUnsafe, "symlink", "course_files/passwd", "/etc/passwd"},
		{"tar-slip", tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "../../x", body: "x"}), Limits{}, ErrUnsafe, "parent-dir", "../../x", ""},
		{"tar symlink", tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "files/passwd", typeflag: '2', link: "/etc/passwd"}), Limits{}, ErrUnsafe, "symlink", "files/passwd", "/etc/passwd"},
		{"tar hardlink", tarBytes(t, false, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "files/h", typeflag: '1', link: "moodle_backup.xml"}), Limits{}, ErrUnsafe, "hardlink", "files/h", "moodle_backup.xml"},
		{"tar device", tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "dev/sda", typeflag: '4'}), Limits{}, ErrUnsafe, "special", "dev/sda", ""},
		{"zip duplicate", zipBytes(t, okMain, zent{name: "a.txt", body: "1"}, zent{name: "a.txt", body: "2"}), Limits{}, ErrDuplicate, "", "a.txt", "more than once"},
		{"zip duplicate via ./", zipBytes(t, okMain, zent{name: "./moodle.xml", body: "2"}), Limits{}, ErrDuplicate, "", "moodle.xml", ""},
		{"tar duplicate", tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "moodle_backup.xml", body: "<x/>"}), Limits{}, ErrDuplicate, "", "moodle_backup.xml", ""},
		{"bomb by ratio", zipBytes(t, okMain, zent{name: "course_files/zeros.bin", body: zeros}), Limits{MaxRatio: 100}, ErrLimit, "", "course_files/zeros.bin", "ratio"},
		{"bomb by total", zipBytes(t, okMain, zent{name: "a", body: big}, zent{name: "b", body: big}), Limits{MaxTotal: int64(len(moodle1XML) + 1000)}, ErrLimit, "", "b", "limit"},
		{"bomb by entries", zipBytes(t, okMain, zent{name: "a"}, zent{name: "b"}), Limits{MaxEntries: 2}, ErrLimit, "", "", "3 entries"},
		{"tar.gz bomb by ratio", tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "zeros", body: zeros}), Limits{MaxRatio: 50}, ErrLimit, "", "", "unpacks to more than"},
		{"tar.gz bomb by total", goodTgz, Limits{MaxTotal: 4000}, ErrLimit, "", "", "unpacks to more than 4000 bytes"},
		{"truncated zip", good[:len(good)/2], Limits{}, ErrTruncated, "", "", "central directory"},
		{"truncated tar.gz", goodTgz[:len(goodTgz)/2], Limits{}, ErrTruncated, "", "", "ends"},
		{"truncated tar", goodTar[:len(goodTar)-1500], Limits{}, ErrTruncated, "", "files/ab/abcd", "ends inside"},
		{"tar.gz CRC mismatch", badGzCRC, Limits{}, ErrChecksum, "", "", "CRC-32"},
		{"encrypted", zipBytes(t, okMain, zent{name: "secret.txt", body: "x", edit: func(fh *zip.FileHeader) { fh.Flags |= 1 }}), Limits{}, ErrEncrypted, "", "secret.txt", "password"},
		{"deflate64", rawZip(t, moodle1XML, zip.FileHeader{Name: "big.bin", Method: 9}, []byte("xx")), Limits{}, ErrMethod, "", "big.bin", "Deflate64"},
		{"0-byte moodle.xml", zipBytes(t, zent{name: "moodle.xml"}, zent{name: "course_files/a", body: "a"}), Limits{}, ErrEmptyMain, "", "moodle.xml", "0 bytes"},
		{"0-byte nested moodle.xml", zipBytes(t, zent{name: "x/moodle.xml"}), Limits{}, ErrEmptyMain, "", "x/moodle.xml", "0 bytes"},
		{"two backups", zipBytes(t, zent{name: "a/moodle.xml", body: moodle1XML}, zent{name: "b/moodle.xml", body: moodle1XML}), Limits{}, ErrAmbiguous, "", "", "a/, b/"},
		{"not a backup: other files", zipBytes(t, zent{name: "notes/", dir: true}, zent{name: "notes/a.txt", body: "a"}, zent{name: "readme.txt", body: "r"}), Limits{}, ErrNotBackup, "", "", "no moodle.xml or moodle_backup.xml among 2 files (top level: notes/, readme.txt)"},
		{"not a backup: IMS package", zipBytes(t, zent{name: "imsmanifest.xml", body: "<manifest/>"}), Limits{}, ErrNotBackup, "", "", "IMS content package"},
		{"not a backup: backup inside", zipBytes(t, zent{name: "old/backup-x.mbz", body: "x"}), Limits{}, ErrNotBackup, "", "", `"old/backup-x.mbz"`},
		{"not a backup: empty zip", zipBytes(t), Limits{}, ErrNotBackup, "", "", "empty archive"},
		{"not a backup: moodle.xml is HTML", zipBytes(t, zent{name: "moodle.xml", body: "<html><body>Error</body></html>"}), Limits{}, ErrNotBackup, "", "moodle.xml", "root element is <html>"},
		{"not a backup: renamed 2.x file", zipBytes(t, zent{name: "moodle.xml", body: moodle2XML}), Limits{}, ErrNotBackup, "", "moodle.xml", "2.x backup"},
		{"not a backup: bare moodle.xml", []byte(moodle1XML), Limits{}, ErrNotBackup, "", "", "bare moodle.xml"},
		{"not a backup: HTML download", []byte("<!DOCTYPE html><html>login</html>"), Limits{}, ErrNotBackup, "", "", "HTML page"},
		{"not a backup: empty file", nil, Limits{}, ErrNotBackup, "", "", "empty (0 bytes)"},
		{"not a backup: RAR", []byte("Rar!\x1a\x07\x00 rest"), Limits{}, ErrNotBackup, "", "", "RAR archive"},
		{"not a backup: gzip of text", gz(t, "hello"), Limits{}, ErrNotBackup, "", "", "does not hold a tar archive"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, "case"+string(rune('a'+i%26))+strings.Repeat("_", i/26)+".zip", tt.data)
			b, err := Open(context.Background(), p, Options{Limits: tt.limits})
			if err == nil {
				b.Close()
				t.Fatalf("Open succeeded, want %v", tt.err)
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			msg := err.Error()
			if !strings.Contains(msg, p) {
				t.Errorf("message does not name the archive: %s", msg)
			}
			if tt.entry != "" && !strings.Contains(msg, tt.entry) {
				t.Errorf("message does not name the entry %q: %s", tt.entry, msg)
			}
			if tt.detail != "" && !strings.Contains(msg, tt.detail) {
				t.Errorf("message lacks %q: %s", tt.detail, msg)
			}
			if tt.reason != "" {
				var ue *UnsafeEntryError
				if !errors.As(err, &ue) || ue.Reason != tt.reason {
					t.Errorf("err = %#v, want UnsafeEntryError with reason %s", err, tt.reason)
				}
			}
			if !strings.Contains(msg, "; ") {
				t.Errorf("message does not say what to do: %s", msg)
			}
		})
	}
}

func gz(t *testing.T, s string) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte(s))
	w.Close()
	return buf.Bytes()
}

func TestCRCMismatch(t *testing.T) {
	payload := "this text is stored, not deflated, so one flipped byte stays a flipped byte"
	data := zipBytes(t, zent{name: "moodle.xml", body: moodle1XML}, zent{name: "course_files/a.txt", body: payload, store: true})
	i := bytes.Index(data, []byte(payload))
	if i < 0 {
		t.Fatal("payload not stored as is")
	}
	data[i+5] ^= 0x20
	p := writeFile(t, t.TempDir(), "crc.zip", data)
	b, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatalf("Open: %v (a CRC error shows when the entry is read)", err)
	}
	defer b.Close()
	err = b.Verify(context.Background())
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("Verify err = %v, want ErrChecksum", err)
	}
	if msg := err.Error(); !strings.Contains(msg, p) || !strings.Contains(msg, "course_files/a.txt") {
		t.Errorf("message does not name archive and entry: %s", msg)
	}
}

func TestTruncatedEntryInTar(t *testing.T) {
	// A plain tar whose last entry is cut: Open sees it from the sizes.
	data := tarBytes(t, false, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "files/x", body: strings.Repeat("y", 5000)})
	p := writeFile(t, t.TempDir(), "cut.tar", data[:len(data)-3000])
	_, err := Open(context.Background(), p, Options{})
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("err = %v, want ErrTruncated", err)
	}
}

func TestFolderSymlink(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "moodle.xml", []byte(moodle1XML))
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "course_files")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	_, err := Open(context.Background(), dir, Options{})
	var ue *UnsafeEntryError
	if !errors.As(err, &ue) || ue.Reason != "symlink" || ue.Entry != "course_files" {
		t.Fatalf("err = %v, want a symlink UnsafeEntryError", err)
	}
}

func TestLegacyNames(t *testing.T) {
	data := zipBytes(t, zent{name: "moodle.xml", body: moodle1XML},
		zent{name: "course_files/caf\x82 cr\x8ame.txt", body: "x"}, // CP437: é, è
		zent{name: "course_files/utf8-\u00e9.txt", body: "y"})
	p := writeFile(t, t.TempDir(), "names.zip", data)
	rep := report.New(0)
	b, err := Open(context.Background(), p, Options{Sink: rep})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	e := b.Entry("course_files/café crème.txt")
	if e == nil || e.RawName != "course_files/caf\x82 cr\x8ame.txt" {
		t.Fatalf("legacy name not decoded from CP437: %v", names(b))
	}
	if b.Entry("course_files/utf8-\u00e9.txt") == nil || b.Entry("course_files/utf8-\u00e9.txt").RawName != "" {
		t.Errorf("UTF-8 name (no flag) not kept as UTF-8: %v", names(b))
	}
	if got := rep.Count("archive.legacy-name"); got != 1 {
		t.Errorf("%d legacy-name findings, want 1", got)
	}
	f := rep.Findings()[0]
	if f.Before != e.RawName || f.After != e.Name || f.Entry != e.Name {
		t.Errorf("finding = %+v", f)
	}
}

func names(b *Backup) []string {
	var n []string
	for _, e := range b.Entries {
		n = append(n, e.Name)
	}
	return n
}

func TestNameEncodingHook(t *testing.T) {
	data := zipBytes(t, zent{name: "moodle.xml", body: moodle1XML}, zent{name: "course_files/caf\xe9.txt", body: "x"})
	p := writeFile(t, t.TempDir(), "names.zip", data)
	b, err := Open(context.Background(), p, Options{NameEncoding: charmap.Windows1252})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if e := b.Entry("course_files/café.txt"); e == nil || e.RawName != "course_files/caf\xe9.txt" {
		t.Fatalf("name not decoded with the configured code page: %q", names(b))
	}
}

func TestOpenCancelled(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "f")
	writeFile(t, folder, "moodle.xml", []byte(moodle1XML))
	paths := []string{
		writeFile(t, dir, "a.zip", zipBytes(t, zent{name: "moodle.xml", body: moodle1XML})),
		writeFile(t, dir, "a.mbz", tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML})),
		folder,
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, p := range paths {
		if _, err := Open(ctx, p, Options{}); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", p, err)
		}
	}
}

// TestZip64 opens a zip with more than 65535 entries, which needs the zip64
// end-of-central-directory records.
func TestZip64(t *testing.T) {
	if testing.Short() {
		t.Skip("large archive")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("moodle.xml")
	w.Write([]byte(moodle1XML))
	const n = 70000
	for i := range n {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: "course_files/f" + strconv.Itoa(i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	if !bytes.Contains(buf.Bytes(), []byte("PK\x06\x06")) {
		t.Fatal("test archive has no zip64 end record")
	}
	p := writeFile(t, t.TempDir(), "z64.zip", buf.Bytes())
	b, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if len(b.Entries) != n+1 || b.Facts.Kind != Moodle1 {
		t.Errorf("%d entries, kind %q", len(b.Entries), b.Facts.Kind)
	}
}

func TestCorruptEntries(t *testing.T) {
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	big := bytes.Repeat([]byte("inflates past its declared size "), 1000)
	fw.Write(big)
	fw.Close()
	// An entry whose central directory declares 100 bytes for 32000.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("moodle.xml")
	w.Write([]byte(moodle1XML))
	w, _ = zw.CreateRaw(&zip.FileHeader{Name: "course_files/lie.bin", Method: zip.Deflate,
		CRC32: crc32.ChecksumIEEE(big), CompressedSize64: uint64(deflated.Len()), UncompressedSize64: 100})
	w.Write(deflated.Bytes())
	zw.Close()
	lie := buf.Bytes()
	garbage := rawZip(t, moodle1XML, zip.FileHeader{Name: "course_files/bad.bin", Method: zip.Deflate}, []byte("\xff\xff\xff not deflate data"))

	for name, data := range map[string][]byte{"declared size too small": lie, "invalid deflate": garbage} {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "c.zip", data)
			b, err := Open(context.Background(), p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			err = b.Verify(context.Background())
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "course_files/") || !strings.Contains(err.Error(), p) {
				t.Fatalf("err = %v, want ErrCorrupt naming archive and entry", err)
			}
		})
	}
}

func TestCorruptTarGz(t *testing.T) {
	data := tarBytes(t, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "files/x", body: strings.Repeat("abc", 20000)})
	for i := len(data) / 2; i < len(data)/2+40; i++ {
		data[i] ^= 0x55
	}
	p := writeFile(t, t.TempDir(), "c.mbz", data)
	_, err := Open(context.Background(), p, Options{})
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v, want ErrCorrupt or ErrChecksum", err)
	}
}
