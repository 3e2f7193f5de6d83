package convert

import (
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// Workshop phases of 2.x.
const (
	workshopPhaseSetup = 10
)

// workshopStrategies maps the 1.x GRADINGSTRATEGY number to the 2.x
// grading form: not graded → comments, accumulative, error banded →
// numerrors, criterion and rubric → rubric.
var workshopStrategies = map[int64]string{0: "comments", 1: "accumulative", 2: "numerrors", 3: "rubric", 4: "rubric"}

// workshopWeight maps a 1.x element weight (an index into the old
// workshop's weight table 0.25 … 4.0) to the 2.x integer weight. Indexes
// below 8 (zero and negative weights) have no 2.x meaning and give 0.
func workshopWeight(w int64) int64 {
	switch w {
	case 8:
		return 1
	case 9:
		return 2
	case 10:
		return 3
	case 11:
		return 4
	case 12:
		return 6
	case 13:
		return 8
	case 14:
		return 16
	}
	return 0
}

// workshopScalePoints are the 1.x built-in element scales 0–6 (two-point
// yes/no, present/absent, correct/incorrect, good/poor; three-, five- and
// seven-point excellent…very poor) as the highest points of the same
// number of steps.
var workshopScalePoints = map[int64]int64{0: 1, 1: 1, 2: 1, 3: 1, 4: 2, 5: 4, 6: 6}

// workshopGradeMapping marks the numerrors elements that only carry the
// grade of a number of errors.
const workshopGradeMapping = "@@ GRADE_MAPPING_ELEMENT @@"

// convertWorkshop converts a 1.x "old workshop" into a 2.x workshop
// (conversion-rules.md §3.15) with its grading form; unlike Moodle's own
// converter it never aborts on an unknown strategy (the instance gets the
// comments form and a finding), keeps the 1.x timemodified, opens the
// workshop in the setup phase (its submissions are user data, not carried
// over, so a closed workshop would show nothing) and places the files of
// element descriptions. Submissions, assessments, their comments and
// grades are user data, left out by this version.
func convertWorkshop(a *Activity, mod *Node) error {
	name := mod.Value("NAME")
	gs := mod.Int("GRADINGSTRATEGY")
	strategy, ok := workshopStrategies[gs]
	if !ok {
		a.Finding(CodeValueChanged, report.Warning, fmt.Sprintf("workshop %q has the unknown grading strategy %d: it uses the comments form", name, gs))
		strategy = "comments"
	}
	intro, introformat := a.IntroText(mod.Raw("DESCRIPTION"), int(mod.Int("FORMAT")))
	elements := mod.All("ELEMENTS/ELEMENT")
	stock := len(mod.All("ELEMENTS/ELEMENT/STOCKCOMMENTS/STOCKCOMMENT"))
	rubrics := len(mod.All("ELEMENTS/ELEMENT/RUBRICS/RUBRIC"))

	grade := mod.Int("GRADE")
	var form func(x *XMLWriter)
	switch strategy {
	case "comments":
		form = workshopComments(a, elements)
	case "accumulative":
		form = workshopAccumulative(a, name, elements)
	case "numerrors":
		form = workshopNumErrors(a, elements, grade)
	case "rubric":
		form = workshopRubric(a, elements, rubrics > 0)
	}
	a.Carry("workshop elements", len(elements))
	if strategy == "rubric" {
		a.Carry("workshop rubric levels", rubrics)
	} else {
		a.LeaveOut("workshop rubric levels", rubrics, fmt.Sprintf("only the rubric strategy has levels; this workshop uses %s", strategy))
	}
	a.LeaveOut("workshop stock comments", stock, "2.x workshops have no stock comments")

	subs, assessments, comments, grades := 0, 0, 0, 0
	if err := a.Each("SUBMISSIONS/SUBMISSION", func(s *Node) error {
		subs++
		for _, as := range s.All("ASSESSMENTS/ASSESSMENT") {
			assessments++
			comments += len(as.All("COMMENTS/COMMENT"))
			grades += len(as.All("GRADES/GRADE"))
		}
		return nil
	}); err != nil {
		return err
	}
	a.LeaveOut("workshop submissions", subs, whyUserData)
	a.LeaveOut("workshop assessments", assessments, whyUserData)
	a.LeaveOut("workshop assessment comments", comments, whyUserData)
	a.LeaveOut("workshop element grades", grades, whyUserData)

	if mod.Int("USEPASSWORD") != 0 {
		a.Finding(CodeValueChanged, report.Warning, fmt.Sprintf("workshop %q was password protected: 2.x workshops have no password; restrict access to it by other means", name))
	}
	var lost []string
	for _, f := range []string{"RESUBMIT", "AGREEASSESSMENTS", "HIDEGRADES", "ANONYMOUS", "OVERALLOCATION", "SHOWLEAGUETABLE"} {
		if mod.Int(f) != 0 {
			lost = append(lost, strings.ToLower(f))
		}
	}
	if len(lost) > 0 {
		a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("workshop %q: 1.x settings 2.x workshops lack were dropped: %s", name, strings.Join(lost, ", ")))
	}

	sstart, send := nullDates(mod.Int("SUBMISSIONSTART"), mod.Int("SUBMISSIONEND"))
	astart, aend := nullDates(mod.Int("ASSESSMENTSTART"), mod.Int("ASSESSMENTEND"))
	nattach, typefile, typetext := mod.Int("NATTACHMENTS"), 1, 1
	if nattach <= 0 {
		// No attachments in 1.x: an online text is the whole submission.
		nattach, typefile, typetext = 1, 0, 2
	}
	useexamples := 0
	if mod.Int("NTASSESSMENTS") > 0 {
		useexamples = 1
	}
	evalID := a.c.ids.Next()
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", name, "intro", intro, "introformat", introformat,
			"instructauthors", "", "instructauthorsformat", FormatHTML,
			"instructreviewers", "", "instructreviewersformat", FormatHTML,
			"timemodified", mod.Int("TIMEMODIFIED"), "phase", workshopPhaseSetup,
			"useexamples", useexamples, "usepeerassessment", 1,
			"useselfassessment", boolInt(mod.Int("INCLUDESELF") != 0),
			"grade", grade, "gradinggrade", mod.Int("GRADINGGRADE"), "strategy", strategy,
			"evaluation", "best", "gradedecimals", 0, "submissiontypetext", typetext,
			"submissiontypefile", typefile, "nattachments", nattach, "submissionfiletypes", Null,
			"latesubmissions", 0, "maxbytes", mod.Int("MAXBYTES"), "examplesmode", 0,
			"submissionstart", sstart, "submissionend", send,
			"assessmentstart", astart, "assessmentend", aend,
			"phaseswitchassessment", 0, "conclusion", "", "conclusionformat", FormatHTML,
			"overallfeedbackmode", 1, "overallfeedbackfiles", 0, "overallfeedbackfiletypes", Null,
			"overallfeedbackmaxbytes", 100000)
		x.Start("subplugin_workshopform_" + strategy + "_workshop")
		form(x)
		x.End()
		x.Start("subplugin_workshopeval_best_workshop")
		x.Start("workshopeval_best_settings", A("id", evalID))
		x.Leaves("comparison", 5)
		x.End()
		x.End()
		x.Empty("examplesubmissions")
		x.Empty("submissions")
		x.Empty("aggregations")
	})
}

// nullDates returns a 1.x start/end pair as 2.x takes it: both kept when
// start is before end, both 0 (no restriction) otherwise.
func nullDates(start, end int64) (int64, int64) {
	if start < end {
		return start, end
	}
	return 0, 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// workshopDimension is one converted element description with its new id.
type workshopDimension struct {
	id          int64
	el          *Node
	description string
	format      int
}

// workshopDimensions gives each element a new dimension id and converts its
// description (HTML in 1.x) with its files in the form's description area.
func workshopDimensions(a *Activity, form string, elements []*Node) []workshopDimension {
	out := make([]workshopDimension, 0, len(elements))
	for _, el := range elements {
		id := a.c.ids.Next()
		area := Area{ContextID: a.ContextID, Component: "workshopform_" + form, FileArea: "description", ItemID: id}
		d, f := a.Text(el.Raw("DESCRIPTION"), FormatHTML, area)
		out = append(out, workshopDimension{id: id, el: el, description: d, format: f})
	}
	return out
}

func workshopComments(a *Activity, elements []*Node) func(x *XMLWriter) {
	dims := workshopDimensions(a, "comments", elements)
	return func(x *XMLWriter) {
		for _, d := range dims {
			x.Start("workshopform_comments_dimension", A("id", d.id))
			x.Leaves("sort", d.el.Int("ELEMENTNO"), "description", d.description, "descriptionformat", d.format)
			x.End()
		}
	}
}

func workshopAccumulative(a *Activity, name string, elements []*Node) func(x *XMLWriter) {
	dims := workshopDimensions(a, "accumulative", elements)
	grades := make([]int64, len(dims))
	scaled := 0
	for i, d := range dims {
		switch s := d.el.Int("SCALE"); {
		case s >= 0 && s <= 6:
			grades[i] = workshopScalePoints[s]
			scaled++
		case s == 7:
			grades[i] = 10
		case s == 8:
			grades[i] = 20
		case s == 9:
			grades[i] = 100
		default:
			grades[i] = d.el.Int("MAXSCORE")
		}
	}
	if scaled > 0 {
		a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("workshop %q: %d element(s) graded on a built-in 1.x scale (yes/no, present/absent, …) are graded in points of as many steps", name, scaled))
	}
	warnWeights(a, name, dims)
	return func(x *XMLWriter) {
		for i, d := range dims {
			x.Start("workshopform_accumulative_dimension", A("id", d.id))
			x.Leaves("sort", d.el.Int("ELEMENTNO"), "description", d.description, "descriptionformat", d.format,
				"grade", grades[i], "weight", workshopWeight(d.el.Int("WEIGHT")))
			x.End()
		}
	}
}

// warnWeights reports elements whose 1.x weight (zero or negative) 2.x
// cannot express.
func warnWeights(a *Activity, name string, dims []workshopDimension) {
	n := 0
	for _, d := range dims {
		if workshopWeight(d.el.Int("WEIGHT")) == 0 {
			n++
		}
	}
	if n > 0 {
		a.Finding(CodeValueChanged, report.Warning, fmt.Sprintf("workshop %q: %d element(s) had a zero or negative weight, which 2.x lacks: their weight is 0", name, n))
	}
}

// workshopNumErrors converts an error-banded form: the criteria become
// numerrors dimensions, and the grade mapping elements (the grade for 0,
// 1, 2, … errors, in element order) become the map, keyed by the number of
// errors so no two rows collide.
func workshopNumErrors(a *Activity, elements []*Node, grade int64) func(x *XMLWriter) {
	var real, maps []*Node
	for _, el := range elements {
		if strings.TrimSpace(el.Raw("DESCRIPTION")) == workshopGradeMapping {
			maps = append(maps, el)
		} else {
			real = append(real, el)
		}
	}
	dims := workshopDimensions(a, "numerrors", real)
	warnWeights(a, a.CM.Title, dims)
	mapIDs := make([]int64, len(maps))
	for i := range maps {
		mapIDs[i] = a.c.ids.Next()
	}
	return func(x *XMLWriter) {
		for i, el := range maps {
			g := 0.0
			if grade > 0 {
				g = float64(el.Int("MAXSCORE")) / float64(grade) * 100
			}
			x.Start("workshopform_numerrors_map", A("id", mapIDs[i]))
			x.Leaves("nonegative", i, "grade", fmt.Sprintf("%.5f", g))
			x.End()
		}
		for _, d := range dims {
			x.Start("workshopform_numerrors_dimension", A("id", d.id))
			x.Leaves("sort", d.el.Int("ELEMENTNO"), "description", d.description, "descriptionformat", d.format,
				"grade0", "No", "grade1", "Yes", "weight", workshopWeight(d.el.Int("WEIGHT")))
			x.End()
		}
	}
}

func workshopRubric(a *Activity, elements []*Node, grid bool) func(x *XMLWriter) {
	configID := a.c.ids.Next()
	if !grid {
		// 1.x criterion: one dimension whose levels are the elements.
		dimID := a.c.ids.Next()
		type level struct {
			id    int64
			grade int64
			def   string
		}
		levels := make([]level, 0, len(elements))
		for _, el := range elements {
			levels = append(levels, level{a.c.ids.Next(), el.Int("MAXSCORE"), el.Raw("DESCRIPTION")})
		}
		return func(x *XMLWriter) {
			x.Start("workshopform_rubric_config", A("id", configID))
			x.Leaves("layout", "list")
			x.End()
			x.Start("workshopform_rubric_dimension", A("id", dimID))
			x.Leaves("sort", 1, "description", "Criterion", "descriptionformat", FormatHTML)
			for _, l := range levels {
				x.Start("workshopform_rubric_level", A("id", l.id))
				x.Leaves("grade", l.grade, "definition", l.def, "definitionformat", FormatHTML)
				x.End()
			}
			x.End()
		}
	}
	dims := workshopDimensions(a, "rubric", elements)
	levelIDs := map[*Node]int64{}
	for _, d := range dims {
		for _, r := range d.el.All("RUBRICS/RUBRIC") {
			levelIDs[r] = a.c.ids.Next()
		}
	}
	return func(x *XMLWriter) {
		x.Start("workshopform_rubric_config", A("id", configID))
		x.Leaves("layout", "grid")
		x.End()
		for _, d := range dims {
			x.Start("workshopform_rubric_dimension", A("id", d.id))
			x.Leaves("sort", d.el.Int("ELEMENTNO"), "description", d.description, "descriptionformat", d.format)
			w := workshopWeight(d.el.Int("WEIGHT"))
			for _, r := range d.el.All("RUBRICS/RUBRIC") {
				x.Start("workshopform_rubric_level", A("id", levelIDs[r]))
				x.Leaves("grade", r.Int("RUBRICNO")*w, "definition", r.Raw("DESCRIPTION"), "definitionformat", FormatHTML)
				x.End()
			}
			x.End()
		}
	}
}
