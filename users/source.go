package users

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Source is where the target site's users come from.
type Source interface {
	// Site returns the target site's identity and restore settings.
	Site(ctx context.Context) (Site, error)
	// Scan offers every target user row to x (x keeps only those that can
	// matter). It may be called more than once.
	Scan(ctx context.Context, x *Index) error
	// String describes the source without any secret (for messages).
	String() string
	// Close releases the source.
	Close() error
}

// SourceOptions configure OpenSource.
type SourceOptions struct {
	// Prefix is the Moodle table prefix ($CFG->prefix); "" means "mdl_".
	Prefix string
	// PasswordFile is a file whose first line is the database password.
	PasswordFile string
	// Getenv reads the environment (os.Getenv when nil). The password is
	// taken from MOODLEMIG_DB_PASSWORD, or from the file named by
	// MOODLEMIG_DB_PASSWORD_FILE; PostgreSQL also honours PGPASSWORD and
	// ~/.pgpass.
	Getenv func(string) string

	// Site identity overrides. A CSV export has no identity of its own, so
	// these are how to give it; for a database they replace what was read.
	WWWRoot         string
	SiteIdentifier  string
	MNetLocalhostID int64
	// DuplicateAdminAllowed turns on the 2.x setting of that name.
	DuplicateAdminAllowed bool
	// ForceDifferentSite treats the backup as coming from another site.
	ForceDifferentSite bool
	// FoldUsernames says the target compares usernames without regard to
	// case (a MySQL/MariaDB site); set by itself for a MySQL URL.
	FoldUsernames bool
}

func (o *SourceOptions) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

func (o *SourceOptions) prefix() string {
	if o.Prefix == "" {
		return "mdl_"
	}
	return o.Prefix
}

// override applies the identity options to s.
func (o *SourceOptions) override(s Site) Site {
	if o.WWWRoot != "" {
		s.WWWRoot = strings.TrimRight(o.WWWRoot, "/")
	}
	if o.SiteIdentifier != "" {
		s.SiteIdentifier = o.SiteIdentifier
	}
	if o.MNetLocalhostID != 0 {
		s.MNetLocalhostID = o.MNetLocalhostID
	}
	if s.MNetLocalhostID == 0 {
		s.MNetLocalhostID = 1
	}
	if o.DuplicateAdminAllowed {
		s.DuplicateAdminAllowed = true
	}
	if o.ForceDifferentSite {
		s.ForceDifferentSite = true
	}
	if o.FoldUsernames {
		s.FoldUsernames = true
	}
	return s
}

// IsDSN reports whether target names a database rather than a CSV file.
func IsDSN(target string) bool {
	for _, p := range []string{"postgres://", "postgresql://", "mysql://", "mariadb://"} {
		if strings.HasPrefix(strings.ToLower(target), p) {
			return true
		}
	}
	return false
}

// OpenSource opens target: a database URL (postgres://, postgresql://,
// mysql://, mariadb://) or the path of a CSV export.
func OpenSource(ctx context.Context, target string, o SourceOptions) (Source, error) {
	if target == "" {
		return nil, fmt.Errorf("no target users given: name a CSV export or a database URL")
	}
	if IsDSN(target) {
		return openDB(ctx, target, o)
	}
	return openCSV(target, o)
}
