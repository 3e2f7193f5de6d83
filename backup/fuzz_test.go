package backup

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles returns the small fixture archives: the generator's samples and
// this package's testdata.
func seedFiles(t testing.TB, pattern ...string) [][]byte {
	var out [][]byte
	for _, p := range pattern {
		paths, _ := filepath.Glob(p)
		for _, p := range paths {
			if fi, err := os.Stat(p); err != nil || fi.Size() > 256<<10 {
				continue
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, data)
		}
	}
	return out
}

// FuzzOpenZip opens arbitrary bytes as an archive (zip, tar, tar.gz) and
// checks that Open never panics, that every error names its archive and
// wraps a known cause, and that an opened backup is self-consistent and can
// be read, relocated and written.
func FuzzOpenZip(f *testing.F) {
	for _, s := range seedFiles(f, "../testdata/sample/*.zip", "testdata/*.zip", "testdata/*.mbz") {
		f.Add(s)
	}
	f.Add(zipBytes(f, zent{name: "moodle.xml", body: moodle1XML}))
	f.Add(zipBytes(f, zent{name: "b/", dir: true}, zent{name: "b/moodle.xml", body: moodle1XML}, zent{name: "__MACOSX/b/._x", body: "x"}))
	f.Add(zipBytes(f, zent{name: "moodle_backup.xml", body: moodle2XML}, zent{name: "../x", body: "x"}))
	f.Add(zipBytes(f, zent{name: "moodle.xml", body: moodle1XML, store: true}, zent{name: "caf\x82", body: "x", edit: func(fh *zip.FileHeader) { fh.Flags |= 1 }}))
	f.Add(tarBytes(f, true, tent{name: "moodle_backup.xml", body: moodle2XML}, tent{name: "l", typeflag: '2', link: "/etc"}))
	f.Add(tarBytes(f, false, tent{name: "./moodle_backup.xml", body: moodle2XML}))
	f.Add([]byte(moodle1XML))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		opts := &Options{Limits: Limits{MaxTotal: 16 << 20, MaxEntries: 10000}.withDefaults(), Scratch: t.TempDir()}
		b, err := openFile(ctx, bytes.NewReader(data), int64(len(data)), "fuzz.zip", opts)
		if err == nil {
			b, err = finish(ctx, b, opts)
		}
		if err != nil {
			checkErr(t, err)
			return
		}
		defer b.Close()
		if b.Facts.Kind == KindUnknown || b.Main() == nil {
			t.Fatalf("opened without a kind or main entry: %+v", b.Facts)
		}
		for _, e := range b.Entries {
			if why := unsafeReason(e.Name); why != "" {
				t.Fatalf("unsafe name %q (%s) let through", e.Name, why)
			}
		}
		if err := b.Verify(ctx); err != nil {
			checkErr(t, err)
		}
		b.Relocate(nil)
		if b.Main() == nil || b.Facts.Root != "" {
			t.Fatalf("relocate lost the main entry")
		}
		if b.Facts.Format == FormatZip {
			err := writeZip(ctx, b, io.Discard, "out.zip", WriteOptions{})
			if err != nil {
				checkErr(t, err)
			}
		}
	})
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	var be *Error
	var ue *UnsafeEntryError
	switch {
	case errors.As(err, &ue):
	case errors.As(err, &be):
	default:
		t.Fatalf("error is neither *Error nor *UnsafeEntryError: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "fuzz.zip") && !strings.Contains(msg, "out.zip") {
		t.Fatalf("error does not name the archive: %v", err)
	}
}

// FuzzReadHeader checks that ReadHeader never panics, that its kind and
// errors agree, and that bytes after a complete header do not matter.
func FuzzReadHeader(f *testing.F) {
	for _, s := range seedFiles(f, "testdata/headers/*.xml") {
		f.Add(s)
	}
	for _, z := range seedFiles(f, "../testdata/sample/*.zip") {
		// The first 4 KiB of each sample's main XML.
		zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
		if err != nil {
			continue
		}
		for _, zf := range zr.File {
			if strings.HasSuffix(zf.Name, "moodle.xml") {
				if rc, err := zf.Open(); err == nil {
					head := make([]byte, 4096)
					n, _ := io.ReadFull(rc, head)
					rc.Close()
					f.Add(head[:n])
				}
			}
		}
	}
	f.Add([]byte(moodle1XML))
	f.Add([]byte(moodle2XML))
	f.Add([]byte("<MOODLE_BACKUP><INFO><DATE>1</DATE></INFO><COURSE><HEADER><ID>&#x41;&amp;</ID></HEADER></COURSE></MOODLE_BACKUP>"))
	f.Add([]byte("<?xml version='1.0'?><!-- x --><moodle_backup><information><name><![CDATA[a&b]]></name></information></moodle_backup>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		facts, err := ReadHeader(bytes.NewReader(data))
		if errors.Is(err, ErrNotBackup) != (facts.Kind == KindUnknown) {
			t.Fatalf("kind %q with error %v", facts.Kind, err)
		}
		if err != nil {
			return
		}
		// A complete header read the same way with anything after it.
		again, err2 := ReadHeader(io.MultiReader(bytes.NewReader(data), strings.NewReader("<trailing>")))
		if err2 == nil && again.Kind != facts.Kind {
			t.Fatalf("kind changed with trailing bytes: %q vs %q", facts.Kind, again.Kind)
		}
	})
}
