package users

import (
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// Finding codes.
const (
	CodeSummary     = "users.summary"      // info: how many users match, are created, conflict
	CodeSiteUnknown = "users.site-unknown" // warning: "same site" could not be decided
	CodeMatched     = "users.matched"      // a conflict resolved by method a
	CodeRenamed     = "users.renamed"      // a conflict resolved by a new username
	CodePinned      = "users.pinned"       // a user mapped as the map file says
	CodeConflict    = "users.conflict"     // a conflict (or pin) left unresolved
)

func (p *Plan) fieldPath(field string) string {
	if p.Kind == backup.Moodle1 {
		return "MOODLE_BACKUP/COURSE/USERS/USER/" + field
	}
	return "users/user/" + strings.ToLower(field)
}

func describe(t *TargetUser) string {
	if t == nil {
		return "a new user"
	}
	return fmt.Sprintf("target user %q (id %d)", t.Username, t.ID)
}

// Report sends the plan's findings to sink: a summary, one finding per
// change, and one error per unresolved conflict. Users that match or are
// created anyway get no finding of their own.
func (p *Plan) Report(sink report.Sink, target string) {
	m, c, k := p.Counts()
	site := "a different site"
	if p.SameSite {
		site = "the same site"
	}
	sink.Add(report.Finding{
		Code: CodeSummary, Severity: report.Info, Entry: p.Entry,
		Message: fmt.Sprintf("%d backup users against %s (%d rows read, %d kept): %d match, %d create, %d conflict; the backup comes from %s (%s rules)",
			len(p.Outcomes), target, p.Scanned, p.Kept, m, c, k, site, p.Rules),
	})
	if !p.SiteKnown && len(p.Outcomes) > 0 {
		sink.Add(report.Finding{
			Code: CodeSiteUnknown, Severity: report.Warning, Entry: p.Entry,
			Message: "the target site's identity is unknown (no wwwroot or site identifier given), so the different-site rules were used; give them when the backup may come from the target site",
		})
	}
	for i := range p.Outcomes {
		o := &p.Outcomes[i]
		u := o.User
		if o.Unresolved != "" {
			sink.Add(report.Finding{
				Code: CodeConflict, Severity: report.Error, Entry: p.Entry,
				Line: u.At.Line, Column: u.At.Column, Offset: u.At.Offset, Path: p.fieldPath("USERNAME"),
				Message: fmt.Sprintf("backup user %q (id %d) would %s with %s at step %s: not resolved: %s",
					u.Username, u.ID, o.Action, describe(o.Target), o.Step, o.Unresolved),
			})
			continue
		}
		ch := o.Change
		if ch == nil {
			continue
		}
		f := report.Finding{Severity: report.Warning, Entry: p.Entry, Fixed: true}
		switch ch.Kind {
		case "match":
			f.Code = CodeMatched
			at, field, before, after := u.EmailAt, "EMAIL", u.Email, ch.Email
			if ch.SetFirstAccess {
				at, field, before, after = u.FirstAccessAt, "FIRSTACCESS", fmt.Sprint(u.FirstAccess), fmt.Sprint(ch.FirstAccess)
			}
			f.Line, f.Column, f.Offset, f.Path, f.Before, f.After = at.Line, at.Column, at.Offset, p.fieldPath(field), before, after
			f.Message = fmt.Sprintf("backup user %q conflicted with %s (step %s); its %s now equals the target's, so Moodle maps it to that user (step %s)",
				u.Username, describe(o.Target), o.Step, field, ch.AfterStep)
		case "rename":
			f.Code = CodeRenamed
			at := u.UsernameAt
			f.Line, f.Column, f.Offset, f.Path, f.Before, f.After = at.Line, at.Column, at.Offset, p.fieldPath("USERNAME"), u.Username, ch.Username
			f.Message = fmt.Sprintf("backup user %q conflicted with %s (step %s); renamed to %q so Moodle keeps a separate person (%s, step %s): tell the person their new username",
				u.Username, describe(o.Target), o.Step, ch.Username, ch.After, ch.AfterStep)
		case "pin":
			f.Code, f.Severity = CodePinned, report.Info
			at := u.UsernameAt
			f.Line, f.Column, f.Offset, f.Path = at.Line, at.Column, at.Offset, p.fieldPath("USERNAME")
			f.Before, f.After = u.Username, ch.Username
			if !ch.SetUsername {
				f.After = u.Username
			}
			f.Message = fmt.Sprintf("backup user %q pinned to %s by the user map (was %s, step %s; now %s, step %s)",
				u.Username, describe(ch.AfterTarget), o.Action, o.Step, ch.After, ch.AfterStep)
		}
		sink.Add(f)
	}
}
