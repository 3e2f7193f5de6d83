package convert

import "fmt"

// Moodle text formats (the same numbers in 1.x and 2.x).
const (
	FormatMoodle   = 0 // auto-format: 2.x still renders it like 1.x did
	FormatHTML     = 1
	FormatPlain    = 2
	FormatWiki     = 3 // 1.x only; 2.x has no wiki formatter
	FormatMarkdown = 4
)

// convertFormat returns the 2.x text and format of a 1.x text stored in
// format f. Formats 2.x renders the same way are kept as they are (never a
// blind text_to_html, which adds <br /> inside existing HTML); the wiki
// format, which 2.x lacks, becomes plain text so nothing of it is lost; an
// unknown number is treated as the 1.x default, FORMAT_MOODLE.
func convertFormat(text string, f int) (string, int, string) {
	switch f {
	case FormatMoodle, FormatHTML, FormatPlain, FormatMarkdown:
		return text, f, ""
	case FormatWiki:
		return text, FormatPlain, "text in the 1.x wiki format (which 2.x cannot render) kept as plain text"
	}
	return text, FormatMoodle, fmt.Sprintf("unknown text format %d treated as the 1.x default (Moodle auto-format)", f)
}

func clampFormat(f int) int {
	if f < 0 || f > 4 || f == FormatWiki {
		return FormatMoodle
	}
	return f
}
