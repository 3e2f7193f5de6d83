package gen

import (
	"fmt"
	"strconv"
)

func (g *gen) writeGradebook() {
	if g.e.v19 {
		g.writeGradebook19()
	} else {
		g.writeGradebookOld()
	}
}

// gradedMods lists the graded activities in MODULES order.
func (g *gen) gradedMods() []*mod {
	var out []*mod
	for _, t := range moduleTypes {
		for _, m := range g.p.modsOf(t) {
			if m.graded {
				out = append(out, m)
			}
		}
	}
	return out
}

func (g *gen) writeGradebook19() {
	x, p := g.x, g.p
	x.start("GRADEBOOK")
	letters := []struct {
		b, letter string
	}{{"90.00000", "A"}, {"70.00000", "B"}, {"50.00000", "C"}, {"0.00000", "F"}}
	if g.o.lean {
		letters = nil
	}
	x.start("GRADE_LETTERS")
	for i, l := range letters {
		x.start("GRADE_LETTER")
		x.i("ID", int64(i+1))
		x.raw("LOWERBOUNDARY", l.b)
		x.s("LETTER", l.letter)
		x.end()
	}
	x.end()
	root, labs := int64(20+p.courseID), int64(21+p.courseID)
	x.start("GRADE_CATEGORIES")
	for _, c := range []struct {
		id     int64
		parent string
		name   string
	}{{root, "", "?"}, {labs, strconv.FormatInt(root, 10), "Labs"}} {
		x.start("GRADE_CATEGORY")
		x.i("ID", c.id)
		if c.parent == "" {
			x.null("PARENT")
		} else {
			x.raw("PARENT", c.parent)
		}
		x.s("FULLNAME", c.name)
		x.i("AGGREGATION", 11)
		x.i("KEEPHIGH", 0)
		x.i("DROPLOW", 0)
		x.i("AGGREGATEONLYGRADED", 1)
		x.i("AGGREGATEOUTCOMES", 0)
		x.i("AGGREGATESUBCATS", 0)
		x.i("TIMECREATED", p.created)
		x.i("TIMEMODIFIED", p.created)
		x.end()
	}
	x.end()
	x.start("GRADE_ITEMS")
	id := int64(200 + p.courseID)
	item := func(cat string, name, itype, module string, inst int64, gradetype, scale int64, grades bool, r int) {
		id++
		x.start("GRADE_ITEM")
		x.i("ID", id)
		if cat == "" {
			x.null("CATEGORYID")
		} else {
			x.raw("CATEGORYID", cat)
		}
		if name == "" {
			x.null("ITEMNAME")
		} else {
			x.s("ITEMNAME", name)
		}
		x.raw("ITEMTYPE", itype)
		if module == "" {
			x.null("ITEMMODULE")
		} else {
			x.raw("ITEMMODULE", module)
		}
		x.i("ITEMINSTANCE", inst)
		x.i("ITEMNUMBER", 0)
		x.null("ITEMINFO")
		x.s("IDNUMBER", "")
		x.null("CALCULATION")
		x.i("GRADETYPE", gradetype)
		if gradetype == 2 {
			x.raw("GRADEMAX", "4.00000")
			x.raw("GRADEMIN", "1.00000")
			x.i("SCALEID", scale)
		} else {
			x.raw("GRADEMAX", "100.00000")
			x.raw("GRADEMIN", "0.00000")
			x.null("SCALEID")
		}
		x.null("OUTCOMEID")
		x.raw("GRADEPASS", "0.00000")
		x.raw("MULTFACTOR", "1.00000")
		x.raw("PLUSFACTOR", "0.00000")
		x.raw("AGGREGATIONCOEF", "0.00000")
		x.i("DISPLAY", 0)
		x.i("DECIMALS", 0)
		x.i("HIDDEN", 0)
		x.i("LOCKED", 0)
		x.i("LOCKTIME", 0)
		x.i("NEEDSUPDATE", 0)
		x.i("TIMECREATED", p.created)
		x.i("TIMEMODIFIED", p.created)
		if grades && g.userData() {
			x.start("GRADE_GRADES")
			for j, u := range p.students {
				x.start("GRADE")
				x.i("ID", id*1000+int64(j))
				x.i("USERID", u.id)
				v := fmt.Sprintf("%d.00000", (r+j*37)%101)
				if gradetype == 2 {
					v = fmt.Sprintf("%d.00000", 1+(r+j)%4)
				}
				x.raw("RAWGRADE", v)
				x.raw("RAWGRADEMAX", "100.00000")
				x.raw("RAWGRADEMIN", "0.00000")
				x.null("RAWSCALEID")
				x.i("USERMODIFIED", p.teacher.id)
				x.raw("FINALGRADE", v)
				x.i("HIDDEN", 0)
				x.i("LOCKED", 0)
				x.i("LOCKTIME", 0)
				x.i("EXPORTED", 0)
				x.i("OVERRIDDEN", 0)
				x.i("EXCLUDED", 0)
				if j%4 == 0 {
					x.h("FEEDBACK", "<p>Good work.</p>")
				} else {
					x.null("FEEDBACK")
				}
				x.i("FEEDBACKFORMAT", 1)
				x.null("INFORMATION")
				x.i("INFORMATIONFORMAT", 0)
				x.i("TIMECREATED", p.backupAt-86400)
				x.i("TIMEMODIFIED", p.backupAt-86400)
				x.end()
				g.m.Grades++
				x.maybeFlush()
			}
			x.end()
		}
		x.end()
		g.m.GradeItems++
	}
	rootS, labsS := strconv.FormatInt(root, 10), strconv.FormatInt(labs, 10)
	item("", "", "course", "", root, 1, 0, false, 0)
	item("", "", "category", "", labs, 1, 0, false, 0)
	for i, m := range g.gradedMods() {
		cat := rootS
		if m.typ == "assignment" || m.typ == "workshop" {
			cat = labsS
		}
		gt, sc := int64(1), int64(0)
		if m.typ == "forum" || m.typ == "glossary" {
			gt, sc = 2, p.scaleID
		}
		item(cat, m.name, "mod", m.typ, m.id, gt, sc, true, i)
	}
	if !g.o.lean {
		item(rootS, "Participation", "manual", "", 0, 1, 0, true, 99)
	}
	x.end()
	x.end()
}

func (g *gen) writeGradebookOld() {
	x := g.x
	x.start("GRADEBOOK")
	x.start("GRADE_PREFERENCES")
	for i, pref := range [][2]string{{"0", "1"}, {"1", "0"}, {"2", "0"}} {
		x.start("GRADE_PREFERENCE")
		x.i("ID", int64(i+1))
		x.raw("PREFERENCE", pref[0])
		x.raw("VALUE", pref[1])
		x.end()
	}
	x.end()
	x.start("GRADE_LETTERS")
	for i, l := range []struct {
		letter  string
		hi, low int64
	}{{"A", 100, 90}, {"B", 89, 70}, {"C", 69, 50}, {"F", 49, 0}} {
		x.start("GRADE_LETTER")
		x.i("ID", int64(i+1))
		x.s("LETTER", l.letter)
		x.i("GRADE_HIGH", l.hi)
		x.i("GRADE_LOW", l.low)
		x.end()
	}
	x.end()
	x.start("GRADE_CATEGORIES")
	x.start("GRADE_CATEGORY")
	x.i("ID", 1)
	x.s("NAME", "Uncategorised")
	x.i("DROP_X_LOWEST", 0)
	x.raw("BONUS_POINTS", "0")
	x.i("HIDDEN", 0)
	x.raw("WEIGHT", "100.00")
	x.start("GRADE_ITEMS")
	for i, m := range g.gradedMods() {
		x.start("GRADE_ITEM")
		x.raw("MODULE_NAME", m.typ)
		x.i("CMINSTANCE", m.id)
		x.raw("SCALE_GRADE", "1.00000")
		x.i("EXTRA_CREDIT", 0)
		x.i("SORT_ORDER", int64(i+1))
		x.end()
		g.m.GradeItems++
	}
	x.end()
	x.end()
	x.end()
	x.end()
}
