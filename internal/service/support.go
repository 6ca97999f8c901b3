package service

import (
	"context"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// SetSupportPeriod declares or changes a product's support end date under
// the rules of package supportperiod: extensions are published at once,
// shortenings of a published period are refused unless forced and are then
// flagged publicly.
func (s *Service) SetSupportPeriod(ctx context.Context, p access.Principal, key string, req supportperiod.Request) (registry.Product, supportperiod.Change, error) {
	var prod registry.Product
	var change supportperiod.Change
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return prod, change, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		var err error
		if prod, err = os.Product(ctx, key); err != nil {
			return nil, err
		}
		if change, err = supportperiod.Plan(prod.SupportEnd, prod.Published, req); err != nil {
			return nil, err
		}
		change.ProductID, change.ActorID, change.ActorLabel, change.At = prod.ID, p.UserID, p.Label(), s.clock.Now()
		if err := os.RecordSupportChange(ctx, &change); err != nil {
			return nil, err
		}
		if prod, err = os.Product(ctx, prod.ID); err != nil {
			return nil, err
		}
		summary := string(change.Kind) + " the support period of " + prod.Name + ": it ends " + change.End.Human()
		if change.PreviousEnd != nil {
			summary += " (was " + change.PreviousEnd.Human() + ")"
		}
		return s.event(p, "support_period."+string(change.Kind), "product", prod.ID, summary, change), nil
	})
	return prod, change, err
}

// SupportHistory returns every change to a product's support period, oldest first.
func (s *Service) SupportHistory(ctx context.Context, p access.Principal, key string) ([]supportperiod.Change, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, key)
	if err != nil {
		return nil, err
	}
	return os.SupportHistory(ctx, prod.ID)
}
