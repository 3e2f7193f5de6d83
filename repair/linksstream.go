package repair

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// CollectLinkSite reads moodle.xml once (streaming) and returns what
// encode-links needs to know: the original wwwroot, the course id, the
// course modules and the instance, discussion, post and record ids.
// Element paths decide, not indentation; every element is optional.
func CollectLinkSite(r io.Reader) (*LinkSite, error) {
	site := &LinkSite{CMs: map[int64]string{}, Instances: map[string]map[int64]bool{},
		Discussions: map[int64]bool{}, Posts: map[int64]bool{}, Records: map[int64]bool{}}
	var cmID int64 = -1
	var cmType string
	var modID int64 = -1
	var modType string
	flushMod := func() {
		if modID >= 0 && modType != "" {
			if site.Instances[modType] == nil {
				site.Instances[modType] = map[int64]bool{}
			}
			site.Instances[modType][modID] = true
		}
	}
	want := func(p *PathStack) bool {
		switch string(p.Top()) {
		case "ORIGINAL_WWWROOT", "ID", "TYPE", "MODTYPE":
			return true
		}
		return false
	}
	var text []byte
	edit := func(f *Field) []byte {
		text = unescapeXML(text[:0], f.Raw)
		v := strings.TrimSpace(string(text))
		p := f.Path
		n := p.Depth()
		parent := string(p.Name(n - 2))
		switch {
		case p.HasSuffix("INFO", "ORIGINAL_WWWROOT") && n == 3:
			site.WWWRoot = v
		case p.HasSuffix("COURSE", "HEADER", "ID"):
			site.CourseID, _ = strconv.ParseInt(v, 10, 64)
		case p.HasSuffix("MODS", "MOD", "ID"):
			cmID, _ = strconv.ParseInt(v, 10, 64)
			cmType = ""
		case p.HasSuffix("MODS", "MOD", "TYPE"):
			cmType = v
			if cmID >= 0 {
				site.CMs[cmID] = cmType
			}
		case p.HasSuffix("MODULES", "MOD", "ID"):
			modID, modType = -1, ""
			modID, _ = strconv.ParseInt(v, 10, 64)
		case p.HasSuffix("MODULES", "MOD", "MODTYPE"):
			modType = v
			flushMod()
		case parent == "DISCUSSION" && string(p.Top()) == "ID":
			id, _ := strconv.ParseInt(v, 10, 64)
			site.Discussions[id] = true
		case parent == "POST" && string(p.Top()) == "ID" && p.HasSuffix("POSTS", "POST", "ID"):
			id, _ := strconv.ParseInt(v, 10, 64)
			site.Posts[id] = true
		case parent == "RECORD" && p.HasSuffix("RECORDS", "RECORD", "ID"):
			id, _ := strconv.ParseInt(v, 10, 64)
			site.Records[id] = true
		}
		return nil
	}
	f := newFieldFilter(r, 0, want, edit)
	if _, err := io.Copy(io.Discard, f); err != nil {
		return nil, err
	}
	return site, nil
}

// LinkStreamOptions control NewLinkReader.
type LinkStreamOptions struct {
	// MaxField is the largest field looked at (0: DefaultMaxField).
	MaxField int
	// Report receives the findings (nil: none).
	Report report.Sink
}

// LinkStats counts what a LinkReader did.
type LinkStats struct {
	Fields   int // HTML fields seen
	Encoded  int // links rewritten to tokens
	Outside  int // links to the source site left as they are
	Oversize int // fields too large to look at
}

// LinkReader streams moodle.xml and rewrites, in the href and src values of
// its HTML fields, links into the backed-up course to the $@…@$ tokens.
type LinkReader struct {
	f       *fieldFilter
	x       *linkIndex
	opts    LinkStreamOptions
	stats   LinkStats
	modType string
	text    []byte
	esc     []byte
}

// NewLinkReader returns a reader of r with unencoded links encoded; site
// comes from CollectLinkSite (a first pass over the same file).
func NewLinkReader(r io.Reader, site *LinkSite, opts LinkStreamOptions) *LinkReader {
	l := &LinkReader{x: newLinkIndex(site), opts: opts}
	l.f = newFieldFilter(r, opts.MaxField, l.want, l.edit)
	l.f.oversize = func(f *Field) {
		l.stats.Oversize++
		line, col, off := f.Pos(0)
		l.add(report.Finding{Code: "links.oversize", Severity: report.Warning, Line: line, Column: col, Offset: off,
			Path: f.Path.String(), Message: fmt.Sprintf("field longer than %d bytes passed through unchecked; raise max-field to check it", l.f.maxField)})
	}
	return l
}

// Read implements io.Reader.
func (l *LinkReader) Read(p []byte) (int, error) { return l.f.Read(p) }

// Stats returns the counts so far.
func (l *LinkReader) Stats() LinkStats { return l.stats }

func (l *LinkReader) add(f report.Finding) {
	if l.opts.Report != nil {
		l.opts.Report.Add(f)
	}
}

func (l *LinkReader) want(p *PathStack) bool {
	if p.HasSuffix("MODULES", "MOD", "MODTYPE") {
		return true
	}
	if p.HasSuffix("MODULES", "MOD", "ID") {
		l.modType = ""
	}
	return IsHTMLField(p)
}

// page returns the site directory a field at p is shown in.
func (l *LinkReader) page(p *PathStack) string {
	for i := 0; i < p.Depth()-1; i++ {
		switch string(p.Name(i)) {
		case "MODULES":
			if l.modType != "" {
				return "/mod/" + l.modType + "/"
			}
			return ""
		case "HEADER", "SECTIONS":
			return "/course/"
		case "QUESTION_CATEGORIES":
			return "/mod/quiz/"
		}
	}
	return ""
}

func (l *LinkReader) edit(f *Field) []byte {
	if f.Path.HasSuffix("MODULES", "MOD", "MODTYPE") {
		l.modType = strings.TrimSpace(string(unescapeXML(l.text[:0], f.Raw)))
		return nil
	}
	l.stats.Fields++
	if !mayHoldLink(f.Raw) {
		return nil
	}
	l.text = unescapeXML(l.text[:0], f.Raw)
	s := string(l.text)
	out, changes, issues := l.x.encode(s, l.page(f.Path))
	if l.opts.Report == nil {
		l.stats.Encoded += len(changes)
		for _, is := range issues {
			if !is.NoToken {
				l.stats.Outside++
			}
		}
		if len(changes) == 0 {
			return nil
		}
		l.esc = escapeXML(l.esc[:0], out)
		return l.esc
	}
	rawOff := rawOffsets(f.Raw)
	var found []report.Finding
	defer func() {
		sort.SliceStable(found, func(i, j int) bool { return found[i].Offset < found[j].Offset })
		for _, fd := range found {
			l.add(fd)
		}
	}()
	for _, is := range issues {
		line, col, off := f.Pos(rawOff(is.Offset))
		fd := report.Finding{Code: "links.outside", Severity: report.Warning, Line: line, Column: col, Offset: off,
			Path: f.Path.String(), Before: is.URL, Message: "link to the source site left as it is: " + is.Reason}
		if is.NoToken {
			fd.Code, fd.Severity = "links.no-token", report.Info
		} else {
			l.stats.Outside++
		}
		found = append(found, fd)
	}
	if len(changes) == 0 {
		return nil
	}
	for _, c := range changes {
		l.stats.Encoded++
		line, col, off := f.Pos(rawOff(c.Offset))
		found = append(found, report.Finding{Code: "links.encoded", Severity: report.Info, Fixed: true, Line: line, Column: col, Offset: off,
			Path: f.Path.String(), Before: c.Before, After: c.After, Message: "link encoded as $@" + c.Token + "@$"})
	}
	l.esc = escapeXML(l.esc[:0], out)
	return l.esc
}

// mayHoldLink is a fast pre-check for an href or src attribute.
func mayHoldLink(raw []byte) bool {
	return bytes.Contains(raw, []byte("href")) || bytes.Contains(raw, []byte("src")) ||
		bytes.Contains(raw, []byte("HREF")) || bytes.Contains(raw, []byte("SRC"))
}

// rawOffsets returns a function mapping an offset in the unescaped text of
// raw to the offset of the same character in raw.
func rawOffsets(raw []byte) func(int) int {
	return func(target int) int {
		i, n := 0, 0
		for i < len(raw) && n < target {
			if raw[i] == '&' {
				if e := bytes.IndexByte(raw[i:], ';'); e > 0 && e <= 12 {
					dec := unescapeXML(nil, raw[i:i+e+1])
					n += len(dec)
					i += e + 1
					continue
				}
			}
			i++
			n++
		}
		return i
	}
}
