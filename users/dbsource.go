package users

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" database/sql driver
)

// dbSource reads target users straight from a Moodle database, with
// read-only transactions and SELECT statements only.
type dbSource struct {
	db     *sql.DB
	flavor string // "postgres" or "mysql"
	desc   string // the URL without any password
	prefix string
	secret string // the password, to scrub from driver messages
	o      SourceOptions
}

var validPrefix = regexp.MustCompile(`^[A-Za-z0-9_]*$`)

// openDB connects to the database named by a URL. The password comes from
// the password file, MOODLEMIG_DB_PASSWORD(_FILE) or the URL itself; it is
// never part of a message.
func openDB(ctx context.Context, raw string, o SourceOptions) (*dbSource, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the URL, which may hold a password: say less.
		return nil, fmt.Errorf("target database URL is malformed (expected e.g. postgres://user@host:5432/moodle or mysql://user@host:3306/moodle)")
	}
	prefix := o.prefix()
	if !validPrefix.MatchString(prefix) {
		return nil, fmt.Errorf("table prefix %q: only letters, digits and _ are allowed", prefix)
	}
	secret, err := password(u, &o)
	if err != nil {
		return nil, err
	}
	s := &dbSource{prefix: prefix, secret: secret, o: o}
	user := ""
	if u.User != nil {
		user = u.User.Username()
	}
	redacted := *u
	if user != "" {
		redacted.User = url.User(user)
	} else {
		redacted.User = nil
	}
	s.desc = redacted.String()

	switch strings.ToLower(u.Scheme) {
	case "postgres", "postgresql":
		s.flavor = "postgres"
		q := u.Query()
		if q.Get("connect_timeout") == "" {
			q.Set("connect_timeout", "10")
		}
		dsn := *u
		dsn.RawQuery = q.Encode()
		if secret != "" {
			dsn.User = url.UserPassword(user, secret)
		}
		s.db, err = sql.Open("pgx", dsn.String())
	case "mysql", "mariadb":
		s.flavor = "mysql"
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd = user, secret
		cfg.DBName = strings.TrimPrefix(u.Path, "/")
		cfg.Timeout = 10 * time.Second
		if sock := u.Query().Get("socket"); sock != "" {
			cfg.Net, cfg.Addr = "unix", sock
		} else {
			host, port := u.Hostname(), u.Port()
			if host == "" {
				host = "127.0.0.1"
			}
			if port == "" {
				port = "3306"
			}
			cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(host, port)
		}
		if tls := u.Query().Get("tls"); tls != "" {
			cfg.TLSConfig = tls
		}
		c, cerr := mysql.NewConnector(cfg)
		if err = cerr; err == nil {
			s.db = sql.OpenDB(c)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("target database %s: %s", s.desc, s.scrub(err))
	}
	s.db.SetMaxOpenConns(1)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.db.PingContext(pctx); err != nil {
		s.db.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("target database %s: cannot connect: %s (check the host, port, user, database name and that the server runs)", s.desc, s.scrub(err))
	}
	return s, nil
}

// password finds the database password without ever printing it.
func password(u *url.URL, o *SourceOptions) (string, error) {
	file := o.PasswordFile
	if file == "" {
		file = o.getenv("MOODLEMIG_DB_PASSWORD_FILE")
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("database password file: %w", err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return strings.TrimRight(line, "\r"), nil
	}
	if p := o.getenv("MOODLEMIG_DB_PASSWORD"); p != "" {
		return p, nil
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p, nil
		}
	}
	return "", nil
}

// scrub returns err's text with the password removed.
func (s *dbSource) scrub(err error) string {
	msg := err.Error()
	if s.secret != "" {
		msg = strings.ReplaceAll(msg, s.secret, "********")
		msg = strings.ReplaceAll(msg, url.QueryEscape(s.secret), "********")
		msg = strings.ReplaceAll(msg, url.PathEscape(s.secret), "********")
	}
	return msg
}

func (s *dbSource) String() string { return s.desc }

func (s *dbSource) Close() error { return s.db.Close() }

func (s *dbSource) fail(what string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("target database %s: %s: %s", s.desc, what, s.scrub(err))
}

// readOnly runs fn in a read-only transaction that is always rolled back.
func (s *dbSource) readOnly(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.fail("begin a read-only transaction", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// hasTable reports whether prefix+name exists.
func (s *dbSource) hasTable(ctx context.Context, tx *sql.Tx, name string) (bool, error) {
	table := s.prefix + name
	var err error
	var n int
	if s.flavor == "postgres" {
		var reg sql.NullString
		err = tx.QueryRowContext(ctx, "SELECT to_regclass($1)::text", table).Scan(&reg)
		if reg.Valid {
			n = 1
		}
	} else {
		err = tx.QueryRowContext(ctx,
			"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", table).Scan(&n)
	}
	if err != nil {
		return false, s.fail("look up table "+table, err)
	}
	return n > 0, nil
}

func (s *dbSource) needUserTable(ctx context.Context, tx *sql.Tx) error {
	ok, err := s.hasTable(ctx, tx, "user")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("target database %s: no table %suser: is the table prefix %q right? (it is $CFG->prefix in Moodle's config.php)", s.desc, s.prefix, s.prefix)
	}
	return nil
}

// Site reads the site identity: siteidentifier and mnet_localhost_id from
// config, the local wwwroot from mnet_host, and the duplicate-admin
// setting from config_plugins.
func (s *dbSource) Site(ctx context.Context) (Site, error) {
	site := Site{MNetHosts: map[string]int64{}}
	err := s.readOnly(ctx, func(tx *sql.Tx) error {
		if err := s.needUserTable(ctx, tx); err != nil {
			return err
		}
		if ok, err := s.hasTable(ctx, tx, "config"); err != nil {
			return err
		} else if ok {
			rows, err := tx.QueryContext(ctx, "SELECT name, value FROM "+s.prefix+"config WHERE name IN ('siteidentifier', 'mnet_localhost_id', 'forcedifferentsitecheckingusersonrestore')")
			if err != nil {
				return s.fail("read "+s.prefix+"config", err)
			}
			for rows.Next() {
				var name string
				var value sql.NullString
				if err := rows.Scan(&name, &value); err != nil {
					rows.Close()
					return s.fail("read "+s.prefix+"config", err)
				}
				switch name {
				case "siteidentifier":
					site.SiteIdentifier = value.String
				case "mnet_localhost_id":
					site.MNetLocalhostID, _ = strconv.ParseInt(strings.TrimSpace(value.String), 10, 64)
				case "forcedifferentsitecheckingusersonrestore":
					site.ForceDifferentSite = value.String != "" && value.String != "0"
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return s.fail("read "+s.prefix+"config", err)
			}
		}
		if ok, err := s.hasTable(ctx, tx, "mnet_host"); err != nil {
			return err
		} else if ok {
			rows, err := tx.QueryContext(ctx, "SELECT id, wwwroot FROM "+s.prefix+"mnet_host ORDER BY id")
			if err != nil {
				return s.fail("read "+s.prefix+"mnet_host", err)
			}
			for rows.Next() {
				var id int64
				var www sql.NullString
				if err := rows.Scan(&id, &www); err != nil {
					rows.Close()
					return s.fail("read "+s.prefix+"mnet_host", err)
				}
				if _, dup := site.MNetHosts[www.String]; !dup {
					site.MNetHosts[www.String] = id
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return s.fail("read "+s.prefix+"mnet_host", err)
			}
		}
		if ok, err := s.hasTable(ctx, tx, "config_plugins"); err != nil {
			return err
		} else if ok {
			var v sql.NullString
			err := tx.QueryRowContext(ctx, "SELECT value FROM "+s.prefix+"config_plugins WHERE plugin = 'backup' AND name = 'import_general_duplicate_admin_allowed'").Scan(&v)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return s.fail("read "+s.prefix+"config_plugins", err)
			}
			site.DuplicateAdminAllowed = v.String != "" && v.String != "0"
		}
		return nil
	})
	if err != nil {
		return Site{}, err
	}
	if site.MNetLocalhostID == 0 {
		site.MNetLocalhostID = 1
	}
	site.FoldUsernames = s.flavor == "mysql"
	for www, id := range site.MNetHosts {
		if id == site.MNetLocalhostID {
			site.WWWRoot = www
		}
	}
	return s.o.override(site), nil
}

// userQuery reads the columns restore's checks use, every value as text.
func (s *dbSource) userQuery() string {
	cast := func(c string) string {
		if s.flavor == "postgres" {
			return c + "::text"
		}
		return c
	}
	return "SELECT " + cast("id") + ", username, email, " + cast("firstaccess") + ", " + cast("mnethostid") + ", " +
		cast("deleted") + ", auth FROM " + s.prefix + "user ORDER BY id"
}

// offerRaw parses one row of userQuery's text values and offers it to x.
func offerRaw(x *Index, v [][]byte) error {
	id, ok1 := atoi(v[0])
	first, ok2 := atoi(v[3])
	host, ok3 := atoi(v[4])
	del, ok4 := atoi(v[5])
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return fmt.Errorf("row %q: not a Moodle user table (id, firstaccess, mnethostid and deleted must be integers)", v[0])
	}
	x.scanned++
	if !x.wantsRaw(id, v[1], v[2], first, del != 0) {
		return nil
	}
	x.add(TargetUser{ID: id, Username: string(v[1]), Email: string(v[2]), FirstAccess: first,
		MNetHostID: host, Deleted: del != 0, Auth: string(v[6])})
	return nil
}

// Scan streams the user table once.
func (s *dbSource) Scan(ctx context.Context, x *Index) error {
	if s.flavor == "postgres" {
		return s.scanPG(ctx, x)
	}
	return s.readOnly(ctx, func(tx *sql.Tx) error {
		if err := s.needUserTable(ctx, tx); err != nil {
			return err
		}
		table := s.prefix + "user"
		rows, err := tx.QueryContext(ctx, s.userQuery())
		if err != nil {
			return s.fail("read "+table, err)
		}
		defer rows.Close()
		// RawBytes: the driver's buffers, no copy for the rows rejected.
		raw := make([]sql.RawBytes, 7)
		dest := make([]any, 7)
		vals := make([][]byte, 7)
		for i := range raw {
			dest[i] = &raw[i]
		}
		for n := 0; rows.Next(); n++ {
			if n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if err := rows.Scan(dest...); err != nil {
				return s.fail("read "+table, err)
			}
			for i := range raw {
				vals[i] = raw[i]
			}
			if err := offerRaw(x, vals); err != nil {
				return s.fail("read "+table, err)
			}
		}
		if err := rows.Err(); err != nil {
			return s.fail("read "+table, err)
		}
		return nil
	})
}

// scanPG streams the user table through pgx itself, reading each row's raw
// text values: a million rows cost no allocation but for the rows kept.
func (s *dbSource) scanPG(ctx context.Context, x *Index) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.fail("connect", err)
	}
	defer conn.Close()
	if err := s.readOnlyConn(ctx, conn); err != nil {
		return err
	}
	table := s.prefix + "user"
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			return s.fail("begin a read-only transaction", err)
		}
		defer tx.Rollback(context.Background())
		rows, err := tx.Query(ctx, s.userQuery(), pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			return s.fail("read "+table, err)
		}
		defer rows.Close()
		for n := 0; rows.Next(); n++ {
			if n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if err := offerRaw(x, rows.RawValues()); err != nil {
				return s.fail("read "+table, err)
			}
		}
		if err := rows.Err(); err != nil {
			return s.fail("read "+table, err)
		}
		return nil
	})
}

// readOnlyConn checks, in a read-only transaction on conn, that the user
// table exists.
func (s *dbSource) readOnlyConn(ctx context.Context, conn *sql.Conn) error {
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return s.fail("begin a read-only transaction", err)
	}
	defer tx.Rollback()
	return s.needUserTable(ctx, tx)
}
