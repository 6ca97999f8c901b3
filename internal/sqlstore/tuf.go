package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

var (
	errRepoNotFound     = errs.E(errs.NotFound, "the product has no update repository yet: upload its first root metadata").WithCode("repository_not_found")
	errMetadataNotFound = errs.E(errs.NotFound, "no such metadata").WithCode("metadata_not_found")
	errTargetNotFound   = errs.E(errs.NotFound, "no such target").WithCode("target_not_found")
)

const repoColumns = `org_id, product_id, root_version, root_expires, refresh_at, created_at, updated_at`

func scanRepo(sc interface{ Scan(...any) error }) (store.TUFRepository, error) {
	var r store.TUFRepository
	var rootExp, refresh, created, updated timeCol
	err := sc.Scan(&r.OrgID, &r.ProductID, &r.RootVersion, &rootExp, &refresh, &created, &updated)
	r.RootExpires, r.RefreshAt, r.CreatedAt, r.UpdatedAt = rootExp.T, refresh.T, created.T, updated.T
	return r, err
}

func (s *orgStore) TUFRepository(ctx context.Context, productID string) (store.TUFRepository, error) {
	r, err := scanRepo(s.q.row(ctx, `SELECT `+repoColumns+` FROM tuf_repositories WHERE org_id = ? AND product_id = ?`, s.org, productID))
	return r, scanErr(err, errRepoNotFound)
}

func (s *orgStore) PutTUFRepository(ctx context.Context, r store.TUFRepository) error {
	if err := s.requireProduct(ctx, r.ProductID); err != nil {
		return err
	}
	res, err := s.q.exec(ctx, `UPDATE tuf_repositories SET root_version = ?, root_expires = ?, refresh_at = ?, updated_at = ?
		WHERE org_id = ? AND product_id = ?`, r.RootVersion, s.q.t(r.RootExpires), s.q.t(r.RefreshAt), s.q.t(r.UpdatedAt), s.org, r.ProductID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	_, err = s.q.exec(ctx, `INSERT INTO tuf_repositories (`+repoColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.org, r.ProductID, r.RootVersion, s.q.t(r.RootExpires), s.q.t(r.RefreshAt), s.q.t(r.CreatedAt), s.q.t(r.UpdatedAt))
	return err
}

const keyColumns = `id, product_id, role, key_id, public_key, sealed_private, created_at, retired_at`

func (s *orgStore) CreateTUFKey(ctx context.Context, k *store.TUFKey) error {
	if err := s.requireProduct(ctx, k.ProductID); err != nil {
		return err
	}
	_, err := s.q.exec(ctx, `INSERT INTO tuf_keys (org_id, `+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.org, k.ID, k.ProductID, k.Role, k.KeyID, k.PublicKey, k.Sealed, s.q.t(k.CreatedAt), s.q.tp(k.RetiredAt))
	return conflictAs(err, errs.E(errs.Conflict, "key %s already exists", k.KeyID).WithCode("key_exists"))
}

func (s *orgStore) TUFKeys(ctx context.Context, productID string) ([]store.TUFKey, error) {
	rows, err := s.q.query(ctx, `SELECT `+keyColumns+` FROM tuf_keys WHERE org_id = ? AND product_id = ? ORDER BY created_at, id`, s.org, productID)
	if err != nil {
		return nil, err
	}
	out := []store.TUFKey{}
	return out, s.q.collect(rows, func(r *sql.Rows) error {
		var k store.TUFKey
		var created, retired timeCol
		err := r.Scan(&k.ID, &k.ProductID, &k.Role, &k.KeyID, &k.PublicKey, &k.Sealed, &created, &retired)
		k.CreatedAt, k.RetiredAt = created.T, retired.ptr()
		out = append(out, k)
		return err
	})
}

func (s *orgStore) RetireTUFKey(ctx context.Context, productID, keyID string, at time.Time) error {
	res, err := s.q.exec(ctx, `UPDATE tuf_keys SET retired_at = COALESCE(retired_at, ?) WHERE org_id = ? AND product_id = ? AND key_id = ?`,
		s.q.t(at), s.org, productID, keyID)
	if err != nil {
		return err
	}
	return affected(res, errs.E(errs.NotFound, "key %s not found", keyID).WithCode("key_not_found"))
}

func (s *orgStore) AddTUFMetadata(ctx context.Context, productID string, files []store.TUFMetadata) error {
	if err := s.requireProduct(ctx, productID); err != nil {
		return err
	}
	for _, f := range files {
		_, err := s.q.exec(ctx, `INSERT INTO tuf_metadata (org_id, product_id, role, version, expires, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.org, productID, f.Role, f.Version, s.q.t(f.Expires), f.Body, s.q.t(f.CreatedAt))
		if err != nil {
			return conflictAs(err, errs.E(errs.Conflict, "%s metadata version %d already exists; another publication won the race", f.Role, f.Version).WithCode("metadata_exists"))
		}
	}
	return nil
}

const metadataColumns = `m.role, m.version, m.expires, m.body, m.created_at`

func scanMetadata(sc interface{ Scan(...any) error }) (store.TUFMetadata, error) {
	var m store.TUFMetadata
	var expires, created timeCol
	err := sc.Scan(&m.Role, &m.Version, &expires, &m.Body, &created)
	m.Expires, m.CreatedAt = expires.T, created.T
	return m, err
}

// metadataQuery selects one version of a role (version 0: the newest) from
// the metadata rows that cond, with its arguments, picks out.
func metadataQuery(from, cond string, role string, version int64, args ...any) (string, []any) {
	q := `SELECT ` + metadataColumns + ` FROM ` + from + ` WHERE ` + cond + ` AND m.role = ?`
	args = append(args, role)
	if version > 0 {
		return q + ` AND m.version = ?`, append(args, version)
	}
	return q + ` ORDER BY m.version DESC LIMIT 1`, args
}

func (s *orgStore) TUFMetadata(ctx context.Context, productID, role string, version int64) (store.TUFMetadata, error) {
	q, args := metadataQuery(`tuf_metadata m`, `m.org_id = ? AND m.product_id = ?`, role, version, s.org, productID)
	m, err := scanMetadata(s.q.row(ctx, q, args...))
	return m, scanErr(err, errMetadataNotFound)
}

func (d *directory) TUFDue(ctx context.Context, t time.Time, limit int) ([]store.TUFRepository, error) {
	rows, err := d.q.query(ctx, `SELECT `+repoColumns+` FROM tuf_repositories WHERE refresh_at < ? ORDER BY refresh_at LIMIT ?`, d.q.t(t), limit)
	if err != nil {
		return nil, err
	}
	out := []store.TUFRepository{}
	return out, d.q.collect(rows, func(r *sql.Rows) error {
		repo, err := scanRepo(r)
		out = append(out, repo)
		return err
	})
}

const repoBySlugs = `tuf_metadata m JOIN products p ON p.id = m.product_id JOIN organisations o ON o.id = p.org_id`

func (p *public) TUFMetadata(ctx context.Context, orgSlug, productSlug, role string, version int64) (store.TUFMetadata, error) {
	q, args := metadataQuery(repoBySlugs, `o.slug = ? AND p.slug = ?`, role, version, orgSlug, productSlug)
	m, err := scanMetadata(p.q.row(ctx, q, args...))
	return m, scanErr(err, errMetadataNotFound)
}

func (p *public) TUFTarget(ctx context.Context, orgSlug, productSlug, version, fileName string) (registry.Release, error) {
	r, err := scanRelease(p.q.row(ctx, `SELECT `+prefixed("r.", releaseColumns)+`
		FROM releases r JOIN products p ON p.id = r.product_id JOIN organisations o ON o.id = p.org_id
		WHERE o.slug = ? AND p.slug = ? AND r.version = ? AND r.image_name = ? AND r.signed_at IS NOT NULL`,
		orgSlug, productSlug, version, fileName))
	return r, scanErr(err, errTargetNotFound)
}

// prefixed qualifies each name of a comma-separated column list with prefix.
func prefixed(prefix, columns string) string {
	var b strings.Builder
	for i, c := range strings.Split(columns, ",") {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(prefix + strings.TrimSpace(c))
	}
	return b.String()
}
