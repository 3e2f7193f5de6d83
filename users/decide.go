package users

import "strings"

// Outcome is what Moodle's restore would do with one backup user.
type Outcome struct {
	// User is the backup user as decided (after any change the policy made).
	User *BackupUser
	// Action is match, create or conflict.
	Action Action
	// Step is the row of the decision table that fired ("1A" … "2E"; see
	// spec/repairs.md §5.2).
	Step string
	// Target is the existing user matched (Match) or in the way (Conflict).
	Target *TargetUser
	// MNetHostID is the backup user's mnet host resolved on the target.
	MNetHostID int64
	// CreateAs is set when Moodle 2.x would create the user under another
	// username (a duplicated admin).
	CreateAs string
	// Change is what the policy did or would do about a conflict or a pin;
	// nil when nothing changes.
	Change *Change
	// Unresolved says why a conflict (or a pin) could not be resolved.
	Unresolved string
}

// Decider replays the decision table for one backup against one target.
type Decider struct {
	Rules    Rules
	Site     Site
	Origin   Origin
	SameSite bool
	Index    *Index
}

func (d *Decider) eqEmail(a, b string) bool {
	if d.Rules == Moodle19 {
		return a == b
	}
	return strings.EqualFold(a, b)
}

// Decide returns the outcome of restoring u: the first step of the table
// that fires.
func (d *Decider) Decide(u *BackupUser) Outcome {
	host := d.Site.ResolveMNetHost(u.MNetHostURL)
	o := Outcome{User: u, MNetHostID: host}
	fold := d.Rules != Moodle19
	x := d.Index
	found := func(step string, a Action, t *TargetUser) Outcome {
		o.Step, o.Action, o.Target = step, a, t
		return o
	}
	if d.SameSite {
		byID := x.byIDRow(u.ID)
		if byID != nil && x.key(byID.Username) == x.key(u.Username) && byID.MNetHostID == host {
			return found("1A", Match, byID)
		}
		if d.Rules != Moodle19 && anonymized(u) {
			if i, ok := x.byName[x.key(u.Username)]; ok {
				return found("1B", Match, &x.rows[i])
			}
		}
		if byID != nil && byID.MNetHostID == host && byID.Deleted &&
			(likeMatch(byID.Username, u.Email+".%", fold) ||
				(byID.Email != "" && d.eqEmail(byID.Email, md5hex(u.Username)))) {
			return found("1C", Match, byID)
		}
		if u.Deleted && byID != nil && byID.MNetHostID == host && d.eqEmail(byID.Email, trimDeleted(u.Username)) {
			return found("1D", Match, byID)
		}
		if t, ok := x.ByName(host, u.Username); ok && t.ID != u.ID {
			return found("1E", Conflict, t)
		}
		return found("1F", Create, nil)
	}

	same, hasSame := x.ByName(host, u.Username)
	if hasSame && (d.eqEmail(same.Email, u.Email) || (same.FirstAccess != 0 && same.FirstAccess == u.FirstAccess)) {
		return found("2A1", Match, same)
	}
	local := d.Site.ResolveMNetHost("")
	dupAdmin := d.Rules != Moodle19 && d.Site.DuplicateAdminAllowed && u.Username == "admin" && host == local
	if dupAdmin {
		if t, ok := x.ByName(local, "admin_"+d.Origin.SiteIdentifierHash); ok {
			return found("2A2", Match, t)
		}
	}
	for _, i := range x.delByEmail[x.fold(md5hex(u.Username))] {
		t := &x.rows[i]
		if t.MNetHostID == host && t.Deleted && t.Email != "" &&
			(likeMatch(t.Username, u.Email+".%", fold) || (t.FirstAccess != 0 && t.FirstAccess == u.FirstAccess)) {
			return found("2B1", Match, t)
		}
	}
	if u.FirstAccess != 0 {
		for _, i := range x.byFirst[u.FirstAccess] {
			t := &x.rows[i]
			if t.MNetHostID == host && t.Deleted && likeMatch(t.Username, u.Email+".%", fold) {
				return found("2B2", Match, t)
			}
		}
		if u.Deleted {
			trimmed := trimDeleted(u.Username)
			for _, i := range x.byFirst[u.FirstAccess] {
				t := &x.rows[i]
				if t.MNetHostID == host && d.eqEmail(t.Email, trimmed) {
					return found("2C", Match, t)
				}
			}
		}
	}
	if hasSame {
		if dupAdmin {
			o.CreateAs = "admin_" + d.Origin.SiteIdentifierHash
			return found("2D", Create, same)
		}
		return found("2D", Conflict, same)
	}
	return found("2E", Create, nil)
}
