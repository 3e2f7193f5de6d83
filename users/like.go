package users

import (
	"regexp"
	"strings"
)

// likeMatch reports whether s matches the SQL LIKE pattern p: '%' is any
// run of characters, '_' any one character, and '\' escapes the next one.
// When fold is set both sides compare upper-cased, as Moodle 2.x's
// UPPER(x) LIKE UPPER(?) does.
func likeMatch(s, p string, fold bool) bool {
	if fold {
		s, p = strings.ToUpper(s), strings.ToUpper(p)
	}
	return like([]rune(s), []rune(p))
}

func like(s, p []rune) bool {
	// Iterative matcher with backtracking to the last '%'.
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '%':
				star, mark = pi, si
				pi++
				continue
			case c == '_':
				si++
				pi++
				continue
			case c == '\\' && pi+1 < len(p):
				if s[si] == p[pi+1] {
					si++
					pi += 2
					continue
				}
			default:
				if s[si] == c {
					si++
					pi++
					continue
				}
			}
		}
		if star < 0 {
			return false
		}
		pi = star + 1
		mark++
		si = mark
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// deletedSuffix is the ".<unix time>" Moodle appends to the email it puts
// into the username of a deleted user; restore cuts it off the shortest way.
var deletedSuffix = regexp.MustCompile(`^(.*?)\.[0-9]+.?$`)

// trimDeleted returns a deleted user's username without its ".<time>" tail,
// or the username unchanged when it has none.
func trimDeleted(username string) string {
	if m := deletedSuffix.FindStringSubmatch(username); m != nil {
		return m[1]
	}
	return username
}

var (
	anonName  = regexp.MustCompile(`^anon\d*$`)
	anonFirst = regexp.MustCompile(`^anonfirstname\d*$`)
	anonLast  = regexp.MustCompile(`^anonlastname\d*$`)
	anonEmail = regexp.MustCompile(`^anon\d*@doesntexist\.(com|invalid)$`)
)

// anonymized reports whether u looks like a user written by the 2.x backup
// option "anonymize user information".
func anonymized(u *BackupUser) bool {
	return anonName.MatchString(u.Username) && anonFirst.MatchString(u.FirstName) &&
		anonLast.MatchString(u.LastName) && anonEmail.MatchString(u.Email)
}
