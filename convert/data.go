package convert

import (
	"regexp"
	"strconv"
)

// deleteApprove matches the 1.x list/single template action tags that the
// 2.0 upgrade extended with ##export##.
var deleteApprove = regexp.MustCompile(`##delete##(\s*)##approve##`)

// dataTemplate replays the 2.0 upgrade of a database template.
func dataTemplate(t string) string {
	if t == Null {
		return t
	}
	return deleteApprove.ReplaceAllString(t, "##delete##${1}##approve##${1}##export##")
}

// convertData converts a 1.x database (conversion-rules.md §3.5): settings,
// templates and fields. Records are user data, left out by this version.
// Templates are not file areas in 2.x: $@FILEPHP@$ links in them stay
// legacy course file links, which restore turns into file.php links to the
// legacy course files.
func convertData(a *Activity, mod *Node) error {
	intro, introformat := a.IntroText(mod.Raw("INTRO"), FormatMoodle)
	fields := mod.All("FIELDS/FIELD")
	a.Carry("database fields", len(fields))
	a.LeaveOut("database records", a.Count("RECORDS/RECORD"), whyUserData)
	tmpl := func(name string) string {
		if !mod.Has(name) {
			return ""
		}
		return dataTemplate(mod.Raw(name))
	}
	asearch := Null
	if mod.Has("ASEARCHTEMPLATE") {
		asearch = mod.Raw("ASEARCHTEMPLATE")
	}
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", mod.Value("NAME"), "intro", intro, "introformat", introformat,
			"comments", mod.Int("COMMENTS"), "timeavailablefrom", mod.Int("TIMEAVAILABLEFROM"),
			"timeavailableto", mod.Int("TIMEAVAILABLETO"), "timeviewfrom", mod.Int("TIMEVIEWFROM"),
			"timeviewto", mod.Int("TIMEVIEWTO"), "requiredentries", mod.Int("REQUIREDENTRIES"),
			"requiredentriestoview", mod.Int("REQUIREDENTRIESTOVIEW"), "maxentries", mod.Int("MAXENTRIES"),
			"rssarticles", mod.Int("RSSARTICLES"),
			"singletemplate", tmpl("SINGLETEMPLATE"), "listtemplate", tmpl("LISTTEMPLATE"),
			"listtemplateheader", tmpl("LISTTEMPLATEHEADER"), "listtemplatefooter", tmpl("LISTTEMPLATEFOOTER"),
			"addtemplate", tmpl("ADDTEMPLATE"), "rsstemplate", tmpl("RSSTEMPLATE"),
			"rsstitletemplate", tmpl("RSSTITLETEMPLATE"), "csstemplate", tmpl("CSSTEMPLATE"),
			"jstemplate", tmpl("JSTEMPLATE"), "asearchtemplate", asearch,
			"approval", mod.Int("APPROVAL"), "manageapproved", 1, "scale", mod.Int("SCALE"),
			"assessed", mod.Int("ASSESSED"), "assesstimestart", 0, "assesstimefinish", 0,
			"defaultsort", mod.Int("DEFAULTSORT"), "defaultsortdir", mod.Int("DEFAULTSORTDIR"),
			"editany", mod.Int("EDITANY"), "notification", mod.Int("NOTIFICATION"),
			"timemodified", mod.Int("TIMEMODIFIED"), "config", Null, "completionentries", 0)
		x.Start("fields")
		for _, f := range fields {
			x.Start("field", A("id", f.Int("ID")))
			x.Leaves("type", f.Value("TYPE"), "name", f.Value("NAME"), "description", f.Raw("DESCRIPTION"), "required", 0)
			for i := 1; i <= 10; i++ {
				p := "PARAM" + strconv.Itoa(i)
				v := Null
				if f.Has(p) {
					v = f.Raw(p)
				}
				x.Leaf("param"+strconv.Itoa(i), v)
			}
			x.End()
		}
		x.End()
		x.Empty("records")
	})
}
