// Package pgtest gives tests a real PostgreSQL: the one named by
// $BYOOS_TEST_POSTGRES_DSN, or else a throwaway cluster it creates with the
// machine's initdb and pg_ctl in a temporary directory, listening on a free
// loopback port (and a unix socket in that directory), with fsync off. Each
// test gets its own database (CREATE DATABASE t_<random>), dropped after it.
//
// PostgreSQL refuses to run as root; as root, pgtest runs initdb and pg_ctl
// as the system user byoos-pg (created with useradd if missing) through
// runuser.
//
// Where no PostgreSQL binaries are found, tests are skipped with a message,
// except when $CI is set: there they fail, so that CI never passes by
// skipping the database tests.
//
// Typical use, one server for a package's tests:
//
//	var pg *pgtest.Server
//
//	func TestMain(m *testing.M) {
//		pg = pgtest.NewServer()
//		code := m.Run()
//		pg.Stop()
//		os.Exit(code)
//	}
//
//	func TestSomething(t *testing.T) {
//		dsn := pg.Database(t)
//		…
//	}
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the DSN of an existing
// server to use instead of starting one. Its user must be allowed to create
// databases.
const EnvDSN = "BYOOS_TEST_POSTGRES_DSN"

// SystemUser is the unprivileged user the server runs as when tests run as root.
const SystemUser = "byoos-pg"

// ErrUnavailable is returned (wrapped) by StartServer when no PostgreSQL
// server binaries are installed.
var ErrUnavailable = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found")

// StartServer returns the DSN of a server's maintenance database
// ("postgres") and a function that stops the server and removes its files.
// With $BYOOS_TEST_POSTGRES_DSN set it returns that and a stop that does
// nothing. stop is never nil, even with an error.
func StartServer() (dsn string, stop func(), err error) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return dsn, func() {}, nil
	}
	c, err := NewCluster()
	if err != nil {
		return "", func() {}, err
	}
	return c.DSN(), c.Remove, nil
}

// Cluster is a throwaway PostgreSQL cluster of this package's making, which
// a test may stop and start again on the same data directory and port, to
// see how a client lives through an outage of its database.
type Cluster struct {
	bin, dir, data, logFile, opts string
	port                          int
	run                           func(name string, args ...string) ([]byte, error)
}

// NewCluster creates a cluster with initdb in a new temporary directory and
// starts it on a free loopback port (and a unix socket in that directory),
// with fsync off. Remove stops it and removes its files.
func NewCluster() (*Cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "byoos-pg-*")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	c := &Cluster{bin: bin, dir: dir, data: filepath.Join(dir, "data"), logFile: filepath.Join(dir, "postgres.log")}
	if c.run, err = runner(dir); err != nil {
		c.removeFiles()
		return nil, err
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		c.removeFiles()
		return nil, fmt.Errorf("pgtest: initdb: %w\n%s", err, out)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if c.port, err = freePort(); err != nil {
			c.removeFiles()
			return nil, err
		}
		c.opts = fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
			c.port, dir)
		if lastErr = c.Start(); lastErr == nil {
			return c, nil
		}
		// Most likely the port was taken meanwhile: try another.
	}
	c.removeFiles()
	return nil, lastErr
}

// StartCluster starts a cluster for t alone, removed when t ends, even with
// $BYOOS_TEST_POSTGRES_DSN set (a test that stops its server needs one of its
// own). Without PostgreSQL binaries it skips t, or fails it under $CI.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	c, err := NewCluster()
	if err != nil {
		SkipOrFail(t, err)
	}
	t.Cleanup(c.Remove)
	return c
}

// DSN returns the URL of the cluster's maintenance database ("postgres").
func (c *Cluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the stopped cluster again, on its data directory and port,
// and returns once it accepts connections.
func (c *Cluster) Start() error {
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-l", c.logFile, "-w", "-t", "60", "-o", c.opts, "start")
	if err != nil {
		log, _ := os.ReadFile(c.logFile)
		return fmt.Errorf("pgtest: pg_ctl start: %w\n%s\n%s", err, out, log)
	}
	return nil
}

// Stop stops the cluster as an administrator would for maintenance
// (pg_ctl stop -m fast: open connections are closed, transactions in
// progress rolled back) and returns once it is down.
func (c *Cluster) Stop() error {
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-m", "fast", "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("pgtest: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// Remove stops the cluster at once, if it runs, and removes its files.
func (c *Cluster) Remove() {
	_, _ = c.run(filepath.Join(c.bin, "pg_ctl"), "-D", c.data, "-m", "immediate", "-w", "stop")
	c.removeFiles()
}

func (c *Cluster) removeFiles() { _ = os.RemoveAll(c.dir) }

// findBinaries returns the directory holding initdb and pg_ctl: that of
// initdb on $PATH, or else the newest /usr/lib/postgresql/*/bin.
func findBinaries() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(real))
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return versionOf(found[i]) > versionOf(found[j]) })
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("pgtest: %w on $PATH or in /usr/lib/postgresql/*/bin (install Debian's postgresql package, or set %s)", ErrUnavailable, EnvDSN)
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// runner returns how to run the server's commands: directly, or as root via
// runuser as SystemUser, having given dir to that user.
func runner(dir string) (func(name string, args ...string) ([]byte, error), error) {
	direct := func(name string, args ...string) ([]byte, error) {
		return exec.Command(name, args...).CombinedOutput()
	}
	if os.Geteuid() != 0 {
		return direct, nil
	}
	u, err := user.Lookup(SystemUser)
	if err != nil {
		if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SystemUser).CombinedOutput(); err != nil {
			// Another test binary may have created it meanwhile.
			if u, err2 := user.Lookup(SystemUser); err2 == nil {
				return asUser(u, dir)
			}
			return nil, fmt.Errorf("pgtest: useradd %s: %w\n%s", SystemUser, err, out)
		}
		if u, err = user.Lookup(SystemUser); err != nil {
			return nil, fmt.Errorf("pgtest: %w", err)
		}
	}
	return asUser(u, dir)
}

func asUser(u *user.User, dir string) (func(name string, args ...string) ([]byte, error), error) {
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("pgtest: user %s: %w", u.Username, err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	run := func(name string, args ...string) ([]byte, error) {
		cmd := exec.Command("runuser", append([]string{"-u", u.Username, "--", name}, args...)...)
		cmd.Dir = dir // the user may not be allowed into the current directory
		return cmd.CombinedOutput()
	}
	if out, err := run("test", "-w", dir); err != nil {
		return nil, fmt.Errorf("pgtest: %s cannot write %s (is a parent directory closed to others? set TMPDIR): %w\n%s", u.Username, dir, err, out)
	}
	return run, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Server is a server shared by a package's tests, for TestMain.
type Server struct {
	dsn  string
	stop func()
	err  error
}

// NewServer starts a server with StartServer. It never fails: a failure is
// reported by Database, to each test.
func NewServer() *Server {
	dsn, stop, err := StartServer()
	return &Server{dsn: dsn, stop: stop, err: err}
}

// Stop stops the server and removes its files.
func (s *Server) Stop() { s.stop() }

// Database creates a fresh database for t, dropped when t ends, and returns
// its DSN. Without PostgreSQL binaries it skips t, or fails it under $CI; if
// the server did not start it fails t.
func (s *Server) Database(t testing.TB) string {
	t.Helper()
	if s.err != nil {
		SkipOrFail(t, s.err)
	}
	return CreateDatabase(t, s.dsn)
}

// Start starts a server for t alone (stopped when t ends) and returns the
// DSN of a fresh database on it. Prefer one Server per package (NewServer in
// TestMain): starting a cluster takes a second or two.
func Start(t testing.TB) string {
	t.Helper()
	dsn, stop, err := StartServer()
	t.Cleanup(stop)
	if err != nil {
		SkipOrFail(t, err)
	}
	return CreateDatabase(t, dsn)
}

// SkipOrFail ends t for a server that could not be had: a skip when the
// binaries are missing outside CI, a failure otherwise.
func SkipOrFail(t testing.TB, err error) {
	t.Helper()
	if errors.Is(err, ErrUnavailable) && os.Getenv("CI") == "" {
		t.Skipf("skipping PostgreSQL test: %v", err)
	}
	t.Fatalf("PostgreSQL test server: %v", err)
}

// CreateDatabase creates a database t_<random> on the server of serverDSN,
// drops it (forcibly, closing leftover connections) when t ends, and returns
// its DSN.
func CreateDatabase(t testing.TB, serverDSN string) string {
	t.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "t_" + hex.EncodeToString(b[:])
	if err := adminExec(serverDSN, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(serverDSN, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	dsn, err := WithDatabase(serverDSN, name)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// WithDatabase returns dsn naming database name instead.
func WithDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse DSN: %w", err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	return strings.TrimSpace(dsn) + " dbname=" + name, nil // the last dbname wins
}

func adminExec(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}
