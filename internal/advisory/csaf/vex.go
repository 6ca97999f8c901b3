package csaf

import (
	"strings"

	"github.com/lifeline-iot/lifeline/internal/vex"
)

// VEX converts the product_status of each vulnerability of a decoded
// document into VEX statements:
//
//	known_not_affected                 not_affected (Justification: the flag label naming the product; Detail: the impact threat naming it)
//	fixed, first_fixed                 fixed
//	known_affected, first_affected,
//	last_affected                      affected (Detail: the remediations naming the product)
//	under_investigation                under_investigation
//
// Products that share status, justification and detail form one
// statement. Products are resolved through the product tree to purl, CPE
// and name (with the product_version branch as Version). Timestamp is the
// document's current_release_date; Aliases hold the vulnerability's other
// ids and the tracking id. Entries with no cve or ids are left out.
func VEX(raw *Raw) []vex.Statement {
	ps := indexProducts(raw.ProductTree)
	modified, _ := parseTime(raw.Document.Tracking.CurrentReleaseDate)
	var out []vex.Statement
	for i := range raw.Vulnerabilities {
		v := &raw.Vulnerabilities[i]
		id, aliases := vulnIDs(v)
		if id == "" {
			continue
		}
		aliases = compactStrings(append(aliases, raw.Document.Tracking.ID))
		st := &v.ProductStatus
		flags := scopedText(v.Flags, ps, func(s *rawScoped) string { return s.Label }, "")
		impacts := scopedText(v.Threats, ps, func(s *rawScoped) string { return s.Details }, "impact")
		actions := scopedText(v.Remediations, ps, func(s *rawScoped) string { return s.Details }, "")
		groups := []struct {
			status string
			ids    []string
			just   map[string]string
			detail map[string]string
		}{
			{vex.StatusNotAffected, concat(st.KnownNotAffected), flags, impacts},
			{vex.StatusFixed, concat(st.Fixed, st.FirstFixed), nil, nil},
			{vex.StatusAffected, concat(st.KnownAffected, st.FirstAffected, st.LastAffected), nil, actions},
			{vex.StatusUnderInvestigation, concat(st.UnderInvestigation), nil, nil},
		}
		for _, g := range groups {
			type key struct{ just, detail string }
			index := map[key]int{}
			for _, pid := range g.ids {
				k := key{g.just[pid], g.detail[pid]}
				j, ok := index[k]
				if !ok {
					j = len(out)
					index[k] = j
					out = append(out, vex.Statement{
						Vulnerability: id,
						Aliases:       aliases,
						Status:        g.status,
						Justification: k.just,
						Detail:        k.detail,
						Timestamp:     modified,
						Format:        FormatCSAF,
					})
				}
				out[j].Products = append(out[j].Products, vexProduct(ps.get(pid)))
			}
		}
	}
	return out
}

// scopedText maps each product id named by a flag, threat or remediation
// (of the given category, when not empty) to its text; several texts for
// one product are joined.
func scopedText(items []rawScoped, ps *products, text func(*rawScoped) string, category string) map[string]string {
	m := map[string]string{}
	for i := range items {
		s := &items[i]
		if category != "" && s.Category != category {
			continue
		}
		t := strings.TrimSpace(text(s))
		if t == "" {
			continue
		}
		for _, pid := range ps.expand(s) {
			switch old := m[pid]; {
			case old == "":
				m[pid] = t
			case !strings.Contains(old, t):
				m[pid] = old + "\n" + t
			}
		}
	}
	return m
}

func vexProduct(p *product) vex.Product {
	vp := vex.Product{PURL: p.PURL, CPE: p.CPE}
	if p.PURL == "" && p.CPE == "" {
		vp.Name, vp.Version = cmpOr(p.Product, p.Name), p.Version
	}
	return vp
}
