package csaf

import "strings"

// product is what the product tree says about one product id.
type product struct {
	ID      string
	Name    string
	PURL    string
	CPE     string
	Version string // from the nearest product_version branch above it
	Range   string // from the nearest product_version_range branch above it
	Product string // the nearest product_name branch above it
}

// maxRelationshipHops bounds how far a relationship product follows its
// product_reference to find an identification helper.
const maxRelationshipHops = 8

// products indexes a product tree by product id and expands product groups.
type products struct {
	byID   map[string]*product
	groups map[string][]string
}

func indexProducts(t *rawProductTree) *products {
	ps := &products{byID: map[string]*product{}, groups: map[string][]string{}}
	if t == nil {
		return ps
	}
	for _, b := range t.Branches {
		ps.branch(&b, "", "", "")
	}
	for i := range t.FullProductNames {
		ps.add(&t.FullProductNames[i], "", "")
	}
	for _, g := range t.ProductGroups {
		ps.groups[g.GroupID] = append(ps.groups[g.GroupID], g.ProductIDs...)
	}
	// Relationship products inherit the helper of the component they are
	// built from, when they have none of their own.
	refs := map[string]string{}
	for i := range t.Relationships {
		r := &t.Relationships[i]
		ps.add(&r.FullProductName, "", "")
		refs[r.FullProductName.ProductID] = r.ProductReference
	}
	for id, ref := range refs {
		p := ps.byID[id]
		for hop := 0; p != nil && p.PURL == "" && p.CPE == "" && ref != "" && hop < maxRelationshipHops; hop++ {
			if c := ps.byID[ref]; c != nil && (c.PURL != "" || c.CPE != "") {
				p.PURL, p.CPE, p.Version, p.Range = c.PURL, c.CPE, c.Version, c.Range
				break
			}
			ref = refs[ref]
		}
	}
	return ps
}

func (ps *products) branch(b *rawBranch, version, rng, name string) {
	switch b.Category {
	case "product_name":
		name = strings.TrimSpace(b.Name)
	case "product_version":
		version, rng = strings.TrimSpace(b.Name), ""
	case "product_version_range":
		version, rng = "", strings.TrimSpace(b.Name)
	}
	if b.Product != nil {
		if p := ps.add(b.Product, version, rng); p != nil && p.Product == "" {
			p.Product = name
		}
	}
	for i := range b.Branches {
		ps.branch(&b.Branches[i], version, rng, name)
	}
}

func (ps *products) add(n *rawProductName, version, rng string) *product {
	id := strings.TrimSpace(n.ProductID)
	if id == "" {
		return nil
	}
	p := &product{ID: id, Name: strings.TrimSpace(n.Name), Version: version, Range: rng}
	if n.Helper != nil {
		p.PURL, p.CPE = strings.TrimSpace(n.Helper.PURL), strings.TrimSpace(n.Helper.CPE)
	}
	if old, ok := ps.byID[id]; ok && (old.PURL != "" || old.CPE != "") && p.PURL == "" && p.CPE == "" {
		return old // the same id listed twice: keep the one that says more
	}
	ps.byID[id] = p
	return p
}

// get returns the product with the given id; an id the tree does not
// define becomes a product named by its id.
func (ps *products) get(id string) *product {
	if p, ok := ps.byID[id]; ok {
		return p
	}
	return &product{ID: id, Name: id}
}

// expand returns the product ids of a flag, threat or remediation: its
// product_ids and the members of its group_ids.
func (ps *products) expand(s *rawScoped) []string {
	ids := append([]string(nil), s.ProductIDs...)
	for _, g := range s.GroupIDs {
		ids = append(ids, ps.groups[g]...)
	}
	return ids
}
