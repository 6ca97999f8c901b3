// Package sqlite is the SQLite storage adapter: the embedded database that
// lets one Lifeline binary run with nothing else installed. It uses
// modernc.org/sqlite (pure Go, no cgo) in WAL mode, applies its migrations on
// open, and hands queries to package sqlstore.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/lifeline-iot/lifeline/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	pragmas := url.Values{}
	for _, p := range []string{
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(NORMAL)", // durable at each checkpoint; WAL keeps the file consistent after a crash
		"case_sensitive_like(1)",
		"temp_store(MEMORY)",
	} {
		pragmas.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + pragmas.Encode()
	pool, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	pool.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	pool.SetMaxIdleConns(max(4, runtime.NumCPU()*2))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	// Transactions take the write lock at BEGIN and queue on one connection,
	// so two writers never deadlock upgrading read locks.
	writer, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	if err := migrate(ctx, writer); err != nil {
		pool.Close()
		writer.Close()
		return nil, err
	}
	return sqlstore.New(pool, writer, Dialect{}), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := sqlstore.Migrate(ctx, db, Dialect{}, ms, ""); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	return nil
}

// Dialect is sqlstore.Dialect for SQLite.
type Dialect struct{}

var _ sqlstore.Dialect = Dialect{}

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "sqlite" }

// Numbered implements sqlstore.Dialect.
func (Dialect) Numbered() bool { return false }

// Time implements sqlstore.Dialect: SQLite has no time type, so times are
// stored as fixed-width UTC text.
func (Dialect) Time(t time.Time) any { return t.UTC().Format(sqlstore.TimeText) }

func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// IsUniqueViolation implements sqlstore.Dialect.
func (Dialect) IsUniqueViolation(err error) bool {
	c := code(err)
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// IsForeignKeyViolation implements sqlstore.Dialect.
func (Dialect) IsForeignKeyViolation(err error) bool {
	return code(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// RefreshStatistics implements sqlstore.Dialect. SQLite's planner picks
// the right indexes here without statistics.
func (Dialect) RefreshStatistics(string) string { return "" }

// TransactionLock implements sqlstore.Dialect: SQLite transactions run one
// at a time on the single writer connection, so none is needed.
func (Dialect) TransactionLock() string { return "" }
