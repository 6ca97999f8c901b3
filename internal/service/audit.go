package service

import (
	"context"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Audit lists the organisation's audit events, newest first.
func (s *Service) Audit(ctx context.Context, p access.Principal, f audit.Filter, pg store.Page) (store.List[audit.Event], error) {
	orgID, err := s.scope(p, access.ReadAudit)
	if err != nil {
		return store.List[audit.Event]{}, err
	}
	return s.store.Org(orgID).Audit(ctx, f, pg)
}

// SiteAudit lists site-wide audit events. Site administrators only.
func (s *Service) SiteAudit(ctx context.Context, p access.Principal, f audit.Filter, pg store.Page) (store.List[audit.Event], error) {
	if !p.CanAdminSite() {
		return store.List[audit.Event]{}, errNotSiteAdmin
	}
	return s.store.Directory().SiteAudit(ctx, f, pg)
}

// Summary counts the organisation's registry for its dashboard.
func (s *Service) Summary(ctx context.Context, p access.Principal) (store.OrgSummary, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return store.OrgSummary{}, err
	}
	return s.store.Org(orgID).Summary(ctx, s.clock.Now())
}
