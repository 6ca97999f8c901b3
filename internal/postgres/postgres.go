// Package postgres is the PostgreSQL storage adapter, for running Lifeline
// at scale with several stateless servers sharing one database. It uses pgx
// through database/sql, applies its migrations on open under an advisory
// lock (so servers starting together take turns), and hands queries to
// package sqlstore.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/lifeline-iot/lifeline/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is taken inside each migration transaction. The number is
// arbitrary but fixed: "lifeline" on a phone keypad.
const migrationLock = `SELECT pg_advisory_xact_lock(54335463)`

// Options tune the connection pool.
type Options struct {
	MaxConns int // 0: 20
}

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and brings its schema up to date.
func Open(ctx context.Context, dsn string, opt Options) (*sqlstore.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = 20
	}
	db.SetMaxOpenConns(opt.MaxConns)
	db.SetMaxIdleConns(opt.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: cannot connect: %w", err)
	}
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err == nil {
		_, err = sqlstore.Migrate(ctx, db, Dialect{}, ms, migrationLock)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return sqlstore.New(db, db, Dialect{}), nil
}

// Dialect is sqlstore.Dialect for PostgreSQL.
type Dialect struct{}

var _ sqlstore.Dialect = Dialect{}

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "postgres" }

// Numbered implements sqlstore.Dialect.
func (Dialect) Numbered() bool { return true }

// Time implements sqlstore.Dialect.
func (Dialect) Time(t time.Time) any { return t.UTC() }

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsUniqueViolation implements sqlstore.Dialect.
func (Dialect) IsUniqueViolation(err error) bool { return pgCode(err) == "23505" }

// IsForeignKeyViolation implements sqlstore.Dialect.
func (Dialect) IsForeignKeyViolation(err error) bool { return pgCode(err) == "23503" }

// RefreshStatistics implements sqlstore.Dialect.
func (Dialect) RefreshStatistics(table string) string { return "ANALYZE " + table }

// TransactionLock implements sqlstore.Dialect with a transaction-scoped
// advisory lock on a hash of the key.
func (Dialect) TransactionLock() string {
	return "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))"
}

// bulkChunk is how many devices one array statement carries.
const bulkChunk = 10_000

// UpsertDevices implements sqlstore.BulkDeviceWriter: each chunk of devices
// goes to the server as one statement over unnest()ed arrays, instead of
// one parameter per column per row.
func (Dialect) UpsertDevices(ctx context.Context, ex sqlstore.Execer, c sqlstore.DeviceColumns) error {
	const stmt = `INSERT INTO devices (id, org_id, product_id, serial, hardware_revision_id, release_id, first_seen, last_seen, created_at, updated_at)
		SELECT u.id, $1, $2, u.serial, u.hw, u.rel, u.first_seen, u.last_seen, $3, $3
		FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[]) AS u(id, serial, hw, rel, first_seen, last_seen)` +
		sqlstore.UpsertDevicesTail
	at := c.At.UTC().Truncate(time.Microsecond)
	for start := 0; start < len(c.ID); start += bulkChunk {
		end := min(start+bulkChunk, len(c.ID))
		if _, err := ex.ExecContext(ctx, stmt, c.OrgID, c.ProductID, at,
			c.ID[start:end], c.Serial[start:end], c.HardwareRevisionID[start:end], c.ReleaseID[start:end],
			utcTimes(c.FirstSeen[start:end]), utcTimes(c.LastSeen[start:end])); err != nil {
			return err
		}
	}
	return nil
}

func utcTimes(ts []*time.Time) []*time.Time {
	out := make([]*time.Time, len(ts))
	for i, t := range ts {
		if t != nil {
			u := t.UTC().Truncate(time.Microsecond)
			out[i] = &u
		}
	}
	return out
}
