package convert

import "github.com/moodlemig/moodlemig/report"

// convertSurvey converts a 1.x survey (conversion-rules.md §3.14). TEMPLATE
// names one of the built-in survey templates (COLLES, ATTLS, critical
// incidents), which 2.x installs under the same ids. Answers and analysis
// notes are user data, left out by this version.
func convertSurvey(a *Activity, mod *Node) error {
	intro, introformat := a.IntroText(mod.Raw("INTRO"), FormatMoodle)
	a.Finding(CodeNotConverted, report.Info, "Moodle 4.3+ installs the survey module disabled: enable it (Site administration > Plugins > Activity modules) or the restored activity stays hidden; Moodle 5.0 no longer ships it")
	a.LeaveOut("survey answers", a.Count("ANSWERS/ANSWER"), whyUserData)
	a.LeaveOut("survey analysis notes", a.Count("ANALYSIS/ANALYS"), whyUserData)
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"template", mod.Int("TEMPLATE"), "questions", mod.Value("QUESTIONS"), "days", mod.Int("DAYS"),
			"timecreated", mod.Int("TIMECREATED"), "timemodified", mod.Int("TIMEMODIFIED"), "completionsubmit", 0)
		x.Empty("answers")
		x.Empty("analysis")
	})
}
