package gen

// Manifest is what a writer wrote, as counts, so tests of the reader,
// inspect, the repairs and the converter can check conservation. Counts are
// of elements as a parser sees them (e.g. Posts counts every POST element).
type Manifest struct {
	// Version is the release simulated ("1.9.19"), BackupVersion its
	// INFO/BACKUP_VERSION.
	Version, BackupVersion string
	// Lang is the course language code; Charset the legacy charset of the
	// text ("" = UTF-8); Mojibake whether it was written utf8_encode'd.
	Lang, Charset string
	Mojibake      bool
	// CourseID, WWWRoot: COURSE/HEADER/ID and INFO/ORIGINAL_WWWROOT.
	CourseID int64
	WWWRoot  string
	// XMLBytes is the length of moodle.xml.
	XMLBytes int64

	Sections    int            // SECTIONS/SECTION
	SectionMods int            // SECTIONS/SECTION/MODS/MOD
	Modules     map[string]int // MODULES/MOD by MODTYPE
	Resources   map[string]int // resource MOD by TYPE
	Assignments map[string]int // assignment MOD by ASSIGNMENTTYPE
	Questions   map[string]int // QUESTION by QTYPE (sub-questions included)
	Categories  int            // QUESTION_CATEGORY
	Users       int            // USERS/USER
	Blocks      int            // BLOCKS/BLOCK
	Groups      int            // GROUPS/GROUP
	Groupings   int            // GROUPINGS/GROUPING
	Scales      int            // SCALES/SCALE
	Events      int            // EVENTS/EVENT
	GradeItems  int            // GRADEBOOK/GRADE_ITEMS/GRADE_ITEM (1.9) or GRADE_CATEGORIES/…/GRADE_ITEM (older)
	Grades      int            // GRADE_GRADES/GRADE
	Discussions int            // forum DISCUSSION
	Posts       int            // forum POST
	Submissions int            // assignment SUBMISSION
	Entries     int            // glossary ENTRY (inside ENTRIES)
	Attempts    int            // quiz ATTEMPT
	Logs        int            // LOGS/LOG

	// Links counts the link tokens written, by name ("FILEPHP",
	// "FORUMVIEWBYID", "SLASH", …), plus "external" (links to other sites),
	// "unencoded" (links to the source site the 1.x writer left alone:
	// survey links, other courses' files) and "filephp-collision" (links to
	// the files of a course whose id starts with this course's id, which
	// the writer turned into "$@FILEPHP@$7/…"; they are also counted in
	// FILEPHP). Tokens inside the html block's base64 CONFIGDATA are not
	// counted.
	Links map[string]int

	// Files counts zip file entries (not directories) by top folder
	// ("course_files", "site_files", "moddata", "user_files",
	// "group_files"), FileBytes
	// their bytes. Empty for WriteXML.
	Files     map[string]int
	FileBytes map[string]int64
	// Dirs is the number of directory entries in the zip.
	Dirs int
	// MissingFiles lists the referenced files left out of the zip
	// (Damage.MissingFiles), by their path in the backup.
	MissingFiles []string

	// TextValues is the number of text values written (the ordinals of
	// Spot.Value count these).
	TextValues int64
	// LegacyValues is the number of text values holding non-ASCII text in
	// the legacy charset (0 without Damage.Charset).
	LegacyValues int64
	// Damage counts damaged spots by kind (see Spot.Kind).
	Damage map[string]int
	// Spots lists damaged spots, at most MaxSpots of them.
	Spots []Spot
	// TruncatedXML is the length moodle.xml was cut to (0 = whole).
	TruncatedXML int64
	// ZipBytes is the length of the zip file; TruncatedZip says it was cut.
	ZipBytes     int64
	TruncatedZip bool
}

// MaxSpots bounds Manifest.Spots; Manifest.Damage keeps counting beyond it.
const MaxSpots = 5000

// Spot is one damaged place.
type Spot struct {
	// Kind is "strip-entities", "double-utf8", "invalid-char:control",
	// "invalid-char:latin1", "invalid-char:truncated-utf8",
	// "invalid-char:fffe", or "relative-link:relative",
	// "relative-link:root-relative", "relative-link:scheme",
	// "relative-link:www", "relative-link:bare" (a script of the module
	// whose text holds the link, e.g. "view.php?id=12" in a forum post).
	Kind string
	// Path is the element path of the value, e.g.
	// "MOODLE_BACKUP/COURSE/MODULES/MOD/DISCUSSIONS/DISCUSSION/POSTS/POST/MESSAGE".
	Path string
	// Value is the ordinal of the text value in the file (0-based; the same
	// in the damaged file and its Clean twin).
	Value int64
	// Offset is the byte offset in moodle.xml where the value starts.
	Offset int64
	// Clean and Damaged are the stored text before and after the damage
	// (the database text, before XML escaping; whole values up to 1 KB,
	// otherwise an excerpt around the damage).
	Clean, Damaged string
}

func newManifest() *Manifest {
	return &Manifest{Modules: map[string]int{}, Resources: map[string]int{}, Assignments: map[string]int{},
		Questions: map[string]int{}, Links: map[string]int{}, Files: map[string]int{}, FileBytes: map[string]int64{},
		Damage: map[string]int{}}
}
