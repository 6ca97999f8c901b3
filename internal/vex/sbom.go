package vex

import "github.com/lifeline-iot/lifeline/internal/sbom"

// FormatSBOM is the Format of statements converted with FromSBOM.
const FormatSBOM = "sbom"

// FromSBOM converts the statements embedded in an SBOM into statements of
// this package. Each statement's product carries the component's ref, purl,
// name and version, and its first CPE; further CPEs become further
// products. A statement about a ref that is not among components keeps the
// bare ref. Justifications are normalised with NormaliseJustification, so
// CycloneDX analyses and SPDX 3 relationships read the same.
func FromSBOM(s []sbom.Statement, components []sbom.Component) []Statement {
	if len(s) == 0 {
		return nil
	}
	byRef := make(map[string]*sbom.Component, len(components))
	for i := range components {
		byRef[components[i].Ref] = &components[i]
	}
	out := make([]Statement, 0, len(s))
	for _, st := range s {
		var products []Product
		if c, ok := byRef[st.Component]; ok {
			p := Product{Ref: c.Ref, PURL: c.PURL, Name: c.Name, Version: c.Version}
			if len(c.CPEs) > 0 {
				p.CPE = c.CPEs[0]
			}
			products = append(products, p)
			for _, cpe := range c.CPEs[min(1, len(c.CPEs)):] {
				products = append(products, Product{CPE: cpe})
			}
		} else {
			products = []Product{{Ref: st.Component}}
		}
		out = append(out, Statement{
			Vulnerability: st.ID,
			Products:      products,
			Status:        st.Status,
			Justification: NormaliseJustification(st.Justification),
			Detail:        st.Detail,
			Format:        FormatSBOM,
		})
	}
	return out
}
