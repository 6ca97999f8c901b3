package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/exposure"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
	"github.com/lifeline-iot/lifeline/internal/vex/vexdoc"
)

// VulnFilter narrows the portfolio view.
type VulnFilter struct {
	ProductKey      string // slug or ID; empty for every product
	IncludeResolved bool   // also list vulnerabilities whose every finding is resolved
}

// portfolio is what exposure needs of an organisation's registry.
type portfolio struct {
	products []exposure.Product
	releases []exposure.Release
	byID     map[string]registry.Release
	prodByID map[string]registry.Product
}

func (s *Service) loadPortfolio(ctx context.Context, os store.OrgStore) (*portfolio, error) {
	counts, err := os.DeviceCountsByRelease(ctx)
	if err != nil {
		return nil, err
	}
	rels, err := os.ReleasesWithComponents(ctx)
	if err != nil {
		return nil, err
	}
	withSBOM := make(map[string]bool, len(rels))
	for _, id := range rels {
		withSBOM[id] = true
	}
	now := s.clock.Now()
	pf := &portfolio{byID: map[string]registry.Release{}, prodByID: map[string]registry.Product{}}
	pg := store.Page{Limit: store.MaxLimit}
	for {
		l, err := os.Products(ctx, store.ProductFilter{}, pg)
		if err != nil {
			return nil, err
		}
		for _, p := range l.Items {
			st := p.SupportStatus(now)
			pf.products = append(pf.products, exposure.Product{ID: p.ID, Name: p.Name, Slug: p.Slug,
				InSupport: st == supportperiod.Supported || st == supportperiod.EndingSoon})
			pf.prodByID[p.ID] = p
			rpg := store.Page{Limit: store.MaxLimit}
			for {
				rl, err := os.Releases(ctx, p.ID, rpg)
				if err != nil {
					return nil, err
				}
				for _, r := range rl.Items {
					pf.byID[r.ID] = r
					pf.releases = append(pf.releases, exposure.Release{ID: r.ID, ProductID: p.ID, Version: r.Version, ReleasedAt: r.ReleasedAt,
						HasSBOM: withSBOM[r.ID], Devices: counts[r.ID]})
				}
				if rl.Next == "" {
					break
				}
				rpg.Cursor = rl.Next
			}
		}
		if l.Next == "" {
			return pf, nil
		}
		pg.Cursor = l.Next
	}
}

func exposureFindings(fs []store.FindingFact) []exposure.Finding {
	out := make([]exposure.Finding, len(fs))
	for i, f := range fs {
		out[i] = exposure.Finding{VulnID: f.VulnID, ReleaseID: f.ReleaseID, Score: f.Score, Exploited: f.Exploited,
			Open: f.Status == store.FindingOpen || f.Status == store.FindingAffected}
	}
	return out
}

func findingFacts(fs []store.Finding) []store.FindingFact {
	out := make([]store.FindingFact, len(fs))
	for i, f := range fs {
		out[i] = store.FindingFact{VulnID: f.VulnID, ReleaseID: f.ReleaseID, Score: f.Score, Exploited: f.Exploited, Status: f.Status}
	}
	return out
}

// Portfolio is the organisation's vulnerabilities, worst first, and the
// devices exposed to at least one of them.
type Portfolio struct {
	Items                      []exposure.Vulnerability `json:"items"`
	DevicesExposedInSupport    int                      `json:"devices_exposed_in_support"`
	DevicesExposedOutOfSupport int                      `json:"devices_exposed_out_of_support"`
}

// Vulnerabilities ranks the vulnerabilities found in the organisation's
// releases, worst first, with their exposure.
func (s *Service) Vulnerabilities(ctx context.Context, p access.Principal, f VulnFilter) (Portfolio, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return Portfolio{}, err
	}
	os := s.store.Org(orgID)
	ff := store.FindingFilter{}
	if f.ProductKey != "" {
		prod, err := os.Product(ctx, f.ProductKey)
		if err != nil {
			return Portfolio{}, err
		}
		ff.ProductID = prod.ID
	}
	fs, err := os.FindingFacts(ctx, ff)
	if err != nil {
		return Portfolio{}, err
	}
	pf, err := s.loadPortfolio(ctx, os)
	if err != nil {
		return Portfolio{}, err
	}
	ef := exposureFindings(fs)
	vs := exposure.Summarise(ef, pf.releases, pf.products)
	if !f.IncludeResolved {
		vs = slices.DeleteFunc(vs, func(v exposure.Vulnerability) bool { return !v.Open })
	}
	if vs == nil {
		vs = []exposure.Vulnerability{}
	}
	in, out := exposure.Totals(ef, pf.releases, pf.products)
	return Portfolio{Items: vs, DevicesExposedInSupport: in, DevicesExposedOutOfSupport: out}, nil
}

// FindingView is a finding with its release and product named, and its
// reasons decoded.
type FindingView struct {
	store.Finding
	Product string            `json:"product"`
	Slug    string            `json:"product_slug"`
	Version string            `json:"release"`
	Reasons []json.RawMessage `json:"reasons"`
}

// VulnDetail is everything known about one vulnerability in an organisation.
type VulnDetail struct {
	ID       string                 `json:"id"`
	Exposure exposure.Vulnerability `json:"exposure"`
	Records  []*advisory.Advisory   `json:"advisories"`
	Findings []FindingView          `json:"findings"`
	Triage   []store.Triage         `json:"triage"`
}

// Vulnerability returns one vulnerability, found by any of its ids or
// aliases: its advisories, its exposure and every finding.
func (s *Service) Vulnerability(ctx context.Context, p access.Principal, id string) (VulnDetail, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return VulnDetail{}, err
	}
	recs, err := s.store.Advisories().VulnerabilityRecords(ctx, id)
	if err != nil {
		return VulnDetail{}, err
	}
	recs, err = oneVulnerability(id, recs)
	if err != nil {
		return VulnDetail{}, err
	}
	d := VulnDetail{ID: recs[0].VulnID}
	for _, r := range recs {
		var a advisory.Advisory
		if err := json.Unmarshal(r.Document, &a); err != nil {
			return d, errs.Wrap(errs.Internal, err, "stored advisory %s:%s", r.Source, r.ID)
		}
		d.Records = append(d.Records, &a)
	}
	os := s.store.Org(orgID)
	fs, err := os.Findings(ctx, store.FindingFilter{VulnID: d.ID})
	if err != nil {
		return d, err
	}
	pf, err := s.loadPortfolio(ctx, os)
	if err != nil {
		return d, err
	}
	if vs := exposure.Summarise(exposureFindings(findingFacts(fs)), pf.releases, pf.products); len(vs) > 0 {
		d.Exposure = vs[0]
	} else {
		d.Exposure = exposure.Vulnerability{ID: d.ID}
		facts, err := s.store.Advisories().VulnerabilityFacts(ctx, []string{d.ID})
		if err != nil {
			return d, err
		}
		d.Exposure.Score, d.Exposure.Exploited = facts[d.ID].Score, facts[d.ID].Exploited
	}
	d.Findings = s.findingViews(fs, pf)
	d.Triage, err = os.Triage(ctx, d.ID)
	return d, err
}

// oneVulnerability keeps the records of the vulnerability id names: the
// one whose id it is, or else the only one it is an alias of. An alias of
// several (a vendor advisory naming three CVEs) is ambiguous.
func oneVulnerability(id string, recs []store.AdvisoryRecord) ([]store.AdvisoryRecord, error) {
	byVuln := map[string][]store.AdvisoryRecord{}
	var vulns []string
	for _, r := range recs {
		if _, ok := byVuln[r.VulnID]; !ok {
			vulns = append(vulns, r.VulnID)
		}
		byVuln[r.VulnID] = append(byVuln[r.VulnID], r)
	}
	if rs, ok := byVuln[id]; ok {
		return rs, nil
	}
	if len(vulns) == 1 {
		return recs, nil
	}
	slices.Sort(vulns)
	return nil, errs.E(errs.Conflict, "%s names %d vulnerabilities: %s; ask for one of them", id, len(vulns), strings.Join(vulns, ", ")).
		WithCode("ambiguous_vulnerability")
}

func (s *Service) findingViews(fs []store.Finding, pf *portfolio) []FindingView {
	out := make([]FindingView, 0, len(fs))
	for _, f := range fs {
		v := FindingView{Finding: f, Version: pf.byID[f.ReleaseID].Version}
		if p, ok := pf.prodByID[f.ProductID]; ok {
			v.Product, v.Slug = p.Name, p.Slug
		}
		_ = json.Unmarshal(f.Reason, &v.Reasons)
		out = append(out, v)
	}
	return out
}

// ReleaseFindings lists the findings of one release, worst first.
func (s *Service) ReleaseFindings(ctx context.Context, p access.Principal, productKey, version string) ([]FindingView, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return nil, err
	}
	return s.releaseFindings(ctx, os, prod, version, store.FindingFilter{})
}

// releaseFindings lists the findings of one release of prod that match f.
func (s *Service) releaseFindings(ctx context.Context, os store.OrgStore, prod registry.Product, version string, f store.FindingFilter) ([]FindingView, error) {
	rel, err := os.Release(ctx, prod.ID, version)
	if err != nil {
		return nil, err
	}
	f.ReleaseID = rel.ID
	fs, err := os.Findings(ctx, f)
	if err != nil {
		return nil, err
	}
	pf := &portfolio{byID: map[string]registry.Release{rel.ID: rel}, prodByID: map[string]registry.Product{prod.ID: prod}}
	return s.findingViews(fs, pf), nil
}

// DeviceVulnerabilities lists the open findings of the release a device runs.
func (s *Service) DeviceVulnerabilities(ctx context.Context, p access.Principal, productKey, serial string) ([]FindingView, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return nil, err
	}
	dev, err := os.Device(ctx, prod.ID, serial)
	if err != nil {
		return nil, err
	}
	if dev.InstalledVersion == "" {
		return nil, nil
	}
	return s.releaseFindings(ctx, os, prod, dev.InstalledVersion, store.FindingFilter{Open: true})
}

// TriageRequest is a decision about a vulnerability in one component of a
// release; it carries over to the same component in every other release.
type TriageRequest struct {
	VulnID         string `json:"vulnerability"`
	ProductKey     string `json:"product"`
	Version        string `json:"release"`
	ComponentIndex int    `json:"component_index"`
	State          string `json:"state"`
	Justification  string `json:"justification,omitempty"`
	FixedIn        string `json:"fixed_in,omitempty"`
	Note           string `json:"note,omitempty"`
}

var triageStates = []string{store.TriageAffected, store.TriageNotAffected, store.TriageFixed, store.TriageFalsePositive}

// Triage records a decision on a finding.
func (s *Service) Triage(ctx context.Context, p access.Principal, req TriageRequest) (store.Triage, error) {
	if _, err := s.scope(p, access.WriteRegistry); err != nil {
		return store.Triage{}, err
	}
	var fe errs.Fields
	fe.Check(slices.Contains(triageStates, req.State), "state", "must be one of affected, not_affected, fixed, false_positive")
	fe.Check(req.State != store.TriageNotAffected || req.Justification != "", "justification", "is required when the state is not_affected")
	fe.Check(req.State != store.TriageFixed || req.FixedIn != "", "fixed_in", "names the release that fixes it; required when the state is fixed")
	fe.Check(len(req.Note) <= 4000, "note", "must be at most 4000 characters")
	fe.Check(len(req.Justification) <= 200, "justification", "must be at most 200 characters")
	if err := fe.Err(); err != nil {
		return store.Triage{}, err
	}
	os, prod, err := s.productIn(ctx, p, access.WriteRegistry, req.ProductKey)
	if err != nil {
		return store.Triage{}, err
	}
	rel, err := os.Release(ctx, prod.ID, req.Version)
	if err != nil {
		return store.Triage{}, err
	}
	if req.State == store.TriageFixed {
		if _, err := os.Release(ctx, prod.ID, req.FixedIn); err != nil {
			var fe errs.Fields
			fe.Add("fixed_in", "is not a release of %s", prod.Name)
			return store.Triage{}, fe.Err()
		}
	}
	fs, err := os.Findings(ctx, store.FindingFilter{ReleaseID: rel.ID, VulnID: req.VulnID})
	if err != nil {
		return store.Triage{}, err
	}
	i := slices.IndexFunc(fs, func(f store.Finding) bool { return f.Index == req.ComponentIndex })
	if i < 0 {
		return store.Triage{}, errs.E(errs.NotFound, "release %s has no finding of %s on component %d", rel.Version, req.VulnID, req.ComponentIndex).WithCode("finding_not_found")
	}
	t := store.Triage{ProductID: prod.ID, Identity: fs[i].Identity, VulnID: req.VulnID, State: req.State, Justification: req.Justification, FixedIn: req.FixedIn,
		Note: req.Note, ReleaseID: rel.ID, DecidedBy: p.Label(), DecidedAt: s.clock.Now()}
	// The decision and the findings it changes land together; the rematch
	// applies "fixed in" only to that release and later ones.
	err = s.store.Tx(ctx, func(q store.Queries) error {
		os := q.Org(p.OrgID)
		if err := os.LockVulns(ctx); err != nil {
			return err
		}
		if err := os.PutTriage(ctx, t); err != nil {
			return err
		}
		if _, err := s.rematchOrgVulns(ctx, q, p.OrgID, []string{req.VulnID}); err != nil {
			return err
		}
		return os.AppendAudit(ctx, s.event(p, "vulnerability.triage", "vulnerability", req.VulnID, "triaged "+req.VulnID+" in "+fs[i].Component+" as "+req.State,
			map[string]any{"component": fs[i].Identity, "release": rel.Version, "state": req.State, "justification": req.Justification}))
	})
	return t, err
}

// MaxVEXSize bounds an uploaded VEX document.
const MaxVEXSize = 16 << 20

// UploadVEX reads a VEX document (CycloneDX VEX, OpenVEX or CSAF VEX),
// keeps its statements and applies them to the organisation's findings.
func (s *Service) UploadVEX(ctx context.Context, p access.Principal, name string, r io.Reader) (store.VEXDocument, error) {
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return store.VEXDocument{}, err
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxVEXSize+1))
	if err != nil {
		return store.VEXDocument{}, errs.Wrap(errs.Invalid, err, "could not read the VEX document")
	}
	if len(raw) > MaxVEXSize {
		return store.VEXDocument{}, errs.E(errs.TooLarge, "the VEX document is larger than %d bytes", MaxVEXSize).WithCode("vex_too_large")
	}
	sts, format, err := vexdoc.Parse(raw, vexdoc.Limits{MaxBytes: MaxVEXSize})
	if err != nil {
		return store.VEXDocument{}, err
	}
	if len(sts) == 0 {
		return store.VEXDocument{}, errs.E(errs.Invalid, "the %s document holds no VEX statements", format).WithCode("vex_empty")
	}
	body, err := json.Marshal(sts)
	if err != nil {
		return store.VEXDocument{}, err
	}
	if name == "" {
		name = format + " document"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	d := store.VEXDocument{ID: ids.New(), Name: name, Format: format, Statements: len(sts), Document: body, UploadedAt: s.clock.Now()}
	// The document and the findings it changes land together.
	err = s.store.Tx(ctx, func(q store.Queries) error {
		os := q.Org(orgID)
		if err := os.LockVulns(ctx); err != nil {
			return err
		}
		if err := os.PutVEXDocument(ctx, d); err != nil {
			return err
		}
		if _, _, err := s.rematchAll(ctx, q, orgID); err != nil {
			return err
		}
		return os.AppendAudit(ctx, s.event(p, "vex.upload", "vex", d.ID, fmt.Sprintf("uploaded %s VEX %q with %d statements", format, name, len(sts)), nil))
	})
	return d, err
}

// VEXDocuments lists the organisation's uploaded VEX documents.
func (s *Service) VEXDocuments(ctx context.Context, p access.Principal) ([]store.VEXDocument, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return nil, err
	}
	return s.store.Org(orgID).VEXDocuments(ctx)
}
