package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// directory is store.Directory.
type directory struct{ q queries }

var _ store.Directory = (*directory)(nil)

func (d *directory) CreateOrganisation(ctx context.Context, o *access.Organisation) error {
	_, err := d.q.exec(ctx, `INSERT INTO organisations (`+orgColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Slug, o.Name, string(o.Kind), o.Website, o.Contact, d.q.t(o.CreatedAt))
	return conflictAs(err, errs.E(errs.Conflict, "an organisation with slug %q already exists", o.Slug).WithCode("organisation_exists"))
}

func (d *directory) Organisation(ctx context.Context, key string) (access.Organisation, error) {
	o, err := scanOrg(d.q.row(ctx, `SELECT `+orgColumns+` FROM organisations WHERE slug = ? OR id = ?`, key, key))
	return o, scanErr(err, errOrgNotFound)
}

func (d *directory) Organisations(ctx context.Context, pg store.Page) (store.List[access.Organisation], error) {
	return list(ctx, d.q, listSpec[access.Organisation]{
		from: `SELECT ` + orgColumns + ` FROM organisations`, key: "slug", id: "id", scan: scanner(scanOrg),
		cursor: func(o access.Organisation) store.Cursor { return store.Cursor{Key: o.Slug, ID: o.ID} },
	}, pg)
}

const userColumns = `id, email, name, site_admin, password_hash, created_at, disabled_at`

func scanUser(sc interface{ Scan(...any) error }) (access.User, error) {
	var u access.User
	var created, disabled timeCol
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.SiteAdmin, &u.PasswordHash, &created, &disabled)
	u.CreatedAt, u.DisabledAt = created.T, disabled.ptr()
	return u, err
}

var errUserNotFound = errs.E(errs.NotFound, "user not found").WithCode("user_not_found")

func (d *directory) CreateUser(ctx context.Context, u *access.User) error {
	_, err := d.q.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, u.SiteAdmin, u.PasswordHash, d.q.t(u.CreatedAt), d.q.tp(u.DisabledAt))
	return conflictAs(err, errs.E(errs.Conflict, "a user with email %q already exists", u.Email).WithCode("user_exists"))
}

func (d *directory) UserByID(ctx context.Context, id string) (access.User, error) {
	u, err := scanUser(d.q.row(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, scanErr(err, errUserNotFound)
}

func (d *directory) UserByEmail(ctx context.Context, email string) (access.User, error) {
	u, err := scanUser(d.q.row(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, access.NormalizeEmail(email)))
	return u, scanErr(err, errUserNotFound)
}

func (d *directory) Users(ctx context.Context, pg store.Page) (store.List[access.User], error) {
	return list(ctx, d.q, listSpec[access.User]{
		from: `SELECT ` + userColumns + ` FROM users`, key: "email", id: "id", scan: scanner(scanUser),
		cursor: func(u access.User) store.Cursor { return store.Cursor{Key: u.Email, ID: u.ID} },
	}, pg)
}

func (d *directory) UpdateUser(ctx context.Context, u access.User) error {
	res, err := d.q.exec(ctx, `UPDATE users SET name = ?, site_admin = ?, password_hash = ?, disabled_at = ? WHERE id = ?`,
		u.Name, u.SiteAdmin, u.PasswordHash, d.q.tp(u.DisabledAt), u.ID)
	if err != nil {
		return err
	}
	return affected(res, errUserNotFound)
}

func (d *directory) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := d.q.row(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

func (d *directory) Memberships(ctx context.Context, userID string) ([]access.Member, error) {
	rows, err := d.q.query(ctx, memberQuery+` WHERE m.user_id = ? ORDER BY o.name`, userID)
	if err != nil {
		return nil, err
	}
	var out []access.Member
	return out, d.q.collect(rows, func(r *sql.Rows) error {
		m, err := scanMember(r)
		out = append(out, m)
		return err
	})
}

func (d *directory) Token(ctx context.Context, id string) (access.Token, error) {
	t, err := scanToken(d.q.row(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = ?`, id))
	return t, scanErr(err, errTokenNotFound)
}

func (d *directory) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := d.q.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, d.q.t(at), id)
	return err
}

var errSessionNotFound = errs.E(errs.Unauthenticated, "session expired; log in again").WithCode("session_expired")

func (d *directory) CreateSession(ctx context.Context, s access.Session) error {
	_, err := d.q.exec(ctx, `INSERT INTO sessions (id_hash, user_id, org_id, csrf_key, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.IDHash, s.UserID, s.OrgID, s.CSRFKey, d.q.t(s.CreatedAt), d.q.t(s.LastSeenAt))
	return err
}

func (d *directory) Session(ctx context.Context, idHash []byte) (access.Session, error) {
	var s access.Session
	var created, seen timeCol
	err := d.q.row(ctx, `SELECT id_hash, user_id, org_id, csrf_key, created_at, last_seen_at FROM sessions WHERE id_hash = ?`, idHash).
		Scan(&s.IDHash, &s.UserID, &s.OrgID, &s.CSRFKey, &created, &seen)
	s.CreatedAt, s.LastSeenAt = created.T, seen.T
	return s, scanErr(err, errSessionNotFound)
}

func (d *directory) TouchSession(ctx context.Context, idHash []byte, orgID string, at time.Time) error {
	var err error
	if orgID != "" {
		_, err = d.q.exec(ctx, `UPDATE sessions SET last_seen_at = ?, org_id = ? WHERE id_hash = ?`, d.q.t(at), orgID, idHash)
	} else {
		_, err = d.q.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, d.q.t(at), idHash)
	}
	return err
}

func (d *directory) DeleteSession(ctx context.Context, idHash []byte) error {
	_, err := d.q.exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash)
	return err
}

func (d *directory) DeleteUserSessions(ctx context.Context, userID string) error {
	_, err := d.q.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

func (d *directory) DeleteSessionsBefore(ctx context.Context, lastSeen, created time.Time) (int, error) {
	res, err := d.q.exec(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`, d.q.t(lastSeen), d.q.t(created))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (d *directory) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := d.q.row(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, scanErr(err, errs.E(errs.NotFound, "setting %q not set", key))
}

func (d *directory) PutSetting(ctx context.Context, key, value string) error {
	_, err := d.q.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (d *directory) DeleteSetting(ctx context.Context, key string) error {
	_, err := d.q.exec(ctx, `DELETE FROM settings WHERE key = ?`, key)
	return err
}

func (d *directory) AppendSiteAudit(ctx context.Context, e *audit.Event) error {
	return d.q.appendAudit(ctx, "", e)
}

func (d *directory) SiteAudit(ctx context.Context, f audit.Filter, pg store.Page) (store.List[audit.Event], error) {
	return d.q.listAudit(ctx, "", f, pg)
}
