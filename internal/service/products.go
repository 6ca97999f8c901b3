package service

import (
	"context"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Products lists the organisation's products.
func (s *Service) Products(ctx context.Context, p access.Principal, f store.ProductFilter, pg store.Page) (store.List[registry.Product], error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return store.List[registry.Product]{}, err
	}
	return s.store.Org(orgID).Products(ctx, f, pg)
}

// Product returns one product by slug or ID.
func (s *Service) Product(ctx context.Context, p access.Principal, key string) (registry.Product, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return registry.Product{}, err
	}
	return s.store.Org(orgID).Product(ctx, key)
}

// CreateProduct adds a product. Only its descriptive fields are used; it
// starts unpublished and without a support period.
func (s *Service) CreateProduct(ctx context.Context, p access.Principal, in registry.Product) (registry.Product, error) {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return in, err
	}
	now := s.clock.Now()
	prod := registry.Product{ID: ids.New(), Slug: in.Slug, Name: in.Name, ModelDesignation: in.ModelDesignation,
		Category: in.Category, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	prod.Normalize()
	if err := prod.Validate(); err != nil {
		return prod, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		if err := requireManufacturer(ctx, os); err != nil {
			return nil, err
		}
		if err := os.CreateProduct(ctx, &prod); err != nil {
			return nil, err
		}
		return s.event(p, "product.create", "product", prod.ID, "created product "+prod.Name+" ("+prod.ModelDesignation+")", prod), nil
	})
	return prod, err
}

// requireManufacturer fails unless the organisation is a manufacturer: only
// manufacturers register products.
func requireManufacturer(ctx context.Context, os store.OrgStore) error {
	o, err := os.Organisation(ctx)
	if err != nil {
		return err
	}
	if o.Kind != access.Manufacturer {
		return errs.E(errs.PermissionDenied, "only manufacturer organisations register products; this is a %s", o.Kind.Label()).WithCode("not_a_manufacturer")
	}
	return nil
}

// UpdateProduct changes a product's fields. Publishing needs a declared
// support period, since that is what the public page is for.
func (s *Service) UpdateProduct(ctx context.Context, p access.Principal, key string, patch registry.ProductPatch) (registry.Product, error) {
	var prod registry.Product
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return prod, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		before, err := os.Product(ctx, key)
		if err != nil {
			return nil, err
		}
		prod = patch.Apply(before)
		prod.Normalize()
		if err := prod.Validate(); err != nil {
			return nil, err
		}
		if prod.Published && !before.Published && prod.SupportEnd == nil {
			return nil, errs.Invalidf("published", "declare the product's support period before publishing it")
		}
		prod.UpdatedAt = s.clock.Now()
		if err := os.UpdateProduct(ctx, prod); err != nil {
			return nil, err
		}
		action, summary := "product.update", "updated product "+prod.Name
		switch {
		case prod.Published && !before.Published:
			action, summary = "product.publish", "published product "+prod.Name
		case !prod.Published && before.Published:
			action, summary = "product.unpublish", "unpublished product "+prod.Name
		}
		return s.event(p, action, "product", prod.ID, summary, map[string]any{"before": before, "after": prod}), nil
	})
	return prod, err
}

// DeleteProduct removes a product that was never published.
func (s *Service) DeleteProduct(ctx context.Context, p access.Principal, key string) error {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return err
	}
	return s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, key)
		if err != nil {
			return nil, err
		}
		if err := os.DeleteProduct(ctx, prod.ID); err != nil {
			return nil, err
		}
		return s.event(p, "product.delete", "product", prod.ID, "deleted product "+prod.Name, prod), nil
	})
}
