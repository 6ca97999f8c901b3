// Package demo seeds a new Lifeline with a realistic registry to explore:
// two manufacturers with products, hardware revisions, firmware releases and
// a few hundred devices, support periods in every state, and a regulator.
// Every account gets its own random password: the demo has no default
// passwords either.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/slug"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// CredentialsFile is the name of the file, in the data directory, that lists
// the demo logins and tokens.
const CredentialsFile = "demo-credentials.json"

// Credentials are the demo accounts.
type Credentials struct {
	Note          string    `json:"note"`
	Organisations []OrgInfo `json:"organisations"`
	// Fleet is the simulated devices `serve --demo` runs.
	Fleet *Fleet `json:"simulated_fleet,omitempty"`
}

// OrgInfo lists one demo organisation's logins and API token.
type OrgInfo struct {
	Name     string  `json:"name"`
	Slug     string  `json:"slug"`
	Kind     string  `json:"kind"`
	Logins   []Login `json:"logins"`
	APIToken string  `json:"api_token"`
	// RootKeys are the organisation's demo root keys (PEM, unencrypted).
	// DEMO ONLY: real root keys are made and kept offline.
	RootKeys []string `json:"demo_root_keys,omitempty"`
}

// Login is one demo account.
type Login struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     string `json:"role"`
}

// Seed fills an empty Lifeline with the demo and returns its credentials.
// It fails if Lifeline already has users.
func Seed(ctx context.Context, svc *service.Service) (Credentials, error) {
	creds := Credentials{Note: "Demo accounts for this Lifeline instance. Each password and token was generated at random when the demo was seeded."}
	pending, err := svc.SetupPending(ctx)
	if err != nil {
		return creds, err
	}
	if !pending {
		return creds, fmt.Errorf("demo: Lifeline already has users; the demo seeds only an empty instance")
	}
	now := svc.Now()
	sys := access.System("demo")
	for _, o := range organisations(now) {
		info, fleet, err := seedOrg(ctx, svc, sys, o)
		if err != nil {
			return creds, fmt.Errorf("demo: %s: %w", o.name, err)
		}
		creds.Organisations = append(creds.Organisations, info)
		if fleet != nil {
			creds.Fleet = fleet
		}
	}
	dir, err := os.MkdirTemp("", "lifeline-demo-feeds-")
	if err != nil {
		return creds, err
	}
	defer os.RemoveAll(dir)
	if err := seedVulnerabilities(ctx, svc, dir); err != nil {
		return creds, fmt.Errorf("demo: %w", err)
	}
	brightwave, err := svc.Store().Directory().Organisation(ctx, "brightwave")
	if err != nil {
		return creds, err
	}
	if err := seedTriage(ctx, svc, sys.InOrg(brightwave.ID), "brightwave-smart-plug-mini", "2.4.0"); err != nil {
		return creds, fmt.Errorf("demo: triage: %w", err)
	}
	return creds, nil
}

func seedOrg(ctx context.Context, svc *service.Service, sys access.Principal, o orgSeed) (OrgInfo, *Fleet, error) {
	org, err := svc.CreateOrganisation(ctx, sys, access.Organisation{Slug: o.slug, Name: o.name, Kind: o.kind, Website: o.website, Contact: o.contact})
	if err != nil {
		return OrgInfo{}, nil, err
	}
	info := OrgInfo{Name: org.Name, Slug: org.Slug, Kind: string(org.Kind)}
	p := sys.InOrg(org.ID)
	var ownerID string
	for _, u := range o.users {
		pw := access.RandomPassword()
		m, _, err := svc.AddMember(ctx, p, service.NewMember{Email: u.email, Name: u.name, Role: u.role, Password: pw})
		if err != nil {
			return info, nil, err
		}
		if u.role == access.Owner && ownerID == "" {
			ownerID = m.User.ID
		}
		info.Logins = append(info.Logins, Login{Email: u.email, Password: pw, Role: string(u.role)})
	}
	_, token, err := svc.CreateTokenFor(ctx, p, ownerID, service.NewToken{Name: "demo", Scopes: []access.Scope{access.ScopeRead, access.ScopeWrite, access.ScopeAdmin}, Lifetime: 90 * 24 * time.Hour})
	if err != nil {
		return info, nil, err
	}
	info.APIToken = token
	rng := rand.New(rand.NewPCG(uint64(len(o.slug)), 42)) // the same demo fleet every time
	var rootKeys []tufrepo.KeyPair
	if len(o.products) > 0 {
		if rootKeys, info.RootKeys, err = demoRootKeys(); err != nil {
			return info, nil, err
		}
	}
	for _, ps := range o.products {
		if err := seedProduct(ctx, svc, p, ps, rng, rootKeys); err != nil {
			return info, nil, fmt.Errorf("%s: %w", ps.name, err)
		}
	}
	var fleet *Fleet
	for _, ps := range o.products {
		if ps.fleet != "" {
			prod, err := svc.Product(ctx, p, slug.Make(ps.name))
			if err != nil {
				return info, nil, err
			}
			if fleet, err = seedFleet(ctx, svc, p, org.Slug, prod, ps.releases, ps.fleet); err != nil {
				return info, nil, fmt.Errorf("%s: simulated fleet: %w", ps.name, err)
			}
		}
	}
	return info, fleet, nil
}

func seedProduct(ctx context.Context, svc *service.Service, p access.Principal, ps productSeed, rng *rand.Rand, rootKeys []tufrepo.KeyPair) error {
	prod, err := svc.CreateProduct(ctx, p, registry.Product{Name: ps.name, ModelDesignation: ps.model, Category: ps.category, Description: ps.description})
	if err != nil {
		return err
	}
	for _, rev := range ps.revisions {
		if _, err := svc.CreateHardwareRevision(ctx, p, prod.Slug, registry.HardwareRevision{Name: rev}); err != nil {
			return err
		}
	}
	for i, r := range ps.releases {
		// The newest release of each product fixes vulnerabilities.
		if _, err := svc.CreateRelease(ctx, p, prod.Slug, registry.Release{Version: r.version, ReleasedAt: r.at, Notes: r.notes, SecurityUpdate: i == 0}); err != nil {
			return err
		}
	}
	if err := seedSBOMs(ctx, svc, p, prod, ps); err != nil {
		return err
	}
	if len(ps.releases) > 0 && rootKeys != nil {
		if err := seedRepository(ctx, svc, p, prod, rootKeys, ps.releases); err != nil {
			return fmt.Errorf("update repository: %w", err)
		}
	}
	for i, end := range ps.support {
		req := supportperiod.Request{End: supportperiod.MustParseEndDate(end), Reason: ps.reasons[i]}
		req.Force = ps.forced && i == len(ps.support)-1
		if _, _, err := svc.SetSupportPeriod(ctx, p, prod.Slug, req); err != nil {
			return err
		}
		if i == 0 && ps.publish {
			pub := true
			if _, err := svc.UpdateProduct(ctx, p, prod.Slug, registry.ProductPatch{Published: &pub}); err != nil {
				return err
			}
		}
	}
	if ps.devices == 0 {
		return nil
	}
	// Devices arrive as a CSV import, the way a manufacturer would load them.
	var csv bytes.Buffer
	csv.WriteString("serial,hardware_revision,installed_version,first_seen,last_seen\n")
	now := svc.Now()
	for i := 0; i < ps.devices; i++ {
		rev := ps.revisions[rng.IntN(len(ps.revisions))]
		// Most devices run a recent release; a tail lags behind.
		ri := min(len(ps.releases)-1, int(rng.ExpFloat64()*0.8))
		rel := ps.releases[ri]
		first := rel.at.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		if first.After(now) {
			first = now.Add(-time.Hour)
		}
		last := now.Add(-time.Duration(rng.IntN(14*24*60)) * time.Minute)
		if last.Before(first) {
			last = first
		}
		fmt.Fprintf(&csv, "%s-%06d,%s,%s,%s,%s\n", ps.serialPrefix, 100000+rng.IntN(900000), rev, rel.version, first.Format(time.RFC3339), last.Format(time.RFC3339))
	}
	rep, err := svc.ImportDevices(ctx, p, prod.Slug, &csv, deviceimport.CSV, false)
	if err != nil {
		return fmt.Errorf("importing devices: %w (%+v)", err, rep.Problems)
	}
	return nil
}

// WriteCredentials writes the credentials to CredentialsFile in dir, readable by the owner only.
func WriteCredentials(dir string, c Credentials) (string, error) {
	path := filepath.Join(dir, CredentialsFile)
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, append(b, '\n'), 0o600)
}
