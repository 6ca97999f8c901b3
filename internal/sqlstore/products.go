package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

const productColumns = `p.id, p.org_id, p.slug, p.name, p.model_designation, p.category, p.description,
	p.published, p.support_end, p.support_shortened, p.created_at, p.updated_at`

func scanProduct(sc interface{ Scan(...any) error }, extra ...any) (registry.Product, error) {
	var p registry.Product
	var end endDateCol
	var created, updated timeCol
	dest := append([]any{&p.ID, &p.OrgID, &p.Slug, &p.Name, &p.ModelDesignation, &p.Category, &p.Description,
		&p.Published, &end, &p.SupportShortened, &created, &updated}, extra...)
	err := sc.Scan(dest...)
	p.SupportEnd, p.CreatedAt, p.UpdatedAt = end.ptr(), created.T, updated.T
	return p, err
}

func productNotFound(key string) error {
	return errs.E(errs.NotFound, "product %q not found", key).WithCode("product_not_found")
}

// productConflict names the field a duplicate product clashes on.
func productConflict(err error, p *registry.Product) error {
	if !errs.Is(err, errs.Conflict) {
		return err
	}
	if strings.Contains(err.Error(), "model_designation") {
		return conflictAs(err, errs.E(errs.Conflict, "a product with model designation %q already exists", p.ModelDesignation).WithCode("product_exists"))
	}
	return conflictAs(err, errs.E(errs.Conflict, "a product with slug %q already exists", p.Slug).WithCode("product_exists"))
}

func (s *orgStore) CreateProduct(ctx context.Context, p *registry.Product) error {
	p.OrgID = s.org
	_, err := s.q.exec(ctx, `INSERT INTO products (id, org_id, slug, name, model_designation, category, description,
		published, ever_published, support_end, support_last_day, support_shortened, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, s.org, p.Slug, p.Name, p.ModelDesignation, p.Category, p.Description,
		p.Published, p.Published, endDateArg(p.SupportEnd), lastDayArg(p.SupportEnd), p.SupportShortened, s.q.t(p.CreatedAt), s.q.t(p.UpdatedAt))
	return productConflict(err, p)
}

func (s *orgStore) Product(ctx context.Context, key string) (registry.Product, error) {
	p, err := scanProduct(s.q.row(ctx, `SELECT `+productColumns+` FROM products p WHERE p.org_id = ? AND (p.slug = ? OR p.id = ?)`, s.org, key, key))
	return p, scanErr(err, productNotFound(key))
}

func (s *orgStore) Products(ctx context.Context, f store.ProductFilter, pg store.Page) (store.List[registry.Product], error) {
	var w where
	w.add(`p.org_id = ?`, s.org)
	if f.Query != "" {
		like := likePattern(f.Query)
		w.add(`(lower(p.name) LIKE ? ESCAPE '\' OR lower(p.model_designation) LIKE ? ESCAPE '\')`, like, like)
	}
	if f.Published != nil {
		w.add(`p.published = ?`, *f.Published)
	}
	return list(ctx, s.q, listSpec[registry.Product]{
		from: `SELECT ` + productColumns + ` FROM products p`, where: w, key: "p.name", id: "p.id",
		scan:   func(r *sql.Rows) (registry.Product, error) { return scanProduct(r) },
		cursor: func(p registry.Product) store.Cursor { return store.Cursor{Key: p.Name, ID: p.ID} },
	}, pg)
}

func (s *orgStore) UpdateProduct(ctx context.Context, p registry.Product) error {
	res, err := s.q.exec(ctx, `UPDATE products SET name = ?, model_designation = ?, category = ?, description = ?,
		published = ?, ever_published = (ever_published OR ?), updated_at = ? WHERE org_id = ? AND id = ?`,
		p.Name, p.ModelDesignation, p.Category, p.Description, p.Published, p.Published, s.q.t(p.UpdatedAt), s.org, p.ID)
	if err != nil {
		return productConflict(err, &p)
	}
	return affected(res, productNotFound(p.Slug))
}

func (s *orgStore) DeleteProduct(ctx context.Context, id string) error {
	var everPublished bool
	err := s.q.row(ctx, `SELECT ever_published FROM products WHERE org_id = ? AND id = ?`, s.org, id).Scan(&everPublished)
	if err != nil {
		return scanErr(err, productNotFound(id))
	}
	if everPublished {
		return errs.E(errs.Conflict, "a product that has been published cannot be deleted: its support period stays on public record").WithCode("product_published")
	}
	var repos int
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM tuf_repositories WHERE org_id = ? AND product_id = ?`, s.org, id).Scan(&repos); err != nil {
		return err
	}
	if repos > 0 {
		return errs.E(errs.Conflict, "a product with an update repository cannot be deleted: devices may still trust it").WithCode("product_has_repository")
	}
	for _, table := range []string{"release_vex", "component_keys"} {
		if _, err := s.q.exec(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND release_id IN (SELECT id FROM releases WHERE org_id = ? AND product_id = ?)`, s.org, s.org, id); err != nil {
			return err
		}
	}
	for _, table := range []string{"tuf_keys", "rollouts", "enrolment_tokens", "devices", "release_sboms", "findings", "release_components", "triage",
		"releases", "hardware_revisions", "support_period_changes"} {
		if _, err := s.q.exec(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND product_id = ?`, s.org, id); err != nil {
			return err
		}
	}
	res, err := s.q.exec(ctx, `DELETE FROM products WHERE org_id = ? AND id = ?`, s.org, id)
	if err != nil {
		return err
	}
	return affected(res, productNotFound(id))
}

func (s *orgStore) RecordSupportChange(ctx context.Context, c *supportperiod.Change) error {
	if c.ID == "" {
		c.ID = ids.New()
	}
	res, err := s.q.exec(ctx, `UPDATE products SET support_end = ?, support_last_day = ?,
		support_shortened = (support_shortened OR ?), updated_at = ? WHERE org_id = ? AND id = ?`,
		c.End.String(), lastDayArg(&c.End), c.Kind == supportperiod.Shortened, s.q.t(c.At), s.org, c.ProductID)
	if err != nil {
		return err
	}
	if err := affected(res, productNotFound(c.ProductID)); err != nil {
		return err
	}
	_, err = s.q.exec(ctx, `INSERT INTO support_period_changes (id, org_id, product_id, kind, previous_end, end_date,
		reason, forced, published, actor_id, actor_label, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, s.org, c.ProductID, string(c.Kind), endDateArg(c.PreviousEnd), c.End.String(),
		c.Reason, c.Forced, c.Published, c.ActorID, c.ActorLabel, s.q.t(c.At))
	return err
}

const changeColumns = `id, product_id, kind, previous_end, end_date, reason, forced, published, actor_id, actor_label, at`

func scanChange(r *sql.Rows) (supportperiod.Change, error) {
	var c supportperiod.Change
	var prev, end endDateCol
	var at timeCol
	err := r.Scan(&c.ID, &c.ProductID, &c.Kind, &prev, &end, &c.Reason, &c.Forced, &c.Published, &c.ActorID, &c.ActorLabel, &at)
	c.PreviousEnd, c.End, c.At = prev.ptr(), end.D, at.T
	return c, err
}

func (s *orgStore) SupportHistory(ctx context.Context, productID string) ([]supportperiod.Change, error) {
	return s.q.supportHistory(ctx, `SELECT `+changeColumns+` FROM support_period_changes WHERE org_id = ? AND product_id = ? ORDER BY id`, s.org, productID)
}

func (q queries) supportHistory(ctx context.Context, query string, args ...any) ([]supportperiod.Change, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := []supportperiod.Change{}
	return out, q.collect(rows, func(r *sql.Rows) error {
		c, err := scanChange(r)
		out = append(out, c)
		return err
	})
}
