package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// DB is a store.Store over database/sql.
type DB struct {
	pool    *sql.DB // queries outside transactions
	writer  *sql.DB // transactions; may be pool itself
	dialect Dialect
}

// New returns a store over pool, running transactions on writer. SQLite
// passes a single-connection writer so that transactions queue in Go rather
// than fail with "database is locked"; PostgreSQL passes the same pool twice.
func New(pool, writer *sql.DB, d Dialect) *DB {
	return &DB{pool: pool, writer: writer, dialect: d}
}

var _ store.Store = (*DB)(nil)

// Backend implements store.Store.
func (db *DB) Backend() string { return db.dialect.Name() }

// Ping implements store.Store.
func (db *DB) Ping(ctx context.Context) error { return db.pool.PingContext(ctx) }

// Close implements store.Store.
func (db *DB) Close() error {
	err := db.pool.Close()
	if db.writer != db.pool {
		err = errors.Join(err, db.writer.Close())
	}
	return err
}

// Pool returns the underlying pool, for adapters' own maintenance.
func (db *DB) Pool() *sql.DB { return db.pool }

func (db *DB) queries(ex execer) queries { return queries{ex: ex, d: db.dialect} }

// Org implements store.Queries.
func (db *DB) Org(orgID string) store.OrgStore { return db.queries(db.pool).Org(orgID) }

// Directory implements store.Queries.
func (db *DB) Directory() store.Directory { return db.queries(db.pool).Directory() }

// Public implements store.Queries.
func (db *DB) Public() store.Public { return db.queries(db.pool).Public() }

// Tx implements store.Store.
func (db *DB) Tx(ctx context.Context, fn func(store.Queries) error) (err error) {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "the database is unavailable")
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		if cerr := tx.Commit(); cerr != nil {
			err = translate(db.dialect, cerr)
		}
	}()
	return fn(db.queries(tx))
}

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// queries runs SQL on a pool or a transaction.
type queries struct {
	ex execer
	d  Dialect
}

// Org implements store.Queries.
func (q queries) Org(orgID string) store.OrgStore { return &orgStore{q: q, org: orgID} }

// Directory implements store.Queries.
func (q queries) Directory() store.Directory { return &directory{q: q} }

// Public implements store.Queries.
func (q queries) Public() store.Public { return &public{q: q} }

func (q queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := q.ex.ExecContext(ctx, rebind(q.d, query), args...)
	return res, translate(q.d, err)
}

func (q queries) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.ex.QueryContext(ctx, rebind(q.d, query), args...)
	return rows, translate(q.d, err)
}

func (q queries) row(ctx context.Context, query string, args ...any) *sql.Row {
	return q.ex.QueryRowContext(ctx, rebind(q.d, query), args...)
}

// t converts a time into a query argument.
func (q queries) t(t time.Time) any { return q.d.Time(t.UTC().Truncate(time.Microsecond)) }

// tp converts an optional time.
func (q queries) tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return q.t(*t)
}

// affected returns notFound when res changed no row.
func affected(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// scanErr turns sql.ErrNoRows into notFound.
func scanErr(err, notFound error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound
	}
	return err
}

func (q queries) collect(rows *sql.Rows, scan func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
