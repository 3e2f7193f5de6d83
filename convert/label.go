package convert

// convertLabel converts a 1.x label (conversion-rules.md §3.9): its HTML
// content becomes the intro (1.x shows labels as HTML).
func convertLabel(a *Activity, mod *Node) error {
	intro, format := a.IntroText(mod.Raw("CONTENT"), FormatHTML)
	name := mod.Value("NAME")
	if name == "" {
		name = "label"
	}
	return a.WriteInstance(func(x *XMLWriter) {
		x.Leaves("name", name, "intro", intro, "introformat", format, "timemodified", mod.Int("TIMEMODIFIED"))
	})
}
