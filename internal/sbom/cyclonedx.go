package sbom

import (
	"bytes"
	"fmt"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// The CycloneDX versions Parse accepts.
var cycloneDXVersions = map[string]bool{"1.4": true, "1.5": true, "1.6": true}

// cycloneDXNamespaces maps CycloneDX XML namespaces to spec versions.
var cycloneDXNamespaces = map[string]string{
	"http://cyclonedx.org/schema/bom/1.4": "1.4",
	"http://cyclonedx.org/schema/bom/1.5": "1.5",
	"http://cyclonedx.org/schema/bom/1.6": "1.6",
}

// parseCycloneDX decodes a CycloneDX JSON or XML BOM with cyclonedx-go.
func parseCycloneDX(data []byte, encoding, version string, limits Limits) (*Document, error) {
	if !cycloneDXVersions[version] {
		return nil, errs.E(errs.Invalid, "sbom: unsupported CycloneDX version %q (supported: 1.4, 1.5, 1.6)", version)
	}
	format := fmt.Sprintf("%s-%s-%s", FamilyCycloneDX, version, encoding)
	fileFormat := cdx.BOMFileFormatJSON
	if encoding == "xml" {
		fileFormat = cdx.BOMFileFormatXML
	}
	var bom cdx.BOM
	err := guard(format, func() error {
		return cdx.NewBOMDecoder(bytes.NewReader(data), fileFormat).Decode(&bom)
	})
	if err != nil {
		return nil, invalid(format, err)
	}

	b := newBuilder(format, limits)
	if m := bom.Metadata; m != nil {
		b.doc.Created = parseTime(m.Timestamp)
		if m.Component != nil {
			b.doc.Name = strings.TrimSpace(m.Component.Name)
			b.doc.Version = strings.TrimSpace(m.Component.Version)
		}
		if t := m.Tools; t != nil {
			if t.Tools != nil {
				for _, tool := range *t.Tools {
					b.tool(tool.Vendor, tool.Name, tool.Version)
				}
			}
			if t.Components != nil {
				for _, c := range *t.Components {
					b.tool(c.Group, c.Name, c.Version)
				}
			}
			if t.Services != nil {
				for _, s := range *t.Services {
					b.tool(s.Group, s.Name, s.Version)
				}
			}
		}
	}
	if bom.Components != nil {
		n := 0
		if err := addCycloneDXComponents(b, *bom.Components, "", &n); err != nil {
			return nil, err
		}
	}
	if bom.Dependencies != nil {
		for _, d := range *bom.Dependencies {
			var on []string
			if d.Dependencies != nil {
				on = *d.Dependencies
			}
			b.depend(d.Ref, on...)
		}
	}
	if bom.Vulnerabilities != nil {
		for _, v := range *bom.Vulnerabilities {
			addCycloneDXVulnerability(b, v)
		}
	}
	return b.doc, nil
}

// addCycloneDXComponents adds components and their nested components in
// document order. Components without a bom-ref get a synthetic ref
// "_:component-N" (N counts components in document order from 1) so that
// every component can be referred to.
func addCycloneDXComponents(b *builder, components []cdx.Component, parent string, n *int) error {
	for _, c := range components {
		*n++
		ref := strings.TrimSpace(c.BOMRef)
		if ref == "" {
			ref = fmt.Sprintf("_:component-%d", *n)
		}
		comp := Component{
			Ref:     ref,
			Type:    string(c.Type),
			Name:    c.Name,
			Version: c.Version,
			PURL:    c.PackageURL,
			Parent:  parent,
		}
		if c.Group != "" {
			comp.Name = c.Group + "/" + c.Name
		}
		if c.Supplier != nil {
			comp.Supplier = c.Supplier.Name
		}
		if c.CPE != "" {
			comp.CPEs = append(comp.CPEs, c.CPE)
		}
		// Syft writes further candidate CPEs as properties.
		if c.Properties != nil {
			for _, p := range *c.Properties {
				if p.Name == "syft:cpe23" {
					comp.CPEs = append(comp.CPEs, p.Value)
				}
			}
		}
		if c.Hashes != nil {
			comp.Hashes = make(map[string]string, len(*c.Hashes))
			for _, h := range *c.Hashes {
				comp.Hashes[string(h.Algorithm)] = h.Value
			}
		}
		if c.Licenses != nil {
			for _, l := range *c.Licenses {
				switch {
				case l.Expression != "":
					comp.Licenses = append(comp.Licenses, l.Expression)
				case l.License != nil && l.License.ID != "":
					comp.Licenses = append(comp.Licenses, l.License.ID)
				case l.License != nil:
					comp.Licenses = append(comp.Licenses, l.License.Name)
				}
			}
		}
		if err := b.add(comp); err != nil {
			return err
		}
		if c.Components != nil {
			if err := addCycloneDXComponents(b, *c.Components, ref, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// cycloneDXStatus maps CycloneDX analysis states to VEX statuses.
var cycloneDXStatus = map[cdx.ImpactAnalysisState]string{
	cdx.IASResolved:             StatusFixed,
	cdx.IASResolvedWithPedigree: StatusFixed,
	cdx.IASExploitable:          StatusAffected,
	cdx.IASInTriage:             StatusUnderInvestigation,
	cdx.IASFalsePositive:        StatusNotAffected,
	cdx.IASNotAffected:          StatusNotAffected,
}

// addCycloneDXVulnerability turns a vulnerability with an analysis into one
// statement per affected ref. Vulnerabilities without an analysis state
// (plain findings) are not statements and are skipped.
func addCycloneDXVulnerability(b *builder, v cdx.Vulnerability) {
	if v.Analysis == nil || v.Affects == nil {
		return
	}
	status, ok := cycloneDXStatus[cdx.ImpactAnalysisState(strings.TrimSpace(string(v.Analysis.State)))]
	if !ok {
		return
	}
	for _, a := range *v.Affects {
		b.statement(Statement{
			ID:            v.ID,
			Component:     a.Ref,
			Status:        status,
			Justification: string(v.Analysis.Justification),
			Detail:        v.Analysis.Detail,
		})
	}
}
