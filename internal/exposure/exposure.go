// Package exposure answers, for every vulnerability found in an
// organisation's releases: which products and releases carry it, how many
// devices in the field run them — split by whether the product is still
// inside its declared support period — whether a release without it
// exists, and how far the fleet has moved to it. It also ranks the
// vulnerabilities so the worst comes first.
//
// The package is pure: it works on the findings, releases and device counts
// it is given, and imports only the standard library.
package exposure

import (
	"cmp"
	"slices"
	"time"
)

// Finding is one vulnerability on one release (any of its components).
type Finding struct {
	VulnID    string
	ReleaseID string
	Score     float64
	Exploited bool
	Open      bool // not resolved by triage or VEX
}

// Release is one release with its fleet.
type Release struct {
	ID         string
	ProductID  string
	Version    string
	ReleasedAt time.Time
	HasSBOM    bool // without an SBOM a release can be neither affected nor fixed
	Devices    int  // devices running it
}

// Product is one product and whether it is inside its support period.
type Product struct {
	ID        string
	Name      string
	Slug      string
	InSupport bool
}

// Vulnerability is one vulnerability's exposure across the portfolio.
type Vulnerability struct {
	ID                  string            `json:"id"`
	Score               float64           `json:"score"`
	Exploited           bool              `json:"exploited"`
	Open                bool              `json:"open"` // at least one open finding
	Devices             int               `json:"devices"`
	DevicesInSupport    int               `json:"devices_in_support"`
	DevicesOutOfSupport int               `json:"devices_out_of_support"`
	Products            []ProductExposure `json:"products"`
}

// ProductExposure is one product's part of a vulnerability's exposure.
type ProductExposure struct {
	ProductID string   `json:"product_id"`
	Product   string   `json:"product"`
	Slug      string   `json:"product_slug"`
	InSupport bool     `json:"in_support"`
	Releases  []string `json:"affected_releases"` // versions, newest first
	Devices   int      `json:"devices"`           // devices running an affected release
	// FixedIn is the first release after the newest affected one whose SBOM
	// does not carry the vulnerability; empty when there is none yet.
	FixedIn string `json:"fixed_in,omitempty"`
	// FleetDevices counts the product's devices; OnFixed those running
	// FixedIn or a later release. OnFixed/FleetDevices is the rollout's progress.
	FleetDevices int `json:"fleet_devices"`
	OnFixed      int `json:"devices_on_fixed_release"`
}

// Summarise aggregates findings into one Vulnerability per vulnerability,
// ranked by Rank. Findings on releases or products not given are ignored.
func Summarise(findings []Finding, releases []Release, products []Product) []Vulnerability {
	rel := make(map[string]*Release, len(releases))
	byProduct := map[string][]*Release{}
	for i := range releases {
		r := &releases[i]
		rel[r.ID] = r
		byProduct[r.ProductID] = append(byProduct[r.ProductID], r)
	}
	for _, rs := range byProduct {
		slices.SortFunc(rs, func(a, b *Release) int {
			return cmp.Or(a.ReleasedAt.Compare(b.ReleasedAt), cmp.Compare(a.Version, b.Version))
		})
	}
	prod := make(map[string]Product, len(products))
	for _, p := range products {
		prod[p.ID] = p
	}

	type agg struct {
		v        Vulnerability
		affected map[string]map[string]bool // product → affected release IDs (open findings)
		present  map[string]bool            // release IDs carrying it at all
	}
	all := map[string]*agg{}
	var order []string
	for _, f := range findings {
		r, ok := rel[f.ReleaseID]
		if !ok {
			continue
		}
		if _, ok := prod[r.ProductID]; !ok {
			continue
		}
		a := all[f.VulnID]
		if a == nil {
			a = &agg{v: Vulnerability{ID: f.VulnID}, affected: map[string]map[string]bool{}, present: map[string]bool{}}
			all[f.VulnID] = a
			order = append(order, f.VulnID)
		}
		a.v.Score = max(a.v.Score, f.Score)
		a.v.Exploited = a.v.Exploited || f.Exploited
		a.present[r.ID] = true
		if f.Open {
			a.v.Open = true
			if a.affected[r.ProductID] == nil {
				a.affected[r.ProductID] = map[string]bool{}
			}
			a.affected[r.ProductID][r.ID] = true
		}
	}

	out := make([]Vulnerability, 0, len(order))
	for _, id := range order {
		a := all[id]
		pids := make([]string, 0, len(a.affected))
		for pid := range a.affected {
			pids = append(pids, pid)
		}
		slices.Sort(pids)
		for _, pid := range pids {
			p := prod[pid]
			pe := ProductExposure{ProductID: pid, Product: p.Name, Slug: p.Slug, InSupport: p.InSupport}
			rs := byProduct[pid]
			newest := -1
			for i, r := range rs {
				pe.FleetDevices += r.Devices
				if a.affected[pid][r.ID] {
					pe.Devices += r.Devices
					newest = i
				}
			}
			for i := len(rs) - 1; i >= 0; i-- {
				if a.affected[pid][rs[i].ID] {
					pe.Releases = append(pe.Releases, rs[i].Version)
				}
			}
			for i := newest + 1; i < len(rs); i++ {
				if rs[i].HasSBOM && !a.present[rs[i].ID] {
					pe.FixedIn = rs[i].Version
					for _, later := range rs[i:] {
						pe.OnFixed += later.Devices
					}
					break
				}
			}
			a.v.Devices += pe.Devices
			if p.InSupport {
				a.v.DevicesInSupport += pe.Devices
			} else {
				a.v.DevicesOutOfSupport += pe.Devices
			}
			a.v.Products = append(a.v.Products, pe)
		}
		out = append(out, a.v)
	}
	slices.SortStableFunc(out, Rank)
	return out
}

// Rank orders vulnerabilities worst first: open before resolved; known
// exploited first (the CRA's reporting clocks run for those); then those
// exposing devices still in support, whose owners were promised fixes;
// then by CVSS score; then by exposed devices; then by id.
func Rank(a, b Vulnerability) int {
	return cmp.Or(
		boolFirst(a.Open, b.Open),
		boolFirst(a.Exploited, b.Exploited),
		boolFirst(a.DevicesInSupport > 0, b.DevicesInSupport > 0),
		cmp.Compare(b.Score, a.Score),
		cmp.Compare(b.Devices, a.Devices),
		cmp.Compare(a.ID, b.ID),
	)
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// Totals counts the distinct devices that run a release with at least one
// open finding, split by whether their product is in support. A device
// exposed to many vulnerabilities counts once.
func Totals(findings []Finding, releases []Release, products []Product) (inSupport, outOfSupport int) {
	open := map[string]bool{}
	for _, f := range findings {
		if f.Open {
			open[f.ReleaseID] = true
		}
	}
	supported := map[string]bool{}
	for _, p := range products {
		supported[p.ID] = p.InSupport
	}
	for _, r := range releases {
		if !open[r.ID] {
			continue
		}
		if supported[r.ProductID] {
			inSupport += r.Devices
		} else {
			outOfSupport += r.Devices
		}
	}
	return inSupport, outOfSupport
}
