package convert

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// partTable maps the 1.x element paths the converter reads to their
// handlers. Everything else is skipped while streaming; a COURSE part that
// is not listed here is counted and reported as not converted (skipPart).
// Later versions add USERS/USER, QUESTION_CATEGORIES/QUESTION_CATEGORY,
// GRADEBOOK, ... here.
//
// Groups, groupings and grouping members are read record by record (a
// group's members are only counted) and groups.xml is written at the end,
// under the key partEnd+"groups".
func (c *conv) partTable() map[string]func(*Node) error {
	groups := newGroupsPart(c)
	return map[string]func(*Node) error{
		pathGroup:          func(n *Node) error { groups.readGroup(n); return nil },
		pathGrouping:       func(n *Node) error { groups.readGrouping(n); return nil },
		pathGroupingGroup:  groups.readGroupingGroup,
		partEnd + "groups": func(*Node) error { return groups.end() },

		"MOODLE_BACKUP/INFO":                    c.readInfo,
		"MOODLE_BACKUP/ROLES":                   c.readRoles,
		"MOODLE_BACKUP/COURSE/HEADER":           c.readHeader,
		"MOODLE_BACKUP/COURSE/BLOCKS/BLOCK":     c.readBlock,
		"MOODLE_BACKUP/COURSE/SECTIONS/SECTION": c.readSection,
		"MOODLE_BACKUP/COURSE/MODULES/MOD":      c.readModule,
		"MOODLE_BACKUP/COURSE/FORMATDATA":       c.readFormatData,
		"MOODLE_BACKUP/COURSE/SCALES/SCALE":     c.readScale,
	}
}

// partEnd starts the part-table keys that are not element paths but the
// end of a part that needs the whole stream (groups.xml is written once
// every group and grouping is known). finish calls them, with a nil Node,
// in key order, after the modules and before the root files close.
const partEnd = "end:"

// endParts runs the partEnd entries of the part table.
func (c *conv) endParts() error {
	for _, k := range sortedKeys(c.parts) {
		if strings.HasPrefix(k, partEnd) {
			if err := c.parts[k](nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *conv) readInfo(n *Node) error {
	c.info = n
	c.wwwroot = strings.TrimRight(n.Value("ORIGINAL_WWWROOT"), "/")
	c.modIncluded = map[string]bool{}
	for _, m := range n.All("DETAILS/MOD") {
		name := strings.ToLower(m.Value("NAME"))
		inc := m.Value("INCLUDED") != "false"
		ui := m.Value("USERINFO") == "true"
		c.modIncluded[name] = inc
		for _, in := range m.All("INSTANCES/INSTANCE") {
			c.instances[cmKey{name, in.Int("ID")}] = instInfo{
				name:     in.Value("NAME"),
				included: inc && in.Value("INCLUDED") != "false",
				userinfo: ui && in.Value("USERINFO") == "true",
			}
		}
	}
	return nil
}

// readRoles reads the role definitions. Roles are not mapped in this
// version (nothing refers to them without users), so they are only counted.
func (c *conv) readRoles(n *Node) error {
	roles := n.All("ROLE")
	if len(roles) > 0 {
		c.audit.Read("roles", int64(len(roles)))
		c.audit.Explain("roles", int64(len(roles)))
		c.finding(CodeNotConverted, report.Info, n, fmt.Sprintf("%d role definition(s) not carried over: without users and role assignments 2.x restore has no use for them", len(roles)))
	}
	return nil
}

func (c *conv) readHeader(n *Node) error {
	c.header = n
	c.courseID = n.Int("ID")
	return nil
}

// readFormatData reports course format data, which no 2.x format reads.
func (c *conv) readFormatData(n *Node) error {
	if len(n.Children) > 0 || strings.TrimSpace(n.Text) != "" {
		c.audit.Read("formatdata", 1)
		c.audit.Explain("formatdata", 1)
		saved := c.saveXML(n, "formatdata")
		c.finding(CodeNotConverted, report.Warning, n, "course format data (FORMATDATA) of a third-party 1.x course format has no 2.x equivalent: not carried over"+savedNote(saved))
	}
	return nil
}

func (c *conv) readSection(n *Node) error {
	id, num := n.Int("ID"), n.Int("NUMBER")
	c.audit.Read(KindSections, 1)
	for _, old := range c.sections {
		if old.id == id {
			c.audit.Explain(KindSections, 1)
			saved := c.saveXML(n, fmt.Sprintf("section_%d_duplicate", id))
			c.finding(CodeNotConverted, report.Warning, n, fmt.Sprintf("a second section with id %d (number %d) was left out: section ids must be unique%s", id, num, savedNote(saved)))
			return nil
		}
	}
	s := &section{id: id, number: num}
	for _, m := range n.All("MODS/MOD") {
		cm := &CourseModule{ID: m.Int("ID"), ModType: strings.ToLower(m.Value("TYPE")), Instance: m.Int("INSTANCE"),
			SectionID: id, SectionNumber: num, Node: m, Included: true}
		if old := c.cmByID[cm.ID]; old != nil {
			c.audit.Read(KindActivities+"/"+cm.ModType, 1)
			c.audit.Explain(KindActivities+"/"+cm.ModType, 1)
			c.finding(CodeModuleMissing, report.Warning, m, fmt.Sprintf("course module %d is listed twice (sections %d and %d): the second listing is ignored", cm.ID, old.SectionNumber, num))
			continue
		}
		if in, ok := c.instances[cmKey{cm.ModType, cm.Instance}]; ok {
			cm.Title, cm.Included, cm.UserInfo = in.name, in.included, in.userinfo
		} else if inc, ok := c.modIncluded[cm.ModType]; ok {
			cm.Included = inc
		}
		c.cms[cmKey{cm.ModType, cm.Instance}] = cm
		c.cmByID[cm.ID] = cm
		s.cms = append(s.cms, cm)
	}
	c.sections = append(c.sections, s)

	o := c.newOwner("sections", "MOODLE_BACKUP/COURSE/SECTIONS/SECTION", n.Line)
	summary, format := o.Text(n.Raw("SUMMARY"), FormatHTML, Area{ContextID: c.courseCtx, Component: "course", FileArea: "section", ItemID: id})
	if !n.Has("SUMMARY") {
		summary = ""
	}
	var seq []string
	for _, cm := range s.cms {
		if _, ok := c.opts.Modules[cm.ModType]; ok {
			seq = append(seq, fmt.Sprint(cm.ID))
		}
	}
	visible := n.Value("VISIBLE")
	if visible == "" {
		visible = "1"
	}
	dir := fmt.Sprintf("sections/section_%d", id)
	if err := c.tree.Write(dir+"/section.xml", func(x *XMLWriter) {
		x.Start("section", A("id", id))
		x.Leaves("number", num, "name", Null, "summary", summary, "summaryformat", format,
			"sequence", strings.Join(seq, ","), "visible", visible, "availabilityjson", Null, "timemodified", 0)
		x.End()
	}); err != nil {
		return err
	}
	ids := o.commit()
	if o.modLinks {
		c.linkFiles = append(c.linkFiles, dir+"/section.xml")
	}
	if err := c.tree.Write(dir+"/inforef.xml", func(x *XMLWriter) { writeInforef(x, ids) }); err != nil {
		return err
	}
	c.audit.Wrote(KindSections, 1)
	return nil
}

func (c *conv) readModule(n *Node) error {
	if len(c.sections) == 0 {
		// MODULES before SECTIONS (a hand-edited file): keep the module on
		// disk until the course modules are known.
		if c.pending == nil {
			p, err := newPendingMods(filepath.Join(c.tree.Dir(), ".pending-modules.gob"))
			if err != nil {
				return err
			}
			c.pending = p
		}
		return c.pending.add(n)
	}
	c.runModule(n)
	return nil
}

// pendingMods spills MODULES/MOD elements to a scratch file.
type pendingMods struct {
	path string
	f    *os.File
	enc  *gob.Encoder
}

func newPendingMods(path string) (*pendingMods, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	return &pendingMods{path: path, f: f, enc: gob.NewEncoder(f)}, nil
}

func (p *pendingMods) add(n *Node) error { return p.enc.Encode(n) }

// each calls fn for every spilled element, then removes the file.
func (p *pendingMods) each(fn func(*Node)) error {
	if err := p.f.Close(); err != nil {
		return err
	}
	defer os.Remove(p.path)
	f, err := os.Open(p.path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := gob.NewDecoder(f)
	for {
		var n Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("scratch: %w", err)
		}
		fn(&n)
	}
}
