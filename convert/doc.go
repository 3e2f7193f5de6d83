// Package convert turns a Moodle 1.x course backup (moodle.xml plus its
// course_files/, moddata/, ... entries) into the Moodle 2.x backup layout
// (moodle_backup.xml, course/, sections/, activities/, files/ and the root
// XML files) that a current Moodle restores.
//
// It reads the 1.x token stream once. Only one element of interest at a time
// (INFO, HEADER, one BLOCK, one SECTION, one MODULES/MOD, ...) is built into
// a small in-memory Node tree; everything it writes goes straight to files in
// a per-job scratch folder, and file contents are never held in memory: they
// are hashed while streamed and the output entry for a pool file is the
// source entry itself, renamed to files/xx/<sha1>.
//
// # Design
//
//   - Converter (convert.go) drives the stream and dispatches elements by path
//     to the course part handlers (parts.go) and, for MODULES/MOD, to the
//     module handler registered for its MODTYPE in one explicit table
//     (modules.go). One file per module family: label.go, resource.go, ...
//   - Activity (activity.go) is the contract of a module handler: it knows its
//     course module, ids and context, writes activities/<mod>_<cmid>/, turns
//     1.x text into 2.x text (format, links, embedded files) and collects the
//     activity's file records. Nothing of an activity reaches the output
//     unless its handler succeeds: a failing module is kept out of the course
//     with a finding, and its original XML is saved in the report folder.
//   - Tree (tree.go) is the scratch-backed output; XMLWriter (xmlwriter.go)
//     writes 2.x XML the way Moodle's reader needs it (leaves before nested
//     elements, $@NULL@$, escaping, valid UTF-8 only).
//   - Files (files.go) is the file pool and files.xml; IDs (ids.go) allocates
//     context and record ids.
//   - Links (links.go) rewrites $@FILEPHP@$ links to @@PLUGINFILE@@ in the
//     owning file area and 1.x module tokens to the tokens 2.x restore
//     decodes, pointing at successor modules.
//   - Audit (audit.go) counts what was read and what was written per kind.
//   - Groups (groups.go) turns GROUPS, GROUPINGS and GROUPINGSGROUPS (both
//     1.9 shapes) into groups.xml, written at the end (partEnd), with group
//     pictures in group/icon and description files in group/description
//     and grouping/description; members are user data, counted and
//     explained. Module links in these descriptions, which restore does not
//     decode, go back to the old site's URLs.
//
// # Writing a module handler
//
// One file per module family (chat.go, data.go, lesson.go, ...) holding a
// func(a *Activity, mod *Node) error, and one line in DefaultModules
// (modules.go). Inside it:
//
//   - Read the 1.x fields with mod.Value("NAME") (trimmed), mod.Raw("INTRO")
//     (as written), mod.Int("GRADE"), mod.All("OPTIONS/OPTION") for
//     repeated children. Names are upper case; a missing field reads as ""
//     or 0 (use intOr for another default).
//   - Convert every text field through a.IntroText(text, format) for the
//     intro, or a.Text(text, format, a.Area(filearea, itemid)) for others:
//     pass the 1.x format (FormatMoodle when 1.x had no format field and
//     displayed it with format_text's default, FormatHTML for HTML-only
//     fields). It keeps the format where 2.x has it, rewrites $@FILEPHP@$
//     links into the given area and places the files there, and queues module
//     links for the final pass.
//   - Place other files with a.AddCourseFile(rel, area, sortorder),
//     a.AddTree("moddata/<mod>/<id>", area) or a.AddFile(src, area, path,
//     name, sortorder). A file that is not in the backup is a finding
//     (a.Finding(CodeFileMissing, ...)), never a dead link.
//   - Write exactly one a.WriteInstance(func(x *XMLWriter) {...}): all leaves
//     first (x.Leaves("name", v, ...)), then nested lists (x.Start("options"),
//     x.Start("option", A("id", id)), x.Leaves(...), x.End(), x.End()).
//     Write every NOT NULL column of the 2.x table (missing ones are fatal
//     at restore); Null only where the column allows null.
//   - Account for every 1.x record read: a.Carry(kind, n) for records
//     written, a.LeaveOut(kind, n, why) for records left out (user data:
//     whyUserData). The audit must balance; TestConservationGenerated checks it.
//   - Return Skip("why") to keep an instance out on purpose, or an error;
//     never panic on bad input (a panic is caught, but it is a bug).
//
// The converter writes module.xml, roles.xml, grades.xml (a.SetGrades adds
// grade items) and inforef.xml, and lists the activity in moodle_backup.xml.
// Add a golden course under testdata/ (see golden_test.go, -update) and run
// TestRestoreInMoodle with MOODLEMIG_RESTORE=1 to prove it restores.
//
// It does not open or write archives (package backup does), repair broken
// XML or legacy charsets (packages repair and charset run before it), or know
// anything of pipelines and YAML.
package convert
