package users

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
)

// bu is a backup user for fixtures.
type bu struct {
	id          int64
	username    string
	email       string
	firstaccess int64
	deleted     bool
	mnethosturl string // 1.x: written only when set; 2.x: defaults to the origin wwwroot
	first, last string
}

// moodle1XML writes a small but real-shaped 1.x moodle.xml.
func moodle1XML(w io.Writer, o Origin, us []bu) {
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MOODLE_BACKUP>\n  <INFO>\n    <NAME>backup-t-20090314-1502.zip</NAME>\n    <MOODLE_VERSION>2007101591.03</MOODLE_VERSION>\n    <MOODLE_RELEASE>1.9.19+ (Build: 20130513)</MOODLE_RELEASE>\n    <BACKUP_VERSION>2009111300</BACKUP_VERSION>\n    <BACKUP_RELEASE>1.9.7</BACKUP_RELEASE>\n    <DATE>1237043000</DATE>\n")
	fmt.Fprintf(w, "    <ORIGINAL_WWWROOT>%s</ORIGINAL_WWWROOT>\n", escape(o.WWWRoot))
	if o.SiteIdentifierHash != "" {
		fmt.Fprintf(w, "    <ORIGINAL_SITE_IDENTIFIER_HASH>%s</ORIGINAL_SITE_IDENTIFIER_HASH>\n", o.SiteIdentifierHash)
	}
	fmt.Fprintf(w, "    <ZIP_METHOD>internal</ZIP_METHOD>\n    <DETAILS>\n      <USERS>course</USERS>\n    </DETAILS>\n  </INFO>\n  <ROLES>\n  </ROLES>\n  <COURSE>\n    <HEADER>\n      <ID>5</ID>\n      <FULLNAME>Biology &amp; Life</FULLNAME>\n    </HEADER>\n    <SECTIONS>\n    </SECTIONS>\n    <USERS>\n")
	for _, u := range us {
		del := 0
		if u.deleted {
			del = 1
		}
		fmt.Fprintf(w, "      <USER>\n        <ID>%d</ID>\n        <AUTH>manual</AUTH>\n        <CONFIRMED>1</CONFIRMED>\n        <POLICYAGREED>0</POLICYAGREED>\n        <DELETED>%d</DELETED>\n        <USERNAME>%s</USERNAME>\n        <IDNUMBER></IDNUMBER>\n        <FIRSTNAME>%s</FIRSTNAME>\n        <LASTNAME>%s</LASTNAME>\n        <EMAIL>%s</EMAIL>\n        <EMAILSTOP>0</EMAILSTOP>\n        <CITY>Lyon</CITY>\n        <COUNTRY>FR</COUNTRY>\n        <LANG>fr_utf8</LANG>\n        <FIRSTACCESS>%d</FIRSTACCESS>\n        <LASTACCESS>1237000000</LASTACCESS>\n        <DESCRIPTION>&lt;p&gt;Hello&lt;/p&gt;</DESCRIPTION>\n",
			u.id, del, escape(u.username), escape(u.first), escape(u.last), escape(u.email), u.firstaccess)
		if u.mnethosturl != "" {
			fmt.Fprintf(w, "        <MNETHOSTURL>%s</MNETHOSTURL>\n", escape(u.mnethosturl))
		}
		fmt.Fprintf(w, "        <TIMEMODIFIED>1237000000</TIMEMODIFIED>\n        <ROLES>\n          <ROLE>\n            <TYPE>needed</TYPE>\n          </ROLE>\n        </ROLES>\n      </USER>\n")
	}
	fmt.Fprintf(w, "    </USERS>\n    <MODULES>\n      <MOD>\n        <ID>1</ID>\n        <MODTYPE>forum</MODTYPE>\n        <NAME>News &lt;b&gt;</NAME>\n        <USERNAME>not-a-user-field</USERNAME>\n      </MOD>\n    </MODULES>\n    <FORMATDATA>\n    </FORMATDATA>\n  </COURSE>\n</MOODLE_BACKUP>\n")
}

// moodle2Files writes moodle_backup.xml and users.xml of a 2.x backup.
func moodle2Files(mb, ux io.Writer, o Origin, us []bu) {
	fmt.Fprintf(mb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<moodle_backup>\n  <information>\n    <name>t.mbz</name>\n    <moodle_version>2024100700</moodle_version>\n    <backup_version>2024100700</backup_version>\n    <original_wwwroot>%s</original_wwwroot>\n    <original_site_identifier_hash>%s</original_site_identifier_hash>\n    <original_course_id>5</original_course_id>\n    <details>\n      <detail backup_id=\"abc\">\n        <type>course</type>\n      </detail>\n    </details>\n  </information>\n</moodle_backup>\n",
		escape(o.WWWRoot), o.SiteIdentifierHash)
	fmt.Fprintf(ux, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<users>\n")
	for _, u := range us {
		del := 0
		if u.deleted {
			del = 1
		}
		host := u.mnethosturl
		if host == "" {
			host = o.WWWRoot
		}
		fmt.Fprintf(ux, "  <user id=\"%d\" contextid=\"%d\">\n    <username>%s</username>\n    <idnumber></idnumber>\n    <email>%s</email>\n    <phone1>$@NULL@$</phone1>\n    <description>&lt;p&gt;Hi&lt;/p&gt;</description>\n    <auth>manual</auth>\n    <firstname>%s</firstname>\n    <lastname>%s</lastname>\n    <mnethosturl>%s</mnethosturl>\n    <confirmed>1</confirmed>\n    <deleted>%d</deleted>\n    <lang>en</lang>\n    <firstaccess>%d</firstaccess>\n    <lastaccess>0</lastaccess>\n    <custom_fields>\n    </custom_fields>\n    <preferences>\n      <preference id=\"1\">\n        <name>email</name>\n        <value>x</value>\n      </preference>\n    </preferences>\n  </user>\n",
			u.id, 100+u.id, escape(u.username), escape(u.email), escape(u.first), escape(u.last), escape(host), del, u.firstaccess)
	}
	fmt.Fprintf(ux, "</users>\n")
}

// fileBackup returns a Backup whose entries are the files of dir.
func fileBackup(t testing.TB, dir string, kind backup.Kind) *backup.Backup {
	t.Helper()
	b := &backup.Backup{Path: dir, Facts: backup.Facts{Kind: kind}}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range ents {
		p := filepath.Join(dir, de.Name())
		fi, _ := de.Info()
		b.Entries = append(b.Entries, backup.NewEntry(de.Name(), fi.Size(), func() (io.ReadCloser, error) { return os.Open(p) }))
	}
	return b
}

// writeBackup writes a 1.x or 2.x backup of us into a new folder.
func writeBackup(t testing.TB, kind backup.Kind, o Origin, us []bu) *backup.Backup {
	t.Helper()
	dir := t.TempDir()
	if kind == backup.Moodle1 {
		var buf bytes.Buffer
		moodle1XML(&buf, o, us)
		mustWrite(t, filepath.Join(dir, "moodle.xml"), buf.Bytes())
	} else {
		var mb, ux bytes.Buffer
		moodle2Files(&mb, &ux, o, us)
		mustWrite(t, filepath.Join(dir, "moodle_backup.xml"), mb.Bytes())
		mustWrite(t, filepath.Join(dir, "users.xml"), ux.Bytes())
	}
	return fileBackup(t, dir, kind)
}

func mustWrite(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// targetCSV writes target users as a CSV export.
func targetCSV(t testing.TB, rows []TargetUser) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("id,username,email,firstaccess,mnethostid,deleted,auth\n")
	for _, r := range rows {
		del := 0
		if r.Deleted {
			del = 1
		}
		fmt.Fprintf(&sb, "%d,%s,%s,%d,%d,%d,%s\n", r.ID, csvQuote(r.Username), csvQuote(r.Email), r.FirstAccess, r.MNetHostID, del, r.Auth)
	}
	p := filepath.Join(t.TempDir(), "target.csv")
	mustWrite(t, p, []byte(sb.String()))
	return p
}

func csvQuote(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func readAll(t testing.TB, e *backup.Entry) []byte {
	t.Helper()
	rc, err := e.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
