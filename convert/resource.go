package convert

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// Display modes of 2.x resourcelib.
const (
	displayAuto     = 0
	displayEmbed    = 1
	displayFrame    = 2
	displayDownload = 4
	displayOpen     = 5
	displayPopup    = 6
)

// convertResource converts a 1.x resource into its 2.x successor
// (conversion-rules.md §3.1): text and html become page, file becomes
// resource (a course file) or url (an external or server address),
// directory becomes folder, ims becomes imscp. Other types are kept out.
func convertResource(a *Activity, mod *Node) error {
	typ := strings.ToLower(mod.Value("TYPE"))
	ref := mod.Value("REFERENCE")
	switch typ {
	case "text", "html":
		return resourceToPage(a, mod, typ)
	case "file":
		if isURLReference(ref) {
			return resourceToURL(a, mod, ref)
		}
		return resourceToFile(a, mod, ref)
	case "directory":
		return resourceToFolder(a, mod, ref)
	case "ims":
		return resourceToIMSCP(a, mod, ref)
	}
	return Skip("resource type %q has no 2.x successor", typ)
}

// isURLReference reports whether a file resource points at an address
// rather than a course file: "://" after the scheme, or a server path.
func isURLReference(ref string) bool {
	if strings.HasPrefix(ref, tokFilePHP) {
		return false
	}
	return strings.Index(ref, "://") > 0 || strings.HasPrefix(ref, "/")
}

// popupSize returns the width and height of a 1.x popup option string
// ("resizable=1,...,width=620,height=450"), 0 when absent.
func popupSize(popup string) (w, h int) {
	for _, kv := range strings.Split(popup, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 {
			continue
		}
		switch strings.TrimSpace(k) {
		case "width":
			w = n
		case "height":
			h = n
		}
	}
	return
}

func displayOptions(popup string, display int, base ...KV) string {
	pairs := append([]KV(nil), base...)
	if display == displayPopup {
		w, h := popupSize(popup)
		if w > 0 {
			pairs = append(pairs, KV{"popupwidth", w})
		}
		if h > 0 {
			pairs = append(pairs, KV{"popupheight", h})
		}
	}
	return phpSerialize(pairs...)
}

func resourceIntro(a *Activity, mod *Node) (string, int) {
	return a.IntroText(mod.Raw("SUMMARY"), FormatMoodle)
}

func resourceToPage(a *Activity, mod *Node, typ string) error {
	a.SetModName("page")
	intro, introformat := resourceIntro(a, mod)
	srcFormat := FormatHTML
	if typ == "text" {
		srcFormat = int(mod.Int("REFERENCE"))
		if srcFormat < 0 || srcFormat > FormatMarkdown {
			srcFormat = FormatMoodle
		}
	}
	content, contentformat := a.Text(mod.Raw("ALLTEXT"), srcFormat, a.Area("content", 0))
	popup := mod.Value("POPUP")
	display := displayOpen
	if popup != "" && popup != Null {
		display = displayPopup
	}
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"content", content, "contentformat", contentformat, "legacyfiles", 0, "legacyfileslast", Null,
			"display", display, "displayoptions", displayOptions(popup, display, KV{"printintro", 0}, KV{"printlastmodified", 1}),
			"revision", 1, "timemodified", mod.Int("TIMEMODIFIED"))
	})
}

// resourceDisplay maps 1.x OPTIONS and POPUP to a 2.x display mode.
func resourceDisplay(options, popup string) int {
	switch strings.ToLower(strings.TrimSpace(options)) {
	case "frame":
		return displayFrame
	case "objectframe":
		return displayEmbed
	case "forcedownload":
		return displayDownload
	}
	if popup != "" && popup != Null {
		return displayPopup
	}
	return displayAuto
}

func resourceToURL(a *Activity, mod *Node, ref string) error {
	a.SetModName("url")
	intro, introformat := resourceIntro(a, mod)
	if strings.HasPrefix(ref, "/") {
		abs := a.c.oldWWWRoot()
		if u, err := url.Parse(abs); err == nil && u.Host != "" {
			abs = u.Scheme + "://" + u.Host
		}
		a.Finding(CodeLinkOldSite, report.Info, fmt.Sprintf("resource %q pointed at the server path %s: the url now points at %s%s on the old site", mod.Value("NAME"), ref, abs, ref))
		ref = abs + ref
	}
	popup := mod.Value("POPUP")
	options := strings.ToLower(mod.Value("OPTIONS"))
	display := displayAuto
	switch {
	case options == "frame":
		display = displayFrame
	case options == "objectframe":
		display = displayEmbed
	case popup != "" && popup != Null:
		display = displayPopup
	}
	var params []KV
	for _, pair := range strings.Split(mod.Value("ALLTEXT"), ",") {
		variable, parameter, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if ok && parameter != "" {
			params = append(params, KV{parameter, variable})
		}
	}
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"externalurl", ref, "display", display,
			"displayoptions", displayOptions(popup, display, KV{"printintro", 1}),
			"parameters", phpSerialize(params...), "timemodified", mod.Int("TIMEMODIFIED"))
	})
}

// courseFileOfReference returns the course-relative path a file resource's
// REFERENCE names: a plain path, or a $@FILEPHP@$ link.
func courseFileOfReference(ref string) (string, string) {
	if strings.HasPrefix(ref, tokFilePHP) {
		links := findFileLinks(ref)
		if len(links) == 0 || links[0].bad != "" {
			why := "not a file link"
			if len(links) > 0 {
				why = links[0].bad
			}
			return "", why
		}
		return links[0].path, ""
	}
	p := strings.TrimPrefix(strings.TrimSpace(ref), "./")
	if p == "" {
		return "", "empty reference"
	}
	return p, ""
}

func resourceToFile(a *Activity, mod *Node, ref string) error {
	intro, introformat := resourceIntro(a, mod)
	rel, bad := courseFileOfReference(ref)
	switch {
	case bad != "":
		a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("file resource %q names no course file (%q: %s): converted without a file", mod.Value("NAME"), ref, bad))
	default:
		if err := a.AddCourseFile(rel, a.Area("content", 0), 1); err != nil {
			a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("file resource %q: course file %q is not in the backup: converted without a file", mod.Value("NAME"), rel))
			break
		}
		// A web page in its own folder took its images and pages from that
		// folder through relative links: bring the folder along, at the same
		// paths, so the links still resolve.
		if dir, _ := SplitPath(rel); dir != "/" && isWebPage(rel) {
			for _, src := range a.c.files.SourceNames("course_files" + dir) {
				if err := a.AddCourseFile(strings.TrimPrefix(src, "course_files/"), a.Area("content", 0), 0); err != nil {
					return err
				}
			}
		}
	}
	popup := mod.Value("POPUP")
	display := resourceDisplay(mod.Value("OPTIONS"), popup)
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"tobemigrated", 0, "legacyfiles", 0, "legacyfileslast", Null, "display", display,
			"displayoptions", displayOptions(popup, display, KV{"printintro", 1}),
			"filterfiles", 0, "revision", 1, "timemodified", mod.Int("TIMEMODIFIED"))
	})
}

func resourceToFolder(a *Activity, mod *Node, ref string) error {
	a.SetModName("folder")
	intro, introformat := resourceIntro(a, mod)
	dir := strings.Trim(strings.TrimSpace(ref), "/")
	src := "course_files"
	if dir != "" {
		src += "/" + dir
	}
	if !a.c.files.IsSourceDir(src) {
		a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("folder resource %q: course folder %q is not in the backup: converted as an empty folder", mod.Value("NAME"), dir))
		a.AddDir(a.Area("content", 0), "/")
	} else if _, err := a.AddTree(src, a.Area("content", 0)); err != nil {
		return err
	}
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"revision", 1, "timemodified", mod.Int("TIMEMODIFIED"), "display", 0,
			"showexpanded", 1, "showdownloadfolder", 1, "forcedownload", 1)
	})
}

func resourceToIMSCP(a *Activity, mod *Node, ref string) error {
	a.SetModName("imscp")
	intro, introformat := resourceIntro(a, mod)
	deployed := fmt.Sprintf("moddata/resource/%d", a.Instance)
	structure := Null
	if a.c.files.IsSourceDir(deployed) {
		structure = a.manifestStructure(deployed)
		if _, err := a.AddTree(deployed, a.Area("content", 1)); err != nil {
			return err
		}
	} else {
		a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("IMS content package %q: its deployed files (%s/) are not in the backup", mod.Value("NAME"), deployed))
	}
	if rel, bad := courseFileOfReference(ref); bad == "" {
		if a.c.files.Source("course_files/"+rel) != nil {
			_, name := SplitPath(rel)
			if err := a.AddFile("course_files/"+rel, a.Area("backup", 1), "/", name, 0); err != nil {
				return err
			}
		}
	}
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"revision", 1, "keepold", 1, "structure", structure, "timemodified", mod.Int("TIMEMODIFIED"))
	})
}

func isWebPage(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".html") || strings.HasSuffix(n, ".htm")
}
