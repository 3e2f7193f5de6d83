package restorecheck

import (
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// pluginfileRE finds the file links of a 2.x text: @@PLUGINFILE@@/path,
// up to a quote, a bracket, white space or the query.
var pluginfileRE = regexp.MustCompile(`@@PLUGINFILE@@(/[^"'<>\s?#]*)`)

// linkOwner is one XML file whose texts link files of one context and
// component.
type linkOwner struct {
	entry     string
	contextID string
	component string
}

// deadLinks returns a problem for every @@PLUGINFILE@@ link in the texts of
// owners that no files.xml record of the owner's context can serve: restore copies such a text as is, and the link is dead in the
// restored course.
func deadLinks(open func(string) (io.ReadCloser, error), owners []linkOwner, records []fileRecord, contexts map[string]string) []string {
	have := map[string]bool{}
	for _, f := range records {
		if f.FileName == "." {
			continue
		}
		// Keyed by context and path only: the texts of an activity's
		// subplugins (workshopform_*, ...) use their own component.
		have[contexts[f.ID]+"|"+f.FilePath+f.FileName] = true
	}
	var out []string
	for _, o := range owners {
		seen := map[string]bool{}
		err := walkEntry(open, o.entry, func(stack []string, text string) {
			for _, m := range pluginfileRE.FindAllStringSubmatch(text, -1) {
				link := m[1]
				// url(@@PLUGINFILE@@/x.png) in CSS: the bracket is not
				// part of the name unless the name opens one.
				for strings.HasSuffix(link, ")") && strings.Count(link, "(") < strings.Count(link, ")") {
					link = link[:len(link)-1]
				}
				p, err := url.PathUnescape(link)
				if err != nil {
					p = link
				}
				if seen[p] || have[o.contextID+"|"+p] {
					continue
				}
				seen[p] = true
				out = append(out, fmt.Sprintf("%s: <%s> links @@PLUGINFILE@@%s but files.xml has no file %s in context %s (%s; a dead link after the restore)",
					o.entry, stack[len(stack)-1], link, p, o.contextID, o.component))
			}
		})
		if err != nil {
			out = append(out, err.Error())
		}
	}
	sort.Strings(out)
	return out
}

// rootContext reads the contextid attribute of the root element of entry
// (activities and blocks carry their old context id there).
func rootContext(open func(string) (io.ReadCloser, error), entry string) string {
	ctx := ""
	rc, err := open(entry)
	if err != nil {
		return ""
	}
	defer rc.Close()
	var head [512]byte
	n, _ := io.ReadFull(rc, head[:])
	if m := regexp.MustCompile(`<(?:activity|block)\b[^>]*\bcontextid="(\d+)"`).FindSubmatch(head[:n]); m != nil {
		ctx = string(m[1])
	}
	return ctx
}

// linkOwners lists the XML files whose texts are checked: course.xml and
// every section.xml (course context), every activity's <mod>.xml and every
// block's block.xml (their own contexts).
func linkOwners(open func(string) (io.ReadCloser, error), names []string, courseCtx string) []linkOwner {
	var out []linkOwner
	for _, n := range names {
		switch {
		case n == "course/course.xml":
			out = append(out, linkOwner{n, courseCtx, "course"})
		case strings.HasPrefix(n, "sections/") && strings.HasSuffix(n, "/section.xml"):
			out = append(out, linkOwner{n, courseCtx, "course"})
		case strings.HasPrefix(n, "activities/"):
			parts := strings.Split(n, "/")
			if len(parts) != 3 {
				continue
			}
			mod := parts[1][:max(strings.LastIndex(parts[1], "_"), 0)]
			if parts[2] == mod+".xml" {
				out = append(out, linkOwner{n, rootContext(open, n), "mod_" + mod})
			}
		case strings.HasPrefix(n, "course/blocks/") && strings.HasSuffix(n, "/block.xml"):
			parts := strings.Split(n, "/")
			name := parts[2][:max(strings.LastIndex(parts[2], "_"), 0)]
			out = append(out, linkOwner{n, rootContext(open, n), "block_" + name})
		}
	}
	return out
}
