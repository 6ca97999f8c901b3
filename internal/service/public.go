package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/slug"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// PublicProduct is what anyone may see of a published product.
type PublicProduct struct {
	store.PublicProduct
	Status  supportperiod.Status
	History []supportperiod.Change // changes made in public, oldest first; nil in lists
}

// MaxQueryLen bounds a consumer's search text.
const MaxQueryLen = 200

// PublicProducts lists published products, optionally of one manufacturer or
// matching a search by name or model designation.
func (s *Service) PublicProducts(ctx context.Context, f store.PublicFilter, pg store.Page) (store.List[PublicProduct], error) {
	var out store.List[PublicProduct]
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > MaxQueryLen {
		return out, errs.Invalidf("q", "must be at most %d characters", MaxQueryLen)
	}
	if strings.ContainsRune(f.Query, 0) || !utf8.ValidString(f.Query) {
		return out, errs.Invalidf("q", "must be text")
	}
	if f.OrgSlug != "" && !slug.Valid(f.OrgSlug) {
		return store.List[PublicProduct]{Items: []PublicProduct{}}, nil // no manufacturer has that name
	}
	l, err := s.store.Public().Products(ctx, f, pg)
	if err != nil {
		return out, err
	}
	now := s.clock.Now()
	out.Next = l.Next
	out.Items = make([]PublicProduct, len(l.Items))
	for i, pp := range l.Items {
		out.Items[i] = PublicProduct{PublicProduct: pp, Status: pp.Product.SupportStatus(now)}
	}
	return out, nil
}

// PublicProduct returns one published product with its public history.
func (s *Service) PublicProduct(ctx context.Context, orgSlug, productSlug string) (PublicProduct, error) {
	if !validSlugs(orgSlug, productSlug) {
		return PublicProduct{}, errs.E(errs.NotFound, "product %q not found", productSlug).WithCode("product_not_found")
	}
	pp, err := s.store.Public().Product(ctx, orgSlug, productSlug)
	if err != nil {
		return PublicProduct{}, err
	}
	h, err := s.store.Public().SupportHistory(ctx, pp.Product.ID)
	if err != nil {
		return PublicProduct{}, err
	}
	return PublicProduct{PublicProduct: pp, Status: pp.Product.SupportStatus(s.clock.Now()), History: h}, nil
}

// Manufacturers lists manufacturers with published products.
func (s *Service) Manufacturers(ctx context.Context) ([]store.PublicManufacturer, error) {
	return s.store.Public().Manufacturers(ctx)
}

// Manufacturer returns one manufacturer with published products.
func (s *Service) Manufacturer(ctx context.Context, orgSlug string) (store.PublicManufacturer, error) {
	if !validSlugs(orgSlug) {
		return store.PublicManufacturer{}, errs.E(errs.NotFound, "manufacturer not found").WithCode("manufacturer_not_found")
	}
	return s.store.Public().Manufacturer(ctx, orgSlug)
}
