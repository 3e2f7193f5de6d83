package users

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
)

// Rules selects which Moodle's restore code is replayed.
type Rules string

// Rule sets.
const (
	// Moodle2 replays 2.x+ restore_dbops::precheck_user (the default: the
	// target of a converted backup is a current Moodle). Email and LIKE
	// patterns compare case-insensitively; anonymized users and the
	// duplicate-admin setting are honoured.
	Moodle2 Rules = "moodle2"
	// Moodle19 replays 1.9.7+ restore_check_user: exact comparisons.
	Moodle19 Rules = "moodle19"
)

// Action is what Moodle would do with one backup user.
type Action string

// Actions.
const (
	Match    Action = "match"    // use an existing target user
	Create   Action = "create"   // create a new user
	Conflict Action = "conflict" // restore refuses to continue
)

// Policy is what to do with a conflicting user.
type Policy string

// Policies.
const (
	PolicyMatch  Policy = "match"  // FAQ method a: make Moodle map to the existing user
	PolicyRename Policy = "rename" // give the backup user a new unique username
	PolicyFail   Policy = "fail"   // change nothing; report the conflict
)

// ParsePolicy checks s.
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case PolicyMatch, PolicyRename, PolicyFail:
		return p, nil
	}
	return "", fmt.Errorf("unknown conflict policy %q: use match, rename or fail", s)
}

// ParseRules checks s.
func ParseRules(s string) (Rules, error) {
	switch r := Rules(s); r {
	case Moodle2, Moodle19:
		return r, nil
	}
	return "", fmt.Errorf("unknown rules %q: use moodle2 or moodle19", s)
}

// Span locates one field's value in the entry it was read from, so that it
// can be replaced by a byte splice.
type Span struct {
	Offset int64  // byte offset of Raw in the entry
	Raw    string // the exact bytes there (escaped text, or a whole <X/> tag)
	Line   int    // 1-based
	Column int    // 1-based, in bytes
	// Tag is the element name, set when Raw is a self-closing tag that must
	// be expanded to hold a value.
	Tag string
}

// Present reports whether the field was found in the record.
func (s Span) Present() bool { return s.Line > 0 }

// BackupUser is one user record of a backup, as restore sees it.
type BackupUser struct {
	Ordinal     int    // position among the backup's users, from 0
	ID          int64  // the user's id on the source site
	Username    string //
	Email       string //
	FirstAccess int64  //
	Deleted     bool   //
	Auth        string //
	FirstName   string //
	LastName    string //
	MNetHostURL string // empty for local users of a 1.x backup

	// Where the editable fields are; a zero Span (Offset 0, Raw "") means
	// the field is absent.
	UsernameAt, EmailAt, FirstAccessAt Span
	// At is where the user record starts.
	At Span
}

// TargetUser is one row of the target site's user table.
type TargetUser struct {
	ID          int64
	Username    string
	Email       string
	FirstAccess int64
	MNetHostID  int64
	Deleted     bool
	Auth        string
}

// Site is what restore knows about the target site.
type Site struct {
	// WWWRoot is $CFG->wwwroot (no trailing slash).
	WWWRoot string
	// SiteIdentifier is $CFG->siteidentifier (restore compares its md5 with
	// the backup's site identifier hash).
	SiteIdentifier string
	// MNetLocalhostID is $CFG->mnet_localhost_id (1 when unknown).
	MNetLocalhostID int64
	// MNetHosts maps an mnet_host wwwroot to its id.
	MNetHosts map[string]int64
	// DuplicateAdminAllowed is the 2.x setting
	// backup/import_general_duplicate_admin_allowed.
	DuplicateAdminAllowed bool
	// ForceDifferentSite is $CFG->forcedifferentsitecheckingusersonrestore.
	ForceDifferentSite bool
	// FoldUsernames says the target database compares usernames without
	// regard to case, as MySQL and MariaDB do with Moodle's collations, so
	// restore's "same username" does too.
	FoldUsernames bool
}

// Origin is what the backup says about the site it came from.
type Origin struct {
	WWWRoot            string // INFO/ORIGINAL_WWWROOT, original_wwwroot
	SiteIdentifierHash string // ORIGINAL_SITE_IDENTIFIER_HASH
}

// SameSite tells whether restore would treat the backup as coming from
// site, the way Moodle decides it: by the site identifier hash when the
// backup has one, else by wwwroot.
func SameSite(o Origin, site Site) bool {
	if site.ForceDifferentSite {
		return false
	}
	if o.SiteIdentifierHash != "" {
		return site.SiteIdentifier != "" && strings.EqualFold(md5hex(site.SiteIdentifier), o.SiteIdentifierHash)
	}
	return o.WWWRoot != "" && o.WWWRoot == site.WWWRoot
}

// SiteKnown reports whether site carries enough identity to decide
// "same site" for o.
func SiteKnown(o Origin, site Site) bool {
	if o.SiteIdentifierHash != "" {
		return site.SiteIdentifier != ""
	}
	return site.WWWRoot != ""
}

// ResolveMNetHost returns the target mnethostid restore gives a backup user
// whose mnet host wwwroot is url.
func (s Site) ResolveMNetHost(url string) int64 {
	local := s.MNetLocalhostID
	if local == 0 {
		local = 1
	}
	if url == "" || url == s.WWWRoot {
		return local
	}
	if id, ok := s.MNetHosts[url]; ok {
		return id
	}
	return local
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}
