package convert

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/readahead"
	"github.com/moodlemig/moodlemig/report"
)

// Options control one conversion.
type Options struct {
	// Scratch is the folder the 2.x XML files are written to. It must be
	// private to this conversion and live as long as the returned backup.
	Scratch string
	// ReportDir, when set, is where the original XML of every module kept
	// out of the course is saved.
	ReportDir string
	// Name is the backup file name written into moodle_backup.xml (default:
	// the source's base name with .mbz).
	Name string
	// Modules is the table of module handlers by 1.x module name (nil:
	// DefaultModules()).
	Modules map[string]ModuleHandler
	// Now is the conversion time used where 2.x needs one (zero: time.Now).
	Now time.Time
	// Partial converts what precedes a fatal XML error (a truncated or
	// broken moodle.xml) instead of failing, with an error finding that
	// says where reading stopped.
	Partial bool
	// NewTokenizer reads moodle.xml (nil: NewScanTokenizer; NewTokenizer is
	// the encoding/xml one).
	NewTokenizer func(io.Reader) Tokenizer

	readaheadMin int64 // tests: moodle.xml size from which it is read ahead (0: readaheadMin)
}

// Result is a finished conversion.
type Result struct {
	// Backup is the 2.x backup; its XML entries read from Options.Scratch and
	// its pool entries are source entries.
	Backup *backup.Backup
	// Audit is what was read and written per kind.
	Audit Audit
}

// Convert converts the 1.x backup src (which must hold moodle.xml at its
// root) into a 2.x backup. Findings go to sink. It fails only when the
// backup cannot be read at all (no moodle.xml, XML that is not well formed,
// an I/O error); a bad module, block or file is a finding.
func Convert(ctx context.Context, src *backup.Backup, sink report.Sink, opts Options) (*Result, error) {
	main := src.Entry("moodle.xml")
	if main == nil {
		return nil, errors.New("no moodle.xml at the root of the backup: not a Moodle 1.x backup (relocate a nested root first)")
	}
	if opts.Scratch == "" {
		return nil, errors.New("convert: no scratch folder")
	}
	if opts.Modules == nil {
		opts.Modules = DefaultModules()
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.NewTokenizer == nil {
		opts.NewTokenizer = NewScanTokenizer
	}
	if opts.Name == "" {
		base := filepath.Base(src.Path)
		opts.Name = strings.TrimSuffix(base, filepath.Ext(base)) + ".mbz"
	}
	tree, err := NewTree(opts.Scratch)
	if err != nil {
		return nil, err
	}
	c := &conv{
		ctx: ctx, opts: opts, tree: tree, ids: NewIDs(), audit: Audit{}, sink: sink,
		cms: map[cmKey]*CourseModule{}, cmByID: map[int64]*CourseModule{},
		instances: map[cmKey]instInfo{}, roots: map[string]*XMLWriter{},
	}
	c.systemCtx = c.ids.Context(ContextSystem, 0)
	c.courseCtx = c.ids.Context(ContextCourse, 0)
	if c.files, err = NewFiles(ctx, tree, c.ids, src, opts.Now.Unix()); err != nil {
		return nil, err
	}
	defer c.files.Stop()
	c.parts = c.partTable()

	rc, err := main.Open()
	if err != nil {
		return nil, fmt.Errorf("open moodle.xml: %w", err)
	}
	// Inflating a big moodle.xml runs a few buffers ahead of the
	// tokenizer, on the other core (a small one is not worth the buffers).
	var xmlr io.Reader = rc
	var ra *readahead.Reader
	min := opts.readaheadMin
	if min == 0 {
		min = readaheadMin
	}
	if main.Size < 0 || main.Size >= min {
		ra = readahead.New(rc, 4, 256<<10)
		xmlr = ra
	}
	err = c.walk(opts.NewTokenizer(xmlr))
	if ra != nil {
		ra.Close() // before rc: its goroutine may be reading rc
	}
	rc.Close()
	var se *SyntaxError
	if err != nil && opts.Partial && errors.As(err, &se) && (c.info != nil || c.header != nil || len(c.sections) > 0) {
		c.report(report.Finding{Code: CodePartial, Severity: report.Error, Entry: "moodle.xml", Line: se.Line, Column: se.Col,
			Message: fmt.Sprintf("moodle.xml is broken or cut here (%s): converted only what came before; everything after it is missing from the course", se.Msg)})
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("read moodle.xml: %w", err)
	}
	if err := c.finish(src); err != nil {
		return nil, err
	}
	return &Result{Backup: tree.Backup(src.Path), Audit: c.audit}, nil
}

// readaheadMin is the size of moodle.xml from which it is read ahead.
const readaheadMin = 4 << 20

type cmKey struct {
	modtype  string
	instance int64
}

type instInfo struct {
	name     string
	included bool
	userinfo bool
}

// conv is the state of one conversion.
type conv struct {
	ctx   context.Context
	opts  Options
	tree  *Tree
	ids   *IDs
	files *Files
	audit Audit
	sink  report.Sink
	parts map[string]func(*Node) error

	systemCtx, courseCtx int64
	info                 *Node // INFO
	header               *Node // COURSE/HEADER
	courseID             int64
	wwwroot              string

	instances     map[cmKey]instInfo // from INFO/DETAILS
	modIncluded   map[string]bool
	sections      []*section
	cms           map[cmKey]*CourseModule
	cmByID        map[int64]*CourseModule
	pending       *pendingMods // MODULES/MOD met before SECTIONS
	blocks        []string     // course/blocks/<name>_<id> written
	pendingBlocks []*Node      // BLOCKS/BLOCK, written by finish
	noIDBlocks    int64        // pre-1.7 blocks given a synthetic id
	linkFiles     []string     // output files holding module tokens
	nspill        int          // modules spilled so far (scratch folder names)
	roots         map[string]*XMLWriter
	roles         map[string]int64 // 2.x roles defined in roles.xml, by shortname
}

type section struct {
	id, number int64
	cms        []*CourseModule
}

func (c *conv) report(f report.Finding) {
	if f.Entry == "" && (f.Line > 0 || f.Path != "") {
		f.Entry = "moodle.xml"
	}
	if c.sink != nil {
		c.sink.Add(f)
	}
}

func (c *conv) finding(code string, sev report.Severity, n *Node, msg string) {
	f := report.Finding{Code: code, Severity: sev, Message: msg}
	if n != nil {
		f.Line, f.Column, f.Path = n.Line, n.Col, n.Path
		if f.Path == "" {
			f.Path = n.Name
		}
	}
	c.report(f)
}

// walk reads the token stream once, building a Node only for the elements
// the part table names and skipping the rest.
func (c *conv) walk(tk Tokenizer) error {
	var stack []string
	for {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		t, err := tk.Next()
		if err == io.EOF {
			if len(stack) > 0 {
				l, col := tk.Pos()
				return &SyntaxError{Line: l, Col: col, Msg: fmt.Sprintf("file ends inside <%s> (truncated backup?)", stack[len(stack)-1])}
			}
			if c.info == nil && c.header == nil && len(c.sections) == 0 {
				return errors.New("moodle.xml is empty")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t.Kind {
		case StartTag:
			name := strings.ToUpper(t.Name)
			if len(stack) == 0 && name != "MOODLE_BACKUP" {
				l, col := tk.Pos()
				return &SyntaxError{Line: l, Col: col, Msg: fmt.Sprintf("root element is <%s>, not <MOODLE_BACKUP>: not a Moodle 1.x moodle.xml", t.Name)}
			}
			p := strings.Join(append(stack, name), "/")
			if p == "MOODLE_BACKUP/COURSE/MODULES/MOD" && len(c.sections) > 0 {
				if err := c.streamModule(tk, name); err != nil {
					return err
				}
				continue
			}
			if h := c.parts[p]; h != nil {
				n, err := readNode(tk, name)
				if err != nil {
					return err
				}
				n.Path = p
				if err := h(n); err != nil {
					return err
				}
				continue
			}
			if len(stack) == 2 && stack[1] == "COURSE" && !courseContainers[name] {
				if err := c.skipPart(tk, name); err != nil {
					return err
				}
				continue
			}
			if len(stack) >= 3 && stack[1] == "COURSE" {
				// Not a record the table names (e.g. text between records).
				if err := skipElement(tk, name); err != nil {
					return err
				}
				continue
			}
			stack = append(stack, name)
		case EndTag:
			if len(stack) == 0 {
				l, col := tk.Pos()
				return &SyntaxError{Line: l, Col: col, Msg: fmt.Sprintf("unexpected </%s>", t.Name)}
			}
			if top := stack[len(stack)-1]; !strings.EqualFold(top, t.Name) {
				l, col := tk.Pos()
				return &SyntaxError{Line: l, Col: col, Msg: fmt.Sprintf("</%s> closes <%s>", t.Name, top)}
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// courseContainers are the COURSE children whose records the part table
// handles one by one.
var courseContainers = map[string]bool{"BLOCKS": true, "SECTIONS": true, "MODULES": true, "SCALES": true,
	"GROUPS": true, "GROUPINGS": true, "GROUPINGSGROUPS": true}

// skipPart skips a COURSE part this version does not convert, counting its
// records for the audit.
func (c *conv) skipPart(tk Tokenizer, name string) error {
	line, col := tk.Pos()
	depth, records := 1, int64(0)
	for depth > 0 {
		t, err := tk.Next()
		if err != nil {
			if err == io.EOF {
				return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf("file ends inside <%s>", name)}
			}
			return err
		}
		switch t.Kind {
		case StartTag:
			if depth == 1 {
				records++
			}
			depth++
		case EndTag:
			depth--
		}
	}
	if records == 0 {
		return nil
	}
	kind := strings.ToLower(name)
	c.audit.Read(kind, records)
	c.audit.Explain(kind, records)
	c.report(report.Finding{Code: CodeNotConverted, Severity: report.Warning, Entry: "moodle.xml", Line: line, Column: col,
		Path:    "MOODLE_BACKUP/COURSE/" + name,
		Message: fmt.Sprintf("%d %s record(s) not converted: this version of the converter does not convert %s yet", records, name, kind)})
	return nil
}

// saveXML saves the 1.x XML of an element kept out of the course in the
// report folder and returns where ("" when not saved).
func (c *conv) saveXML(n *Node, name string) string { return c.saveModuleXML(n, nil, name) }

// saveModuleXML is saveXML for a module whose records were spilled: they
// are written back in their containers.
func (c *conv) saveModuleXML(n *Node, sp *spill, name string) string {
	if c.opts.ReportDir == "" {
		return ""
	}
	dir := filepath.Join(c.opts.ReportDir, "skipped")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	p := filepath.Join(dir, name+".xml")
	f, err := os.Create(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := io.WriteString(f, XMLHeader); err != nil {
		return ""
	}
	bw := bufio.NewWriter(f)
	if err := writeNodeSpill(bw, n, sp, "", 0); err != nil {
		return ""
	}
	if err := bw.Flush(); err != nil {
		return ""
	}
	return p
}

// writeNodeSpill writes n like Node.WriteXML, and after the children of
// each container the records spilled from it (rel is n's path below the
// module, "" for the module itself).
func writeNodeSpill(w *bufio.Writer, n *Node, sp *spill, rel string, depth int) error {
	var lists []string
	if sp != nil {
		for l := range sp.lists {
			if i := strings.LastIndex(l, "/"); i > 0 && l[:i] == rel && !sp.written[l] {
				lists = append(lists, l)
			}
		}
		sort.Strings(lists)
	}
	if n.IsLeaf() && len(lists) == 0 {
		n.writeXML(w, depth)
		return nil
	}
	ind := strings.Repeat("  ", depth)
	fmt.Fprintf(w, "%s<%s>\n", ind, n.Name)
	for _, c := range n.Children {
		cr := c.Name
		if rel != "" {
			cr = rel + "/" + c.Name
		}
		if err := writeNodeSpill(w, c, sp, cr, depth+1); err != nil {
			return err
		}
	}
	for _, l := range lists {
		sp.written[l] = true
		if err := sp.each(l, func(r *Node) error {
			r.writeXML(w, depth+1)
			return nil
		}); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "%s</%s>\n", ind, n.Name)
	return nil
}

// runModule converts one MODULES/MOD with its handler, keeping failures to
// this module.
func (c *conv) runModule(mod *Node) { c.runModuleSpill(mod, nil) }

// streamModule reads one MODULES/MOD, spilling its unbounded record lists
// (spillPaths) to scratch, and converts it.
func (c *conv) streamModule(tk Tokenizer, name string) error {
	c.nspill++
	sp := newSpill(filepath.Join(c.tree.Dir(), ".spill", fmt.Sprint(c.nspill)))
	defer sp.close()
	mod, err := readNodeSpill(tk, name, func(root *Node, rel string) bool {
		modtype := strings.ToLower(root.Value("MODTYPE"))
		if modtype == "" {
			return false
		}
		if _, known := c.opts.Modules[modtype]; !known {
			// A module kept out (hotpot, journal, ...): its records can be
			// as big as any, and are only saved to the report folder.
			return strings.Count(rel, "/") == 1
		}
		for _, p := range spillPaths[modtype] {
			if p == rel {
				return true
			}
		}
		return false
	}, sp.addFrom)
	if err != nil {
		return err
	}
	mod.Path = "MOODLE_BACKUP/COURSE/MODULES/MOD"
	c.runModuleSpill(mod, sp)
	return nil
}

func (c *conv) runModuleSpill(mod *Node, sp *spill) {
	modtype := strings.ToLower(mod.Value("MODTYPE"))
	id := mod.Int("ID")
	kind := KindActivities + "/" + modtype
	c.audit.Read(kind, 1)
	cm := c.cms[cmKey{modtype, id}]
	label := fmt.Sprintf("%s_%d", modtype, id)
	if cm == nil {
		saved := c.saveModuleXML(mod, sp, "orphan_"+label)
		c.audit.Explain(kind, 1)
		c.finding(CodeModuleOrphan, report.Warning, mod, fmt.Sprintf("%s instance %d (%q) is in no section of the course, so it has no course module: kept out%s",
			modtype, id, mod.Value("NAME"), savedNote(saved)))
		return
	}
	cm.seen = true
	h := c.opts.Modules[modtype]
	if h == nil {
		saved := c.saveModuleXML(mod, sp, label)
		c.audit.Explain(kind, 1)
		c.finding(CodeModuleSkipped, report.Warning, mod, fmt.Sprintf("module type %q (instance %d, %q, course module %d) has no 2.x conversion: kept out of the course%s",
			modtype, id, cm.Title, cm.ID, savedNote(saved)))
		return
	}
	a := &Activity{
		Owner:     c.newOwner("", mod.Name, mod.Line),
		CM:        cm,
		ModName:   modtype,
		Instance:  id,
		ContextID: c.ids.Context(ContextModule, cm.ID),
		Version:   LegacyModuleVersion,
		UserInfo:  cm.UserInfo,
		mod:       mod,
		spill:     sp,
	}
	a.Owner.path = "MOODLE_BACKUP/COURSE/MODULES/MOD"
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("handler panic: %v\n%s", r, debug.Stack())
			}
		}()
		if err := h.Convert(a, mod); err != nil {
			return err
		}
		return a.finish()
	}()
	if err != nil {
		_ = c.tree.RemoveAll(a.Dir())
		if a.ModName != modtype {
			_ = c.tree.RemoveAll(fmt.Sprintf("activities/%s_%d", modtype, cm.ID))
		}
		a.drop()
		for _, f := range a.findings {
			c.report(f)
		}
		saved := c.saveModuleXML(mod, sp, label)
		c.audit.Explain(kind, 1)
		var skip *SkipError
		if errors.As(err, &skip) {
			c.finding(CodeModuleSkipped, report.Warning, mod, fmt.Sprintf("%s %q (course module %d) kept out of the course: %s%s", modtype, cm.Title, cm.ID, skip.Reason, savedNote(saved)))
		} else {
			c.finding(CodeModuleFailed, report.Error, mod, fmt.Sprintf("%s %q (course module %d) could not be converted and was kept out of the course: %v%s", modtype, cm.Title, cm.ID, err, savedNote(saved)))
		}
		return
	}
	cm.ModName = a.ModName
	cm.Converted = true
	c.audit.Wrote(kind, 1)
}

func savedNote(p string) string {
	if p == "" {
		return ""
	}
	return "; its 1.x XML is saved in " + p
}

// siteHash is the site identifier hash written when the 1.x backup has
// none: a stable md5 of the old wwwroot, so a target site with the same
// address is not taken for the same site.
func siteHash(wwwroot string) string {
	h := md5.Sum([]byte("moodlemig:" + wwwroot))
	return hex.EncodeToString(h[:])
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
