package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/moodlemig/moodlemig/report"
)

// finish detects the kind and root of an opened container, reads the header
// facts and reports what a user must know. On error it closes b.
func finish(ctx context.Context, b *Backup, opts *Options) (*Backup, error) {
	if err := detect(ctx, b, opts); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// ignoredDir reports whether name lies in a folder that tools add next to a
// backup (macOS resource forks) and that never holds the backup itself.
func ignoredDir(name string) bool {
	return strings.HasPrefix(name, "__MACOSX/") || strings.Contains(name, "/__MACOSX/")
}

func detect(ctx context.Context, b *Backup, opts *Options) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// Candidates for the main XML, by folder.
	type cand struct{ m1, m2 *Entry }
	byDir := map[string]*cand{}
	best := -1
	for _, e := range b.Entries {
		if e.Dir || ignoredDir(e.Name) {
			continue
		}
		dir, base := "", e.Name
		if i := strings.LastIndexByte(e.Name, '/'); i >= 0 {
			dir, base = e.Name[:i+1], e.Name[i+1:]
		}
		if base != "moodle.xml" && base != "moodle_backup.xml" {
			continue
		}
		depth := strings.Count(dir, "/")
		if best >= 0 && depth > best {
			continue
		}
		if depth < best || best < 0 {
			best, byDir = depth, map[string]*cand{}
		}
		c := byDir[dir]
		if c == nil {
			c = &cand{}
			byDir[dir] = c
		}
		if base == "moodle.xml" {
			c.m1 = e
		} else {
			c.m2 = e
		}
	}
	if len(byDir) == 0 {
		return &Error{Archive: b.Path, Err: ErrNotBackup, Detail: whatIsIn(b),
			Hint: "a Moodle backup holds moodle.xml (1.x) or moodle_backup.xml (2.x+); open the backup itself"}
	}
	if len(byDir) > 1 {
		dirs := make([]string, 0, len(byDir))
		for d := range byDir {
			dirs = append(dirs, d)
		}
		sort.Strings(dirs)
		return &Error{Archive: b.Path, Err: ErrAmbiguous,
			Detail: "the folders " + strings.Join(dirs, ", ") + " each hold a backup",
			Hint:   "split the archive into one archive per folder and open each"}
	}
	var root string
	var c *cand
	for root, c = range byDir {
	}
	main, kind := c.m1, Moodle1
	if c.m2 != nil {
		main, kind = c.m2, Moodle2
		if c.m1 != nil {
			opts.add(report.Finding{Code: "archive.both-main", Severity: report.Info, Archive: b.Path, Entry: main.Name,
				Message: "both moodle.xml and moodle_backup.xml are present; moodle_backup.xml wins, as in Moodle's restore"})
		}
	}
	if main.Size == 0 {
		return &Error{Archive: b.Path, Entry: main.Name, Err: ErrEmptyMain,
			Detail: "it has 0 bytes",
			Hint:   "the backup failed when it was made (disk full or time-out on the source site); make a new backup or find an older copy"}
	}

	rc, err := main.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	first := &prefixBuffer{max: 200}
	facts, err := ReadHeader(io.TeeReader(ctxReader{ctx, rc}, first))
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrNotBackup):
		return &Error{Archive: b.Path, Entry: main.Name, Err: ErrNotBackup,
			Detail: fmt.Sprintf("%s is not a Moodle backup file (%v)", main.Name, err),
			Hint:   "the file was replaced or damaged; find another copy of the backup"}
	case errors.Is(err, ErrNoHeader):
		opts.add(report.Finding{Code: "archive.no-header", Severity: report.Warning, Archive: b.Path, Entry: main.Name,
			Message: fmt.Sprintf("%v; versions and course facts are unknown, and Moodle would not recognise the file", err)})
	case err != nil:
		return entryErr(b.Path, main.Name, err)
	}
	if facts.Kind != kind {
		return &Error{Archive: b.Path, Entry: main.Name, Err: ErrNotBackup,
			Detail: fmt.Sprintf("its root element is that of a %s backup, not %s", facts.Kind, kind),
			Hint:   "the file was renamed by hand; give it its right name (moodle.xml for 1.x, moodle_backup.xml for 2.x+)"}
	}
	facts.Format, facts.Root = b.Facts.Format, root
	b.Facts = facts

	if miss := moodleWouldMiss(kind, first.b); len(miss) > 0 {
		opts.add(report.Finding{Code: "archive.undetectable", Severity: report.Warning, Archive: b.Path, Entry: main.Name,
			Message: fmt.Sprintf("Moodle's restore checks the first 200 bytes for %s and would report an unknown format; "+
				"moodlemig reads the file anyway", strings.Join(miss, ", ")),
			Before: string(first.b)})
	}
	if root != "" {
		opts.add(report.Finding{Code: "archive.nested-root", Severity: report.Warning, Archive: b.Path, Entry: main.Name,
			Message: fmt.Sprintf("%s is inside the folder %q instead of at the archive root, so Moodle refuses the backup "+
				"(\"%s not found at root level of zip file\"); run the relocate-root stage to move the backup to the root",
				kind.MainXML(), root, kind.MainXML())})
	}
	return nil
}

// moodleWouldMiss lists the strings Moodle's format detection needs in the
// first 200 bytes of the main XML that head lacks.
func moodleWouldMiss(kind Kind, head []byte) []string {
	var miss []string
	if !bytes.Contains(bytes.ToLower(head), []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
		miss = append(miss, `<?xml version="1.0" encoding="UTF-8"?>`)
	}
	tags := []string{"<MOODLE_BACKUP>", "<INFO>"}
	if kind == Moodle2 {
		tags = []string{"<moodle_backup>", "<information>"}
	}
	for _, t := range tags {
		if !bytes.Contains(head, []byte(t)) {
			miss = append(miss, t)
		}
	}
	return miss
}

// prefixBuffer keeps the first max bytes written to it.
type prefixBuffer struct {
	b   []byte
	max int
}

func (p *prefixBuffer) Write(b []byte) (int, error) {
	if n := p.max - len(p.b); n > 0 {
		p.b = append(p.b, b[:min(n, len(b))]...)
	}
	return len(b), nil
}

// whatIsIn describes an archive without a main XML, for ErrNotBackup.
func whatIsIn(b *Backup) string {
	files := 0
	var top []string
	seenTop := map[string]bool{}
	var hint string
	for _, e := range b.Entries {
		if !e.Dir {
			files++
		}
		t := e.Name
		if i := strings.IndexByte(t, '/'); i >= 0 {
			t = t[:i+1]
		}
		if !seenTop[t] {
			seenTop[t] = true
			top = append(top, t)
		}
		low := strings.ToLower(e.Name)
		switch {
		case hint != "":
		case strings.HasSuffix(low, "imsmanifest.xml"):
			hint = "; it holds imsmanifest.xml, so it looks like an IMS content package or Common Cartridge: import it in Moodle, do not restore it"
		case strings.HasSuffix(low, ".mbz") || (strings.HasSuffix(low, ".zip") && strings.Contains(low, "backup")):
			hint = fmt.Sprintf("; it holds %q, which may be the backup itself: extract it and open that", e.Name)
		}
	}
	if len(b.Entries) == 0 {
		return "found an empty archive"
	}
	more := ""
	if len(top) > 6 {
		top, more = top[:6], ", ..."
	}
	return fmt.Sprintf("found no moodle.xml or moodle_backup.xml among %d files (top level: %s%s)%s",
		files, strings.Join(top, ", "), more, hint)
}
