// Package gen writes synthetic Moodle 1.x course backups for tests and
// benchmarks: a moodle.xml (WriteXML, streamed) or a whole backup zip
// (WriteZip) that looks like what Moodle 1.5 – 1.9 really wrote, era by era,
// as described in spec/moodle19-format.md.
//
// A course has sections, one or more instances of every core module type
// (and the third-party hotpot and journal), questions of every core qtype,
// users and their roles, forum discussions, assignment submissions, glossary
// entries, a gradebook, groups, course, module and user files, and realistic
// HTML in the course language (paragraphs, lists, tables, styled text,
// entities, images and links, encoded as the 1.x writer encoded them).
//
// Everything is decided by Options.Seed: the same Options give the same
// bytes. Options.XMLSize grows moodle.xml (by adding forum discussions) up to
// gigabytes while memory stays flat.
//
// Damage reproduces what broken real-world backups contain: pre-1.6 legacy
// charsets (utf8_encode'd mojibake by default, raw legacy bytes on request,
// user profiles in each user's own pack charset), double-encoded UTF-8,
// invalid XML characters of the era, libxml2 entity stripping, links the
// writer left unencoded, CR LF line ends, a missing declaration, missing
// files, a nested root folder, a truncated zip or a truncated moodle.xml. Options.Clean writes the undamaged twin of
// a damaged course from the same seed (the same course, the same damage
// decisions, no damage applied), so repairs can be scored field by field.
// The Manifest returned by every writer counts what was written and lists the
// damaged spots, so tests can check conservation.
//
// Samples lists the small backups shipped in testdata/sample/ (regenerated
// with `go test ./internal/gen -run TestSamples -update`).
//
// The package only writes; it never reads backups.
package gen
