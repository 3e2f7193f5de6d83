package convert

import "github.com/moodlemig/moodlemig/report"

// convertChat converts a 1.x chat (conversion-rules.md §3.3). Messages are
// user data, left out by this version.
func convertChat(a *Activity, mod *Node) error {
	intro, introformat := a.IntroText(mod.Raw("INTRO"), FormatMoodle)
	a.Finding(CodeNotConverted, report.Info, "Moodle 4.3+ installs the chat module disabled: enable it (Site administration > Plugins > Activity modules) or the restored activity stays hidden; Moodle 5.0 no longer ships it")
	a.LeaveOut("chat messages", a.Count("MESSAGES/MESSAGE"), whyUserData)
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"keepdays", mod.Int("KEEPDAYS"), "studentlogs", mod.Int("STUDENTLOGS"),
			"chattime", mod.Int("CHATTIME"), "schedule", mod.Int("SCHEDULE"),
			"timemodified", mod.Int("TIMEMODIFIED"))
		x.Empty("messages")
	})
}
