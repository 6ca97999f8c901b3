package csaf

import (
	"slices"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/component"
)

// Advisories converts each vulnerabilities[] entry of a decoded document
// into an advisory (see the package documentation). Entries with neither a
// cve nor an ids[] entry are left out: they have no id to be stored under.
func Advisories(raw *Raw) []*advisory.Advisory {
	ps := indexProducts(raw.ProductTree)
	d := &raw.Document
	modified, _ := parseTime(d.Tracking.CurrentReleaseDate)
	initial, _ := parseTime(d.Tracking.InitialReleaseDate)
	var docRefs []string
	for _, r := range d.References {
		docRefs = append(docRefs, strings.TrimSpace(r.URL))
	}
	var out []*advisory.Advisory
	for i := range raw.Vulnerabilities {
		v := &raw.Vulnerabilities[i]
		id, aliases := vulnIDs(v)
		if id == "" {
			continue
		}
		// Many documents speak of one CVE (one per product stream, one per
		// vendor), so the record is named by document and vulnerability;
		// the CVE stays an alias, which merges the records into one
		// vulnerability.
		recordID := id
		if tid := strings.TrimSpace(d.Tracking.ID); tid != "" {
			recordID = tid + "/" + id
			aliases = append(aliases, id)
		}
		a := &advisory.Advisory{
			ID:       recordID,
			Source:   advisory.SourceCSAF,
			Aliases:  append(append(aliases, d.Tracking.ID), d.Tracking.Aliases...),
			Summary:  firstLine(cmpOr(v.Title, d.Title)),
			Modified: modified,
		}
		a.Published = initial
		if t, err := parseTime(v.ReleaseDate); err == nil {
			a.Published = t
		}
		for _, r := range v.References {
			a.References = append(a.References, strings.TrimSpace(r.URL))
		}
		a.References = compactStrings(append(a.References, docRefs...))
		a.Severity = severities(v, d.Publisher.Name)
		var unidentified []string
		a.Affected, unidentified = affected(v, ps)
		a.Details = details(v, unidentified)
		a.NormaliseAliases()
		out = append(out, a)
	}
	return out
}

// vulnIDs returns the entry's id (cve, else the first ids[].text) and its
// other ids.
func vulnIDs(v *rawVulnerability) (id string, aliases []string) {
	id = strings.TrimSpace(v.CVE)
	for _, x := range v.IDs {
		t := strings.TrimSpace(x.Text)
		switch {
		case t == "":
		case id == "":
			id = t
		default:
			aliases = append(aliases, t)
		}
	}
	return id, aliases
}

func severities(v *rawVulnerability, publisher string) []advisory.Severity {
	var out []advisory.Severity
	add := func(typ string, c *rawCVSS) {
		if c == nil || (c.VectorString == "" && c.BaseScore == 0) {
			return
		}
		s := advisory.Severity{Type: typ, Vector: strings.TrimSpace(c.VectorString), Score: c.BaseScore, Source: publisher}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range v.Scores {
		add("CVSS_V3", s.CVSS3)
		add("CVSS_V2", s.CVSS2)
	}
	return out
}

func details(v *rawVulnerability, unidentified []string) string {
	var parts []string
	for _, n := range v.Notes {
		switch n.Category {
		case "description", "summary", "details", "general":
			if t := strings.TrimSpace(n.Text); t != "" {
				parts = append(parts, t)
			}
		}
	}
	if len(unidentified) > 0 {
		parts = append(parts, "Affected products without purl or CPE: "+strings.Join(unidentified, "; ")+".")
	}
	return strings.Join(parts, "\n\n")
}

// affected builds the Affected entries of one vulnerability, and names the
// affected products that have no purl or CPE.
func affected(v *rawVulnerability, ps *products) ([]advisory.Affected, []string) {
	var out []advisory.Affected
	byPURL := map[string]int{} // versionless purl → index in out
	byCPE := map[string]bool{}
	var unidentified []string
	st := &v.ProductStatus
	for _, id := range concat(st.KnownAffected, st.FirstAffected, st.LastAffected) {
		p := ps.get(id)
		switch {
		case p.PURL != "":
			pu, err := component.ParsePURL(p.PURL)
			if err != nil {
				unidentified = append(unidentified, p.Name+" (invalid purl)")
				continue
			}
			i, ok := byPURL[pu.Versionless()]
			if !ok {
				i = len(out)
				byPURL[pu.Versionless()] = i
				out = append(out, advisory.Affected{Package: &advisory.Package{Name: pu.Name, PURL: pu.Versionless()}})
			}
			a := &out[i]
			if note := addVersions(a, pu.Version, p); note != "" {
				unidentified = append(unidentified, note)
			}
		case p.CPE != "":
			crit := cpeCriteria(p)
			if crit == nil {
				unidentified = append(unidentified, p.Name+" (invalid CPE)")
				continue
			}
			key := crit.Criteria + "|" + crit.VersionStartIncluding + "|" + crit.VersionEndExcluding + "|" + crit.VersionEndIncluding
			if !byCPE[key] {
				byCPE[key] = true
				out = append(out, advisory.Affected{CPE: crit})
			}
		default:
			unidentified = append(unidentified, nameOf(p))
		}
	}
	for _, id := range concat(st.Fixed, st.FirstFixed) {
		p := ps.get(id)
		if p.PURL == "" {
			continue
		}
		pu, err := component.ParsePURL(p.PURL)
		if err != nil {
			continue
		}
		fixed := cmpOr(pu.Version, p.Version)
		if fixed == "" {
			continue
		}
		i, ok := byPURL[pu.Versionless()]
		if !ok {
			// Listed only as fixed: every earlier version is taken as affected.
			i = len(out)
			byPURL[pu.Versionless()] = i
			out = append(out, advisory.Affected{
				Package: &advisory.Package{Name: pu.Name, PURL: pu.Versionless()},
				Ranges:  []advisory.Range{{Type: advisory.RangeEcosystem, Events: []advisory.Event{{Introduced: "0"}, {Fixed: fixed}}}},
			})
		}
		if !slices.Contains(out[i].Fixed, fixed) {
			out[i].Fixed = append(out[i].Fixed, fixed)
		}
	}
	return out, compactStrings(unidentified)
}

// addVersions adds what p says about affected versions to a: the purl's
// version, else the branch's product_version, else the branch's vers
// range. It returns a note for Details when the range cannot be read.
func addVersions(a *advisory.Affected, purlVersion string, p *product) string {
	if v := cmpOr(purlVersion, p.Version); v != "" {
		if !slices.Contains(a.Versions, v) {
			a.Versions = append(a.Versions, v)
		}
		return ""
	}
	if p.Range == "" {
		return ""
	}
	r, versions, _, err := ParseVers(p.Range)
	if err != nil {
		return nameOf(p) + " (version range " + p.Range + " not read; all versions taken as affected)"
	}
	if len(r.Events) > 0 {
		a.Ranges = append(a.Ranges, r)
	}
	for _, v := range versions {
		if !slices.Contains(a.Versions, v) {
			a.Versions = append(a.Versions, v)
		}
	}
	return ""
}

// cpeCriteria renders p's CPE in 2.3 form. A CPE with version ANY under a
// vers range that is one interval gets the interval as version bounds.
func cpeCriteria(p *product) *advisory.CPECriteria {
	c, err := component.ParseCPE(p.CPE)
	if err != nil {
		return nil
	}
	crit := &advisory.CPECriteria{Criteria: c.String()}
	if p.Range == "" || !c.Version().IsAny() {
		return crit
	}
	r, versions, _, err := ParseVers(p.Range)
	if err != nil || len(versions) > 0 || len(r.Events) > 2 {
		return crit
	}
	for _, e := range r.Events {
		switch {
		case e.Introduced != "" && e.Introduced != "0":
			crit.VersionStartIncluding = e.Introduced
		case e.Fixed != "":
			crit.VersionEndExcluding = e.Fixed
		case e.LastAffected != "":
			crit.VersionEndIncluding = e.LastAffected
		}
	}
	return crit
}

func nameOf(p *product) string {
	if p.Range != "" && !strings.Contains(p.Name, p.Range) {
		return p.Name + " " + p.Range
	}
	return p.Name
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// compactStrings drops empty and repeated strings, keeping the order.
func compactStrings(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func cmpOr(a, b string) string {
	if a = strings.TrimSpace(a); a != "" {
		return a
	}
	return strings.TrimSpace(b)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}
