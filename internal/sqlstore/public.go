package sqlstore

import (
	"context"
	"database/sql"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// public is store.Public: it reads only published products.
type public struct{ q queries }

var _ store.Public = (*public)(nil)

const manufacturerSelect = `SELECT o.slug, o.name, o.website, o.security_contact, COUNT(p.id)
	FROM organisations o JOIN products p ON p.org_id = o.id AND p.published`

func scanManufacturer(sc interface{ Scan(...any) error }) (store.PublicManufacturer, error) {
	var m store.PublicManufacturer
	err := sc.Scan(&m.Slug, &m.Name, &m.Website, &m.Contact, &m.Products)
	return m, err
}

func (p *public) Manufacturers(ctx context.Context) ([]store.PublicManufacturer, error) {
	rows, err := p.q.query(ctx, manufacturerSelect+` GROUP BY o.id, o.slug, o.name, o.website, o.security_contact ORDER BY o.name`)
	if err != nil {
		return nil, err
	}
	out := []store.PublicManufacturer{}
	return out, p.q.collect(rows, func(r *sql.Rows) error {
		m, err := scanManufacturer(r)
		out = append(out, m)
		return err
	})
}

var errManufacturerNotFound = errs.E(errs.NotFound, "manufacturer not found").WithCode("manufacturer_not_found")

func (p *public) Manufacturer(ctx context.Context, slug string) (store.PublicManufacturer, error) {
	m, err := scanManufacturer(p.q.row(ctx, manufacturerSelect+` WHERE o.slug = ? GROUP BY o.id, o.slug, o.name, o.website, o.security_contact`, slug))
	return m, scanErr(err, errManufacturerNotFound)
}

const publicProductSelect = `SELECT ` + productColumns + `, o.slug, o.name, o.website, o.security_contact,
	EXISTS (SELECT 1 FROM tuf_repositories r WHERE r.product_id = p.id)
	FROM products p JOIN organisations o ON o.id = p.org_id`

func scanPublicProduct(sc interface{ Scan(...any) error }) (store.PublicProduct, error) {
	var pp store.PublicProduct
	m := &pp.Manufacturer
	var err error
	pp.Product, err = scanProduct(sc, &m.Slug, &m.Name, &m.Website, &m.Contact, &pp.UpdateRepository)
	return pp, err
}

func (p *public) Products(ctx context.Context, f store.PublicFilter, pg store.Page) (store.List[store.PublicProduct], error) {
	var w where
	w.add(`p.published`)
	if f.OrgSlug != "" {
		w.add(`o.slug = ?`, f.OrgSlug)
	}
	if f.Query != "" {
		like := likePattern(f.Query)
		w.add(`(lower(p.name) LIKE ? ESCAPE '\' OR lower(p.model_designation) LIKE ? ESCAPE '\')`, like, like)
	}
	return list(ctx, p.q, listSpec[store.PublicProduct]{
		from: publicProductSelect, where: w, key: "p.name", id: "p.id", scan: scanner(scanPublicProduct),
		cursor: func(pp store.PublicProduct) store.Cursor {
			return store.Cursor{Key: pp.Product.Name, ID: pp.Product.ID}
		},
	}, pg)
}

func (p *public) Product(ctx context.Context, orgSlug, productSlug string) (store.PublicProduct, error) {
	pp, err := scanPublicProduct(p.q.row(ctx, publicProductSelect+` WHERE p.published AND o.slug = ? AND p.slug = ?`, orgSlug, productSlug))
	return pp, scanErr(err, productNotFound(productSlug))
}

func (p *public) SupportHistory(ctx context.Context, productID string) ([]supportperiod.Change, error) {
	// A change counts as public when it was made while the product was
	// published, or when it set the period that was current at publication.
	return p.q.supportHistory(ctx, `SELECT `+changeColumns+` FROM support_period_changes c
		WHERE c.product_id = ? AND EXISTS (SELECT 1 FROM products p WHERE p.id = c.product_id AND p.published)
		AND (c.published OR c.id = (SELECT MAX(c2.id) FROM support_period_changes c2 WHERE c2.product_id = c.product_id AND NOT c2.published))
		ORDER BY c.id`, productID)
}
