// Package validate checks a Moodle 2.x backup (.mbz as zip or tar.gz, or an
// extracted folder; ours or anyone's) against what Moodle's restore needs
// (spec/moodle2-format.md), and reports every problem as a finding:
//
//	validate.missing-xml     a file restore requires is absent (it aborts)
//	validate.bad-header      an XML file lacks the exact declaration, or
//	                         moodle_backup.xml's first 200 bytes lack what
//	                         format detection looks for, or a file has the
//	                         wrong root element
//	validate.bad-xml         an XML file is not well-formed UTF-8 XML
//	validate.leaf-order      a leaf after a nested element (Moodle's reader
//	                         splits the record: double inserts, lost data)
//	validate.contents        contents/settings of moodle_backup.xml are
//	                         inconsistent (unknown section, bad directory,
//	                         setting naming nothing, activities not 1)
//	validate.duplicate-id    an id used twice where restore needs it unique
//	validate.bad-hash        a contenthash that is not lowercase 40-hex
//	validate.pool-missing    a file record whose pool file is absent
//	validate.pool-mismatch   a pool file whose SHA-1 or size is not the
//	                         record's
//	validate.alias           a record with a repositoryid (an alias)
//	validate.context         a file record whose contextid is not its
//	                         owner's, so restore never asks for it
//	validate.inforef         an inforef id that names nothing
//	validate.unreferenced    a file record no inforef lists (restore drops it)
//	validate.dangling        a question, scale, grade category, group or
//	                         user id that names nothing in the backup
//	validate.dead-link       an @@PLUGINFILE@@ link with no file behind it
//
// Findings of severity error make a backup fail; warnings are reported.
// The package reads entries as streams; it keeps only ids and file records
// in memory.
package validate
