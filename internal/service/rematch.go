package service

import (
	"context"
	"encoding/json"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/vex"
	"github.com/lifeline-iot/lifeline/internal/vulnmatch"
)

// Rematching keeps findings true without matching everything again: a new
// SBOM rematches its release against the advisories filed under its
// components' keys; a new or changed advisory rematches its
// vulnerabilities against the components filed under their keys, in every
// organisation. RematchAll is the full pass, for after a large import.

// componentKeys returns the matcher keys of components.
func componentKeys(comps []store.ReleaseComponent) []string {
	seen := map[string]bool{}
	var keys []string
	for _, c := range comps {
		for _, k := range vulnmatch.ComponentKeys(matcherComponent(c)) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// rematchRelease recomputes one release's findings and returns the new ones.
func (s *Service) rematchRelease(ctx context.Context, orgID, releaseID string) ([]store.Finding, error) {
	os := s.store.Org(orgID)
	comps, err := os.ReleaseComponents(ctx, releaseID)
	if err != nil {
		return nil, err
	}
	set, err := s.loadAdvisories(ctx, componentKeys(comps))
	if err != nil {
		return nil, err
	}
	d, err := s.loadDecisions(ctx, os)
	if err != nil {
		return nil, err
	}
	sv, err := s.releaseVEX(ctx, os, releaseID)
	if err != nil {
		return nil, err
	}
	fs := findingsFor(comps, set, d, map[string][]vex.Statement{releaseID: sv}, nil)
	var res store.SyncResult
	err = s.store.Tx(ctx, func(q store.Queries) error {
		res, err = q.Org(orgID).SyncFindings(ctx, store.FindingScope{ReleaseIDs: []string{releaseID}}, fs, s.clock.Now())
		return err
	})
	return res.Added, err
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
		var a advisory.Advisory
		if err := json.Unmarshal(r.Document, &a); err != nil {
			return nil, nil, errs.Wrap(errs.Internal, err, "stored advisory %s:%s", r.Source, r.ID)
		}
		set.ix.Add(&a)
		set.vulnOf[store.AdvisoryRef{Source: r.Source, ID: r.ID}] = r.VulnID
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
	var recs []store.AdvisoryRecord
	only := map[string]bool{}
	for _, id := range vulnIDs {
		only[id] = true
		rs, err := s.store.Advisories().VulnerabilityRecords(ctx, id)
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return nil, err
		}
		recs = append(recs, rs...)
	}
	facts, err := s.store.Advisories().VulnerabilityFacts(ctx, vulnIDs)
	if err != nil {
		return nil, err
	}
	set, keys, err := setFromRecords(recs, facts)
	if err != nil {
		return nil, err
	}
	changed := map[string]store.SyncResult{}
	err = s.eachOrganisation(ctx, func(orgID string) error {
		os := s.store.Org(orgID)
		comps, err := os.ComponentsForKeys(ctx, keys)
		if err != nil {
			return err
		}
		var fs []store.Finding
		if len(comps) > 0 {
			d, err := s.loadDecisions(ctx, os)
			if err != nil {
				return err
			}
			sv, err := s.releasesVEX(ctx, os, comps)
			if err != nil {
				return err
			}
			fs = findingsFor(comps, set, d, sv, only)
		}
		return s.store.Tx(ctx, func(q store.Queries) error {
			res, err := q.Org(orgID).SyncFindings(ctx, store.FindingScope{VulnIDs: vulnIDs}, fs, s.clock.Now())
			if len(res.Added) > 0 || len(res.NewlyExploited) > 0 {
				changed[orgID] = res
			}
			return err
		})
	})
	return changed, err
}

// releasesVEX returns the SBOM-embedded VEX of the releases of comps.
func (s *Service) releasesVEX(ctx context.Context, os store.OrgStore, comps []store.ReleaseComponent) (map[string][]vex.Statement, error) {
	out := map[string][]vex.Statement{}
	for _, c := range comps {
		if _, done := out[c.ReleaseID]; done {
			continue
		}
		sv, err := s.releaseVEX(ctx, os, c.ReleaseID)
		if err != nil {
			return nil, err
		}
		out[c.ReleaseID] = sv
	}
	return out, nil
}

// RematchAll recomputes every finding of one organisation: every release's
// components against every advisory filed under their keys.
func (s *Service) RematchAll(ctx context.Context, orgID string) (findings int, err error) {
	os := s.store.Org(orgID)
	rels, err := os.ReleasesWithComponents(ctx)
	if err != nil {
		return 0, err
	}
	var comps []store.ReleaseComponent
	for _, r := range rels {
		cs, err := os.ReleaseComponents(ctx, r)
		if err != nil {
			return 0, err
		}
		comps = append(comps, cs...)
	}
	set, err := s.loadAdvisories(ctx, componentKeys(comps))
	if err != nil {
		return 0, err
	}
	d, err := s.loadDecisions(ctx, os)
	if err != nil {
		return 0, err
	}
	sv, err := s.releasesVEX(ctx, os, comps)
	if err != nil {
		return 0, err
	}
	fs := findingsFor(comps, set, d, sv, nil)
	err = s.store.Tx(ctx, func(q store.Queries) error {
		_, err := q.Org(orgID).SyncFindings(ctx, store.FindingScope{ReleaseIDs: rels}, fs, s.clock.Now())
		return err
	})
	return len(fs), err
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
