package service

import (
	"context"
	"fmt"
	"io"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// ImportDevices reads a CSV or JSON device list and registers every device
// in it for one product. The whole file is checked first: if any row is bad,
// nothing is written and the returned error (kind Invalid, code
// import_rejected) carries the report listing every problem. With dryRun,
// the file is checked and nothing is written either way.
func (s *Service) ImportDevices(ctx context.Context, p access.Principal, productKey string, r io.Reader, format deviceimport.Format, dryRun bool) (deviceimport.Report, error) {
	rep := deviceimport.Report{DryRun: dryRun, Problems: []deviceimport.Problem{}}
	orgID, err := s.scope(p, access.WriteRegistry)
	if err != nil {
		return rep, err
	}
	os := s.store.Org(orgID)
	prod, err := os.Product(ctx, productKey)
	if err != nil {
		return rep, err
	}
	rows, problems, err := deviceimport.Parse(r, format, s.limits.MaxImportRows)
	if err != nil {
		if e := errs.Public(err); e.Kind == errs.Invalid || e.Kind == errs.TooLarge {
			rep.Problems = append(problems.List, deviceimport.Problem{Message: e.Message})
			rep.ProblemCount = problems.Count + 1
			e.Details = rep
		}
		return rep, err
	}
	if err := s.checkImportRefs(ctx, os, prod.ID, rows, &problems); err != nil {
		return rep, err
	}
	rep.Rows = len(rows) + problemRows(problems)
	rep.Problems, rep.ProblemCount = problems.List, problems.Count
	if rep.Problems == nil {
		rep.Problems = []deviceimport.Problem{}
	}
	if problems.Count > 0 {
		return rep, &errs.Error{Kind: errs.Invalid, Code: "import_rejected",
			Message: fmt.Sprintf("the import has %d problem(s) and nothing was imported; fix them and upload the file again", problems.Count), Details: rep}
	}
	if len(rows) == 0 {
		return rep, &errs.Error{Kind: errs.Invalid, Code: "import_rejected", Message: "the import holds no devices", Details: rep}
	}
	if dryRun {
		return rep, nil
	}
	devs := make([]registry.Device, len(rows))
	for i, row := range rows {
		devs[i] = row.Device
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		var err error
		rep.Created, rep.Updated, err = os.ImportDevices(ctx, prod.ID, devs, s.clock.Now())
		if err != nil {
			return nil, err
		}
		return s.event(p, "device.import", "product", prod.ID,
			fmt.Sprintf("imported %d devices of %s (%d new, %d updated)", len(devs), prod.Name, rep.Created, rep.Updated),
			map[string]any{"format": format, "rows": len(devs), "created": rep.Created, "updated": rep.Updated}), nil
	})
	rep.Applied = err == nil
	if rep.Applied && rep.Updated > 0 {
		s.devices.clear() // updated devices may have changed hardware revision
	}
	return rep, err
}

// checkImportRefs adds a problem for every row naming a revision or version
// the product lacks, and for every serial that appears twice.
func (s *Service) checkImportRefs(ctx context.Context, os store.OrgStore, productID string, rows []deviceimport.Row, ps *deviceimport.Problems) error {
	hws, err := os.HardwareRevisions(ctx, productID)
	if err != nil {
		return err
	}
	hw := make(map[string]bool, len(hws))
	for _, h := range hws {
		hw[h.Name] = true
	}
	versions := map[string]bool{}
	pg := store.Page{Limit: store.MaxLimit}
	for {
		l, err := os.Releases(ctx, productID, pg)
		if err != nil {
			return err
		}
		for _, r := range l.Items {
			versions[r.Version] = true
		}
		if l.Next == "" {
			break
		}
		pg.Cursor = l.Next
	}
	firstRow := make(map[string]int, len(rows))
	for _, row := range rows {
		d := row.Device
		if d.HardwareRevision != "" && !hw[d.HardwareRevision] {
			ps.Add(row.Row, "hardware_revision", "%q is not a hardware revision of this product", d.HardwareRevision)
		}
		if d.InstalledVersion != "" && !versions[d.InstalledVersion] {
			ps.Add(row.Row, "installed_version", "%q is not a release of this product", d.InstalledVersion)
		}
		if prev, dup := firstRow[d.Serial]; dup {
			ps.Add(row.Row, "serial", "%q already appears in row %d", d.Serial, prev)
		} else {
			firstRow[d.Serial] = row.Row
		}
	}
	return nil
}

// problemRows counts the distinct rows that failed to parse.
func problemRows(ps deviceimport.Problems) int {
	seen := map[int]bool{}
	for _, p := range ps.List {
		if p.Row > 0 {
			seen[p.Row] = true
		}
	}
	return len(seen)
}
