package stages

import (
	"context"

	"github.com/moodlemig/moodlemig/backup"
)

// RelocateRootSpec declares the relocate-root stage: move a backup nested in
// a folder of its archive to the archive root.
func RelocateRootSpec() *Spec {
	return &Spec{
		Name:    "relocate-root",
		Summary: "move a backup that sits in a folder of its archive (backup-x/moodle.xml) to the archive root",
		Doc: `Moodle only restores a backup whose moodle.xml (1.x) or moodle_backup.xml
(2.x+) is at the top of the archive; a re-zipped backup often has them one
or more folders deep, and restore fails with "moodle.xml not found at root
level of zip file". Opening such an archive reports archive.nested-root.

This stage strips that folder from every entry name and drops what lies
outside it (for example the __MACOSX/ folder macOS adds), reporting each
dropped file (archive.outside-root). File contents are untouched and still
copied without recompression when written as zip. A backup already at the
root passes through unchanged.`,
		Input:  KindAny,
		Output: KindAny,
		New: func(map[string]any) (Stage, error) {
			return StageFunc(func(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				b.Relocate(env.Report)
				return b, nil
			}), nil
		},
	}
}
