package sbom

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// builder collects components into a Document, normalising them and
// refusing duplicate refs and too many components.
type builder struct {
	doc    *Document
	refs   map[string]int // ref → index in doc.Components
	limits Limits
}

func newBuilder(format string, limits Limits) *builder {
	return &builder{
		doc:    &Document{Format: format, Dependencies: map[string][]string{}},
		refs:   map[string]int{},
		limits: limits,
	}
}

func (b *builder) add(c Component) error {
	c = normaliseComponent(c)
	if c.Ref == "" {
		return errs.E(errs.Invalid, "sbom: component %q has no ref", c.Name)
	}
	if _, dup := b.refs[c.Ref]; dup {
		return errs.E(errs.Invalid, "sbom: duplicate component ref %q", c.Ref)
	}
	if len(b.doc.Components) >= b.limits.MaxComponents {
		return errs.E(errs.TooLarge, "sbom: more than %d components", b.limits.MaxComponents)
	}
	b.refs[c.Ref] = len(b.doc.Components)
	b.doc.Components = append(b.doc.Components, c)
	return nil
}

// depend records that ref depends on each of on, keeping the first
// occurrence of each pair.
func (b *builder) depend(ref string, on ...string) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return
	}
	existing := b.doc.Dependencies[ref]
	var seen map[string]bool
	if len(existing)+len(on) > 16 { // avoid quadratic work on long lists
		seen = make(map[string]bool, len(existing)+len(on))
		for _, e := range existing {
			seen[e] = true
		}
	}
	for _, o := range on {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if seen != nil {
			if seen[o] {
				continue
			}
			seen[o] = true
		} else if contains(existing, o) {
			continue
		}
		existing = append(existing, o)
	}
	if existing == nil {
		existing = []string{}
	}
	b.doc.Dependencies[ref] = existing
}

func (b *builder) statement(s Statement) {
	s.ID = strings.TrimSpace(s.ID)
	s.Component = strings.TrimSpace(s.Component)
	s.Status = strings.TrimSpace(s.Status)
	s.Justification = strings.TrimSpace(s.Justification)
	s.Detail = strings.TrimSpace(s.Detail)
	if s.ID == "" || s.Status == "" {
		return
	}
	b.doc.VEX = append(b.doc.VEX, s)
}

func (b *builder) tool(parts ...string) {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	if t := strings.Join(kept, " "); t != "" && !contains(b.doc.Tools, t) {
		b.doc.Tools = append(b.doc.Tools, t)
	}
}

func normaliseComponent(c Component) Component {
	c.Ref = strings.TrimSpace(c.Ref)
	c.Type = strings.TrimSpace(c.Type)
	c.Name = strings.TrimSpace(c.Name)
	c.Version = strings.TrimSpace(c.Version)
	c.Supplier = strings.TrimSpace(c.Supplier)
	c.PURL = strings.TrimSpace(c.PURL)
	c.Parent = strings.TrimSpace(c.Parent)
	c.CPEs = dedupe(c.CPEs)
	c.Licenses = dedupe(c.Licenses)
	if len(c.Hashes) > 0 {
		h := make(map[string]string, len(c.Hashes))
		for alg, v := range c.Hashes {
			alg, v = hashAlgorithm(alg), hashValue(v)
			if alg != "" && v != "" {
				h[alg] = v
			}
		}
		c.Hashes = h
	}
	if len(c.Hashes) == 0 {
		c.Hashes = nil
	}
	return c
}

// hashAlgorithm folds the formats' spellings of one algorithm together:
// "SHA-256" (CycloneDX), "SHA256" (SPDX 2) and "sha256" (SPDX 3) all become
// "sha256"; "SHA3-256" and "SHA3_256" become "sha3-256".
func hashAlgorithm(alg string) string {
	alg = strings.ToLower(strings.TrimSpace(alg))
	alg = strings.ReplaceAll(alg, "_", "-")
	if rest, ok := strings.CutPrefix(alg, "sha-"); ok {
		alg = "sha" + rest
	}
	return alg
}

// hashValue trims v and lowercases it when it is hex; other encodings are
// kept as written.
func hashValue(v string) string {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return v
		}
	}
	return strings.ToLower(v)
}

// dedupe trims each string and drops empty and repeated ones, keeping order.
func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseTime reads the timestamp formats SBOM tools write; zero if none fits.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// find returns the component with the given ref, or nil.
func (b *builder) find(ref string) *Component {
	i, ok := b.refs[ref]
	if !ok {
		return nil
	}
	return &b.doc.Components[i]
}

// setParent records parent as the container of ref when ref is a component
// that has no parent yet and is not its own parent.
func (b *builder) setParent(ref, parent string) {
	if ref == parent {
		return
	}
	if c := b.find(ref); c != nil && c.Parent == "" {
		c.Parent = parent
	}
}
