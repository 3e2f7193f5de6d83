package stages

// Builtin returns the registry of every built-in stage. This is the one place
// that lists them: add a stage here and it appears in lint, docs, the schema
// and `moodlemig stages`.
func Builtin() *Registry {
	r, err := NewRegistry(
		// Keep this list in pipeline order: relocation, byte repairs, text
		// repairs, conversion, users, writing.
		RelocateRootSpec(),
		CleanXMLSpec(),
		TranscodeSpec(),
		RepairHTMLSpec(),
		EncodeLinksSpec(),
		ReconcileUsersSpec(), // before convert: it also runs on a 2.x users.xml
		ConvertSpec(),
		WriteSpec(), // last: it writes the output
	)
	if err != nil {
		panic(err) // a programming error caught by every test run
	}
	return r
}
