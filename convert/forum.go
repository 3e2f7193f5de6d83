package convert

import (
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// forumTypes are the forum types 2.x has.
var forumTypes = map[string]bool{"general": true, "news": true, "social": true, "eachuser": true, "single": true, "qanda": true, "blog": true}

// convertForum converts a 1.x forum (conversion-rules.md §3.7; every 1.x
// type and setting). Discussions and posts are user data, left out by this
// version with a finding.
func convertForum(a *Activity, mod *Node) error {
	typ := strings.ToLower(mod.Value("TYPE"))
	if typ == "" {
		typ = "general"
	}
	if !forumTypes[typ] {
		a.Finding(CodeValueChanged, report.Info, fmt.Sprintf("forum %q of the 1.x type %q, which 2.x lacks, became a standard forum for general use", mod.Value("NAME"), typ))
		typ = "general"
	}
	intro, introformat := a.IntroText(mod.Raw("INTRO"), FormatMoodle)
	a.LeaveOut("forum discussions", a.Count("DISCUSSIONS/DISCUSSION"), whyUserData)
	a.LeaveOut("forum posts", a.Count("DISCUSSIONS/DISCUSSION/POSTS/POST"), whyUserData)
	a.LeaveOut("forum subscriptions", a.Count("SUBSCRIPTIONS/SUBSCRIPTION"), whyUserData)
	a.LeaveOut("forum read marks", a.Count("READPOSTS/READ"), whyUserData)
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("type", typ, "name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"duedate", 0, "cutoffdate", 0,
			"assessed", mod.Int("ASSESSED"), "assesstimestart", mod.Int("ASSESSTIMESTART"),
			"assesstimefinish", mod.Int("ASSESSTIMEFINISH"), "scale", mod.Int("SCALE"),
			"maxbytes", mod.Int("MAXBYTES"), "maxattachments", 1, "forcesubscribe", mod.Int("FORCESUBSCRIBE"),
			"trackingtype", intOr(mod, "TRACKINGTYPE", 1), "rsstype", mod.Int("RSSTYPE"),
			"rssarticles", mod.Int("RSSARTICLES"), "timemodified", mod.Int("TIMEMODIFIED"),
			"warnafter", mod.Int("WARNAFTER"), "blockafter", mod.Int("BLOCKAFTER"), "blockperiod", mod.Int("BLOCKPERIOD"),
			"completiondiscussions", 0, "completionreplies", 0, "completionposts", 0,
			"displaywordcount", 0, "lockdiscussionafter", 0, "grade_forum", 0)
		x.Empty("discussions")
	})
}
