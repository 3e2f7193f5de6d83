package stages

import (
	"context"
	"fmt"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/users"
)

// ReconcileUsersSpec declares the reconcile-users stage: predict, per
// backup user, what the target site's restore will do (match, create or
// conflict), and resolve the conflicts that would stop the restore.
func ReconcileUsersSpec() *Spec {
	return &Spec{
		Name:    "reconcile-users",
		Summary: "resolve the users that would stop a restore on the target site (\"Trying to restore user xxxx from backup file will cause conflict\")",
		Doc: `Replays Moodle restore's user matching (spec/repairs.md §5.2: the 2.x
precheck_user rules, or the 1.9.7+ ones with rules: moodle19) for every user
of the backup against the users of the target site, read from a CSV export
(columns username,email,firstaccess,mnethostid,deleted, optional id and
auth) or straight from the target Moodle database (postgres://… or
mysql://… URL; read-only queries; the password from password-file,
MOODLEMIG_DB_PASSWORD or MOODLEMIG_DB_PASSWORD_FILE, never printed).
Works on a 1.x moodle.xml (COURSE/USERS/USER) and on a 2.x users.xml, so it
runs before or after convert.

Users that Moodle would match or create are left alone. A conflict (same
username on the target, but not the same person by Moodle's rules) gets the
policy: match sets the backup user's email (or firstaccess) to the target
user's so Moodle maps the two (the FAQ's "method a"; the default for admin;
it cannot help a same-site conflict), rename gives the backup user a new
username <username>_<8 hex of the source site> that is free on the target
(the same name on every run, so many courses of one site agree), fail
changes nothing. A map file pins chosen users to target users. Only the
USERNAME/EMAIL/FIRSTACCESS values that change are rewritten; every other
byte is unchanged. Unresolved conflicts fail the archive.
Findings: users.summary, users.matched, users.renamed, users.pinned,
users.conflict, users.site-unknown.

Without a target the stage does nothing: pipelines pass
target: ${MOODLEMIG_TARGET_USERS:-}.`,
		Options: []Option{
			{Name: "target", Type: String, Default: "",
				Doc: "The target site's users: a CSV export, or a postgres:// or mysql:// URL of its database (no password in it: use password-file or MOODLEMIG_DB_PASSWORD). Empty: the stage does nothing."},
			{Name: "prefix", Type: String, Default: "mdl_",
				Doc: "The target database's table prefix ($CFG->prefix)."},
			{Name: "password-file", Type: String, Default: "",
				Doc: "A file whose first line is the database password."},
			{Name: "on-conflict", Type: Enum, Default: string(users.PolicyRename), Values: []string{"rename", "match", "fail"},
				Doc: "What to do with a conflicting user: rename (a new username, a separate person), match (map to the existing user), fail (report only)."},
			{Name: "admin", Type: Enum, Default: string(users.PolicyMatch), Values: []string{"match", "rename", "fail"},
				Doc: "The policy for a conflicting user named admin."},
			{Name: "map", Type: String, Default: "",
				Doc: "A CSV of backup username,target username pairs: these users map to the named target users."},
			{Name: "rules", Type: Enum, Default: string(users.Moodle2), Values: []string{"moodle2", "moodle19"},
				Doc: "Whose restore rules to replay: a 2.x+ site (moodle2) or a 1.9.7+ site (moodle19)."},
			{Name: "wwwroot", Type: String, Default: "",
				Doc: "The target site's wwwroot (needed with a CSV to tell a same-site backup; read from the database otherwise)."},
			{Name: "site-identifier", Type: String, Default: "",
				Doc: "The target site's $CFG->siteidentifier (with a CSV; read from the database otherwise)."},
			{Name: "mnet-localhost-id", Type: Int, Default: 0, Min: 0, Max: 1 << 40,
				Doc: "The target's mnet_localhost_id; 0: from the database, or 1."},
			{Name: "fold-usernames", Type: Bool, Default: false,
				Doc: "The target compares usernames without regard to case, as a MySQL/MariaDB site does (set by itself for a mysql:// URL; give it for a CSV exported from such a site)."},
			{Name: "duplicate-admin", Type: Bool, Default: false,
				Doc: "The target has backup | import_general_duplicate_admin_allowed on (read from the database otherwise)."},
		},
		Input:  KindAny,
		Output: KindAny,
		New:    newReconcileUsers,
	}
}

type reconcileUsersStage struct {
	target string
	so     users.SourceOptions
	opts   users.Options
}

func newReconcileUsers(o map[string]any) (Stage, error) {
	s := &reconcileUsersStage{target: strings.TrimSpace(o["target"].(string))}
	s.so = users.SourceOptions{
		Prefix:                o["prefix"].(string),
		PasswordFile:          o["password-file"].(string),
		WWWRoot:               o["wwwroot"].(string),
		SiteIdentifier:        o["site-identifier"].(string),
		MNetLocalhostID:       int64(o["mnet-localhost-id"].(int)),
		DuplicateAdminAllowed: o["duplicate-admin"].(bool),
		FoldUsernames:         o["fold-usernames"].(bool),
	}
	var err error
	if s.opts.Policy, err = users.ParsePolicy(o["on-conflict"].(string)); err != nil {
		return nil, fmt.Errorf("reconcile-users: on-conflict: %w", err)
	}
	if s.opts.AdminPolicy, err = users.ParsePolicy(o["admin"].(string)); err != nil {
		return nil, fmt.Errorf("reconcile-users: admin: %w", err)
	}
	if s.opts.Rules, err = users.ParseRules(o["rules"].(string)); err != nil {
		return nil, fmt.Errorf("reconcile-users: rules: %w", err)
	}
	if m := o["map"].(string); m != "" {
		if s.opts.Pins, err = users.ReadPins(m); err != nil {
			return nil, fmt.Errorf("reconcile-users: %w", err)
		}
		s.opts.PinsFile = m
	}
	return s, nil
}

func (s *reconcileUsersStage) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.target == "" {
		return b, nil
	}
	src, err := users.OpenSource(ctx, s.target, s.so)
	if err != nil {
		return nil, fmt.Errorf("reconcile-users %s: %w", b.Path, err)
	}
	defer src.Close()
	sink := env.Report
	if sink == nil {
		sink = report.New(0)
	}
	nb, _, err := users.Reconcile(ctx, b, src, s.opts, sink)
	if err != nil {
		return nil, fmt.Errorf("reconcile-users %s: %w", b.Path, err)
	}
	return nb, nil
}
