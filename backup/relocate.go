package backup

import (
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// Relocate moves a backup that sits in a folder of its archive
// (Facts.Root, e.g. "backup-x/") to the root, as Moodle requires: it strips
// Root from the names of the entries under it and drops every entry outside
// it (e.g. macOS "__MACOSX/" resource forks), reporting each dropped file as
// a finding archive.outside-root. Entry contents (and raw zip payloads) are
// untouched. It does nothing when Root is "".
func (b *Backup) Relocate(sink report.Sink) {
	root := b.Facts.Root
	if root == "" {
		return
	}
	add := func(f report.Finding) {
		if sink != nil {
			f.Archive = b.Path
			sink.Add(f)
		}
	}
	kept := make([]*Entry, 0, len(b.Entries))
	dropped := 0
	for _, e := range b.Entries {
		switch {
		case strings.HasPrefix(e.Name, root):
			if name := e.Name[len(root):]; name != "" {
				kept = append(kept, e.Rename(name))
			}
		case e.Dir && strings.HasPrefix(root, e.Name):
			// A parent folder of the root: it disappears with the move.
		default:
			dropped++
			if !e.Dir {
				add(report.Finding{Code: "archive.outside-root", Severity: report.Warning, Entry: e.Name, Fixed: true,
					Message: fmt.Sprintf("dropped: it lies outside the backup folder %q, so Moodle would never read it "+
						"(macOS adds __MACOSX/ when zipping); extract it from the original archive if you need it", root)})
			}
		}
	}
	b.Entries = kept
	b.Facts.Root = ""
	msg := fmt.Sprintf("moved the backup from the folder %q to the archive root", root)
	if dropped > 0 {
		msg += fmt.Sprintf("; %d entries outside that folder were dropped", dropped)
	}
	add(report.Finding{Code: "archive.nested-root", Severity: report.Warning, Entry: root + b.Facts.Kind.MainXML(),
		Fixed: true, Message: msg, Before: root + b.Facts.Kind.MainXML(), After: b.Facts.Kind.MainXML()})
}
