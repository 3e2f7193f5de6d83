package stages

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/repair"
)

// EncodeLinksSpec declares the encode-links stage: turn links into the
// course that the 1.x backup left unencoded into $@…@$ tokens.
func EncodeLinksSpec() *Spec {
	return &Spec{
		Name:    "encode-links",
		Summary: "encode links into the course that 1.x backup left as URLs (\"Why are certain course links broken in a restored course?\")",
		Doc: `Moodle 1.x encoded only links written with the site's wwwroot exactly as
configured; other spellings (https for http, www. or not), root-relative
(/mod/forum/view.php?id=5) and relative (../resource/view.php?id=5,
view.php?id=5) links, and file.php links in those forms, stayed URLs to the
old site and break after a restore. This stage reads moodle.xml twice: a
first pass collects the original wwwroot, the course id and the ids of the
course modules, instances, discussions, posts and records in the backup; the
second rewrites, in the href and src values of HTML fields, every link whose
target is in the backup to the token Moodle would have written
($@FORUMVIEWBYID*12@$, $@FILEPHP@$$@SLASH@$pics$@SLASH@$a.png, ...). Course
files must be in course_files/. Links to the old site whose target is not in
the backup (another course, a missing activity or file) are left as they are
and reported (links.outside); links to other hosts are never touched.
Findings: links.encoded, links.outside, links.oversize.`,
		Options: []Option{
			{Name: "wwwroot", Type: String, Default: "",
				Doc: "The source site's address when INFO/ORIGINAL_WWWROOT is missing or wrong; empty: use ORIGINAL_WWWROOT."},
			{Name: "aliases", Type: String, Default: "",
				Doc: "Other addresses of the source site, comma-separated (old host names, an IP, e.g. http://10.0.0.5/moodle); http/https and www. variants are accepted without listing them."},
			{Name: "max-field", Type: Int, Default: repair.DefaultMaxField, Min: 1024, Max: 1 << 30,
				Doc: "The largest field (bytes) looked at; longer fields pass through untouched and are reported. Bounds memory."},
		},
		Input:  backup.Moodle1,
		Output: KindAny,
		New: func(opts map[string]any) (Stage, error) {
			s := &encodeLinksStage{wwwroot: strings.TrimSpace(opts["wwwroot"].(string)), maxField: opts["max-field"].(int)}
			for _, a := range strings.Split(opts["aliases"].(string), ",") {
				if a = strings.TrimSpace(a); a != "" {
					if !strings.Contains(a, "://") {
						return nil, fmt.Errorf("encode-links: aliases: %q is not an absolute URL (e.g. http://old.example.edu/moodle)", a)
					}
					s.aliases = append(s.aliases, a)
				}
			}
			if s.wwwroot != "" && !strings.Contains(s.wwwroot, "://") {
				return nil, fmt.Errorf("encode-links: wwwroot: %q is not an absolute URL (e.g. http://moodle.example.edu)", s.wwwroot)
			}
			return s, nil
		},
	}
}

type encodeLinksStage struct {
	wwwroot  string
	aliases  []string
	maxField int
}

func (s *encodeLinksStage) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.Facts.Kind != backup.Moodle1 {
		return nil, fmt.Errorf("encode-links needs a 1.x backup (moodle.xml); %s is %q", b.Path, b.Facts.Kind)
	}
	e := b.Main()
	if e == nil {
		return nil, fmt.Errorf("encode-links %s: no moodle.xml found", b.Path)
	}
	files := map[string]bool{}
	for _, x := range b.Entries {
		if name, ok := strings.CutPrefix(x.Name, "course_files/"); ok && !x.Dir {
			files[name] = true
		}
	}
	sink := newPassSink(env.Report, e.Name)
	prev := e
	what := "encode-links " + b.Path + ":" + prev.Name
	b.SetEntry(e.Replace(-1, func() (io.ReadCloser, error) {
		// First pass: what the backup holds.
		rc, err := prev.Open()
		if err != nil {
			return nil, err
		}
		site, err := repair.CollectLinkSite(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: first pass: %w", what, err)
		}
		if s.wwwroot != "" {
			site.WWWRoot = s.wwwroot
		}
		if site.WWWRoot == "" {
			return nil, fmt.Errorf("%s: INFO/ORIGINAL_WWWROOT is missing; set the wwwroot option to the source site's address", what)
		}
		site.Aliases = s.aliases
		site.FileExists = func(p string) bool { return files[p] }
		// Second pass: rewrite.
		rc, err = prev.Open()
		if err != nil {
			return nil, err
		}
		pass := sink.pass()
		l := repair.NewLinkReader(rc, site, repair.LinkStreamOptions{MaxField: s.maxField, Report: pass})
		return pass.wrap(ctx, l, rc, what), nil
	}))
	return b, nil
}
