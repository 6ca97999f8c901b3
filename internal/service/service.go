// Package service is Lifeline's application layer: every operation a user
// can perform, whatever the door they come in by (HTTP API, web UI, the
// admin command line). Each operation checks the principal's permission,
// works inside the principal's organisation, validates its input with the
// domain packages, writes through the storage contract in one transaction,
// and records an audit event in that same transaction.
//
// Authorization happens here and only here: an operation obtains its
// organisation's store through Service.scope, which refuses principals that
// lack the permission the operation names.
package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Service carries out Lifeline's operations.
type Service struct {
	store  store.Store
	clock  clock.Clock
	log    *slog.Logger
	limits Limits
	logins *loginLimiter
	// updates configures firmware delivery; see WithUpdates.
	updates Updates
	// repoCache holds recently served update-repository files.
	repoCache *repoCache
	// The device API's memory: identities, active rollouts, the time of
	// each device's last accepted request, and reports waiting to be written.
	devices     *ttlCache[registry.DeviceIdentity]
	rollouts    *ttlCache[[]rollout.Rollout]
	lastSeenMu  sync.Mutex
	lastRequest map[string]int64
	checkins    *checkinQueue
	// feedJobs are advisory imports running in the background.
	feedJobs feedJobs
	// notify configures notification delivery; see WithNotify.
	notify Notify
}

// Limits bound what one request may ask for.
type Limits struct {
	MaxImportRows int // devices in one import
}

// New returns a Service over st.
func New(st store.Store, clk clock.Clock, log *slog.Logger, limits Limits) *Service {
	if clk == nil {
		clk = clock.Real{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if limits.MaxImportRows <= 0 {
		limits.MaxImportRows = 1_000_000
	}
	return &Service{store: st, clock: clk, log: log, limits: limits, logins: newLoginLimiter(clk), repoCache: newRepoCache(repoCacheBytes),
		devices: newTTLCache[registry.DeviceIdentity](deviceCacheMax), rollouts: newTTLCache[[]rollout.Rollout](10_000),
		lastRequest: map[string]int64{}, checkins: newCheckinQueue()}
}

// Store returns the storage the service works on.
func (s *Service) Store() store.Store { return s.store }

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.clock.Now() }

// scope checks that p may use perm in its organisation and returns the ID of
// that organisation. It is the only way operations find their organisation.
func (s *Service) scope(p access.Principal, perm access.Permission) (string, error) {
	if p.OrgID == "" {
		return "", errs.E(errs.PermissionDenied, "choose an organisation first").WithCode("no_organisation")
	}
	if !p.Can(perm) {
		return "", errs.E(errs.PermissionDenied, "your role or token does not allow this (needs %s)", perm).WithCode("permission_denied")
	}
	return p.OrgID, nil
}

// event starts an audit event for p.
func (s *Service) event(p access.Principal, action, targetType, targetID, summary string, details any) *audit.Event {
	e := &audit.Event{
		At: s.clock.Now(), ActorID: p.UserID, ActorLabel: p.Label(), ActorKind: string(p.Kind), TokenID: p.TokenID,
		Source: p.Source, Action: action, TargetType: targetType, TargetID: targetID, Summary: summary,
	}
	if details != nil {
		if b, err := json.Marshal(details); err == nil {
			e.Details = b
		}
	}
	return e
}

// inOrg runs fn in one transaction on organisation orgID's store and
// appends the audit event fn returns in the same transaction.
func (s *Service) inOrg(ctx context.Context, orgID string, fn func(store.OrgStore) (*audit.Event, error)) error {
	return s.store.Tx(ctx, func(q store.Queries) error {
		os := q.Org(orgID)
		e, err := fn(os)
		if err != nil {
			return err
		}
		if e != nil {
			return os.AppendAudit(ctx, e)
		}
		return nil
	})
}

// productIn checks perm, then finds a product of p's organisation by slug
// or ID, for operations that read something under one product.
func (s *Service) productIn(ctx context.Context, p access.Principal, perm access.Permission, key string) (store.OrgStore, registry.Product, error) {
	orgID, err := s.scope(p, perm)
	if err != nil {
		return nil, registry.Product{}, err
	}
	os := s.store.Org(orgID)
	prod, err := os.Product(ctx, key)
	return os, prod, err
}
