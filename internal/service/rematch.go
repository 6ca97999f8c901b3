package service

import (
	"context"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/vulnmatch"
)

// Rematching keeps findings true without matching everything again: a new
// SBOM rematches its release against the advisories filed under its
// components' keys; a new or changed advisory rematches its
// vulnerabilities against the components filed under their keys, in every
// organisation. RematchAll is the full pass, for after a large import or a
// new VEX document.
//
// Each rematch of an organisation runs in one transaction that first takes
// the organisation's findings lock (store.Vulns.LockVulns) and then reads
// what it matches from, so two rematches, or a rematch and a triage
// decision, never overwrite each other with what they read earlier. The
// notifications a rematch causes are queued in the same transaction.

// componentKeys returns the matcher keys of components, working out each
// distinct component's keys once (releases share most components).
func componentKeys(comps []store.ReleaseComponent) []string {
	seen := map[string]bool{}
	done := map[string]bool{}
	var keys []string
	for _, c := range comps {
		sig := componentSignature(c)
		if done[sig] {
			continue
		}
		done[sig] = true
		for _, k := range vulnmatch.ComponentKeys(matcherComponent(c)) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

func releaseIDs(comps []store.ReleaseComponent) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range comps {
		if !seen[c.ReleaseID] {
			seen[c.ReleaseID] = true
			out = append(out, c.ReleaseID)
		}
	}
	return out
}

// rematchRelease recomputes one release's findings inside q, which must be
// a transaction holding the organisation's lock.
func (s *Service) rematchRelease(ctx context.Context, q store.Queries, orgID, releaseID string) (store.SyncResult, error) {
	org := q.Org(orgID)
	comps, err := org.ReleaseComponents(ctx, releaseID)
	if err != nil {
		return store.SyncResult{}, err
	}
	set, err := loadAdvisories(ctx, q.Advisories(), componentKeys(comps))
	if err != nil {
		return store.SyncResult{}, err
	}
	d, err := loadDecisions(ctx, org, []string{releaseID})
	if err != nil {
		return store.SyncResult{}, err
	}
	fs := findingsFor(comps, set, d, nil)
	res, err := org.SyncFindings(ctx, store.FindingScope{ReleaseIDs: []string{releaseID}}, fs, s.clock.Now())
	if err != nil {
		return res, err
	}
	return res, s.queueNotifications(ctx, q, orgID, res)
}

// setFromRecords builds a matcher index over stored records.
func setFromRecords(recs []store.AdvisoryRecord, facts map[string]store.VulnFacts) (*advisorySet, []string, error) {
	set := &advisorySet{ix: vulnmatch.NewIndex(), vulnOf: map[store.AdvisoryRef]string{}, facts: facts}
	seen := map[string]bool{}
	var keys []string
	for _, r := range recs {
		if r.Withdrawn {
			continue
		}
		a, err := set.add(r)
		if err != nil {
			return nil, nil, err
		}
		for _, af := range a.Affected {
			for _, k := range vulnmatch.AffectedKeys(af) {
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	return set, keys, nil
}

// rematchVulns recomputes every organisation's findings of the named
// vulnerabilities and returns what changed, by organisation.
func (s *Service) rematchVulns(ctx context.Context, vulnIDs []string) (map[string]store.SyncResult, error) {
	if len(vulnIDs) == 0 {
		return nil, nil
	}
	changed := map[string]store.SyncResult{}
	err := s.eachOrganisation(ctx, func(orgID string) error {
		return s.store.Tx(ctx, func(q store.Queries) error {
			if err := q.Org(orgID).LockVulns(ctx); err != nil {
				return err
			}
			res, err := s.rematchOrgVulns(ctx, q, orgID, vulnIDs)
			if len(res.Added) > 0 || len(res.NewlyExploited) > 0 {
				changed[orgID] = res
			}
			return err
		})
	})
	return changed, err
}

// rematchOrgVulns recomputes one organisation's findings of the named
// vulnerabilities inside q, a transaction holding the organisation's lock.
func (s *Service) rematchOrgVulns(ctx context.Context, q store.Queries, orgID string, vulnIDs []string) (store.SyncResult, error) {
	var recs []store.AdvisoryRecord
	only := map[string]bool{}
	for _, id := range vulnIDs {
		only[id] = true
		rs, err := q.Advisories().VulnerabilityRecords(ctx, id)
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return store.SyncResult{}, err
		}
		recs = append(recs, rs...)
	}
	facts, err := q.Advisories().VulnerabilityFacts(ctx, vulnIDs)
	if err != nil {
		return store.SyncResult{}, err
	}
	set, keys, err := setFromRecords(recs, facts)
	if err != nil {
		return store.SyncResult{}, err
	}
	org := q.Org(orgID)
	comps, err := org.ComponentsForKeys(ctx, keys)
	if err != nil {
		return store.SyncResult{}, err
	}
	var fs []store.Finding
	if len(comps) > 0 {
		d, err := loadDecisions(ctx, org, releaseIDs(comps))
		if err != nil {
			return store.SyncResult{}, err
		}
		fs = findingsFor(comps, set, d, only)
	}
	res, err := org.SyncFindings(ctx, store.FindingScope{VulnIDs: vulnIDs}, fs, s.clock.Now())
	if err != nil {
		return res, err
	}
	return res, s.queueNotifications(ctx, q, orgID, res)
}

// RematchAll recomputes every finding of one organisation: every release's
// components against every advisory filed under their keys.
func (s *Service) RematchAll(ctx context.Context, orgID string) (store.SyncResult, int, error) {
	var res store.SyncResult
	var n int
	err := s.store.Tx(ctx, func(q store.Queries) error {
		org := q.Org(orgID)
		if err := org.LockVulns(ctx); err != nil {
			return err
		}
		var err error
		res, n, err = s.rematchAll(ctx, q, orgID)
		return err
	})
	return res, n, err
}

func (s *Service) rematchAll(ctx context.Context, q store.Queries, orgID string) (store.SyncResult, int, error) {
	org := q.Org(orgID)
	comps, err := org.AllComponents(ctx)
	if err != nil {
		return store.SyncResult{}, 0, err
	}
	rels := releaseIDs(comps)
	set, err := loadAdvisories(ctx, q.Advisories(), componentKeys(comps))
	if err != nil {
		return store.SyncResult{}, 0, err
	}
	d, err := loadDecisions(ctx, org, rels)
	if err != nil {
		return store.SyncResult{}, 0, err
	}
	fs := findingsFor(comps, set, d, nil)
	res, err := org.SyncFindings(ctx, store.FindingScope{ReleaseIDs: rels}, fs, s.clock.Now())
	if err != nil {
		return res, 0, err
	}
	return res, len(fs), s.queueNotifications(ctx, q, orgID, res)
}

// eachOrganisation calls fn with the ID of every organisation.
func (s *Service) eachOrganisation(ctx context.Context, fn func(orgID string) error) error {
	pg := store.Page{Limit: store.MaxLimit}
	for {
		l, err := s.store.Directory().Organisations(ctx, pg)
		if err != nil {
			return err
		}
		for _, o := range l.Items {
			if err := fn(o.ID); err != nil {
				return err
			}
		}
		if l.Next == "" {
			return nil
		}
		pg.Cursor = l.Next
	}
}
