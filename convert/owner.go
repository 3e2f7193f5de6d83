package convert

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// ErrMissingFile means a file named by the 1.x backup is not in it.
var ErrMissingFile = errors.New("file not in the backup")

// Finding codes of the converter.
const (
	CodeModuleSkipped   = "convert.module-skipped"    // unknown or third-party module kept out
	CodeModuleFailed    = "convert.module-failed"     // a handler failed on one module; it was kept out
	CodeModuleMissing   = "convert.module-missing"    // a course module whose instance is not in MODULES
	CodeModuleOrphan    = "convert.module-orphan"     // an instance no section lists
	CodeModuleExcluded  = "convert.module-excluded"   // the 1.x backup marked the instance as not included
	CodeLinkMissingFile = "convert.link-missing-file" // a $@FILEPHP@$ link to a file not in the backup
	CodeLinkUnresolved  = "convert.link-unresolved"   // a $@FILEPHP@$ link that cannot point at a file
	CodeLinkOldSite     = "convert.link-old-site"     // a module link kept pointing at the old site
	CodeTextFormat      = "convert.text-format"       // text converted from a format 2.x lacks
	CodeValueChanged    = "convert.value-changed"     // a 1.x setting 2.x lacks, replaced by its nearest 2.x value
	CodeBlockSkipped    = "convert.block-skipped"     // a block 2.x cannot take
	CodeNotConverted    = "convert.not-converted"     // a part of the course this version does not convert
	CodeFileNotPlaced   = "convert.file-not-placed"   // a file of the backup that no 2.x area took
	CodeFileMissing     = "convert.file-missing"      // a file a module names is not in the backup
	CodeSiteFiles       = "convert.site-files"        // site files kept in the course's legacy files
	CodeMissingField    = "convert.missing-field"     // a required 1.x value is absent; a default was used
	CodeAudit           = "convert.audit"             // the read/written counts of one kind
	CodePartial         = "convert.partial"           // moodle.xml broken or cut: only what came before was converted
)

// Owner gathers what one owner of texts and files (the course summary, a
// section, a block, an activity) adds to the backup: file records, audit
// counts and findings. They reach the output together when the owner
// commits, or not at all.
type Owner struct {
	c        *conv
	name     string // e.g. "activities/forum_20", for findings
	path     string // 1.x element path, for findings
	line     int
	recs     []FileRecord
	keys     map[string]bool
	audit    Audit
	findings []report.Finding
	modLinks bool // some text holds a module token to fix up
}

func (c *conv) newOwner(name, elemPath string, line int) *Owner {
	return &Owner{c: c, name: name, path: elemPath, line: line, keys: map[string]bool{}, audit: Audit{}}
}

// Finding records a finding about this owner (added to the report when the
// owner commits or is dropped).
func (o *Owner) Finding(code string, sev report.Severity, msg string) {
	o.findings = append(o.findings, report.Finding{Code: code, Severity: sev, Path: o.path, Line: o.line, Message: msg})
}

// AddFile places the source entry src in area at fpath/fname. Placing the
// same name twice in one area is a no-op.
func (o *Owner) AddFile(src string, area Area, fpath, fname string, sortorder int) error {
	key := fmt.Sprintf("%d|%s|%s|%d|%s|%s", area.ContextID, area.Component, area.FileArea, area.ItemID, fpath, fname)
	if o.keys[key] {
		return nil
	}
	r, err := o.c.files.Record(src, area, fpath, fname)
	if err != nil {
		return err
	}
	r.SortOrder = sortorder
	o.keys[key] = true
	o.recs = append(o.recs, r)
	return nil
}

// AddDir adds directory records for fpath and every folder above it.
func (o *Owner) AddDir(area Area, fpath string) {
	for _, p := range DirPaths(fpath) {
		key := fmt.Sprintf("%d|%s|%s|%d|%s|.", area.ContextID, area.Component, area.FileArea, area.ItemID, p)
		if o.keys[key] {
			continue
		}
		o.keys[key] = true
		o.recs = append(o.recs, o.c.files.DirRecord(area, p))
	}
}

// AddCourseFile places course_files/<rel> in area, keeping its folder path
// ("pics/a.png" goes to filepath "/pics/").
func (o *Owner) AddCourseFile(rel string, area Area, sortorder int) error {
	rel = strings.TrimPrefix(rel, "/")
	fpath, fname := SplitPath(rel)
	return o.AddFile("course_files/"+rel, area, fpath, fname, sortorder)
}

// AddTree places every file under the source folder srcDir (e.g.
// "course_files/docs" or "moddata/resource/7") in area below filepath "/",
// with directory records, and returns how many files it placed.
func (o *Owner) AddTree(srcDir string, area Area) (int, error) {
	srcDir = strings.Trim(srcDir, "/")
	o.AddDir(area, "/")
	n := 0
	for _, name := range o.c.files.SourceNames(srcDir + "/") {
		rel := strings.TrimPrefix(name, srcDir+"/")
		fpath, fname := SplitPath(rel)
		o.AddDir(area, fpath)
		if err := o.AddFile(name, area, fpath, fname, 0); err != nil {
			return n, err
		}
		n++
	}
	for _, d := range o.c.files.SourceDirs(srcDir + "/") {
		o.AddDir(area, "/"+strings.TrimPrefix(d, srcDir+"/")+"/")
	}
	return n, nil
}

// Text converts one 1.x text of format srcFormat (FormatMoodle, FormatHTML,
// ... as stored in 1.x) into 2.x: the format is kept where 2.x has it and
// converted where it does not, $@FILEPHP@$ links to course files become
// @@PLUGINFILE@@ links with the file placed in area, and module tokens are
// queued for the final link pass. It returns the text and its 2.x format.
// Null stays Null.
func (o *Owner) Text(text string, srcFormat int, area Area) (string, int) {
	if text == Null {
		return Null, clampFormat(srcFormat)
	}
	o.audit.Read(KindTexts, 1)
	o.audit.Wrote(KindTexts, 1)
	text, format, note := convertFormat(text, srcFormat)
	if note != "" {
		o.Finding(CodeTextFormat, report.Info, note)
	}
	if strings.Contains(text, tokFilePHP) {
		text = o.rewriteFileLinks(text, area)
	}
	if toks := findModTokens(text); len(toks) > 0 {
		o.modLinks = true
		o.audit.Read(KindLinks, int64(len(toks)))
		o.audit.Wrote(KindLinks, int64(len(toks))) // the link pass moves any it cannot keep to Explained
	}
	return text, format
}

func (o *Owner) rewriteFileLinks(text string, area Area) string {
	links := findFileLinks(text)
	var b strings.Builder
	last := 0
	for _, l := range links {
		o.audit.Read(KindLinks, 1)
		if l.bad != "" {
			o.audit.Explain(KindLinks, 1)
			o.Finding(CodeLinkUnresolved, report.Warning, fmt.Sprintf("link %q kept as a legacy course file link: %s", text[l.start:l.end], l.bad))
			continue
		}
		rel := l.path
		src := "course_files/" + rel
		if o.c.files.Source(src) == nil {
			// A name that really holds % escapes, as written.
			if raw := rawPath(text[l.start:l.end]); raw != "" && o.c.files.Source("course_files/"+raw) != nil {
				rel, src = raw, "course_files/"+raw
			} else {
				o.audit.Explain(KindLinks, 1)
				o.Finding(CodeLinkMissingFile, report.Warning, fmt.Sprintf("link to course file %q, which is not in the backup: kept as a legacy course file link", l.path))
				continue
			}
		}
		fpath, fname := SplitPath(rel)
		if err := o.AddFile(src, area, fpath, fname, 0); err != nil {
			o.audit.Explain(KindLinks, 1)
			o.Finding(CodeLinkMissingFile, report.Warning, fmt.Sprintf("link to course file %q: %v", rel, err))
			continue
		}
		b.WriteString(text[last:l.start])
		b.WriteString(pluginfileURL(path.Clean(rel)) + l.suffix)
		last = l.end
		o.audit.Wrote(KindLinks, 1)
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// rawPath returns the course-relative path of a $@FILEPHP@$ link without
// percent-decoding, or "".
func rawPath(link string) string {
	p := strings.ReplaceAll(strings.TrimPrefix(link, tokFilePHP), tokSlash, "/")
	p = strings.ReplaceAll(p, tokForceDownload, "")
	if k := strings.IndexAny(p, "?#&"); k >= 0 {
		p = p[:k]
	}
	p = strings.TrimPrefix(p, "/")
	if p == "" || path.Clean("/"+p) != "/"+p {
		return ""
	}
	return p
}

// commit writes the owner's file records and returns their ids; audit counts
// and findings go to the conversion.
func (o *Owner) commit() []int64 {
	ids := o.c.files.Commit(o.recs)
	o.c.audit.Add(o.audit)
	for _, f := range o.findings {
		o.c.report(f)
	}
	return ids
}

// drop discards the owner's records; what it read is explained by the
// finding that says why it was dropped (added by the caller).
func (o *Owner) drop() {
	for k, t := range o.audit {
		o.c.audit.Read(k, t.Read)
		o.c.audit.Explain(k, t.Read)
	}
}
