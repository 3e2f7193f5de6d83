package backup

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/report"
)

// moodle1XML is a real-looking 1.9 moodle.xml (header and a small body).
const moodle1XML = `<?xml version="1.0" encoding="UTF-8"?>
<MOODLE_BACKUP>
  <INFO>
    <NAME>backup-bio_101-20090314-1502.zip</NAME>
    <MOODLE_VERSION>2007101591.03</MOODLE_VERSION>
    <MOODLE_RELEASE>1.9.12 (Build: 20110510)</MOODLE_RELEASE>
    <BACKUP_VERSION>2009111300</BACKUP_VERSION>
    <BACKUP_RELEASE>1.9.7</BACKUP_RELEASE>
    <DATE>1237043000</DATE>
    <ORIGINAL_WWWROOT>http://moodle.example.edu</ORIGINAL_WWWROOT>
    <ORIGINAL_SITE_IDENTIFIER_HASH>0f3e9d</ORIGINAL_SITE_IDENTIFIER_HASH>
    <ZIP_METHOD>internal</ZIP_METHOD>
    <DETAILS>
      <MOD>
        <NAME>forum</NAME>
        <INCLUDED>true</INCLUDED>
        <USERINFO>false</USERINFO>
        <INSTANCES>
          <INSTANCE>
          <ID>12</ID>
          <NAME>News forum</NAME>
          <INCLUDED>true</INCLUDED>
          <USERINFO>false</USERINFO>
          </INSTANCE>
        </INSTANCES>
      </MOD>
      <USERS>course</USERS>
      <BLOCKFORMAT>instances</BLOCKFORMAT>
    </DETAILS>
  </INFO>
  <ROLES>
    <ROLE>
      <ID>5</ID>
      <NAME>Student</NAME>
      <SHORTNAME>student</SHORTNAME>
    </ROLE>
  </ROLES>
  <COURSE>
    <HEADER>
      <ID>5</ID>
      <CATEGORY>
        <ID>1</ID>
        <NAME>Miscellaneous</NAME>
      </CATEGORY>
      <PASSWORD></PASSWORD>
      <FULLNAME>Biologie &amp; Chimie 101</FULLNAME>
      <SHORTNAME>Bio 101</SHORTNAME>
      <IDNUMBER></IDNUMBER>
      <SUMMARY>&lt;p&gt;Intro&lt;/p&gt;</SUMMARY>
      <FORMAT>topics</FORMAT>
      <LANG>fr_utf8</LANG>
    </HEADER>
    <BLOCKS>
    </BLOCKS>
    <SECTIONS>
      <SECTION>
        <ID>40</ID>
        <NUMBER>0</NUMBER>
      </SECTION>
    </SECTIONS>
  </COURSE>
</MOODLE_BACKUP>
`

// moodle2XML is a real-looking moodle_backup.xml.
const moodle2XML = `<?xml version="1.0" encoding="UTF-8"?>
<moodle_backup>
  <information>
    <name>backup-moodle2-course-7-chem-20240101-1200.mbz</name>
    <moodle_version>2022112800</moodle_version>
    <moodle_release>4.1 (Build: 20221128)</moodle_release>
    <backup_version>2022112800</backup_version>
    <backup_release>4.1</backup_release>
    <backup_date>1704110400</backup_date>
    <mnet_remoteusers>0</mnet_remoteusers>
    <include_files>1</include_files>
    <original_wwwroot>https://lms.example.org</original_wwwroot>
    <original_site_identifier_hash>abc</original_site_identifier_hash>
    <original_course_id>7</original_course_id>
    <original_course_format>weeks</original_course_format>
    <original_course_fullname>Chemistry</original_course_fullname>
    <original_course_shortname>CHEM</original_course_shortname>
    <original_course_startdate>1704067200</original_course_startdate>
    <original_course_contextid>30</original_course_contextid>
    <original_system_contextid>1</original_system_contextid>
    <details>
      <detail backup_id="0123456789abcdef">
        <type>course</type>
        <format>moodle2</format>
      </detail>
    </details>
  </information>
</moodle_backup>
`

// zent is one entry of a crafted zip.
type zent struct {
	name  string
	body  string
	store bool // zip.Store instead of zip.Deflate
	dir   bool
	edit  func(*zip.FileHeader)
}

func zipBytes(t testing.TB, ents ...zent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range ents {
		fh := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: time.Date(2009, 3, 14, 15, 2, 0, 0, time.UTC)}
		if e.dir || e.store {
			fh.Method = zip.Store
		}
		if e.edit != nil {
			e.edit(fh)
		}
		w, err := zw.CreateHeader(fh)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// tent is one entry of a crafted tar.
type tent struct {
	name     string
	body     string
	typeflag byte
	link     string
}

func tarBytes(t testing.TB, gz bool, ents ...tent) []byte {
	t.Helper()
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typeflag, Linkname: e.link, Mode: 0o644,
			ModTime: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), Format: tar.FormatUSTAR}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func codes(r *report.Report) []string { return r.Codes() }
