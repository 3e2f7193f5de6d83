// Package inspect describes Moodle backups without changing them: what each
// one is (kind, versions, course), what it holds (sections, activities,
// users, questions, posts, files), which charset its moodle.xml text is in,
// and one finding per problem of the Moodle "Backup and restore FAQ" that can
// be seen without repairing anything (invalid XML characters, not-well-formed
// XML, moodle.xml not at the root, legacy charsets, libxml2-stripped HTML,
// unencoded links, users, a backup newer than the target, questions and
// scales notes, oversize backups).
//
// Inspect reads the main XML once, streamed with xmlscan in diagnose mode, so
// memory stays flat whatever the size. It knows nothing of the CLI; the
// rendering helpers (WriteText, Summarize) are plain functions of Results.
package inspect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/users"
)

// Finding codes that inspect produces besides the backup package's
// archive.* codes (archive.nested-root for "moodle.xml not at root").
const (
	CodeInvalidChar   = "xml.invalid-char"      // a character XML 1.0 forbids
	CodeInvalidUTF8   = "xml.invalid-utf8"      // bytes that are not UTF-8
	CodeNotWellFormed = "xml.not-well-formed"   // bad markup, bad & references
	CodeTruncated     = "xml.truncated"         // moodle.xml ends inside the document
	CodeNoDeclaration = "xml.no-declaration"    // no <?xml ...?> prolog: 1.9 restore refuses it
	CodeLegacyCharset = "charset.legacy"        // text not in UTF-8 (mojibake or raw legacy bytes)
	CodeLibxml2       = "html.libxml2-stripped" // HTML that lost its < > " & (libxml2 2.7 bug)
	CodeUnencodedLink = "links.unencoded"       // internal links the 1.x writer did not encode
	CodeUsers         = "users.present"         // the backup holds user accounts
	CodeUserConflict  = "users.conflict"        // a backup user would stop the restore on the target site
	CodeNewer         = "version.newer-than-target"
	CodeQuestions     = "questions.note"
	CodeScales        = "scales.note"
	CodeOversize      = "backup.oversize"
)

// Options configure Inspect.
type Options struct {
	// TargetVersion is the Moodle release the backup is meant for (e.g.
	// "4.5"); a backup made by a newer Moodle gets a finding. "" skips it.
	TargetVersion string
	// MaxPerCode is how many findings of each code are kept in full (the
	// rest are counted). Default 20.
	MaxPerCode int
	// OversizeBytes is the archive size (or uncompressed main XML size)
	// above which a backup gets a backup.oversize finding. Default 200 MB.
	OversizeBytes int64
	// Open is passed to backup.Open.
	Open backup.Options
	// TargetUsers, when set, is the target site's users (a CSV export or a
	// database URL, see users.OpenSource): each backup user who would stop
	// the restore gets a users.conflict finding. Nothing is changed.
	TargetUsers string
	// TargetSource configures how TargetUsers is read (table prefix,
	// password file, site identity).
	TargetSource users.SourceOptions
}

func (o Options) maxPerCode() int {
	if o.MaxPerCode <= 0 {
		return 20
	}
	return o.MaxPerCode
}

func (o Options) oversize() int64 {
	if o.OversizeBytes <= 0 {
		return 200 << 20
	}
	return o.OversizeBytes
}

// Counts are what a backup holds.
type Counts struct {
	Sections   int            `json:"sections"`
	Activities map[string]int `json:"activities"` // by module type
	Users      int            `json:"users"`
	Questions  map[string]int `json:"questions"` // by qtype
	Categories int            `json:"question_categories"`
	Posts      int            `json:"forum_posts"`
	Scales     int            `json:"scales"`
	Files      int            `json:"files"`      // entries other than the main XML, directories excluded
	FileBytes  int64          `json:"file_bytes"` // their uncompressed bytes
}

// ActivityTotal returns the number of activities of every type.
func (c Counts) ActivityTotal() int { return sum(c.Activities) }

// QuestionTotal returns the number of questions of every type.
func (c Counts) QuestionTotal() int { return sum(c.Questions) }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// Charset says what the text of the main XML is in.
type Charset struct {
	// Valid is true when every byte is valid UTF-8.
	Valid bool `json:"valid_utf8"`
	// Legacy is true when the text is not plain UTF-8: raw legacy bytes, or
	// valid UTF-8 holding utf8_encode'd legacy bytes (mojibake).
	Legacy bool `json:"legacy"`
	// Guess is the legacy charset the text most likely came from (e.g.
	// "windows-1251"), "" when Legacy is false or nothing fits.
	Guess string `json:"guess,omitempty"`
	// Form is "utf-8", "utf8_encode" (each legacy byte lifted to one
	// U+0080–U+00FF character), "raw" (legacy bytes as they are) or
	// "double-utf8" (UTF-8 encoded twice).
	Form string `json:"form"`
	// Evidence lists the facts the guess rests on.
	Evidence []string `json:"evidence,omitempty"`
}

// Result is what Inspect learned about one backup.
type Result struct {
	Type  string `json:"type"` // always "backup"
	Path  string `json:"path"`
	Error string `json:"error,omitempty"`
	// Err is the error behind Error (not serialised).
	Err error `json:"-"`

	backup.Facts
	Size     int64            `json:"size"`      // bytes of the archive (folders: sum of entries)
	XMLBytes int64            `json:"xml_bytes"` // bytes of the main XML read
	Counts   Counts           `json:"counts"`
	Charset  *Charset         `json:"charset,omitempty"`
	Findings []report.Finding `json:"findings"`
	// FindingCounts counts findings by code, those beyond MaxPerCode
	// included.
	FindingCounts map[string]int `json:"finding_counts"`
	Elapsed       time.Duration  `json:"-"`

	// dropped counts scanner errors beyond MaxPerCode, never built.
	dropped map[string]int
}

// Failed reports whether the backup could not be inspected.
func (r *Result) Failed() bool { return r.Error != "" }

// Inspect opens the backup at path and describes it. A broken backup is not
// an error of Inspect: the returned Result carries it (Err, Error), so a
// caller can go on with the next one. Only a cancelled ctx returns a non-nil
// error.
func Inspect(ctx context.Context, path string, opts Options) (*Result, error) {
	start := time.Now()
	rep := report.New(opts.maxPerCode())
	res := &Result{Type: "backup", Path: path, Counts: Counts{Activities: map[string]int{}, Questions: map[string]int{}}}
	err := inspect(ctx, path, opts, rep, res)
	res.Findings = rep.Findings()
	if res.Findings == nil {
		res.Findings = []report.Finding{}
	}
	res.FindingCounts = rep.Counts()
	for code, n := range res.dropped {
		res.FindingCounts[code] += n
	}
	res.Elapsed = time.Since(start)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return res, err
		}
		res.Err, res.Error = err, err.Error()
	}
	return res, nil
}

func inspect(ctx context.Context, path string, opts Options, rep *report.Report, res *Result) error {
	sink := report.Scoped(rep, "inspect", path, "")
	oo := opts.Open
	oo.Sink = sink
	if opts.Open.Sink != nil {
		oo.Sink = tee{sink, opts.Open.Sink}
	}
	b, err := backup.Open(ctx, path, oo)
	if err != nil {
		return err
	}
	defer b.Close()
	res.Facts = b.Facts
	res.Size = archiveSize(path)
	main := b.Facts.Root + b.Facts.Kind.MainXML()
	for _, e := range b.Entries {
		if e.Dir || e.Name == main {
			continue
		}
		res.Counts.Files++
		if e.Size > 0 {
			res.Counts.FileBytes += e.Size
		}
	}
	if res.Size == 0 {
		res.Size = res.Counts.FileBytes
	}
	me := b.Entry(main)
	if me == nil {
		return fmt.Errorf("%s: no %s in the backup", path, b.Facts.Kind.MainXML())
	}
	rc, err := me.Open()
	if err != nil {
		return fmt.Errorf("%s: open %s: %w", path, main, err)
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	msink := report.Scoped(rep, "inspect", path, main)
	switch b.Facts.Kind {
	case backup.Moodle1:
		err = scan1x(ctx, cr, msink, res, opts.maxPerCode())
	default:
		err = scan2x(ctx, cr, msink, res, opts.maxPerCode())
		if err == nil {
			err = scan2xParts(ctx, b, rep, res, opts.maxPerCode())
		}
	}
	res.XMLBytes = cr.n
	if res.Size == 0 {
		res.Size = res.Counts.FileBytes + cr.n
	}
	if err != nil {
		return fmt.Errorf("%s: read %s: %w", path, main, err)
	}
	notes(opts, msink, res)
	if opts.TargetUsers != "" && res.Counts.Users > 0 {
		if err := conflicts(ctx, b, opts, msink); err != nil {
			return fmt.Errorf("%s: check users against %s: %w", path, opts.TargetUsers, err)
		}
	}
	return nil
}

// conflicts replays Moodle restore's user matching against the target site
// and reports each user who would stop the restore.
func conflicts(ctx context.Context, b *backup.Backup, opts Options, sink report.Sink) error {
	plan, err := users.CheckTarget(ctx, b, opts.TargetUsers, opts.TargetSource, users.Options{})
	if err != nil {
		return err
	}
	for _, o := range plan.Conflicts() {
		sink.Add(report.Finding{Code: CodeUserConflict, Severity: report.Warning,
			Message: "restore would stop: " + o.String() + "; the reconcile-users stage fixes it (policy match, rename or fail)"})
	}
	return nil
}

// notes adds the findings that follow from the facts and counts.
func notes(opts Options, sink report.Sink, res *Result) {
	if res.Counts.Users > 0 {
		sink.Add(report.Finding{Code: CodeUsers, Severity: report.Info,
			Message: fmt.Sprintf("the backup holds %d user account(s): restoring them can conflict with existing users of the target site (same username, other e-mail or auth); check them with the reconcile-users stage before restoring", res.Counts.Users)})
	}
	if opts.TargetVersion != "" {
		if newer, what := newerThan(res.Facts, opts.TargetVersion); newer {
			sink.Add(report.Finding{Code: CodeNewer, Severity: report.Warning,
				Message: fmt.Sprintf("the backup was made by Moodle %s, newer than the target %s: Moodle does not restore backups from newer releases", what, opts.TargetVersion)})
		}
	}
	if n := res.Counts.QuestionTotal(); n > 0 {
		sink.Add(report.Finding{Code: CodeQuestions, Severity: report.Info,
			Message: fmt.Sprintf("%d question(s) in %d categor(ies): %s; categories shared at system or course-category level are restored into the course, and question types the target lacks are skipped", n, res.Counts.Categories, formatMap(res.Counts.Questions))})
	}
	if res.Counts.Scales > 0 {
		sink.Add(report.Finding{Code: CodeScales, Severity: report.Info,
			Message: fmt.Sprintf("%d scale(s) used by the course; site-wide scales (COURSEID 0) are matched or created on the target site, and activities refer to them by negative grade values", res.Counts.Scales)})
	}
	if lim := opts.oversize(); res.Size > lim || res.XMLBytes > lim {
		sink.Add(report.Finding{Code: CodeOversize, Severity: report.Warning,
			Message: fmt.Sprintf("backup is %s (main XML %s), over %s: web upload limits, PHP memory and time limits often stop such restores; restore from the command line or split the course (e.g. without logs or user data)", human(res.Size), human(res.XMLBytes), human(lim))})
	}
}

// formatMap renders "a 3, b 1" sorted by key.
func formatMap(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", k, m[k])
	}
	return s
}

// human formats a byte count.
func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

type tee [2]report.Sink

func (t tee) Add(f report.Finding) { t[0].Add(f); t[1].Add(f) }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
