package gen

import (
	"fmt"
	"slices"
	"strings"
)

// Options say what course to generate. The zero value of every field means
// its documented default, so Options{} is a small clean 1.9 course. Every
// field maps to one flag of `moodlemig gen`.
type Options struct {
	// Seed makes the output deterministic: the same Options (Seed included)
	// give the same bytes. Default 0 is a valid seed.
	Seed int64
	// Version is the Moodle release that "wrote" the backup: "1.5", "1.5.0",
	// "1.6", "1.7", "1.8", "1.9" (= 1.9.19) or "1.9.N" (N 0..19). It selects
	// INFO versions (spec §4.3) and what that era wrote (§12). Default "1.9".
	Version string
	// Lang is the course language code (1.5 pack names: "en", "fr", "de",
	// "es", "it", "pt", "nl", "ru", "uk", "bg", "pl", "cs", "hu", "ro", "sk",
	// "hr", "el", "tr", "he", "ar", "fa", "lt", "lv", "ja", "ko", "zh_cn",
	// "zh_tw", "th"). It chooses the script of most text and HEADER/LANG
	// ("ru" before 1.6, "ru_utf8" from 1.6). Default "en".
	Lang string
	// Sections is the number of course sections after section 0
	// (NUMSECTIONS). Default 10.
	Sections int
	// OrphanSections adds sections numbered above NUMSECTIONS, one
	// activity each: what remained when a teacher lowered the number of
	// sections (the 1.x writer wrote every section row). Default 0.
	OrphanSections int
	// ModulesPerSection is the number of activities in each numbered section
	// (section 0 always holds the news forum and a label). The module types
	// cycle through every type and subtype, so the default course (10×3)
	// holds every core module, every resource type and every assignment type.
	// Default 3.
	ModulesPerSection int
	// ModuleTypes, when set, keeps only these 1.x module types (e.g.
	// "forum", "resource") in the numbered sections' cycle, in its order:
	// a course of one module family. Section 0 keeps its news forum and
	// label. Default: every type.
	ModuleTypes []string
	// Users is the number of students; a teacher, the admin and a deleted
	// user are added. Default 8.
	Users int
	// Discussions is the number of discussions per non-news forum. Default 2.
	Discussions int
	// PostsPerDiscussion is the number of posts in each discussion, first
	// post included. Default 3.
	PostsPerDiscussion int
	// Logs is the number of LOGS/LOG rows (the course log, which made many
	// real moodle.xml files huge). Default 0: no LOGS section.
	Logs int
	// NoUserData writes a backup without users and user data (INFO USERS
	// "none", every USERINFO false).
	NoUserData bool
	// XMLSize is the approximate size of moodle.xml in bytes; 0 means no
	// growth. When larger than the course, extra forum discussions are added
	// until the size is reached (within a few percent). Any size up to
	// several GB is fine: the XML is streamed. When Sections,
	// ModulesPerSection and Users are left to their defaults, a course
	// larger than the target shrinks (fewer sections; below 100 KB a lean
	// course: one section, activity, student and question, fewer blocks,
	// shorter texts). The smallest course is about 30 KB; smaller targets
	// get it.
	XMLSize int64
	// FileCount is the number of course files (course_files/) besides the
	// files resources and questions use. Default 6.
	FileCount int
	// FileSize is the size in bytes of each course, module and user file.
	// Default 1500.
	FileSize int64
	// ZipLevel is the deflate level of the zip (1 fastest … 9 smallest).
	// Default 6, or 1 when XMLSize is 64 MB or more.
	ZipLevel int
	// Damage lists the damage to inject. The zero value injects none.
	Damage Damage
	// lean is set for small XMLSize targets: fewer fixed parts.
	lean bool
	// autoShape: the course shape was left to the defaults, so it may
	// shrink to fit XMLSize.
	autoShape bool

	// Clean writes the undamaged twin of a damaged course: the same course
	// with the same damage decisions, but none applied. Text that a legacy
	// charset could not hold is still written as the numeric character
	// references a pre-1.6 browser would have sent, so the twin is what a
	// perfect repair yields. Manifest.Spots of the twin are those of the
	// damaged file (with the twin's offsets).
	Clean bool
}

// Damage says what damage to inject. Each knob is independent.
type Damage struct {
	// Charset puts the course's text in a legacy charset: a name such as
	// "windows-1252", "iso-8859-1", "iso-8859-2", "iso-8859-5",
	// "iso-8859-7", "iso-8859-8", "iso-8859-9", "iso-8859-15",
	// "windows-1250", "windows-1251", "windows-1256", "windows-1257",
	// "koi8-r", "euc-jp", "shift_jis", "gb2312", "gbk", "big5", "euc-kr",
	// "tis-620", or "auto" for the charset of Lang's 1.5 language pack
	// (repairs.md §2.2). "" = none. It is the charset of the course's text;
	// the profile fields of a user whose LANG differs (some users are "en")
	// are in that user's pack charset, as repairs.md §2.4 reads them. For Version 1.5 – 1.7 the text is what
	// those writers produced: valid UTF-8 holding each legacy byte as one
	// Latin-1 character (utf8_encode mojibake). For 1.8+ the legacy bytes
	// are written raw under the UTF-8 declaration (a mis-migrated site).
	Charset string
	// RawLegacyBytes writes the legacy bytes raw instead of utf8_encode'd:
	// the hand-edited variant. The XML declaration then names the charset,
	// or is missing when NoDeclaration is set.
	RawLegacyBytes bool
	// NoDeclaration drops the `<?xml …?>` line (with RawLegacyBytes: the
	// "missing declaration" variant; alone: a headerless file, pitfall 6).
	NoDeclaration bool
	// CRLF writes every line end (and every newline inside values) as CR
	// LF, as a text-mode transfer or a Windows editor left it (pitfall 4).
	CRLF bool
	// MissingFiles leaves this many referenced course files out of the zip
	// (images and documents the HTML links to, resource files), as the
	// writer did when a source file was missing (§10.19). WriteZip only.
	MissingFiles int
	// DoubleUTF8 is the number of non-ASCII text values stored as UTF-8
	// bytes on a legacy-charset site and written utf8_encode'd, i.e.
	// double-encoded ("é" as "Ã©", repairs.md §2.5 item 5), spread over the
	// file. Any version; with or without Charset.
	DoubleUTF8 int
	// InvalidXMLChars is the number of text values that get one character
	// XML forbids, spread over the file. Pre-1.6 versions get C0 control
	// characters (the writer did not strip them); 1.6+ get what passed its
	// filter: a Latin-1 byte in UTF-8 text, a UTF-8 sequence cut at the end
	// of a value, or U+FFFE.
	InvalidXMLChars int
	// StripEntities applies the libxml2 2.7 damage (repairs.md §3.2: every
	// `<`, `>`, `"` and `&` of the stored HTML deleted) to the HTML fields
	// named here (element names such as "SUMMARY", "INTRO", "MESSAGE"), or to
	// every HTML field with "all".
	StripEntities []string
	// StripRatio is the share (0 < r ≤ 1) of the matching fields damaged;
	// 0 means 1 (all of them, as a damaging restore did).
	StripRatio float64
	// RelativeLinks is the number of internal links written in a form the
	// 1.x writer did not encode (relative, root-relative, other scheme or
	// www. host), spread over the file.
	RelativeLinks int
	// NestedRoot wraps every zip entry in this folder (e.g.
	// "backup-bio101"), as a re-zipped backup does.
	NestedRoot string
	// Truncate cuts the zip file to TruncateAt of its length (central
	// directory lost).
	Truncate bool
	// TruncateAt is the share of the zip kept by Truncate; 0 means 0.6.
	TruncateAt float64
	// TruncateXML stops moodle.xml at about this share (0 < r < 1) of its
	// length, mid-value, as a PHP time-out or a full disk did. The zip stays
	// valid.
	TruncateXML float64
}

// Any reports whether d injects any damage.
func (d Damage) Any() bool {
	return d.Charset != "" || d.RawLegacyBytes || d.NoDeclaration || d.CRLF || d.MissingFiles > 0 || d.DoubleUTF8 > 0 || d.InvalidXMLChars > 0 ||
		len(d.StripEntities) > 0 || d.RelativeLinks > 0 || d.NestedRoot != "" || d.Truncate ||
		d.TruncateXML > 0
}

// Twin returns the options of the undamaged twin of o (Clean set).
func (o Options) Twin() Options {
	o.Clean = true
	return o
}

// leaned returns o as a lean course: one section, activity, student,
// discussion, post and file unless set otherwise.
func (o Options) leaned() Options {
	o.lean = true
	if o.autoShape {
		o.Sections, o.ModulesPerSection, o.Users = 1, 1, 1
	}
	for _, f := range []*int{&o.Sections, &o.ModulesPerSection, &o.Users, &o.Discussions, &o.PostsPerDiscussion, &o.FileCount} {
		if *f == 0 || o.autoShape {
			*f = 1
		}
	}
	return o
}

// leanBelow is the XMLSize under which the course is lean.
const leanBelow = 100_000

// withDefaults returns o with every zero field set to its default, and
// checks the values.
func (o Options) withDefaults() (Options, error) {
	for _, t := range o.ModuleTypes {
		if !slices.ContainsFunc(kindCycle, func(k kind) bool { return k.typ == t }) {
			return o, fmt.Errorf("gen: module type %q is not one the generator writes", t)
		}
	}
	if o.Version == "" {
		o.Version = "1.9"
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	o.autoShape = o.XMLSize > 0 && o.Sections == 0 && o.ModulesPerSection == 0 && o.Users == 0
	if o.XMLSize > 0 && o.XMLSize < leanBelow {
		o = o.leaned()
	}
	if o.Sections == 0 {
		o.Sections = 10
	}
	if o.ModulesPerSection == 0 {
		o.ModulesPerSection = 3
	}
	if o.Users == 0 {
		o.Users = 8
	}
	if o.Discussions == 0 {
		o.Discussions = 2
	}
	if o.PostsPerDiscussion == 0 {
		o.PostsPerDiscussion = 3
	}
	if o.FileCount == 0 {
		o.FileCount = 6
	}
	if o.FileSize == 0 {
		o.FileSize = 1500
	}
	if o.ZipLevel == 0 {
		o.ZipLevel = 6
		if o.XMLSize >= 64<<20 {
			o.ZipLevel = 1 // big test inputs: compression speed matters more than size
		}
	}
	if o.Damage.StripRatio == 0 {
		o.Damage.StripRatio = 1
	}
	if o.Damage.TruncateAt == 0 {
		o.Damage.TruncateAt = 0.6
	}
	switch {
	case o.Sections < 0 || o.Sections > 500:
		return o, fmt.Errorf("sections %d: want 1..500", o.Sections)
	case o.ModulesPerSection < 0 || o.ModulesPerSection > 200:
		return o, fmt.Errorf("modules per section %d: want 1..200", o.ModulesPerSection)
	case o.Users < 0 || o.Users > 1_000_000:
		return o, fmt.Errorf("users %d: want 1..1000000", o.Users)
	case o.OrphanSections < 0 || o.OrphanSections > 100:
		return o, fmt.Errorf("orphan sections %d: want 0..100", o.OrphanSections)
	case o.Logs < 0:
		return o, fmt.Errorf("logs %d: want a positive number", o.Logs)
	case o.Discussions < 0 || o.PostsPerDiscussion < 0:
		return o, fmt.Errorf("discussions %d, posts per discussion %d: want positive numbers", o.Discussions, o.PostsPerDiscussion)
	case o.FileCount < 0 || o.FileSize < 0:
		return o, fmt.Errorf("file count %d, file size %d: want positive numbers", o.FileCount, o.FileSize)
	case o.ZipLevel < 1 || o.ZipLevel > 9:
		return o, fmt.Errorf("zip level %d: want 1..9", o.ZipLevel)
	case o.Damage.StripRatio < 0 || o.Damage.StripRatio > 1:
		return o, fmt.Errorf("strip ratio %g: want 0..1", o.Damage.StripRatio)
	case o.Damage.TruncateAt <= 0 || o.Damage.TruncateAt >= 1:
		return o, fmt.Errorf("truncate-at %g: want a share between 0 and 1", o.Damage.TruncateAt)
	case o.Damage.TruncateXML < 0 || o.Damage.TruncateXML >= 1:
		return o, fmt.Errorf("truncate-xml %g: want a share between 0 and 1", o.Damage.TruncateXML)
	case o.Damage.InvalidXMLChars < 0 || o.Damage.RelativeLinks < 0 || o.Damage.MissingFiles < 0 || o.Damage.DoubleUTF8 < 0:
		return o, fmt.Errorf("damage counts must not be negative")
	case strings.ContainsAny(o.Damage.NestedRoot, "\\:") || strings.HasPrefix(o.Damage.NestedRoot, "/") || strings.Contains(o.Damage.NestedRoot, ".."):
		return o, fmt.Errorf("nested root %q: want a plain relative folder name", o.Damage.NestedRoot)
	}
	if _, ok := languages[o.Lang]; !ok {
		return o, fmt.Errorf("language %q: not known; use one of %s", o.Lang, strings.Join(languageCodes(), ", "))
	}
	if _, err := parseVersion(o.Version); err != nil {
		return o, err
	}
	if o.Damage.Charset != "" {
		if _, err := o.charsetName(); err != nil {
			return o, err
		}
	}
	if o.Damage.RawLegacyBytes && o.Damage.Charset == "" {
		return o, fmt.Errorf("raw legacy bytes need a charset (Damage.Charset)")
	}
	return o, nil
}

// charsetName resolves Damage.Charset ("auto" = the charset of Lang's pack).
func (o Options) charsetName() (string, error) {
	name := strings.ToLower(o.Damage.Charset)
	if name == "auto" {
		name = languages[o.Lang].charset
	}
	if _, ok := legacyEncodings[name]; !ok {
		return "", fmt.Errorf("charset %q: not known; use auto or one of %s", o.Damage.Charset, strings.Join(charsetNames(), ", "))
	}
	return name, nil
}
