// Package pgtest starts a throwaway PostgreSQL server for tests, from the
// PostgreSQL binaries installed on the machine, and hands each test a fresh
// database on it.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and call pgtest.DSN(t) in a test. When LIFELINE_TEST_POSTGRES holds a
// connection URL, that server is used instead. When no server can be had the
// tests skip with a loud message, unless LIFELINE_REQUIRE_POSTGRES=1 (set by
// CI), in which case they fail.
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx database/sql driver
)

var (
	once     sync.Once
	srv      *server
	startErr error
	dbSeq    atomic.Int64
)

type server struct {
	adminDSN string // connects to the postgres database as a superuser
	baseDSN  func(db string) string
	dataDir  string // empty when the server is not ours
	binDir   string
	asUser   string // run commands as this user when we are root
}

// Main runs the tests and stops the server afterwards.
func Main(m *testing.M) int {
	code := m.Run()
	if srv != nil && srv.dataDir != "" {
		srv.stop()
	}
	return code
}

// Required reports whether tests must fail, not skip, without PostgreSQL.
func Required() bool { return os.Getenv("LIFELINE_REQUIRE_POSTGRES") == "1" }

// DSN returns the URL of a new, empty database for the calling test.
func DSN(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { srv, startErr = start() })
	if startErr != nil {
		if Required() {
			tb.Fatalf("pgtest: PostgreSQL is required (LIFELINE_REQUIRE_POSTGRES=1) but could not start: %v", startErr)
		}
		tb.Skipf("\n*** SKIPPING PostgreSQL tests: %v\n*** Install PostgreSQL (Debian: apt-get install postgresql) or set LIFELINE_TEST_POSTGRES=postgres://… ***", startErr)
	}
	name := fmt.Sprintf("lifeline_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	admin, err := sql.Open("pgx", srv.adminDSN)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", srv.adminDSN)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return srv.baseDSN(name)
}

func start() (*server, error) {
	if url := os.Getenv("LIFELINE_TEST_POSTGRES"); url != "" {
		s := &server{adminDSN: url}
		s.baseDSN = func(db string) string { return replaceDatabase(url, db) }
		return s, nil
	}
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	s := &server{binDir: bin}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root; run it as the postgres user.
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root and there is no postgres user to run the server as")
		}
		s.asUser = "postgres"
	}
	dir, err := os.MkdirTemp("", "lifeline-pgtest-")
	if err != nil {
		return nil, err
	}
	s.dataDir = filepath.Join(dir, "data")
	if s.asUser != "" {
		if err := exec.Command("chown", "-R", s.asUser, dir).Run(); err != nil {
			return nil, fmt.Errorf("chown %s: %w", dir, err)
		}
	}
	if out, err := s.run("initdb", "-D", s.dataDir, "-U", "postgres", "-A", "trust", "--encoding=UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if out, err := s.run("pg_ctl", "-D", s.dataDir, "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start"); err != nil {
		return nil, fmt.Errorf("pg_ctl start: %v\n%s", err, out)
	}
	s.baseDSN = func(db string) string {
		return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, db)
	}
	s.adminDSN = s.baseDSN("postgres")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", s.adminDSN)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		s.stop()
		return nil, fmt.Errorf("server started but does not answer: %w", err)
	}
	return s, nil
}

func (s *server) run(name string, args ...string) ([]byte, error) {
	path := filepath.Join(s.binDir, name)
	var cmd *exec.Cmd
	if s.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func (s *server) stop() {
	_, _ = s.run("pg_ctl", "-D", s.dataDir, "-m", "immediate", "-w", "stop")
	_ = os.RemoveAll(filepath.Dir(s.dataDir))
}

// findBinDir finds the directory with initdb and pg_ctl.
func findBinDir() (string, error) {
	if dir := os.Getenv("LIFELINE_PG_BINDIR"); dir != "" {
		return dir, nil
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	best, bestVer := "", -1
	for _, m := range matches {
		v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(m))))
		if v > bestVer {
			best, bestVer = filepath.Dir(m), v
		}
	}
	if best == "" {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", fmt.Errorf("no PostgreSQL server binaries found (looked for pg_config, /usr/lib/postgresql/*/bin/initdb and initdb on PATH)")
	}
	return best, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// replaceDatabase swaps the database name in a postgres:// URL.
func replaceDatabase(url, db string) string {
	rest, query, _ := strings.Cut(url, "?")
	i := strings.LastIndex(rest, "/")
	if i < len("postgres://") {
		rest += "/" + db
	} else {
		rest = rest[:i+1] + db
	}
	if query != "" {
		return rest + "?" + query
	}
	return rest
}
