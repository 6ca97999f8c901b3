package service

import (
	"context"
	"slices"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// HardwareRevisions lists a product's hardware revisions.
func (s *Service) HardwareRevisions(ctx context.Context, p access.Principal, productKey string) ([]registry.HardwareRevision, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return nil, err
	}
	return os.HardwareRevisions(ctx, prod.ID)
}

// CreateHardwareRevision adds a hardware revision to a product.
func (s *Service) CreateHardwareRevision(ctx context.Context, p access.Principal, productKey string, in registry.HardwareRevision) (registry.HardwareRevision, error) {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return in, err
	}
	h := registry.HardwareRevision{ID: ids.New(), Name: in.Name, Notes: in.Notes, CreatedAt: s.clock.Now()}
	if err := h.Validate(); err != nil {
		return h, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		h.ProductID = prod.ID
		if err := os.CreateHardwareRevision(ctx, &h); err != nil {
			return nil, err
		}
		return s.event(p, "hardware_revision.create", "product", prod.ID, "added hardware revision "+h.Name+" to "+prod.Name, h), nil
	})
	return h, err
}

// DeleteHardwareRevision removes a hardware revision no device uses.
func (s *Service) DeleteHardwareRevision(ctx context.Context, p access.Principal, productKey, name string) error {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return err
	}
	return s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		if err := os.DeleteHardwareRevision(ctx, prod.ID, name); err != nil {
			return nil, err
		}
		return s.event(p, "hardware_revision.delete", "product", prod.ID, "removed hardware revision "+name+" from "+prod.Name, nil), nil
	})
}

// Releases lists a product's releases, newest first.
func (s *Service) Releases(ctx context.Context, p access.Principal, productKey string, pg store.Page) (store.List[registry.Release], error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return store.List[registry.Release]{}, err
	}
	return os.Releases(ctx, prod.ID, pg)
}

// Release returns one release of a product.
func (s *Service) Release(ctx context.Context, p access.Principal, productKey, version string) (registry.Release, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return registry.Release{}, err
	}
	return os.Release(ctx, prod.ID, version)
}

// CreateRelease records a firmware release of a product.
func (s *Service) CreateRelease(ctx context.Context, p access.Principal, productKey string, in registry.Release) (registry.Release, error) {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return in, err
	}
	r := registry.Release{ID: ids.New(), Version: in.Version, ReleasedAt: in.ReleasedAt, Notes: in.Notes, CreatedAt: s.clock.Now(),
		HardwareRevisions: in.HardwareRevisions, SecurityUpdate: in.SecurityUpdate, AllowRollback: in.AllowRollback}
	if r.ReleasedAt.IsZero() {
		r.ReleasedAt = r.CreatedAt
	}
	if err := r.Validate(); err != nil {
		return r, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		r.ProductID = prod.ID
		if len(r.HardwareRevisions) > 0 {
			known, err := os.HardwareRevisions(ctx, prod.ID)
			if err != nil {
				return nil, err
			}
			for _, name := range r.HardwareRevisions {
				if !slices.ContainsFunc(known, func(h registry.HardwareRevision) bool { return h.Name == name }) {
					return nil, errs.Invalidf("hardware_revisions", "%s has no hardware revision %q", prod.Name, name)
				}
			}
		}
		if err := os.CreateRelease(ctx, &r); err != nil {
			return nil, err
		}
		return s.event(p, "release.create", "release", r.ID, "recorded release "+r.Version+" of "+prod.Name, r), nil
	})
	return r, err
}

// UpdateRelease changes a release's date or notes.
func (s *Service) UpdateRelease(ctx context.Context, p access.Principal, productKey, version string, patch registry.ReleasePatch) (registry.Release, error) {
	var r registry.Release
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return r, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		before, err := os.Release(ctx, prod.ID, version)
		if err != nil {
			return nil, err
		}
		r = before
		if patch.ReleasedAt != nil {
			r.ReleasedAt = *patch.ReleasedAt
		}
		if patch.Notes != nil {
			r.Notes = *patch.Notes
		}
		if err := r.Validate(); err != nil {
			return nil, err
		}
		if err := os.UpdateRelease(ctx, r); err != nil {
			return nil, err
		}
		return s.event(p, "release.update", "release", r.ID, "updated release "+r.Version+" of "+prod.Name, map[string]any{"before": before, "after": r}), nil
	})
	return r, err
}

// DeleteRelease removes a release no device runs.
func (s *Service) DeleteRelease(ctx context.Context, p access.Principal, productKey, version string) error {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return err
	}
	var image *registry.Image
	var sbomKey string
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		r, err := os.Release(ctx, prod.ID, version)
		if err != nil {
			return nil, err
		}
		if r.SignedAt != nil {
			// Devices may hold metadata naming it; the image must stay fetchable.
			return nil, errs.E(errs.Conflict, "release %s is signed into the update repository and cannot be deleted", version).WithCode("release_signed")
		}
		if b, err := os.ReleaseSBOM(ctx, r.ID); err == nil {
			sbomKey = b.BlobKey
		}
		if err := os.DeleteRelease(ctx, prod.ID, version); err != nil {
			return nil, err
		}
		image = r.Image
		return s.event(p, "release.delete", "release", r.ID, "deleted release "+version+" of "+prod.Name, r), nil
	})
	if err == nil && s.updates.Blobs != nil {
		for _, key := range []string{imageKey(image), sbomKey} {
			if key == "" {
				continue
			}
			if err := s.updates.Blobs.Delete(context.WithoutCancel(ctx), key); err != nil && !errs.Is(err, errs.NotFound) {
				s.log.Warn("could not remove a deleted release's file", "key", key, "err", err)
			}
		}
	}
	return err
}

func imageKey(img *registry.Image) string {
	if img == nil {
		return ""
	}
	return img.BlobKey
}
