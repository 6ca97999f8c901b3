package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// RolloutView is a rollout with its live progress.
type RolloutView struct {
	rollout.Rollout
	Percent float64       `json:"percent"` // share of targeted devices offered the release now
	Stats   rollout.Stats `json:"stats"`
}

// CreateRollout starts rolling a signed release out to a product's devices.
func (s *Service) CreateRollout(ctx context.Context, p access.Principal, productKey string, in rollout.Rollout) (RolloutView, error) {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return RolloutView{}, err
	}
	now := s.clock.Now()
	r := in
	r.ID, r.State, r.Phase, r.PhaseStartedAt, r.CreatedAt, r.UpdatedAt, r.CreatedBy, r.Reason = ids.New(), rollout.Active, 0, now, now, now, p.Label(), ""
	if err := r.Validate(); err != nil {
		return RolloutView{}, err
	}
	var view RolloutView
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		rel, err := os.Release(ctx, prod.ID, in.Version)
		if err != nil {
			return nil, errs.Invalidf("version", "%s has no release %q", prod.Name, in.Version)
		}
		if rel.SignedAt == nil || rel.Image == nil {
			return nil, errs.E(errs.Conflict, "release %s is not signed into the update repository yet; devices could not verify it", rel.Version).WithCode("release_not_signed")
		}
		if r.Scope == rollout.HardwareRevision {
			revs, err := os.HardwareRevisions(ctx, prod.ID)
			if err != nil {
				return nil, err
			}
			if !slices.ContainsFunc(revs, func(h registry.HardwareRevision) bool { return h.Name == r.ScopeValue }) {
				return nil, errs.Invalidf("scope_value", "%s has no hardware revision %q", prod.Name, r.ScopeValue)
			}
			if len(rel.HardwareRevisions) > 0 && !slices.Contains(rel.HardwareRevisions, r.ScopeValue) {
				return nil, errs.Invalidf("scope_value", "release %s is not for hardware revision %q", rel.Version, r.ScopeValue)
			}
		}
		r.ProductID, r.ReleaseID, r.Version, r.Security, r.AllowRollback = prod.ID, rel.ID, rel.Version, rel.SecurityUpdate || in.Security, rel.AllowRollback
		r.Target = tufrepo.TargetPath(rel.Version, rel.Image.FileName)
		if err := os.CreateRollout(ctx, &r); err != nil {
			return nil, err
		}
		if view, err = s.rolloutView(ctx, os, r); err != nil {
			return nil, err
		}
		s.rollouts.drop(prod.ID)
		return s.event(p, "rollout.create", "rollout", r.ID, fmt.Sprintf("started rolling out %s of %s (%s)", rel.Version, prod.Name, phasesText(r.Phases)), r), nil
	})
	return view, err
}

func phasesText(ps []float64) string {
	var b []byte
	for i, p := range ps {
		if i > 0 {
			b = append(b, " → "...)
		}
		b = fmt.Appendf(b, "%g%%", p)
	}
	return string(b)
}

func (s *Service) rolloutView(ctx context.Context, os store.OrgStore, r rollout.Rollout) (RolloutView, error) {
	st, err := os.RolloutStats(ctx, r)
	return RolloutView{Rollout: r, Percent: r.Percent(), Stats: st}, err
}

// Rollouts lists a product's rollouts (all products when productKey is
// empty) with their progress, newest first.
func (s *Service) Rollouts(ctx context.Context, p access.Principal, productKey string) ([]RolloutView, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return nil, err
	}
	os := s.store.Org(orgID)
	productID := ""
	if productKey != "" {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		productID = prod.ID
	}
	rs, err := os.Rollouts(ctx, productID)
	if err != nil {
		return nil, err
	}
	out := make([]RolloutView, 0, len(rs))
	for _, r := range rs {
		v, err := s.rolloutView(ctx, os, r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Rollout returns one rollout with its progress.
func (s *Service) Rollout(ctx context.Context, p access.Principal, id string) (RolloutView, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return RolloutView{}, err
	}
	os := s.store.Org(orgID)
	r, err := os.Rollout(ctx, id)
	if err != nil {
		return RolloutView{}, err
	}
	return s.rolloutView(ctx, os, r)
}

// Rollout actions.
const (
	PauseRollout  = "pause"
	ResumeRollout = "resume"
	AbortRollout  = "abort"
)

// ChangeRollout pauses, resumes or aborts a rollout by hand.
func (s *Service) ChangeRollout(ctx context.Context, p access.Principal, id, action, reason string) (RolloutView, error) {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return RolloutView{}, err
	}
	var view RolloutView
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		r, err := os.Rollout(ctx, id)
		if err != nil {
			return nil, err
		}
		from := r.State
		switch {
		case action == PauseRollout && r.State == rollout.Active:
			r.State = rollout.Paused
		case action == ResumeRollout && r.State == rollout.Paused:
			r.State = rollout.Active
		case action == AbortRollout && (r.State == rollout.Active || r.State == rollout.Paused):
			r.State = rollout.Aborted
		case action != PauseRollout && action != ResumeRollout && action != AbortRollout:
			return nil, errs.Invalidf("action", "must be pause, resume or abort")
		default:
			return nil, errs.E(errs.Conflict, "a %s rollout cannot %s", r.State, action).WithCode("rollout_state")
		}
		r.Reason, r.UpdatedAt = reason, s.clock.Now()
		if r.Reason == "" {
			r.Reason = action + "d by " + p.Label()
		}
		if err := os.UpdateRollout(ctx, r); err != nil {
			return nil, err
		}
		s.rollouts.drop(r.ProductID)
		if view, err = s.rolloutView(ctx, os, r); err != nil {
			return nil, err
		}
		return s.event(p, "rollout."+action, "rollout", r.ID, fmt.Sprintf("%s → %s: rollout of %s", from, r.State, r.Version), map[string]any{"reason": reason}), nil
	})
	return view, err
}

// EvaluateRollouts moves every active rollout on by its device reports:
// advancing phases, completing, pausing or aborting as its thresholds say.
// Servers run it periodically; it returns how many rollouts changed.
func (s *Service) EvaluateRollouts(ctx context.Context) (int, error) {
	if err := s.FlushCheckIns(ctx); err != nil {
		return 0, err
	}
	active, err := s.store.Directory().ActiveRollouts(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, a := range active {
		err := s.inOrg(ctx, a.OrgID, func(os store.OrgStore) (*audit.Event, error) {
			r, err := os.Rollout(ctx, a.Rollout.ID)
			if err != nil || r.State != rollout.Active {
				return nil, err
			}
			st, err := os.RolloutStats(ctx, r)
			if err != nil {
				return nil, err
			}
			now := s.clock.Now()
			d := rollout.Evaluate(r, st, now)
			if d.State == r.State && d.Phase == r.Phase {
				return nil, nil
			}
			from := fmt.Sprintf("%s at %g%%", r.State, r.Percent())
			if d.Phase != r.Phase {
				r.PhaseStartedAt = now
			}
			r.State, r.Phase, r.Reason, r.UpdatedAt = d.State, d.Phase, d.Reason, now
			if err := os.UpdateRollout(ctx, r); err != nil {
				return nil, err
			}
			changed++
			s.rollouts.drop(r.ProductID)
			e := s.event(access.System("rollout evaluator"), "rollout."+string(d.State), "rollout", r.ID,
				fmt.Sprintf("rollout of %s: %s → %s at %g%%: %s", r.Version, from, r.State, r.Percent(), d.Reason), st)
			return e, nil
		})
		if err != nil {
			s.log.Error("evaluating a rollout", "rollout", a.Rollout.ID, "err", err)
		}
	}
	return changed, nil
}
