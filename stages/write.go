package stages

import (
	"context"
	"errors"
	"fmt"

	"github.com/moodlemig/moodlemig/backup"
)

// Output formats of the write stage.
const (
	WriteZip      = "zip"        // a 1.x (or any) backup as a zip
	WriteTarGz    = "tar.gz"     // a 1.x (or any) backup as a tar.gz
	WriteMbzZip   = "mbz-zip"    // a 2.x backup as a zip-packed .mbz
	WriteMbzTarGz = "mbz-tar.gz" // a 2.x backup as a tar.gz-packed .mbz
)

// WriteSpec declares the write stage: the last stage of a pipeline, which
// packs the backup into the output file.
func WriteSpec() *Spec {
	return &Spec{
		Name:    "write",
		Summary: "pack the backup into the output file (zip, tar.gz, or a 2.x .mbz as zip or tar.gz)",
		Doc: `The last stage of a pipeline: it packs the entries as the stages before it
left them into the output file, streaming. The batch runner writes it to a
temporary file, syncs it, records its size and SHA-256 in the journal and
only then moves it into place under the name the pipeline's output template
gives, so an output is either complete or absent.

Zip output copies the compressed bytes of every file the stages did not
change straight from the input zip, without inflating and deflating them
again; changed files are deflated (already compressed types such as .jpg or
.mp4 are stored). ` + "`mbz-zip` and `mbz-tar.gz`" + ` write a Moodle 2 backup (.mbz) and need a
2.x backup, i.e. ` + "`convert`" + ` before them or a 2.x input; every Moodle 2.x-5.x site
restores both packings, and zip is faster to write because of the copying.
` + "`zip` and `tar.gz`" + ` keep whatever kind the backup is (a repaired 1.x backup
stays a 1.x zip that Moodle 1.9 restores).`,
		Input:    KindAny,
		Output:   KindAny,
		Terminal: true,
		Options: []Option{
			{Name: "format", Type: Enum, Values: []string{WriteMbzZip, WriteMbzTarGz, WriteZip, WriteTarGz}, Default: WriteMbzZip,
				Doc: "the container: mbz-zip or mbz-tar.gz (a 2.x .mbz), zip or tar.gz (any kind, e.g. a repaired 1.x backup)"},
			{Name: "level", Type: Int, Default: 0, Min: 0, Max: 9,
				Doc: "compression level of changed files, 1 (fastest) to 9 (smallest); 0 is the library's default (6)"},
		},
		Check: func(opts map[string]any, in backup.Kind) error {
			if f := opts["format"]; (f == WriteMbzZip || f == WriteMbzTarGz) && in == backup.Moodle1 {
				return fmt.Errorf("format %s writes a Moodle 2 backup (.mbz), but write receives a 1.x backup here: put convert before write, or use format zip", f)
			}
			return nil
		},
		New: func(opts map[string]any) (Stage, error) {
			w := &writeStage{format: opts["format"].(string), level: opts["level"].(int)}
			if w.format == "" {
				return nil, errors.New("format is empty")
			}
			return w, nil
		},
	}
}

// writeStage is the configured write stage.
type writeStage struct {
	format string
	level  int
}

// Ext is the extension of the files it writes (the {ext} of output names).
func (w *writeStage) Ext() string {
	switch w.format {
	case WriteMbzZip, WriteMbzTarGz:
		return ".mbz"
	case WriteTarGz:
		return ".tar.gz"
	}
	return ".zip"
}

// Apply writes b to env.Output.
func (w *writeStage) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	if env.Output == nil {
		return nil, errors.New("no output to write to (the write stage runs only in a batch)")
	}
	opts := backup.WriteOptions{Format: backup.FormatZip, Level: w.level, Scratch: env.Scratch}
	switch w.format {
	case WriteMbzZip, WriteMbzTarGz:
		if b.Facts.Kind != backup.Moodle2 {
			return nil, fmt.Errorf("format %s writes a Moodle 2 backup (.mbz), but this backup is %s: put convert before write, or use format zip", w.format, kindText(b.Facts.Kind))
		}
	}
	if w.format == WriteTarGz || w.format == WriteMbzTarGz {
		opts.Format = backup.FormatTarGz
	}
	if err := backup.WriteTo(ctx, b, env.Output, "output of "+b.Path, opts); err != nil {
		return nil, err
	}
	return b, nil
}

func kindText(k backup.Kind) string {
	if k == "" {
		return "of unknown kind"
	}
	return string(k)
}
