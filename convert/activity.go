package convert

import (
	"errors"
	"fmt"

	"github.com/moodlemig/moodlemig/report"
)

// ModuleHandler converts the instances of one 1.x module type (one file per
// module family, registered in the table of modules.go).
//
// Convert gets the MODULES/MOD element of one instance (names upper-cased,
// see Node) and writes the activity through a:
//
//   - optionally a.SetModName for a 2.x successor (resource → page, url, ...),
//     before anything else;
//   - texts through a.Text (format, $@FILEPHP@$ links, embedded files) with
//     the file area of a.Area(...);
//   - files through a.AddCourseFile / a.AddTree / a.AddFile;
//   - exactly one a.WriteInstance call, which writes <modname>.xml;
//   - optionally a.WriteFile for extra files (e.g. grading.xml) and
//     a.SetGrades for the grade items of grades.xml.
//
// The converter then writes module.xml, roles.xml, grades.xml and
// inforef.xml (listing every file record of the activity), commits the file
// records and lists the activity in moodle_backup.xml. An error (or a panic)
// keeps the whole activity out of the course with a finding and saves its
// 1.x XML in the report folder; it never aborts the course. Return Skip(...)
// for an instance deliberately left out.
type ModuleHandler interface {
	Convert(a *Activity, mod *Node) error
}

// ModuleFunc adapts a function to a ModuleHandler.
type ModuleFunc func(a *Activity, mod *Node) error

// Convert calls f.
func (f ModuleFunc) Convert(a *Activity, mod *Node) error { return f(a, mod) }

// SkipError is returned by a handler that leaves an instance out on purpose.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return e.Reason }

// Skip returns a SkipError.
func Skip(format string, a ...any) error { return &SkipError{fmt.Sprintf(format, a...)} }

// CourseModule is a 1.x course module: a SECTIONS/SECTION/MODS/MOD element
// plus what the converter learnt about it.
type CourseModule struct {
	ID            int64  // cm id, kept as the 2.x cm id
	ModType       string // 1.x module name
	Instance      int64  // 1.x instance id, kept as the 2.x instance id
	SectionID     int64
	SectionNumber int64
	Node          *Node  // the section MOD element (ADDED, INDENT, VISIBLE, ...)
	Title         string // instance name from INFO/DETAILS, or the MOD NAME
	Included      bool   // INFO/DETAILS says the instance is included
	UserInfo      bool   // INFO/DETAILS says its user data is included

	// Set when converted.
	ModName   string // 2.x module name
	Converted bool
	seen      bool // its MODULES/MOD was met
}

// Activity is one activity being written: activities/<modname>_<cmid>/.
type Activity struct {
	*Owner
	CM        *CourseModule
	ModName   string // 2.x module name (the 1.x one unless SetModName)
	Instance  int64  // 2.x instance id (= the 1.x one)
	ContextID int64  // the module's (old) context id: every file of it uses this
	// Version is written as module.xml's version attribute: the module
	// version the data is shaped for. 2011010099 (the converter default)
	// makes restore run every legacy conversion of the module.
	Version int64
	// UserInfo says whether user data is written (set from the 1.x backup;
	// the handlers of this version write none).
	UserInfo bool

	mod           *Node
	spill         *spill
	wroteInstance bool
	grades        func(x *XMLWriter)
	written       []string
	overrides     []override
}

// LegacyModuleVersion is the module version that makes restore apply all
// legacy conversions (what Moodle's own 1.9 converter writes).
const LegacyModuleVersion = 2011010099

// Dir is the activity folder, "activities/<modname>_<cmid>".
func (a *Activity) Dir() string { return fmt.Sprintf("activities/%s_%d", a.ModName, a.CM.ID) }

// Component is the activity's file component, "mod_<modname>".
func (a *Activity) Component() string { return "mod_" + a.ModName }

// Area returns the activity's file area filearea with itemid.
func (a *Activity) Area(filearea string, itemid int64) Area {
	return Area{ContextID: a.ContextID, Component: a.Component(), FileArea: filearea, ItemID: itemid}
}

// SetModName makes the activity a 2.x module of another name (a successor).
// It must be called before anything is written or any text converted.
func (a *Activity) SetModName(name string) {
	if len(a.written) > 0 || len(a.recs) > 0 {
		panic("SetModName after the activity started writing")
	}
	a.ModName = name
}

// WriteInstance writes <modname>.xml: the <activity> wrapper and the
// <modname id="instance"> record, whose leaves and nested elements fn
// writes (leaves first).
func (a *Activity) WriteInstance(fn func(x *XMLWriter)) error {
	if a.wroteInstance {
		return errors.New("WriteInstance called twice")
	}
	a.wroteInstance = true
	return a.WriteFile(a.ModName+".xml", func(x *XMLWriter) {
		x.Start("activity", A("id", a.Instance), A("moduleid", a.CM.ID), A("modulename", a.ModName), A("contextid", a.ContextID))
		x.Start(a.ModName, A("id", a.Instance))
		fn(x)
		x.End()
		x.End()
	})
}

// WriteFile writes the file name inside the activity folder.
func (a *Activity) WriteFile(name string, fn func(x *XMLWriter)) error {
	p := a.Dir() + "/" + name
	a.written = append(a.written, p)
	return a.c.tree.Write(p, fn)
}

// SetGrades sets what grades.xml holds inside <grade_items> (grade_item
// records); without it the list is empty.
func (a *Activity) SetGrades(fn func(x *XMLWriter)) { a.grades = fn }

// IntroText converts the usual 1.x intro (or summary) field: it returns the
// 2.x text and format for area mod_<modname>/intro/0.
func (a *Activity) IntroText(text string, format int) (string, int) {
	return a.Text(text, format, a.Area("intro", 0))
}

// finish writes module.xml, roles.xml, grades.xml and inforef.xml after the
// handler succeeded, and commits the file records.
func (a *Activity) finish() error {
	if !a.wroteInstance {
		return fmt.Errorf("handler for %s wrote no %s.xml", a.CM.ModType, a.ModName)
	}
	cm := a.CM.Node
	visible := cm.Value("VISIBLE")
	if visible == "" {
		visible = "1"
	}
	err := a.WriteFile("module.xml", func(x *XMLWriter) {
		x.Start("module", A("id", a.CM.ID), A("version", a.Version))
		x.Leaves("modulename", a.ModName, "sectionid", a.CM.SectionID, "sectionnumber", a.CM.SectionNumber,
			"idnumber", cm.Value("IDNUMBER"), "added", cm.Int("ADDED"), "score", cm.Int("SCORE"),
			"indent", cm.Int("INDENT"), "visible", visible, "visibleoncoursepage", 1, "visibleold", visible,
			"groupmode", cm.Int("GROUPMODE"), "groupingid", cm.Int("GROUPINGID"),
			"groupmembersonly", cm.Int("GROUPMEMBERSONLY"),
			"completion", 0, "completiongradeitemnumber", Null, "completionpassgrade", 0,
			"completionview", 0, "completionexpected", 0, "availability", Null,
			"showdescription", 0, "downloadcontent", 1, "lang", "")
		x.End()
	})
	if err != nil {
		return err
	}
	if err := a.WriteFile("roles.xml", a.writeRoles); err != nil {
		return err
	}
	if err := a.WriteFile("grades.xml", func(x *XMLWriter) {
		x.Start("activity_gradebook")
		x.Start("grade_items")
		if a.grades != nil {
			a.grades(x)
		}
		x.End()
		x.Empty("grade_letters")
		x.End()
	}); err != nil {
		return err
	}
	ids := a.commit()
	if a.modLinks {
		a.c.linkFiles = append(a.c.linkFiles, a.written...)
	}
	return a.c.tree.Write(a.Dir()+"/inforef.xml", func(x *XMLWriter) {
		x.Start("inforef")
		writeRefs(x, "file", ids)
		writeRefs(x, "role", a.roleIDs())
		x.End()
	})
}

func emptyRoles(x *XMLWriter) {
	x.Start("roles")
	x.Empty("role_overrides")
	x.Empty("role_assignments")
	x.End()
}

// writeInforef writes an inforef.xml listing file ids.
func writeInforef(x *XMLWriter, fileIDs []int64) {
	x.Start("inforef")
	writeRefs(x, "file", fileIDs)
	x.End()
}

// LeaveOut accounts for n 1.x records of kind (e.g. "forum posts") that this
// activity does not carry over, with one finding saying why. Every record a
// handler reads but does not write must go through LeaveOut (or be written),
// so the conservation audit balances.
func (a *Activity) LeaveOut(kind string, n int, why string) {
	if n <= 0 {
		return
	}
	a.audit.Read(kind, int64(n))
	a.audit.Explain(kind, int64(n))
	a.Finding(CodeNotConverted, report.Warning, fmt.Sprintf("%s %q: %d %s not carried over: %s", a.CM.ModType, a.CM.Title, n, kind, why))
}

// Carry counts n 1.x records of kind read and written by this activity.
func (a *Activity) Carry(kind string, n int) {
	a.audit.Read(kind, int64(n))
	a.audit.Wrote(kind, int64(n))
}

// whyUserData is the reason user data is left out in this version.
const whyUserData = "user data (users, posts, answers, entries, attempts) is not converted by this version"
