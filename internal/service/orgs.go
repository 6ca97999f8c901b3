package service

import (
	"context"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/store"
)

var errNotSiteAdmin = errs.E(errs.PermissionDenied, "only site administrators may do this (with a session, or a token with the admin scope)").WithCode("permission_denied")

// CreateOrganisation creates an organisation. Site administrators only.
func (s *Service) CreateOrganisation(ctx context.Context, p access.Principal, o access.Organisation) (access.Organisation, error) {
	if !p.CanAdminSite() {
		return o, errNotSiteAdmin
	}
	o.ID, o.CreatedAt = ids.New(), s.clock.Now()
	o.Normalize()
	if err := o.Validate(); err != nil {
		return o, err
	}
	err := s.store.Tx(ctx, func(q store.Queries) error {
		if err := q.Directory().CreateOrganisation(ctx, &o); err != nil {
			return err
		}
		e := s.event(p, "organisation.create", "organisation", o.ID, "created organisation "+o.Name, o)
		if err := q.Directory().AppendSiteAudit(ctx, e); err != nil {
			return err
		}
		e2 := *e
		e2.ID = ""
		return q.Org(o.ID).AppendAudit(ctx, &e2)
	})
	return o, err
}

// Organisations lists every organisation for a site administrator, and the
// principal's own organisations for anyone else.
func (s *Service) Organisations(ctx context.Context, p access.Principal, pg store.Page) (store.List[access.Organisation], error) {
	if p.CanAdminSite() {
		return s.store.Directory().Organisations(ctx, pg)
	}
	var out store.List[access.Organisation]
	if p.Kind == access.KindToken {
		// A token belongs to one organisation and sees only that one.
		o, err := s.store.Org(p.OrgID).Organisation(ctx)
		if err != nil {
			return out, err
		}
		out.Items = []access.Organisation{o}
		return out, nil
	}
	ms, err := s.Memberships(ctx, p)
	for _, m := range ms {
		out.Items = append(out.Items, m.Organisation)
	}
	return out, err
}

// Organisation returns the principal's current organisation.
func (s *Service) Organisation(ctx context.Context, p access.Principal) (access.Organisation, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return access.Organisation{}, err
	}
	return s.store.Org(orgID).Organisation(ctx)
}

// OrganisationPatch changes an organisation's public profile.
type OrganisationPatch struct {
	Name    *string
	Website *string
	Contact *string
}

// UpdateOrganisation changes the current organisation's public profile.
func (s *Service) UpdateOrganisation(ctx context.Context, p access.Principal, patch OrganisationPatch) (access.Organisation, error) {
	var o access.Organisation
	orgID, err := s.scope(p, access.ManageOrg)
	if err != nil {
		return o, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		if o, err = os.Organisation(ctx); err != nil {
			return nil, err
		}
		before := o
		if patch.Name != nil {
			o.Name = *patch.Name
		}
		if patch.Website != nil {
			o.Website = *patch.Website
		}
		if patch.Contact != nil {
			o.Contact = *patch.Contact
		}
		o.Normalize()
		if err := o.Validate(); err != nil {
			return nil, err
		}
		if err := os.UpdateOrganisation(ctx, o); err != nil {
			return nil, err
		}
		return s.event(p, "organisation.update", "organisation", o.ID, "updated the organisation profile", map[string]any{"before": before, "after": o}), nil
	})
	return o, err
}
