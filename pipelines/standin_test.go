package pipelines

import (
	"errors"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/stages"
)

// testRegistry holds stand-in specs shaped like the real stages, so the
// engine's tests do not depend on the real stages' options.
func testRegistry() *stages.Registry {
	noop := func(map[string]any) (stages.Stage, error) { return nil, nil }
	r, err := stages.NewRegistry(
		&stages.Spec{Name: "clean-xml", Summary: "Remove characters XML forbids.", Input: backup.Moodle1, Output: stages.KindAny, New: noop,
			Options: []stages.Option{
				{Name: "mode", Type: stages.Enum, Values: []string{"remove", "replace"}, Default: "replace", Doc: "what to do with a bad character"},
				{Name: "min-confidence", Type: stages.Float, Default: 0.9, Min: 0, Max: 1, Doc: "how sure to be"},
				{Name: "max-findings", Type: stages.Int, Default: 100, Min: 0, Max: 1000, Doc: "findings kept"},
				{Name: "strict", Type: stages.Bool, Default: false, Doc: "fail on the first bad character"},
				{Name: "label", Type: stages.String, Default: "", Doc: "a free text"},
			}},
		&stages.Spec{Name: "transcode", Summary: "Transcode to UTF-8.", Input: backup.Moodle1, Output: stages.KindAny, New: noop,
			Options: []stages.Option{{Name: "from", Type: stages.String, Default: "auto", Doc: "source charset"}}},
		&stages.Spec{Name: "convert", Summary: "Convert 1.x to 2.x.", Input: backup.Moodle1, Output: backup.Moodle2, New: noop,
			Options: []stages.Option{{Name: "target", Type: stages.String, Default: "4.5", Doc: "target release"}}},
		&stages.Spec{Name: "check-2x", Summary: "Check a 2.x backup.", Input: backup.Moodle2, Output: stages.KindAny, New: noop},
		&stages.Spec{Name: "write", Summary: "Write the output.", Input: stages.KindAny, Output: stages.KindAny, Terminal: true, New: noop,
			Check: func(o map[string]any, in backup.Kind) error {
				if o["format"] == "mbz-zip" && in == backup.Moodle1 {
					return errors.New("format mbz-zip needs a 2.x backup: put convert before write")
				}
				return nil
			},
			Options: []stages.Option{{Name: "format", Type: stages.Enum, Values: []string{"zip", "tar.gz", "mbz-zip", "mbz-tar.gz"}, Default: "mbz-zip", Doc: "container"}}},
	)
	if err != nil {
		panic(err)
	}
	return r
}
