package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// requireProduct fails with NotFound unless productID is one of this organisation's products.
func (s *orgStore) requireProduct(ctx context.Context, productID string) error {
	var one int
	err := s.q.row(ctx, `SELECT 1 FROM products WHERE org_id = ? AND id = ?`, s.org, productID).Scan(&one)
	return scanErr(err, productNotFound(productID))
}

func (s *orgStore) CreateHardwareRevision(ctx context.Context, h *registry.HardwareRevision) error {
	if err := s.requireProduct(ctx, h.ProductID); err != nil {
		return err
	}
	_, err := s.q.exec(ctx, `INSERT INTO hardware_revisions (id, org_id, product_id, name, notes, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		h.ID, s.org, h.ProductID, h.Name, h.Notes, s.q.t(h.CreatedAt))
	return conflictAs(err, errs.E(errs.Conflict, "hardware revision %q already exists", h.Name).WithCode("hardware_revision_exists"))
}

func (s *orgStore) HardwareRevisions(ctx context.Context, productID string) ([]registry.HardwareRevision, error) {
	rows, err := s.q.query(ctx, `SELECT id, product_id, name, notes, created_at FROM hardware_revisions
		WHERE org_id = ? AND product_id = ? ORDER BY name`, s.org, productID)
	if err != nil {
		return nil, err
	}
	out := []registry.HardwareRevision{}
	return out, s.q.collect(rows, func(r *sql.Rows) error {
		var h registry.HardwareRevision
		var created timeCol
		err := r.Scan(&h.ID, &h.ProductID, &h.Name, &h.Notes, &created)
		h.CreatedAt = created.T
		out = append(out, h)
		return err
	})
}

func (s *orgStore) DeleteHardwareRevision(ctx context.Context, productID, name string) error {
	res, err := s.q.exec(ctx, `DELETE FROM hardware_revisions WHERE org_id = ? AND product_id = ? AND name = ?`, s.org, productID, name)
	if err != nil {
		return inUseAs(err, errs.E(errs.Conflict, "hardware revision %q is still recorded on devices", name).WithCode("hardware_revision_in_use"))
	}
	return affected(res, errs.E(errs.NotFound, "hardware revision %q not found", name).WithCode("hardware_revision_not_found"))
}

const releaseColumns = `id, product_id, version, released_at, notes, created_at, hardware_revisions, security_update,
	image_name, image_length, image_sha256, image_sha512, image_blob, image_uploaded_at, signed_at, signed_custom, allow_rollback`

func scanRelease(sc interface{ Scan(...any) error }) (registry.Release, error) {
	var r registry.Release
	var released, created, uploaded, signed timeCol
	var revisions string
	var img registry.Image
	err := sc.Scan(&r.ID, &r.ProductID, &r.Version, &released, &r.Notes, &created, &revisions, &r.SecurityUpdate,
		&img.FileName, &img.Length, &img.SHA256, &img.SHA512, &img.BlobKey, &uploaded, &signed, &r.TargetCustom, &r.AllowRollback)
	if err != nil {
		return r, err
	}
	r.ReleasedAt, r.CreatedAt, r.SignedAt = released.T, created.T, signed.ptr()
	if len(r.TargetCustom) == 0 {
		r.TargetCustom = nil
	}
	if err := json.Unmarshal([]byte(revisions), &r.HardwareRevisions); err != nil {
		return r, fmt.Errorf("sqlstore: release %s hardware revisions: %w", r.ID, err)
	}
	if img.BlobKey != "" {
		img.UploadedAt = uploaded.T
		r.Image = &img
	}
	return r, nil
}

func revisionsJSON(names []string) string {
	if names == nil {
		names = []string{}
	}
	b, _ := json.Marshal(names)
	return string(b)
}

func releaseNotFound(version string) error {
	return errs.E(errs.NotFound, "release %q not found", version).WithCode("release_not_found")
}

func (s *orgStore) CreateRelease(ctx context.Context, r *registry.Release) error {
	if err := s.requireProduct(ctx, r.ProductID); err != nil {
		return err
	}
	_, err := s.q.exec(ctx, `INSERT INTO releases (id, org_id, product_id, version, released_at, notes, created_at, hardware_revisions, security_update, allow_rollback)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, s.org, r.ProductID, r.Version, s.q.t(r.ReleasedAt), r.Notes, s.q.t(r.CreatedAt), revisionsJSON(r.HardwareRevisions), r.SecurityUpdate, r.AllowRollback)
	return conflictAs(err, errs.E(errs.Conflict, "release %q already exists", r.Version).WithCode("release_exists"))
}

func (s *orgStore) Release(ctx context.Context, productID, version string) (registry.Release, error) {
	r, err := scanRelease(s.q.row(ctx, `SELECT `+releaseColumns+` FROM releases WHERE org_id = ? AND product_id = ? AND version = ?`, s.org, productID, version))
	return r, scanErr(err, releaseNotFound(version))
}

func (s *orgStore) Releases(ctx context.Context, productID string, pg store.Page) (store.List[registry.Release], error) {
	var w where
	w.add(`org_id = ? AND product_id = ?`, s.org, productID)
	return list(ctx, s.q, listSpec[registry.Release]{
		from: `SELECT ` + releaseColumns + ` FROM releases`, where: w, key: "released_at", id: "id", desc: true,
		scan:   scanner(scanRelease),
		cursor: func(r registry.Release) store.Cursor { return store.Cursor{Key: cursorTime(r.ReleasedAt), ID: r.ID} },
		keyArg: func(k string) (any, error) {
			t, err := parseCursorTime(k)
			return s.q.t(t), err
		},
	}, pg)
}

func (s *orgStore) UpdateRelease(ctx context.Context, r registry.Release) error {
	res, err := s.q.exec(ctx, `UPDATE releases SET released_at = ?, notes = ? WHERE org_id = ? AND id = ?`,
		s.q.t(r.ReleasedAt), r.Notes, s.org, r.ID)
	if err != nil {
		return err
	}
	return affected(res, releaseNotFound(r.Version))
}

func (s *orgStore) DeleteRelease(ctx context.Context, productID, version string) error {
	// What hangs off the release goes first; a release that devices run is
	// refused below, and the caller's transaction then keeps all of it.
	for _, table := range []string{"release_sboms", "release_vex", "findings", "component_keys", "release_components"} {
		if _, err := s.q.exec(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND release_id = (SELECT id FROM releases WHERE org_id = ? AND product_id = ? AND version = ?)`,
			s.org, s.org, productID, version); err != nil {
			return err
		}
	}
	res, err := s.q.exec(ctx, `DELETE FROM releases WHERE org_id = ? AND product_id = ? AND version = ?`, s.org, productID, version)
	if err != nil {
		return inUseAs(err, errs.E(errs.Conflict, "release %q is installed on devices and cannot be deleted", version).WithCode("release_in_use"))
	}
	return affected(res, releaseNotFound(version))
}

func (s *orgStore) SetReleaseImage(ctx context.Context, releaseID string, img registry.Image) error {
	res, err := s.q.exec(ctx, `UPDATE releases SET image_name = ?, image_length = ?, image_sha256 = ?, image_sha512 = ?, image_blob = ?, image_uploaded_at = ?
		WHERE org_id = ? AND id = ?`, img.FileName, img.Length, img.SHA256, img.SHA512, img.BlobKey, s.q.t(img.UploadedAt), s.org, releaseID)
	if err != nil {
		return err
	}
	return affected(res, releaseNotFound(releaseID))
}

func (s *orgStore) SetReleaseSigned(ctx context.Context, releaseID string, at *time.Time, custom []byte) error {
	if at == nil || custom == nil {
		at, custom = nil, []byte{}
	}
	res, err := s.q.exec(ctx, `UPDATE releases SET signed_at = ?, signed_custom = ? WHERE org_id = ? AND id = ?`, s.q.tp(at), custom, s.org, releaseID)
	if err != nil {
		return err
	}
	return affected(res, releaseNotFound(releaseID))
}

func (s *orgStore) SignedReleases(ctx context.Context, productID string) ([]registry.Release, error) {
	rows, err := s.q.query(ctx, `SELECT `+releaseColumns+` FROM releases
		WHERE org_id = ? AND product_id = ? AND signed_at IS NOT NULL ORDER BY signed_at, id`, s.org, productID)
	if err != nil {
		return nil, err
	}
	out := []registry.Release{}
	return out, s.q.collect(rows, func(r *sql.Rows) error {
		rel, err := scanRelease(r)
		out = append(out, rel)
		return err
	})
}

const sbomColumns = `release_id, product_id, format, name, components, vex, sha256, blob_key, document, uploaded_at`

var errSBOMNotFound = errs.E(errs.NotFound, "the release has no SBOM").WithCode("sbom_not_found")

func (s *orgStore) SetReleaseSBOM(ctx context.Context, b store.ReleaseSBOM) error {
	var n int
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM releases WHERE org_id = ? AND id = ? AND product_id = ?`, s.org, b.ReleaseID, b.ProductID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return releaseNotFound(b.ReleaseID)
	}
	if _, err := s.q.exec(ctx, `DELETE FROM release_sboms WHERE org_id = ? AND release_id = ?`, s.org, b.ReleaseID); err != nil {
		return err
	}
	_, err := s.q.exec(ctx, `INSERT INTO release_sboms (org_id, `+sbomColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.org, b.ReleaseID, b.ProductID, b.Format, b.Name, b.Components, b.VEX, b.SHA256, b.BlobKey, b.Document, s.q.t(b.UploadedAt))
	return err
}

func (s *orgStore) ReleaseSBOM(ctx context.Context, releaseID string) (store.ReleaseSBOM, error) {
	var b store.ReleaseSBOM
	var at timeCol
	err := s.q.row(ctx, `SELECT `+sbomColumns+` FROM release_sboms WHERE org_id = ? AND release_id = ?`, s.org, releaseID).
		Scan(&b.ReleaseID, &b.ProductID, &b.Format, &b.Name, &b.Components, &b.VEX, &b.SHA256, &b.BlobKey, &b.Document, &at)
	b.UploadedAt = at.T
	return b, scanErr(err, errSBOMNotFound)
}
