package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// orgStore is store.OrgStore for one organisation. Every query it runs
// filters on org, which is fixed when the orgStore is made.
type orgStore struct {
	q   queries
	org string
}

var _ store.OrgStore = (*orgStore)(nil)

const orgColumns = `id, slug, name, kind, website, security_contact, created_at`

func scanOrg(sc interface{ Scan(...any) error }) (access.Organisation, error) {
	var o access.Organisation
	var created timeCol
	err := sc.Scan(&o.ID, &o.Slug, &o.Name, &o.Kind, &o.Website, &o.Contact, &created)
	o.CreatedAt = created.T
	return o, err
}

var errOrgNotFound = errs.E(errs.NotFound, "organisation not found").WithCode("organisation_not_found")

func (s *orgStore) Organisation(ctx context.Context) (access.Organisation, error) {
	o, err := scanOrg(s.q.row(ctx, `SELECT `+orgColumns+` FROM organisations WHERE id = ?`, s.org))
	return o, scanErr(err, errOrgNotFound)
}

func (s *orgStore) UpdateOrganisation(ctx context.Context, o access.Organisation) error {
	res, err := s.q.exec(ctx, `UPDATE organisations SET name = ?, website = ?, security_contact = ? WHERE id = ?`,
		o.Name, o.Website, o.Contact, s.org)
	if err != nil {
		return err
	}
	return affected(res, errOrgNotFound)
}

const memberQuery = `SELECT u.id, u.email, u.name, u.site_admin, u.created_at, u.disabled_at,
	o.id, o.slug, o.name, o.kind, o.website, o.security_contact, o.created_at, m.role
	FROM memberships m JOIN users u ON u.id = m.user_id JOIN organisations o ON o.id = m.org_id`

func scanMember(rows interface{ Scan(...any) error }) (access.Member, error) {
	var m access.Member
	var uCreated, uDisabled, oCreated timeCol
	err := rows.Scan(&m.User.ID, &m.User.Email, &m.User.Name, &m.User.SiteAdmin, &uCreated, &uDisabled,
		&m.Organisation.ID, &m.Organisation.Slug, &m.Organisation.Name, &m.Organisation.Kind, &m.Organisation.Website, &m.Organisation.Contact, &oCreated, &m.Role)
	m.User.CreatedAt, m.User.DisabledAt, m.Organisation.CreatedAt = uCreated.T, uDisabled.ptr(), oCreated.T
	return m, err
}

func (s *orgStore) Members(ctx context.Context) ([]access.Member, error) {
	rows, err := s.q.query(ctx, memberQuery+` WHERE m.org_id = ? ORDER BY u.email`, s.org)
	if err != nil {
		return nil, err
	}
	var out []access.Member
	return out, s.q.collect(rows, func(r *sql.Rows) error {
		m, err := scanMember(r)
		out = append(out, m)
		return err
	})
}

var errMemberNotFound = errs.E(errs.NotFound, "member not found").WithCode("member_not_found")

func (s *orgStore) Member(ctx context.Context, userID string) (access.Member, error) {
	m, err := scanMember(s.q.row(ctx, memberQuery+` WHERE m.org_id = ? AND m.user_id = ?`, s.org, userID))
	return m, scanErr(err, errMemberNotFound)
}

func (s *orgStore) PutMember(ctx context.Context, userID string, role access.Role, at time.Time) error {
	_, err := s.q.exec(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`, s.org, userID, string(role), s.q.t(at))
	return inUseAs(err, errs.E(errs.NotFound, "user not found").WithCode("user_not_found"))
}

func (s *orgStore) RemoveMember(ctx context.Context, userID string, at time.Time) error {
	res, err := s.q.exec(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, s.org, userID)
	if err != nil {
		return err
	}
	if err := affected(res, errMemberNotFound); err != nil {
		return err
	}
	_, err = s.q.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL`, s.q.t(at), s.org, userID)
	return err
}

const tokenColumns = `id, org_id, user_id, name, scopes, secret_hash, created_at, expires_at, last_used_at, revoked_at`

func scanToken(sc interface{ Scan(...any) error }) (access.Token, error) {
	var t access.Token
	var scopes string
	var created, expires, used, revoked timeCol
	err := sc.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &scopes, &t.SecretHash, &created, &expires, &used, &revoked)
	for _, sc := range strings.Fields(scopes) {
		t.Scopes = append(t.Scopes, access.Scope(sc))
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = created.T, expires.T, used.ptr(), revoked.ptr()
	return t, err
}

func joinScopes(ss []access.Scope) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, " ")
}

func (s *orgStore) CreateToken(ctx context.Context, t *access.Token) error {
	t.OrgID = s.org
	_, err := s.q.exec(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
		t.ID, s.org, t.UserID, t.Name, joinScopes(t.Scopes), t.SecretHash, s.q.t(t.CreatedAt), s.q.t(t.ExpiresAt))
	return err
}

func (s *orgStore) Tokens(ctx context.Context, userID string) ([]access.Token, error) {
	q := `SELECT ` + tokenColumns + ` FROM api_tokens WHERE org_id = ?`
	args := []any{s.org}
	if userID != "" {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	rows, err := s.q.query(ctx, q+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	var out []access.Token
	return out, s.q.collect(rows, func(r *sql.Rows) error {
		t, err := scanToken(r)
		out = append(out, t)
		return err
	})
}

var errTokenNotFound = errs.E(errs.NotFound, "token not found").WithCode("token_not_found")

func (s *orgStore) RevokeToken(ctx context.Context, id string, at time.Time) (access.Token, error) {
	if _, err := s.q.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL`, s.q.t(at), s.org, id); err != nil {
		return access.Token{}, err
	}
	t, err := scanToken(s.q.row(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = ? AND id = ?`, s.org, id))
	return t, scanErr(err, errTokenNotFound)
}
