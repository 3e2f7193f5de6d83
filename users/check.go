package users

import (
	"context"
	"fmt"

	"github.com/moodlemig/moodlemig/backup"
)

// CheckTarget opens target (a CSV export or a database URL, see
// OpenSource), checks b against it and closes it. It changes nothing; it is
// what `inspect --target-users` calls. Plan.Conflicts lists the users that
// would stop the restore; Outcome.String describes one.
func CheckTarget(ctx context.Context, b *backup.Backup, target string, so SourceOptions, opts Options) (*Plan, error) {
	src, err := OpenSource(ctx, target, so)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	opts.defaults()
	return Check(ctx, b, src, opts)
}

// steps explains each row of the decision table.
var steps = map[string]string{
	"1A":  "same site: same id, username and mnet host",
	"1B":  "same site: anonymized user with the same username",
	"1C":  "same site: same id, deleted on the target",
	"1D":  "same site: deleted in the backup, same id on the target",
	"1E":  "same site: the username belongs to another id",
	"1F":  "same site: no such user",
	"2A1": "same username and mnet host, and the same email or first access",
	"2A2": "admin already restored as admin_<site hash>",
	"2B1": "a deleted target user whose email is md5(username)",
	"2B2": "a deleted target user named <email>.<time> with the same first access",
	"2C":  "deleted in the backup; a target user with its email and first access",
	"2D":  "same username and mnet host, but neither the email nor a non-zero first access match",
	"2E":  "no such user",
}

// Reason explains the step of the decision table that fired.
func (o Outcome) Reason() string { return steps[o.Step] }

// String describes the outcome on one line, e.g.
// `jo (id 7): conflict at 2D with target user "jo" (id 30): same username ...`.
func (o Outcome) String() string {
	s := fmt.Sprintf("%s (id %d): %s at %s", o.User.Username, o.User.ID, o.Action, o.Step)
	if o.Target != nil {
		s += " with " + describe(o.Target)
	}
	if o.CreateAs != "" {
		s += " as " + o.CreateAs
	}
	s += ": " + o.Reason()
	if ch := o.Change; ch != nil && o.Unresolved == "" {
		switch ch.Kind {
		case "rename":
			s += fmt.Sprintf("; would be renamed to %q", ch.Username)
		case "match":
			s += "; would be matched to the target user (method a)"
		case "pin":
			s += "; pinned to " + describe(ch.AfterTarget)
		}
	}
	if o.Unresolved != "" {
		s += "; unresolved: " + o.Unresolved
	}
	return s
}
