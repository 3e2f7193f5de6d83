package convert

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// imsElem is a small DOM of an imsmanifest.xml.
type imsElem struct {
	name     string // local name
	attrs    map[string]string
	children []*imsElem
	text     strings.Builder
}

func (e *imsElem) textContent() string {
	var b strings.Builder
	var walk func(*imsElem)
	walk = func(x *imsElem) {
		b.WriteString(x.text.String())
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(e)
	return b.String()
}

func (e *imsElem) all(name string, out *[]*imsElem) {
	for _, c := range e.children {
		if c.name == name {
			*out = append(*out, c)
		}
		c.all(name, out)
	}
}

// maxManifest bounds the manifest read into memory.
const maxManifest = 8 << 20

func parseIMS(r io.Reader) (*imsElem, error) {
	d := xml.NewDecoder(io.LimitReader(r, maxManifest))
	d.Strict = false
	root := &imsElem{name: "#document"}
	stack := []*imsElem{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &imsElem{name: t.Name.Local, attrs: map[string]string{}}
			for _, a := range t.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, e)
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			stack[len(stack)-1].text.Write(t)
		}
	}
}

// imscpStructure computes what 2.x stores in imscp.structure from an IMS
// content package manifest (the same walk as Moodle's manifest parser:
// default organization, its items with titles, levels and the href of the
// resource each one refers to), PHP-serialized. ok is false when the
// manifest has no organization.
func imscpStructure(r io.Reader) (string, bool, error) {
	doc, err := parseIMS(r)
	if err != nil {
		return "", false, err
	}
	var orgsList, orgs, resources []*imsElem
	doc.all("organizations", &orgsList)
	if len(orgsList) == 0 {
		return "", false, nil
	}
	def := orgsList[0].attrs["default"]
	doc.all("organization", &orgs)
	if len(orgs) == 0 {
		return "", false, nil
	}
	org := orgs[0]
	for _, o := range orgs {
		if id, ok := o.attrs["identifier"]; ok && id == def {
			org = o
			break
		}
	}
	hrefs := map[string]string{}
	doc.all("resource", &resources)
	for _, res := range resources {
		id, ok := res.attrs["identifier"]
		if !ok {
			continue
		}
		href, ok := res.attrs["href"]
		if !ok {
			var files []*imsElem
			res.all("file", &files)
			for _, f := range files {
				href = f.attrs["href"]
			}
			if href == "" {
				continue
			}
		}
		href = strings.TrimLeft(strings.ReplaceAll(href, "\\", "/"), "/")
		hrefs[id] = href
	}
	var item func(e *imsElem, level int) PHPMap
	item = func(e *imsElem, level int) PHPMap {
		title := "?"
		subs := PHPList{}
		for _, c := range e.children {
			switch c.name {
			case "title":
				title = c.textContent()
			case "item":
				subs = append(subs, item(c, level+1))
			}
		}
		return PHPMap{{"href", hrefs[e.attrs["identifierref"]]}, {"title", title}, {"level", level}, {"subitems", subs}}
	}
	items := PHPList{}
	for _, c := range org.children {
		if c.name == "item" {
			items = append(items, item(c, 0))
		}
	}
	return phpSerializeValue(items), true, nil
}

// manifestStructure reads the deployed manifest of a 1.x IMS resource.
func (a *Activity) manifestStructure(dir string) string {
	src := dir + "/imsmanifest.xml"
	e := a.c.files.Source(src)
	if e == nil {
		a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("IMS content package %q has no %s: Moodle will ask to deploy it again", a.CM.Title, src))
		return Null
	}
	rc, err := e.Open()
	if err != nil {
		a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("IMS content package %q: %s: %v", a.CM.Title, src, err))
		return Null
	}
	defer rc.Close()
	s, ok, err := imscpStructure(rc)
	if err != nil || !ok {
		why := "it lists no organization"
		if err != nil {
			why = err.Error()
		}
		a.Finding(CodeFileMissing, report.Warning, fmt.Sprintf("IMS content package %q: %s cannot be read (%s): Moodle will ask to deploy it again", a.CM.Title, src, why))
		return Null
	}
	return s
}
