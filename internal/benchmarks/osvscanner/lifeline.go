package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/blob/filesystem"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/secretbox"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/sqlite"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func openService(ctx context.Context, data string) (*service.Service, store.Store, error) {
	st, err := sqlite.Open(ctx, filepath.Join(data, "lifeline.db"))
	if err != nil {
		return nil, nil, err
	}
	blobs, err := filesystem.New(filepath.Join(data, "blobs"))
	if err != nil {
		return nil, nil, err
	}
	key := make([]byte, secretbox.KeySize)
	box, err := secretbox.New(key)
	if err != nil {
		return nil, nil, err
	}
	return service.New(st, nil, nil, service.Limits{}).WithUpdates(service.Updates{Blobs: blobs, Secrets: box}), st, nil
}

// importDB imports the dataset's zips into a fresh store with one
// organisation and product.
func importDB(data, dir string) error {
	ctx := context.Background()
	svc, st, err := openService(ctx, data)
	if err != nil {
		return err
	}
	defer st.Close()
	sys := access.System("bench")
	o, err := svc.CreateOrganisation(ctx, sys, access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		return err
	}
	if _, err := svc.CreateProduct(ctx, sys.InOrg(o.ID), registry.Product{Slug: "gw", Name: "Gateway", ModelDesignation: "GW-1", Category: "Gateway"}); err != nil {
		return err
	}
	for _, eco := range []string{"Debian", "Alpine"} {
		t0 := time.Now()
		res, err := svc.ImportFeed(ctx, sys, service.FeedSpec{Name: "osv-" + strings.ToLower(eco), Kind: service.FeedOSV,
			Location: filepath.Join(dir, "db", "osv-scalibr", eco, "all.zip")}, nil)
		if err != nil {
			return err
		}
		fmt.Printf("imported %s: %d records in %v\n", eco, res.Stats.Records, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

// finding is one (advisory record, package) pair, the unit both tools are
// compared in.
type finding struct {
	Advisory string `json:"advisory"`
	Vuln     string `json:"vulnerability"`
	Package  string `json:"package"`
	Version  string `json:"version"`
}

// scan attaches an SBOM to a new release and writes its findings.
func scan(data, sbomPath, out string) error {
	ctx := context.Background()
	svc, st, err := openService(ctx, data)
	if err != nil {
		return err
	}
	defer st.Close()
	orgs, err := st.Directory().Organisations(ctx, store.Page{Limit: 1})
	if err != nil || len(orgs.Items) == 0 {
		return fmt.Errorf("no organisation in %s (run import first): %v", data, err)
	}
	p := access.System("bench").InOrg(orgs.Items[0].ID)
	version := strings.TrimSuffix(filepath.Base(sbomPath), ".cdx.json") + "-" + time.Now().Format("150405.000000")
	if _, err := svc.CreateRelease(ctx, p, "gw", registry.Release{Version: version}); err != nil {
		return err
	}
	f, err := os.Open(sbomPath)
	if err != nil {
		return err
	}
	defer f.Close()
	t0 := time.Now()
	if _, err := svc.AttachSBOM(ctx, p, "gw", version, f); err != nil {
		return err
	}
	fs, err := svc.ReleaseFindings(ctx, p, "gw", version)
	if err != nil {
		return err
	}
	fmt.Printf("attach+match+list: %v\n", time.Since(t0).Round(time.Microsecond))
	var res []finding
	for _, x := range fs {
		name, ver, _ := strings.Cut(x.Component, " ")
		for _, a := range x.Advisories {
			res = append(res, finding{Advisory: a.ID, Vuln: x.VulnID, Package: name, Version: ver})
		}
	}
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}
