package service

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/component"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/sbom"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/vex"
	"github.com/lifeline-iot/lifeline/internal/vulnmatch"
)

// componentIdentity names a component across its versions, so that a
// triage decision made on one release carries over to the same component
// in later releases: the versionless purl when there is one, else the
// vendor and product of its first CPE, else its name.
func componentIdentity(c sbom.Component) string {
	if c.PURL != "" {
		if p, err := component.ParsePURL(c.PURL); err == nil {
			return p.Versionless()
		}
	}
	for _, s := range c.CPEs {
		if cp, err := component.ParseCPE(s); err == nil && !cp.Product().IsAny() {
			return "cpe:" + cp.Vendor().String() + ":" + cp.Product().String()
		}
	}
	return "name:" + strings.ToLower(c.Name)
}

// releaseComponents turns an SBOM's components into the rows the matcher
// works from. Components the matcher could never match (no purl, no CPE,
// files) are left out.
func releaseComponents(doc *sbom.Document) []store.ReleaseComponent {
	var out []store.ReleaseComponent
	for _, c := range doc.Components {
		if c.Type == "file" {
			continue
		}
		keys := vulnmatch.ComponentKeys(vulnmatch.FromSBOM(c))
		if len(keys) == 0 {
			continue
		}
		out = append(out, store.ReleaseComponent{Index: len(out), Identity: componentIdentity(c), Ref: c.Ref, Name: c.Name, Version: c.Version,
			PURL: c.PURL, CPEs: c.CPEs, Keys: keys})
	}
	return out
}

// componentSignature is equal for components the matcher cannot tell apart.
func componentSignature(c store.ReleaseComponent) string {
	return c.Name + "\x00" + c.Version + "\x00" + c.PURL + "\x00" + strings.Join(c.CPEs, "\x00")
}

func matcherComponent(c store.ReleaseComponent) vulnmatch.Component {
	return vulnmatch.Component{Name: c.Name, Version: c.Version, PURL: c.PURL, CPEs: c.CPEs}
}

// advisorySet is a matcher index over some advisory records, with the
// vulnerability each record belongs to.
type advisorySet struct {
	ix     *vulnmatch.Index
	vulnOf map[store.AdvisoryRef]string
	facts  map[string]store.VulnFacts
}

// add decodes a stored record and indexes it under its vulnerability.
func (set *advisorySet) add(r store.AdvisoryRecord) (*advisory.Advisory, error) {
	var a advisory.Advisory
	if err := json.Unmarshal(r.Document, &a); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "stored advisory %s:%s", r.Source, r.ID)
	}
	set.ix.Add(&a)
	set.vulnOf[store.AdvisoryRef{Source: r.Source, ID: r.ID}] = r.VulnID
	return &a, nil
}

// loadAdvisories builds the index of every live record filed under keys.
func loadAdvisories(ctx context.Context, adv store.Advisories, keys []string) (*advisorySet, error) {
	set := &advisorySet{ix: vulnmatch.NewIndex(), vulnOf: map[store.AdvisoryRef]string{}, facts: map[string]store.VulnFacts{}}
	err := adv.AdvisoriesForKeys(ctx, keys, func(r store.AdvisoryRecord) error {
		_, err := set.add(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	vulns := make([]string, 0, len(set.vulnOf))
	for _, v := range set.vulnOf {
		vulns = append(vulns, v)
	}
	// Scores and the exploited flag come from every record of each
	// vulnerability, including those (KEV) that name no component.
	set.facts, err = adv.VulnerabilityFacts(ctx, vulns)
	return set, err
}

// reasonJSON is how a finding's reasons are stored and shown.
type reasonJSON struct {
	Advisory   string `json:"advisory"` // "source:id"
	Kind       string `json:"kind"`
	Identifier string `json:"identifier"`
	Criterion  string `json:"criterion"`
	Scheme     string `json:"scheme,omitempty"`
	Caveat     string `json:"caveat,omitempty"`
	Text       string `json:"text"`
}

// decisions are what an organisation has said about findings: triage by
// product, component identity and vulnerability, and VEX statements, both
// uploaded and embedded in releases' SBOMs.
type decisions struct {
	triage  map[[3]string]store.Triage
	vex     []vex.Statement
	sbomVEX map[string][]vex.Statement // by release ID
	// releasedAt orders releases, for "fixed in release X" decisions: by
	// release ID, and by product ID and version.
	releasedAt map[string]time.Time
	versionAt  map[[2]string]time.Time
}

// loadDecisions reads an organisation's decisions; releaseIDs are the
// releases whose embedded VEX is needed.
func loadDecisions(ctx context.Context, org store.OrgStore, releaseIDs []string) (*decisions, error) {
	d := &decisions{triage: map[[3]string]store.Triage{}, sbomVEX: map[string][]vex.Statement{},
		releasedAt: map[string]time.Time{}, versionAt: map[[2]string]time.Time{}}
	ts, err := org.Triage(ctx, "")
	if err != nil {
		return nil, err
	}
	fixedProducts := map[string]bool{}
	for _, t := range ts {
		d.triage[[3]string{t.ProductID, t.Identity, t.VulnID}] = t
		if t.State == store.TriageFixed {
			fixedProducts[t.ProductID] = true
		}
	}
	for pid := range fixedProducts {
		pg := store.Page{Limit: store.MaxLimit}
		for {
			l, err := org.Releases(ctx, pid, pg)
			if err != nil {
				return nil, err
			}
			for _, r := range l.Items {
				d.releasedAt[r.ID] = r.ReleasedAt
				d.versionAt[[2]string{pid, r.Version}] = r.ReleasedAt
			}
			if l.Next == "" {
				break
			}
			pg.Cursor = l.Next
		}
	}
	docs, err := org.VEXDocuments(ctx)
	if err != nil {
		return nil, err
	}
	for _, doc := range docs {
		var sts []vex.Statement
		if err := json.Unmarshal(doc.Document, &sts); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "stored VEX document %s", doc.ID)
		}
		d.vex = append(d.vex, sts...)
	}
	embedded, err := org.ReleaseVEX(ctx, releaseIDs)
	if err != nil {
		return nil, err
	}
	for id, b := range embedded {
		var sts []vex.Statement
		if err := json.Unmarshal(b, &sts); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "stored VEX of release %s", id)
		}
		d.sbomVEX[id] = sts
	}
	return d, nil
}

// findingsFor matches components against set and returns one finding per
// component and vulnerability, with triage and VEX applied. only, when not
// nil, keeps only those vulnerabilities.
func findingsFor(comps []store.ReleaseComponent, set *advisorySet, d *decisions, only map[string]bool) []store.Finding {
	var out []store.Finding
	cache := map[string][]vulnmatch.Match{} // the same component in many releases is matched once
	for _, c := range comps {
		ck := componentSignature(c)
		ms, ok := cache[ck]
		if !ok {
			ms = set.ix.Match(matcherComponent(c))
			cache[ck] = ms
		}
		byVuln := map[string]*store.Finding{}
		var reasons map[string][]reasonJSON
		var order []string
		for _, m := range ms {
			ref := store.AdvisoryRef{Source: string(m.Advisory.Source), ID: m.Advisory.ID}
			vuln := set.vulnOf[ref]
			if vuln == "" || (only != nil && !only[vuln]) {
				continue
			}
			f := byVuln[vuln]
			if f == nil {
				facts := set.facts[vuln]
				f = &store.Finding{ReleaseID: c.ReleaseID, ProductID: c.ProductID, Index: c.Index, VulnID: vuln, Identity: c.Identity,
					Component: strings.TrimSpace(c.Name + " " + c.Version), Score: facts.Score, Exploited: facts.Exploited, Status: store.FindingOpen}
				byVuln[vuln] = f
				order = append(order, vuln)
				if reasons == nil {
					reasons = map[string][]reasonJSON{}
				}
			}
			f.Advisories = append(f.Advisories, ref)
			r := m.Reason
			reasons[vuln] = append(reasons[vuln], reasonJSON{Advisory: ref.Source + ":" + ref.ID, Kind: r.Kind, Identifier: r.Identifier,
				Criterion: r.Criterion, Scheme: r.Scheme, Caveat: r.Caveat, Text: r.String()})
		}
		for _, vuln := range order {
			f := byVuln[vuln]
			f.Reason = marshalReasons(reasons[vuln])
			d.apply(f, c)
			out = append(out, *f)
		}
	}
	return out
}

// marshalReasons writes reasons as JSON without HTML escaping, so that
// "< 1.36.0" reads as written in the API and the CLI.
func marshalReasons(rs []reasonJSON) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rs); err != nil {
		return []byte("[]")
	}
	return bytes.TrimSpace(b.Bytes())
}

// apply sets a finding's status from triage (which wins) or VEX. A
// "fixed in release X" decision applies to X and later releases; earlier
// ones stay affected.
func (d *decisions) apply(f *store.Finding, c store.ReleaseComponent) {
	if t, ok := d.triage[[3]string{f.ProductID, f.Identity, f.VulnID}]; ok {
		f.Status, f.Justification, f.DecidedBy = t.State, t.Justification, "triage"
		if t.State == store.TriageFixed {
			fixedAt, known := d.versionAt[[2]string{t.ProductID, t.FixedIn}]
			if at, ok := d.releasedAt[c.ReleaseID]; known && ok && at.Before(fixedAt) {
				f.Status, f.Justification = store.FindingAffected, "fixed in "+t.FixedIn
			}
		}
		return
	}
	sbomVEX := d.sbomVEX[c.ReleaseID]
	target := vex.Target{Ref: c.Ref, PURL: c.PURL, CPEs: c.CPEs, Name: c.Name, Version: c.Version}
	ids := map[string]bool{f.VulnID: true}
	for _, a := range f.Advisories {
		ids[a.ID] = true
	}
	var best *vex.Statement
	consider := func(st *vex.Statement) {
		if !ids[st.Vulnerability] && !slices.ContainsFunc(st.Aliases, func(a string) bool { return ids[a] }) {
			return
		}
		if !vex.Applies(*st, target) {
			return
		}
		if best == nil || st.Timestamp.After(best.Timestamp) {
			best = st
		}
	}
	for i := range sbomVEX {
		consider(&sbomVEX[i])
	}
	for i := range d.vex {
		consider(&d.vex[i])
	}
	if best == nil {
		return
	}
	switch best.Status {
	case vex.StatusNotAffected:
		f.Status = store.FindingNotAffected
		if best.Justification == "false_positive" {
			f.Status = store.FindingFalsePositive
		}
	case vex.StatusFixed:
		f.Status = store.FindingFixed
	case vex.StatusAffected:
		f.Status = store.FindingAffected
	default:
		return
	}
	f.Justification, f.DecidedBy = best.Justification, "vex"
	if f.Justification == "" {
		f.Justification = best.Detail
	}
}
