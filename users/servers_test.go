package users

// Real database servers for the integration tests: each test starts its own
// PostgreSQL or MariaDB in a temporary folder, listening on 127.0.0.1 only,
// and tears it down afterwards. When the server binaries are absent the
// tests skip and say how to install them (scripts/ci-deps.sh).

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// server is a running test database.
type server struct {
	flavor   string // postgres or mysql
	port     int
	admin    *sql.DB // superuser connection to the moodle database (for setup)
	readerPW string  // password of the read-only role "reader"
}

// URL returns the URL of the moodle database for the read-only role,
// without the password (it is given through the environment).
func (s *server) URL() string {
	if s.flavor == "postgres" {
		return fmt.Sprintf("postgres://reader@127.0.0.1:%d/moodle?sslmode=disable", s.port)
	}
	return fmt.Sprintf("mysql://reader@127.0.0.1:%d/moodle", s.port)
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// runAs prepares cmd to run as the given system user when we are root (the
// servers refuse to run as root).
func runAs(cmd *exec.Cmd, u *user.User) {
	if u == nil {
		return
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	cmd.Env = append(os.Environ(), "HOME="+os.TempDir())
}

// serverDir makes a temporary folder owned by the server's user.
func serverDir(t testing.TB, u *user.User) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "moodlemig-db-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if u != nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// systemUser returns the account to run a server as when we are root.
func systemUser(t testing.TB, name string) *user.User {
	t.Helper()
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Skipf("running as root and there is no %q account to run the server as (install the Debian package: scripts/ci-deps.sh)", name)
	}
	return u
}

func findPGBin(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("MOODLEMIG_PG_BIN"); dir != "" {
		return dir
	}
	ms, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Strings(ms)
	if len(ms) > 0 {
		return filepath.Dir(ms[len(ms)-1])
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	t.Skip("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package (scripts/ci-deps.sh) or set MOODLEMIG_PG_BIN")
	return ""
}

func run1(t testing.TB, u *user.User, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	runAs(cmd, u)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// startPostgres runs a fresh PostgreSQL cluster on a loopback port with
// password authentication, a database "moodle" and a role "reader" that
// can only SELECT.
func startPostgres(t testing.TB) *server {
	t.Helper()
	bin := findPGBin(t)
	u := systemUser(t, "postgres")
	dir := serverDir(t, u)
	data := filepath.Join(dir, "data")
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("admin-secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run1(t, u, filepath.Join(bin, "initdb"), "-D", data, "-U", "admin", "--pwfile", pw, "--auth", "scram-sha-256", "-E", "UTF8", "--no-sync")
	port := freePort(t)
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off", port, dir)
	run1(t, u, filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "-t", "60", "start")
	t.Cleanup(func() {
		cmd := exec.Command(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		runAs(cmd, u)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	root, err := sql.Open("pgx", fmt.Sprintf("postgres://admin:admin-secret@127.0.0.1:%d/postgres?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, q := range []string{"CREATE DATABASE moodle", "CREATE ROLE reader LOGIN PASSWORD 'reader-s3cret!'"} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	admin, err := sql.Open("pgx", fmt.Sprintf("postgres://admin:admin-secret@127.0.0.1:%d/moodle?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.Exec("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader"); err != nil {
		t.Fatal(err)
	}
	return &server{flavor: "postgres", port: port, admin: admin, readerPW: "reader-s3cret!"}
}

// startMariaDB runs a fresh MariaDB on a loopback port, with a database
// "moodle" and a user "reader" that can only SELECT.
func startMariaDB(t testing.TB) *server {
	t.Helper()
	daemon, err := exec.LookPath("mariadbd")
	if err != nil {
		if daemon, err = exec.LookPath("/usr/sbin/mariadbd"); err != nil {
			t.Skip("MariaDB server binaries (mariadbd, mariadb-install-db) not found: install Debian's mariadb-server package (scripts/ci-deps.sh)")
		}
	}
	install, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		t.Skip("mariadb-install-db not found: install Debian's mariadb-server package (scripts/ci-deps.sh)")
	}
	u := systemUser(t, "mysql")
	dir := serverDir(t, u)
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if u != nil {
		args = append(args, "--user="+u.Username)
	}
	cmd := exec.Command(install, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("MariaDB cannot be set up here (mariadb-install-db: %v): %s", err, lastLines(out))
	}
	port := freePort(t)
	sock := filepath.Join(dir, "sock")
	dargs := []string{"--no-defaults", "--datadir=" + data, "--socket=" + sock, fmt.Sprintf("--port=%d", port),
		"--bind-address=127.0.0.1", "--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M",
		"--log-error=" + filepath.Join(dir, "err.log"), "--pid-file=" + filepath.Join(dir, "pid")}
	if u != nil {
		dargs = append(dargs, "--user="+u.Username)
	}
	d := exec.Command(daemon, dargs...)
	if err := d.Start(); err != nil {
		t.Skipf("MariaDB cannot start here: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Wait() }()
	t.Cleanup(func() {
		d.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			d.Process.Kill()
			<-done
		}
	})
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "tcp", fmt.Sprintf("127.0.0.1:%d", port)
	root, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		if err = root.PingContext(ctx); err == nil {
			break
		}
		select {
		case e := <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "err.log"))
			t.Skipf("MariaDB exited at start (%v): %s", e, lastLines(log))
		case <-ctx.Done():
			t.Fatalf("MariaDB did not answer within 60s: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	for _, q := range []string{
		"CREATE DATABASE moodle CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
		"CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY 'reader-s3cret!'",
		"GRANT SELECT ON moodle.* TO 'reader'@'127.0.0.1'",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cfg.DBName = "moodle"
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	return &server{flavor: "mysql", port: port, admin: admin, readerPW: "reader-s3cret!"}
}

func lastLines(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// createMoodleTables creates Moodle-shaped user, config, config_plugins and
// mnet_host tables with the given prefix and loads them.
func (s *server) createMoodleTables(t testing.TB, prefix string, site Site, rows []TargetUser) {
	t.Helper()
	serial := "BIGSERIAL PRIMARY KEY"
	if s.flavor == "mysql" {
		serial = "BIGINT AUTO_INCREMENT PRIMARY KEY"
	}
	ddl := []string{
		`CREATE TABLE ` + prefix + `user (
			id ` + serial + `,
			auth VARCHAR(20) NOT NULL DEFAULT 'manual',
			confirmed SMALLINT NOT NULL DEFAULT 0,
			policyagreed SMALLINT NOT NULL DEFAULT 0,
			deleted SMALLINT NOT NULL DEFAULT 0,
			suspended SMALLINT NOT NULL DEFAULT 0,
			mnethostid BIGINT NOT NULL DEFAULT 0,
			username VARCHAR(100) NOT NULL DEFAULT '',
			password VARCHAR(255) NOT NULL DEFAULT '',
			idnumber VARCHAR(255) NOT NULL DEFAULT '',
			firstname VARCHAR(100) NOT NULL DEFAULT '',
			lastname VARCHAR(100) NOT NULL DEFAULT '',
			email VARCHAR(100) NOT NULL DEFAULT '',
			firstaccess BIGINT NOT NULL DEFAULT 0,
			lastaccess BIGINT NOT NULL DEFAULT 0,
			timecreated BIGINT NOT NULL DEFAULT 0,
			timemodified BIGINT NOT NULL DEFAULT 0,
			UNIQUE (mnethostid, username)
		)`,
		`CREATE TABLE ` + prefix + `config (id ` + serial + `, name VARCHAR(255) NOT NULL UNIQUE, value TEXT NOT NULL)`,
		`CREATE TABLE ` + prefix + `config_plugins (id ` + serial + `, plugin VARCHAR(100) NOT NULL, name VARCHAR(100) NOT NULL, value TEXT NOT NULL)`,
		`CREATE TABLE ` + prefix + `mnet_host (id ` + serial + `, deleted SMALLINT NOT NULL DEFAULT 0, wwwroot VARCHAR(255) NOT NULL DEFAULT '', name VARCHAR(80) NOT NULL DEFAULT '')`,
	}
	for _, q := range ddl {
		if _, err := s.admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ph := func(n int) string {
		if s.flavor == "mysql" {
			return "?"
		}
		return "$" + strconv.Itoa(n)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.admin.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("INSERT INTO "+prefix+"config (name, value) VALUES ('siteidentifier', "+ph(1)+"), ('mnet_localhost_id', "+ph(2)+"), ('version', '2024100700')",
		site.SiteIdentifier, strconv.FormatInt(site.MNetLocalhostID, 10))
	if site.ForceDifferentSite {
		exec("INSERT INTO " + prefix + "config (name, value) VALUES ('forcedifferentsitecheckingusersonrestore', '1')")
	}
	dup := "0"
	if site.DuplicateAdminAllowed {
		dup = "1"
	}
	exec("INSERT INTO "+prefix+"config_plugins (plugin, name, value) VALUES ('backup', 'import_general_duplicate_admin_allowed', "+ph(1)+")", dup)
	hosts := make([]string, 0, len(site.MNetHosts))
	for w := range site.MNetHosts {
		hosts = append(hosts, w)
	}
	sort.Strings(hosts)
	for _, w := range hosts {
		exec("INSERT INTO "+prefix+"mnet_host (id, wwwroot, name) VALUES ("+ph(1)+", "+ph(2)+", 'h')", site.MNetHosts[w], w)
	}
	tx, err := s.admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare("INSERT INTO " + prefix + "user (id, auth, deleted, mnethostid, username, email, firstaccess) VALUES (" +
		ph(1) + ", " + ph(2) + ", " + ph(3) + ", " + ph(4) + ", " + ph(5) + ", " + ph(6) + ", " + ph(7) + ")")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		del := 0
		if r.Deleted {
			del = 1
		}
		auth := r.Auth
		if auth == "" {
			auth = "manual"
		}
		if _, err := stmt.Exec(r.ID, auth, del, r.MNetHostID, r.Username, r.Email, r.FirstAccess); err != nil {
			t.Fatalf("insert %+v: %v", r, err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
