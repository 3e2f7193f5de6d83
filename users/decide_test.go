package users

import (
	"context"
	"fmt"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
)

const (
	targetWWW  = "https://new.example.org"
	targetID   = "NEWSITE-identifier-0123456789abcdefnew.example.org"
	hubWWW     = "https://hub.example.org"
	oldWWW     = "http://old.example.edu"
	oldSiteID  = "OLDSITE-identifier-abcdef0123456789old.example.edu"
	deletedAt  = 1300000000
	firstStamp = 1200000000
)

var (
	sameOrigin  = Origin{WWWRoot: targetWWW, SiteIdentifierHash: md5hex(targetID)}
	otherOrigin = Origin{WWWRoot: oldWWW, SiteIdentifierHash: md5hex(oldSiteID)}
	// A pre-1.9.4 backup: no hash, same-site decided by wwwroot.
	sameByWWW = Origin{WWWRoot: targetWWW}
)

func siteOpts() SourceOptions {
	return SourceOptions{WWWRoot: targetWWW, SiteIdentifier: targetID, MNetLocalhostID: 1}
}

// decisionCase is one row of spec/repairs.md §5.2.
type decisionCase struct {
	name   string
	origin Origin
	opts   func(*SourceOptions)
	user   bu
	target []TargetUser
	// want per rules: "action step"
	want2, want19 string
}

func decisionCases() []decisionCase {
	jo := bu{id: 7, username: "jo", email: "jo@example.org", firstaccess: firstStamp, first: "Jo", last: "Doe"}
	local := func(id int64, name, email string, first int64) TargetUser {
		return TargetUser{ID: id, Username: name, Email: email, FirstAccess: first, MNetHostID: 1, Auth: "manual"}
	}
	deleted := func(t TargetUser) TargetUser { t.Deleted = true; return t }
	with := func(u bu, f func(*bu)) bu { f(&u); return u }
	admin := bu{id: 2, username: "admin", email: "admin@old.example.edu", firstaccess: 1100000000, first: "Admin", last: "User"}
	return []decisionCase{
		// Same site.
		{name: "1A same id, username and host", origin: sameOrigin, user: jo,
			target: []TargetUser{local(7, "jo", "other@x.org", 0)}, want2: "match 1A", want19: "match 1A"},
		{name: "1A same site by wwwroot (no hash)", origin: sameByWWW, user: jo,
			target: []TargetUser{local(7, "jo", "jo@example.org", 0)}, want2: "match 1A", want19: "match 1A"},
		{name: "1B anonymized user matched by username", origin: sameOrigin,
			user:   bu{id: 40, username: "anon40", email: "anon40@doesntexist.invalid", first: "anonfirstname40", last: "anonlastname40"},
			target: []TargetUser{local(99, "anon40", "anon40@doesntexist.invalid", 0)}, want2: "match 1B", want19: "conflict 1E"},
		{name: "1C deleted in target, username is email.time", origin: sameOrigin, user: jo,
			target: []TargetUser{deleted(local(7, fmt.Sprintf("jo@example.org.%d", deletedAt), "", 0))}, want2: "match 1C", want19: "match 1C"},
		{name: "1C deleted in target, email is md5(username)", origin: sameOrigin, user: jo,
			target: []TargetUser{deleted(local(7, "someone.else.1", md5hex("jo"), 0))}, want2: "match 1C", want19: "match 1C"},
		{name: "1C email case differs (2.x compares upper-cased)", origin: sameOrigin, user: with(jo, func(u *bu) { u.email = "Jo@Example.org" }),
			target: []TargetUser{deleted(local(7, fmt.Sprintf("jo@example.org.%d", deletedAt), "", 0))}, want2: "match 1C", want19: "create 1F"},
		{name: "1D deleted in backup, alive in target", origin: sameOrigin,
			user:   bu{id: 7, username: fmt.Sprintf("jo@example.org.%d", deletedAt), email: md5hex("jo"), deleted: true},
			target: []TargetUser{local(7, "jo", "jo@example.org", 0)}, want2: "match 1D", want19: "match 1D"},
		{name: "1E same username, other id", origin: sameOrigin, user: jo,
			target: []TargetUser{local(8, "jo", "jo@example.org", firstStamp)}, want2: "conflict 1E", want19: "conflict 1E"},
		{name: "1E admin on the same site", origin: sameOrigin, user: admin,
			target: []TargetUser{local(3, "admin", "root@new.example.org", 0)}, want2: "conflict 1E", want19: "conflict 1E"},
		{name: "1F nobody", origin: sameOrigin, user: jo,
			target: []TargetUser{local(7, "anne", "anne@x.org", 0)}, want2: "create 1F", want19: "create 1F"},
		{name: "1F deleted target with another host", origin: sameOrigin, user: jo,
			target: []TargetUser{deleted(TargetUser{ID: 7, Username: "jo@example.org.5", MNetHostID: 3})}, want2: "create 1F", want19: "create 1F"},

		// Different site.
		{name: "2A1 same email", origin: otherOrigin, user: jo,
			target: []TargetUser{local(300, "jo", "jo@example.org", 0)}, want2: "match 2A1", want19: "match 2A1"},
		{name: "2A1 email differs in case", origin: otherOrigin, user: jo,
			target: []TargetUser{local(300, "jo", "JO@EXAMPLE.ORG", 0)}, want2: "match 2A1", want19: "conflict 2D"},
		{name: "2A1 same non-zero firstaccess", origin: otherOrigin, user: jo,
			target: []TargetUser{local(300, "jo", "new@example.org", firstStamp)}, want2: "match 2A1", want19: "match 2A1"},
		{name: "2D zero firstaccess never matches", origin: otherOrigin, user: with(jo, func(u *bu) { u.firstaccess = 0 }),
			target: []TargetUser{local(300, "jo", "new@example.org", 0)}, want2: "conflict 2D", want19: "conflict 2D"},
		{name: "2D admin", origin: otherOrigin, user: admin,
			target: []TargetUser{local(2, "admin", "root@new.example.org", 1500000000)}, want2: "conflict 2D", want19: "conflict 2D"},
		{name: "2A2 duplicate admin already restored", origin: otherOrigin, user: admin,
			opts: func(o *SourceOptions) { o.DuplicateAdminAllowed = true },
			target: []TargetUser{local(2, "admin", "root@new.example.org", 1500000000),
				local(50, "admin_"+md5hex(oldSiteID), "x@y", 0)}, want2: "match 2A2", want19: "conflict 2D"},
		{name: "2D duplicate admin created as admin_<hash>", origin: otherOrigin, user: admin,
			opts:   func(o *SourceOptions) { o.DuplicateAdminAllowed = true },
			target: []TargetUser{local(2, "admin", "root@new.example.org", 1500000000)}, want2: "create 2D", want19: "conflict 2D"},
		{name: "2B1 deleted target, email md5(username), username email.time", origin: otherOrigin, user: jo,
			target: []TargetUser{deleted(local(300, fmt.Sprintf("jo@example.org.%d", deletedAt), md5hex("jo"), 0))}, want2: "match 2B1", want19: "match 2B1"},
		{name: "2B1 deleted target, email md5(username), same firstaccess", origin: otherOrigin, user: jo,
			target: []TargetUser{deleted(local(300, "renamed.1", md5hex("jo"), firstStamp))}, want2: "match 2B1", want19: "match 2B1"},
		{name: "2B1 needs the deleted flag", origin: otherOrigin, user: jo,
			target: []TargetUser{local(300, "renamed.1", md5hex("jo"), firstStamp)}, want2: "create 2E", want19: "create 2E"},
		{name: "2B2 deleted target, username email.time, same firstaccess", origin: otherOrigin, user: jo,
			target: []TargetUser{deleted(local(300, fmt.Sprintf("jo@example.org.%d", deletedAt), "", firstStamp))}, want2: "match 2B2", want19: "match 2B2"},
		{name: "2B2 LIKE underscore is a wildcard", origin: otherOrigin, user: with(jo, func(u *bu) { u.email = "jo_d@example.org" }),
			target: []TargetUser{deleted(local(300, fmt.Sprintf("jo.d@example.org.%d", deletedAt), "", firstStamp))}, want2: "match 2B2", want19: "match 2B2"},
		{name: "2B2 deleted target, other firstaccess", origin: otherOrigin, user: jo,
			target: []TargetUser{deleted(local(300, fmt.Sprintf("jo@example.org.%d", deletedAt), "", firstStamp+1))}, want2: "create 2E", want19: "create 2E"},
		{name: "2C deleted in backup, target email is trimmed username", origin: otherOrigin,
			user:   bu{id: 7, username: fmt.Sprintf("jo@example.org.%d", deletedAt), email: md5hex("jo"), deleted: true, firstaccess: firstStamp},
			target: []TargetUser{local(300, "jo", "jo@example.org", firstStamp)}, want2: "match 2C", want19: "match 2C"},
		{name: "2C needs the same firstaccess", origin: otherOrigin,
			user:   bu{id: 7, username: fmt.Sprintf("jo@example.org.%d", deletedAt), email: md5hex("jo"), deleted: true, firstaccess: firstStamp},
			target: []TargetUser{local(300, "jo", "jo@example.org", firstStamp+5)}, want2: "create 2E", want19: "create 2E"},
		{name: "2E nobody", origin: otherOrigin, user: jo,
			target: []TargetUser{local(300, "joe", "jo@example.org", firstStamp)}, want2: "create 2E", want19: "create 2E"},
		{name: "2E id equal does not matter on another site", origin: otherOrigin, user: jo,
			target: []TargetUser{local(7, "someone", "s@x", 0)}, want2: "create 2E", want19: "create 2E"},
		{name: "same id on a different site is not 1A", origin: otherOrigin, user: jo,
			target: []TargetUser{local(7, "jo", "other@x.org", 0)}, want2: "conflict 2D", want19: "conflict 2D"},
		{name: "forced different site", origin: sameOrigin, opts: func(o *SourceOptions) { o.ForceDifferentSite = true }, user: jo,
			target: []TargetUser{local(7, "jo", "other@x.org", 0)}, want2: "conflict 2D", want19: "conflict 2D"},

		// MNet hosts.
		{name: "remote user, same username only on the local host", origin: otherOrigin, user: with(jo, func(u *bu) { u.mnethosturl = hubWWW }),
			target: []TargetUser{local(300, "jo", "x@x", 0)}, want2: "create 2E", want19: "create 2E"},
		{name: "remote user conflicts on its host", origin: otherOrigin, user: with(jo, func(u *bu) { u.mnethosturl = hubWWW }),
			target: []TargetUser{{ID: 301, Username: "jo", Email: "x@x", MNetHostID: 3}}, want2: "conflict 2D", want19: "conflict 2D"},
		{name: "username case: exact unless the target folds it", origin: otherOrigin, user: with(jo, func(u *bu) { u.username = "Jo" }),
			target: []TargetUser{local(300, "jo", "x@x", 0)}, want2: "create 2E", want19: "create 2E"},
		{name: "username case folded (MySQL target)", origin: otherOrigin, user: with(jo, func(u *bu) { u.username = "Jo" }),
			opts:   func(o *SourceOptions) { o.FoldUsernames = true },
			target: []TargetUser{local(300, "jo", "x@x", 0)}, want2: "conflict 2D", want19: "conflict 2D"},
		{name: "unknown mnet host resolves to local", origin: otherOrigin, user: with(jo, func(u *bu) { u.mnethosturl = "https://gone.example.net" }),
			target: []TargetUser{local(300, "jo", "x@x", 0)}, want2: "conflict 2D", want19: "conflict 2D"},
	}
}

// TestDecisionTable replays every row of the decision table through a real
// 1.x moodle.xml and a real 2.x users.xml, with target users from a CSV
// export, under both rule sets.
func TestDecisionTable(t *testing.T) {
	for _, tc := range decisionCases() {
		for _, kind := range []backup.Kind{backup.Moodle1, backup.Moodle2} {
			for _, rules := range []Rules{Moodle2, Moodle19} {
				t.Run(fmt.Sprintf("%s/%s/%s", tc.name, kind, rules), func(t *testing.T) {
					b := writeBackup(t, kind, tc.origin, []bu{tc.user})
					so := siteOpts()
					if tc.opts != nil {
						tc.opts(&so)
					}
					// The hub is a known mnet host of the target.
					csvPath := targetCSV(t, tc.target)
					src, err := OpenSource(context.Background(), csvPath, so)
					if err != nil {
						t.Fatal(err)
					}
					src = withHosts{src, map[string]int64{targetWWW: 1, hubWWW: 3}}
					p, err := Check(context.Background(), b, src, Options{Rules: rules, Policy: PolicyFail, AdminPolicy: PolicyFail})
					if err != nil {
						t.Fatal(err)
					}
					if len(p.Outcomes) != 1 {
						t.Fatalf("%d outcomes, want 1", len(p.Outcomes))
					}
					o := p.Outcomes[0]
					got := fmt.Sprintf("%s %s", o.Action, o.Step)
					want := tc.want2
					if rules == Moodle19 {
						want = tc.want19
					}
					if got != want {
						t.Errorf("got %q, want %q (target %+v)", got, want, o.Target)
					}
					if o.Action == Match && o.Target == nil {
						t.Errorf("match without a target user")
					}
					if o.Change != nil {
						t.Errorf("policy fail changed the user: %+v", o.Change)
					}
				})
			}
		}
	}
}

// withHosts adds mnet hosts to a source's site (a CSV has none).
type withHosts struct {
	Source
	hosts map[string]int64
}

func (w withHosts) Site(ctx context.Context) (Site, error) {
	s, err := w.Source.Site(ctx)
	s.MNetHosts = w.hosts
	return s, err
}
