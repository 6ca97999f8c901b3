package webui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/exposure"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Vulnerabilities: the portfolio view ranking the vulnerabilities found in
// the organisation's releases, one vulnerability's page with its advisory
// records, its exposure, its findings and the triage forms, and the
// findings shown on a release's SBOM page and a device's page.

// productLink is the page of a product named by slug and ID, as
// productPath makes it.
func productLink(slug, id string) string {
	return productPath(registry.Product{Slug: slug, ID: id})
}

// vulnPath is a vulnerability's page.
func vulnPath(id string) string { return "/ui/vulnerabilities/" + url.PathEscape(id) }

// severityText shows a score with its band: "critical 9.8", or "unknown"
// when no feed gave a score.
func severityText(score float64) string {
	label := advisory.SeverityLabel(score)
	if score <= 0 {
		return label
	}
	return label + " " + strconv.FormatFloat(score, 'f', 1, 64)
}

// severityClass names a score's band for the style sheet.
func severityClass(score float64) string { return advisory.SeverityLabel(score) }

// findingStatusText names a finding's status in words.
func findingStatusText(status string) string {
	switch status {
	case store.FindingOpen:
		return "Open"
	case store.FindingAffected:
		return "Affected (confirmed)"
	case store.FindingNotAffected:
		return "Not affected"
	case store.FindingFixed:
		return "Fixed"
	case store.FindingFalsePositive:
		return "False positive"
	}
	return status
}

// findingOpen reports whether a finding still exposes devices: not
// resolved by triage or VEX.
func findingOpen(status string) bool {
	return status == store.FindingOpen || status == store.FindingAffected
}

// decidedByText says who resolved a finding.
func decidedByText(by string) string {
	switch by {
	case "":
		return ""
	case "vex":
		return "a VEX statement"
	case "triage":
		return "triage"
	}
	return by
}

// justifications are the reasons a component may be not affected, as in
// OpenVEX and CSAF, with their words.
var justifications = []option{
	{Value: "component_not_present", Label: "The component is not present"},
	{Value: "vulnerable_code_not_present", Label: "The vulnerable code is not present"},
	{Value: "vulnerable_code_not_in_execute_path", Label: "The vulnerable code is never run"},
	{Value: "vulnerable_code_cannot_be_controlled_by_adversary", Label: "An attacker cannot reach the vulnerable code"},
	{Value: "inline_mitigations_already_exist", Label: "Mitigations in the firmware already prevent it"},
}

// justificationText words a justification; unknown ones (from VEX
// documents) are shown as they are.
func justificationText(j string) string {
	for _, o := range justifications {
		if o.Value == j {
			return o.Label
		}
	}
	return j
}

// triageStateText words a triage decision.
func triageStateText(s string) string {
	switch s {
	case store.TriageAffected:
		return "Affected"
	case store.TriageNotAffected:
		return "Not affected"
	case store.TriageFixed:
		return "Fixed"
	case store.TriageFalsePositive:
		return "False positive"
	}
	return s
}

// webLink returns a reference when it is an http or https address, else
// "": a feed's references are shown as links only when they lead to a
// web page.
func webLink(ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// reasonView is one reason a finding matched, as the matcher stored it.
type reasonView struct {
	Advisory   string `json:"advisory"`
	Kind       string `json:"kind"`
	Identifier string `json:"identifier"`
	Criterion  string `json:"criterion"`
	Scheme     string `json:"scheme"`
	Caveat     string `json:"caveat"`
	Text       string `json:"text"`
}

// reasons decodes a finding's reasons. The text carries the caveat at its
// end; it is taken off there, since the page shows the caveat on its own.
func reasons(raw []json.RawMessage) []reasonView {
	out := make([]reasonView, 0, len(raw))
	for _, m := range raw {
		var r reasonView
		if json.Unmarshal(m, &r) != nil {
			continue
		}
		if r.Caveat != "" {
			r.Text = strings.TrimSuffix(r.Text, "; "+r.Caveat)
		}
		if r.Text == "" {
			r.Text = r.Identifier + " matches " + r.Criterion
		}
		out = append(out, r)
	}
	return out
}

// fixView is how far a product's fleet has moved to the release that
// fixes a vulnerability.
type fixView struct {
	exposure.ProductExposure
	Label string // the progress bar's accessible name
}

func newFixView(p exposure.ProductExposure) fixView {
	return fixView{ProductExposure: p, Label: p.Product + ": devices on " + p.FixedIn + " or later, " + strconv.Itoa(p.OnFixed) + " of " + strconv.Itoa(p.FleetDevices)}
}

// vulnRow is a vulnerability in the portfolio table.
type vulnRow struct {
	exposure.Vulnerability
	Path  string
	Fixes []fixView // the products that have a fixed release
}

// vulnsView is the data of the portfolio page.
type vulnsView struct {
	Filter   *form
	Products []option
	Product  string // the filtered product's name
	Rows     []vulnRow
	// Summary counts, of the open vulnerabilities listed.
	Open, Exploited, InSupport int
	Feeds                      int // advisory feeds imported so far
}

var vulnFilterFields = []string{"product", "include_resolved"}

// vulnerabilities ranks the vulnerabilities found in the organisation's
// releases, worst first, as the service ranks them.
func (u *UI) vulnerabilities(w http.ResponseWriter, r *http.Request, m *member) {
	ctx := r.Context()
	q := r.URL.Query()
	filter := newForm("filter", url.Values{}, vulnFilterFields...)
	for _, name := range vulnFilterFields {
		if s := q.Get(name); s != "" {
			filter.Values.Set(name, s)
		}
	}
	vf := service.VulnFilter{ProductKey: q.Get("product"), IncludeResolved: q.Get("include_resolved") != ""}
	vs, err := u.svc.Vulnerabilities(ctx, m.P, vf)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	products, err := u.productOptions(r, m.P, "All products")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	feeds, _, err := u.svc.Feeds(ctx, m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := vulnsView{Filter: filter, Products: products, Feeds: len(feeds)}
	for _, o := range products {
		if o.Value != "" && o.Value == vf.ProductKey {
			v.Product = o.Label
		}
	}
	// A device running a release with several vulnerabilities is counted
	// once (exposure.Totals).
	v.InSupport = vs.DevicesExposedInSupport
	for _, vuln := range vs.Items {
		row := vulnRow{Vulnerability: vuln, Path: vulnPath(vuln.ID)}
		for _, p := range vuln.Products {
			if p.FixedIn != "" {
				row.Fixes = append(row.Fixes, newFixView(p))
			}
		}
		v.Rows = append(v.Rows, row)
		if vuln.Open {
			v.Open++
			if vuln.Exploited {
				v.Exploited++
			}
		}
	}
	u.render(w, r, http.StatusOK, "vulnerabilities.html", m.page("Vulnerabilities", "vulnerabilities", v))
}

// findingRow is a finding on a vulnerability's page, with its triage form.
type findingRow struct {
	service.FindingView
	Release string // the release's SBOM page
	Reasons []reasonView
	Open    bool
	Form    *form // the triage form; nil when the member may not triage
	Anchor  string
}

// recordView is one advisory record of a vulnerability.
type recordView struct {
	*advisory.Advisory
	Links []string // its references that are web pages
	Other []string // its other references, shown as text
}

// vulnView is the data of a vulnerability's page.
type vulnView struct {
	D        service.VulnDetail
	Path     string
	Records  []recordView
	Products []fixView
	Findings []findingRow
	Triage   []triageRow
	Problem  string // why the last triage did not work, when no finding shows it
	// Justifications and States are the triage form's choices.
	Justifications, States []option
}

// triageRow is one decision in the triage history.
type triageRow struct {
	store.Triage
	Release   string // the release it was decided on
	Component string
}

var triageFields = []string{"state", "justification", "fixed_in", "note"}

// triageStates are the triage form's choices.
var triageStates = []option{
	{Value: "", Label: "Choose a decision"},
	{Value: store.TriageAffected, Label: "Affected: the release is vulnerable"},
	{Value: store.TriageNotAffected, Label: "Not affected: say why below"},
	{Value: store.TriageFixed, Label: "Fixed: name the release that fixes it"},
	{Value: store.TriageFalsePositive, Label: "False positive: the component is not the one the advisory means"},
}

// vulnerability shows one vulnerability.
func (u *UI) vulnerability(w http.ResponseWriter, r *http.Request, m *member) {
	u.showVulnerability(w, r, m, http.StatusOK, nil)
}

// showVulnerability renders a vulnerability's page with status; failed,
// when not nil, is a triage form that failed, shown on its finding.
func (u *UI) showVulnerability(w http.ResponseWriter, r *http.Request, m *member, status int, failed *form) {
	d, err := u.svc.Vulnerability(r.Context(), m.P, r.PathValue("id"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := vulnView{D: d, Path: vulnPath(d.ID), States: triageStates,
		Justifications: append([]option{{Value: "", Label: "Not applicable"}}, justifications...)}
	for _, a := range d.Records {
		rv := recordView{Advisory: a}
		for _, ref := range a.References {
			if l := webLink(ref); l != "" {
				rv.Links = append(rv.Links, l)
			} else if ref != "" {
				rv.Other = append(rv.Other, ref)
			}
		}
		v.Records = append(v.Records, rv)
	}
	for _, p := range d.Exposure.Products {
		v.Products = append(v.Products, newFixView(p))
	}
	versions := map[string]string{}
	components := map[string]string{}
	shown := failed == nil
	for i, f := range d.Findings {
		versions[f.ReleaseID] = f.Version
		components[f.Identity] = f.Component
		row := findingRow{FindingView: f, Reasons: reasons(f.Reasons), Open: findingOpen(f.Status), Anchor: "finding-" + strconv.Itoa(i),
			Release: productLink(f.Slug, f.ProductID) + "/releases/" + url.PathEscape(f.Version) + "/sbom"}
		if m.CanWrite() {
			key := url.Values{"product": {f.Slug}, "release": {f.Version}, "component": {strconv.Itoa(f.Index)}}
			row.Form = newForm("triage-"+strconv.Itoa(i), url.Values{"state": {""}}, triageFields...)
			row.Form.Values = mergeValues(row.Form.Values, key)
			if failed != nil && failed.Get("product") == f.Slug && failed.Get("release") == f.Version && failed.Get("component") == strconv.Itoa(f.Index) {
				failed.ID = row.Form.ID
				row.Form = failed
				shown = true
			}
		}
		v.Findings = append(v.Findings, row)
	}
	if !shown {
		v.Problem = "The decision was not recorded. " + failed.Problem
		if len(failed.Errors) > 0 {
			v.Problem = "The decision was not recorded: " + strings.Join(mapValues(failed.Errors), "; ") + "."
		}
	}
	for _, t := range d.Triage {
		row := triageRow{Triage: t, Release: versions[t.ReleaseID], Component: components[t.Identity]}
		v.Triage = append(v.Triage, row)
	}
	u.render(w, r, status, "vulnerability.html", m.page(d.ID, "vulnerabilities", v))
}

// mergeValues adds the values of b to a.
func mergeValues(a, b url.Values) url.Values {
	for k, vs := range b {
		a[k] = append(a[k], vs...)
	}
	return a
}

// triage records a decision on one finding. It carries over to the same
// component in the product's other releases.
func (u *UI) triage(w http.ResponseWriter, r *http.Request, m *member) {
	id := r.PathValue("id")
	f := newForm("triage", formValues(r, append([]string{"product", "release", "component"}, triageFields...)...), triageFields...)
	index, err := strconv.Atoi(f.Get("component"))
	if err != nil || f.Get("product") == "" || f.Get("release") == "" {
		u.fail(w, r, errs.E(errs.Invalid, "The form does not say which finding it is about. Go back, reload the page and send it again.").WithCode("bad_form"))
		return
	}
	req := service.TriageRequest{VulnID: id, ProductKey: f.Get("product"), Version: f.Get("release"), ComponentIndex: index,
		State: f.Get("state"), Justification: f.Get("justification"), FixedIn: f.Get("fixed_in"), Note: f.Get("note")}
	if req.State != store.TriageNotAffected {
		// The form offers a justification for every state; only "not
		// affected" takes one.
		req.Justification = ""
	}
	if _, err := u.svc.Triage(r.Context(), m.P, req); err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.showVulnerability(w, r, m, status, f)
		return
	}
	redirectDone(w, r, vulnPath(id)+"#findings", "triaged")
}

// releaseFindings lists the findings of a release for its SBOM page.
func (u *UI) releaseFindings(r *http.Request, m *member, product, version string) ([]findingRow, error) {
	fs, err := u.svc.ReleaseFindings(r.Context(), m.P, product, version)
	if err != nil {
		return nil, err
	}
	return findingRows(fs), nil
}

// deviceFindings lists the open findings of the release a device runs.
// A device whose version is not a registered release has none known.
func (u *UI) deviceFindings(r *http.Request, m *member, product, serial string) ([]findingRow, error) {
	fs, err := u.svc.DeviceVulnerabilities(r.Context(), m.P, product, serial)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return findingRows(fs), nil
}

func findingRows(fs []service.FindingView) []findingRow {
	out := make([]findingRow, 0, len(fs))
	for _, f := range fs {
		out = append(out, findingRow{FindingView: f, Reasons: reasons(f.Reasons), Open: findingOpen(f.Status)})
	}
	return out
}

// findingTableView is what the "release-findings" template needs.
type findingTableView struct {
	ID   string // the ID of the heading naming the table
	Rows []findingRow
}

func findingTable(id string, rows []findingRow) findingTableView {
	return findingTableView{ID: id, Rows: rows}
}

// countOpen counts the open findings among rows.
func countOpen(rows []findingRow) int {
	n := 0
	for _, f := range rows {
		if f.Open {
			n++
		}
	}
	return n
}
