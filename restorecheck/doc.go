// Package restorecheck proves that what moodlemig writes restores in a real
// Moodle, and compares it with Moodle's own 1.9 converter.
//
// For each course it converts the 1.x input with the moodlemig binary
// (pipeline migrate, with --report so the conservation audit is read back
// from the convert.audit findings), restores the .mbz through the harness
// in ../shared/moodle (restore.sh FILE --fresh, Moodle's own restore code)
// and compares three views of the course:
//
//   - the audit: what the converter says it read and wrote, per kind;
//   - the output: what the .mbz really holds (Inspect reads moodle_backup.xml,
//     files.xml and the pool, inforef.xml, forum.xml, questions.xml, ...),
//     together with the static integrity problems Moodle would silently
//     swallow (a pool file whose SHA-1 is not its name, a file record no
//     inforef.xml lists, an activity listed in moodle_backup.xml but absent);
//   - the restore: the counts restore.php reads back from Moodle's database,
//     and every precheck and log warning Moodle printed.
//
// Each difference is a Diff; each Moodle warning is kept. Side by side it
// restores the same 1.x input directly (Moodle's built-in converter) and
// renders both in a Markdown table (Table, Page).
//
// The site is optional: Find says how to set it up when it is missing, and
// the integration test skips with that line (CI has no Moodle).
package restorecheck
