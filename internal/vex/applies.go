package vex

import (
	"slices"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/component"
)

// Target is the component a statement may apply to, as an SBOM names it.
type Target struct {
	Ref           string   // the component's ref in its SBOM
	PURL          string   // its purl, versioned where known
	CPEs          []string // its CPE names
	Name, Version string
}

// Applies reports whether st names c. It does when one of st's products
// matches c by one of these rules, tried in order:
//
//   - Ref: the product's Ref equals c.Ref and neither is empty. Refs are
//     SBOM-local: the caller must only pass statements from c's own SBOM,
//     or from documents written against it, when refs are set.
//   - purl: both parse with component.ParsePURL, their versionless forms
//     are equal, the product's version is empty or equal to c's, and every
//     qualifier of the product's purl is on c's purl with the same value. So
//     a versionless purl names every version, and a purl without
//     qualifiers names every architecture; two equal purls always match.
//   - CPE: the product's CPE, read as a pattern, matches one of c's CPEs
//     with component.Matches. A product CPE whose version is ANY names
//     every version.
//   - name: only when the product gives no Ref, purl or CPE, its Name
//     equals c.Name ignoring case and its Version equals c.Version, both
//     non-empty. A bare name never names every version.
//
// Applies does not look at the statement's vulnerability or status.
func Applies(st Statement, c Target) bool {
	var cp *component.PURL
	if c.PURL != "" {
		if p, err := component.ParsePURL(c.PURL); err == nil {
			cp = &p
		}
	}
	var cpes []component.CPE
	cpesParsed := false
	for _, p := range st.Products {
		if p.Ref != "" && p.Ref == c.Ref {
			return true
		}
		if p.PURL != "" && cp != nil && purlApplies(p.PURL, *cp) {
			return true
		}
		if p.CPE != "" {
			if !cpesParsed {
				cpes, cpesParsed = parseCPEs(c.CPEs), true
			}
			if cpeApplies(p.CPE, cpes) {
				return true
			}
		}
		if p.Ref == "" && p.PURL == "" && p.CPE == "" && p.Name != "" && p.Version != "" &&
			strings.EqualFold(strings.TrimSpace(p.Name), strings.TrimSpace(c.Name)) && strings.TrimSpace(p.Version) == strings.TrimSpace(c.Version) {
			return true
		}
	}
	return false
}

func purlApplies(s string, c component.PURL) bool {
	p, err := component.ParsePURL(s)
	if err != nil || p.Versionless() != c.Versionless() {
		return false
	}
	if p.Version != "" && p.Version != c.Version {
		return false
	}
	for _, q := range p.Qualifiers {
		if v, ok := c.Qualifier(q.Key); !ok || v != q.Value {
			return false
		}
	}
	return true
}

func parseCPEs(ss []string) []component.CPE {
	out := make([]component.CPE, 0, len(ss))
	for _, s := range ss {
		if c, err := component.ParseCPE(s); err == nil {
			out = append(out, c)
		}
	}
	return out
}

func cpeApplies(pattern string, names []component.CPE) bool {
	pat, err := component.ParseCPE(pattern)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(names, func(n component.CPE) bool { return component.Matches(pat, n) })
}

// Names reports whether st is about the vulnerability id: its
// Vulnerability or one of its Aliases equals id, ignoring case.
func (st Statement) Names(id string) bool {
	id = strings.TrimSpace(id)
	if id == "" {
		return false
	}
	return strings.EqualFold(st.Vulnerability, id) || slices.ContainsFunc(st.Aliases, func(a string) bool { return strings.EqualFold(a, id) })
}

// Latest picks the statement that decides, among statements that all apply
// to one vulnerability and one component: the one with the newest
// Timestamp, a zero Timestamp counting as oldest. Among statements with the
// same Timestamp the last one in sts wins, so callers should pass
// statements in the order they were received (as OpenVEX orders
// statements in a document: later ones override earlier ones). The source
// of a statement (the product's own SBOM or an external document) does not
// matter. ok is false when sts is empty.
func Latest(sts []Statement) (st Statement, ok bool) {
	for i, s := range sts {
		if i == 0 || !s.Timestamp.Before(st.Timestamp) {
			st, ok = s, true
		}
	}
	return st, ok
}

// Effective returns the statement that decides the status of the
// vulnerability id (matched against Vulnerability and Aliases) in
// component c: Latest among the statements of sts that name id and apply
// to c. ok is false when none does.
func Effective(sts []Statement, id string, c Target) (Statement, bool) {
	var matching []Statement
	for _, s := range sts {
		if s.Names(id) && Applies(s, c) {
			matching = append(matching, s)
		}
	}
	return Latest(matching)
}
