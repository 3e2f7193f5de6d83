package convert

// convertChoice converts a 1.x choice (conversion-rules.md §3.4): settings
// and options. Answers are user data, left out by this version.
func convertChoice(a *Activity, mod *Node) error {
	format := FormatMoodle
	if mod.Has("FORMAT") {
		format = int(mod.Int("FORMAT"))
	}
	intro, introformat := a.IntroText(mod.Raw("TEXT"), format)
	options := mod.All("OPTIONS/OPTION")
	a.Carry("choice options", len(options))
	a.LeaveOut("choice answers", a.Count("ANSWERS/ANSWER"), whyUserData)
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"publish", mod.Int("PUBLISH"), "showresults", mod.Int("SHOWRESULTS"), "display", mod.Int("DISPLAY"),
			"allowupdate", mod.Int("ALLOWUPDATE"), "allowmultiple", 0, "showunanswered", mod.Int("SHOWUNANSWERED"),
			"limitanswers", mod.Int("LIMITANSWERS"), "timeopen", mod.Int("TIMEOPEN"), "timeclose", mod.Int("TIMECLOSE"),
			"timemodified", mod.Int("TIMEMODIFIED"), "completionsubmit", 0, "showpreview", 0,
			"includeinactive", 1, "showavailable", 0)
		x.Start("options")
		for _, o := range options {
			x.Start("option", A("id", o.Int("ID")))
			x.Leaves("text", o.Value("TEXT"), "maxanswers", o.Int("MAXANSWERS"), "timemodified", o.Int("TIMEMODIFIED"))
			x.End()
		}
		x.End()
		x.Empty("answers")
	})
}
