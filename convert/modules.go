package convert

// DefaultModules is the one table of 1.x module types the converter knows,
// each with its handler (one file per module family). A module type not in
// the table (hotpot, journal, lams, questionnaire, ...) is kept out of the
// course with a finding listing what was skipped, and its 1.x XML is saved
// in the report folder.
//
// To add a module: write <family>.go with a func(a *Activity, mod *Node)
// error following the ModuleHandler contract, add one line here, and add a
// golden course for it under testdata/golden.
func DefaultModules() map[string]ModuleHandler {
	return map[string]ModuleHandler{
		"chat":     ModuleFunc(convertChat),
		"choice":   ModuleFunc(convertChoice),
		"data":     ModuleFunc(convertData),
		"forum":    ModuleFunc(convertForum),
		"glossary": ModuleFunc(convertGlossary),
		"label":    ModuleFunc(convertLabel),
		"lesson":   ModuleFunc(convertLesson),
		"resource": ModuleFunc(convertResource),
		"scorm":    ModuleFunc(convertScorm),
		"wiki":     ModuleFunc(convertWiki),
		"workshop": ModuleFunc(convertWorkshop),
		"survey":   ModuleFunc(convertSurvey),
	}
}
