package inspect

import (
	"bytes"
	"context"
	"io"
	"unicode/utf8"

	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/xmlscan"
)

// maxValue caps how much of one text value is kept for analysis.
const maxValue = 1 << 20

// Element paths counted in a 1.x moodle.xml (spec moodle19-format.md).
const (
	pathSection  = "MOODLE_BACKUP/COURSE/SECTIONS/SECTION"
	pathModType  = "MOODLE_BACKUP/COURSE/MODULES/MOD/MODTYPE"
	pathUser     = "MOODLE_BACKUP/COURSE/USERS/USER"
	pathUserLang = "MOODLE_BACKUP/COURSE/USERS/USER/LANG"
	pathQCat     = "MOODLE_BACKUP/COURSE/QUESTION_CATEGORIES/QUESTION_CATEGORY"
	pathQType    = "MOODLE_BACKUP/COURSE/QUESTION_CATEGORIES/QUESTION_CATEGORY/QUESTIONS/QUESTION/QTYPE"
	pathPost     = "MOODLE_BACKUP/COURSE/MODULES/MOD/DISCUSSIONS/DISCUSSION/POSTS/POST"
	pathScale    = "MOODLE_BACKUP/COURSE/SCALES/SCALE"
	pathLang     = "MOODLE_BACKUP/COURSE/HEADER/LANG"
	pathWWWRoot  = "MOODLE_BACKUP/INFO/ORIGINAL_WWWROOT"
	pathBackupV  = "MOODLE_BACKUP/INFO/BACKUP_VERSION"
	pathCourseID = "MOODLE_BACKUP/COURSE/HEADER/ID"
)

// scanner1 is one pass over a 1.x moodle.xml.
type scanner1 struct {
	ctx  context.Context
	sink report.Sink
	res  *Result
	s    *xmlscan.Scanner

	// current leaf candidate
	open    bool // a start tag was seen and no child yet
	val     []byte
	valOff  int64 // offset of the value's first byte
	valHigh bool  // non-ASCII bytes
	valBad  bool  // invalid UTF-8 inside

	max      int    // findings kept per code
	errs     [8]int // scanner errors seen per kind
	dropped  [8]int // of which not built
	first    bool   // no markup seen yet
	hasDecl  bool   // the input starts with <?xml ...?>
	cs       charsetStats
	html     htmlStats
	links    linkStats
	userLang map[string]int
	lang     string
	wwwroot  string
	courseID string
	backupV  string
}

func scan1x(ctx context.Context, r io.Reader, sink report.Sink, res *Result, maxPerCode int) error {
	sc := &scanner1{ctx: ctx, sink: sink, res: res, first: true, userLang: map[string]int{},
		lang: res.Lang, wwwroot: res.WWWRoot, courseID: res.CourseID, backupV: res.BackupVersion, max: maxPerCode}
	sc.s = xmlscan.New(r, xmlscan.Options{OnError: sc.onError, Keep: sc.keep})
	err := sc.run()
	sc.flushDropped()
	if err != nil {
		return err
	}
	sc.finish()
	return nil
}

// errorCode maps a scanner error kind to a finding code.
func errorCode(k xmlscan.ErrorKind) string {
	switch k {
	case xmlscan.ErrInvalidChar:
		return CodeInvalidChar
	case xmlscan.ErrInvalidUTF8:
		return CodeInvalidUTF8
	case xmlscan.ErrTruncated:
		return CodeTruncated
	}
	return CodeNotWellFormed
}

// keep is asked before each scanner error is built: beyond the first max of
// a code it only counts, so a file full of legacy bytes stays fast.
func (sc *scanner1) keep(k xmlscan.ErrorKind) bool {
	if k == xmlscan.ErrInvalidUTF8 {
		sc.valBad = true
	}
	if int(k) >= len(sc.errs) {
		return true
	}
	sc.errs[k]++
	if sc.max > 0 && sc.errs[k] > sc.max {
		sc.dropped[k]++
		return false
	}
	return true
}

// flushDropped adds the errors keep dropped to the result's counts.
func (sc *scanner1) flushDropped() {
	for k, n := range sc.dropped {
		if n > 0 {
			if sc.res.dropped == nil {
				sc.res.dropped = map[string]int{}
			}
			sc.res.dropped[errorCode(xmlscan.ErrorKind(k))] += n
		}
	}
}

func (sc *scanner1) onError(e *xmlscan.SyntaxError) {
	code := errorCode(e.Kind)
	msg := e.Msg
	switch code {
	case CodeInvalidChar:
		msg += ": the 1.9 restore stops with \"XML error: not well-formed (invalid token)\"; the clean-xml stage removes it"
	case CodeInvalidUTF8:
		msg += ": legacy (non-UTF-8) bytes; the transcode stage converts them"
	case CodeTruncated:
		msg += ": moodle.xml is cut short (disk full or time-out when the backup was made); the end of the course is missing"
	}
	sc.sink.Add(report.Finding{Code: code, Severity: report.Warning, Line: e.Pos.Line, Column: e.Pos.Column,
		Offset: e.Pos.Offset, Path: e.Path, Message: msg, Before: e.Near})
}

func (sc *scanner1) run() error {
	s := sc.s
	n := 0
	for s.Next() {
		n++
		if n&0xFFFF == 0 {
			if err := sc.ctx.Err(); err != nil {
				return err
			}
		}
		switch s.Kind() {
		case xmlscan.StartElement:
			sc.first = false
			sc.open = true
			sc.val = sc.val[:0]
			sc.valHigh, sc.valBad = false, false
			sc.valOff = -1
			sc.start(s.Name())
		case xmlscan.CharData:
			if sc.open {
				if sc.valOff < 0 {
					sc.valOff = s.Offset()
				}
				if s.NonASCII() {
					sc.valHigh = true
				}
				t := s.Text()
				if room := maxValue - len(sc.val); room < len(t) {
					t = t[:room]
				}
				sc.val = append(sc.val, t...)
			}
		case xmlscan.EndElement:
			if sc.open {
				sc.leaf(s.Name())
			}
			sc.open = false
		case xmlscan.ProcInst:
			if sc.first && string(s.Name()) == "xml" {
				sc.hasDecl = true
			}
			sc.first = false
		case xmlscan.CDATA:
			sc.open = false
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	return nil
}

// start counts records by their start tag.
func (sc *scanner1) start(name []byte) {
	c := &sc.res.Counts
	switch string(name) {
	case "SECTION":
		if string(sc.s.Path()) == pathSection {
			c.Sections++
		}
	case "USER":
		if string(sc.s.Path()) == pathUser {
			c.Users++
		}
	case "POST":
		if string(sc.s.Path()) == pathPost {
			c.Posts++
		}
	case "QUESTION_CATEGORY":
		if string(sc.s.Path()) == pathQCat {
			c.Categories++
		}
	case "SCALE":
		if string(sc.s.Path()) == pathScale {
			c.Scales++
		}
	}
}

// leaf handles the value of a leaf element at its end tag.
func (sc *scanner1) leaf(name []byte) {
	raw := sc.val
	if len(raw) == 0 {
		return
	}
	path := sc.s.Path()
	switch string(name) {
	case "MODTYPE":
		if string(path) == pathModType {
			sc.res.Counts.Activities[string(bytes.TrimSpace(raw))]++
		}
	case "QTYPE":
		if string(path) == pathQType {
			sc.res.Counts.Questions[string(bytes.TrimSpace(raw))]++
		}
	case "LANG":
		switch string(path) {
		case pathUserLang:
			sc.userLang[string(bytes.TrimSpace(raw))]++
		case pathLang:
			if sc.lang == "" {
				sc.lang = string(bytes.TrimSpace(raw))
			}
		}
	case "ORIGINAL_WWWROOT":
		if sc.wwwroot == "" && string(path) == pathWWWRoot {
			sc.wwwroot = string(xmlscan.Unescape(nil, bytes.TrimSpace(raw)))
		}
	case "BACKUP_VERSION":
		if sc.backupV == "" && string(path) == pathBackupV {
			sc.backupV = string(bytes.TrimSpace(raw))
		}
	case "ID":
		if sc.courseID == "" && string(path) == pathCourseID {
			sc.courseID = string(bytes.TrimSpace(raw))
		}
	}
	if sc.valHigh {
		sc.cs.value(raw, sc.valBad, path, sc.valOff)
	}
	if isHTMLField(name) && bytes.IndexByte(raw, '&') < 0 {
		if ok, why := libxml2Damaged(raw); ok {
			sc.html.add(sc, raw, path, why)
		}
	}
	if bytes.Contains(raw, phpExt) {
		sc.links.check(sc, raw, path)
	}
}

var phpExt = []byte(".php")

// finding adds a finding about the current leaf value.
func (sc *scanner1) finding(code string, sev report.Severity, path []byte, msg, before string) {
	line, col := sc.valPos()
	sc.sink.Add(report.Finding{Code: code, Severity: sev, Offset: sc.valOff, Path: string(path),
		Line: line, Column: col, Message: msg, Before: before})
}

// valPos returns the line and column of the current value's first byte,
// worked back from the position of its end tag (column 0 when the value
// spans lines or was cut at maxValue).
func (sc *scanner1) valPos() (line, col int) {
	p := sc.s.Pos()
	n := bytes.Count(sc.val, []byte{'\n'})
	if n == 0 && p.Offset-sc.valOff == int64(len(sc.val)) {
		return p.Line, p.Column - utf8.RuneCount(sc.val)
	}
	return p.Line - n, 0
}

func (sc *scanner1) finish() {
	res := sc.res
	if res.Lang == "" {
		res.Lang = sc.lang
	}
	if res.WWWRoot == "" {
		res.WWWRoot = sc.wwwroot
	}
	if res.BackupVersion == "" {
		res.BackupVersion = sc.backupV
	}
	if !sc.hasDecl {
		sc.sink.Add(report.Finding{Code: CodeNoDeclaration, Severity: report.Warning, Line: 1, Column: 1,
			Message: "moodle.xml has no <?xml version=\"1.0\" encoding=\"UTF-8\"?> declaration: the 1.9 restore and the 2.x converter refuse it"})
	}
	res.Charset = sc.cs.decide(sc, res)
	sc.html.finish(sc)
	sc.links.finish(sc)
}

// snippet returns up to n bytes of b (cut at a rune boundary) as a string.
func snippet(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "…"
}
