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
//
// It does not open or write archives (package backup does), repair broken
// XML or legacy charsets (packages repair and charset run before it), or know
// anything of pipelines and YAML.
package convert
