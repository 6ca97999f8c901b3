package sbom

import (
	"bytes"
	"fmt"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/tagvalue"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// The SPDX 2 versions Parse accepts; tools-golang converts 2.2 to the 2.3 model.
var spdx2Versions = map[string]string{"SPDX-2.2": "2.2", "SPDX-2.3": "2.3"}

// parseSPDX2 decodes an SPDX 2.2/2.3 JSON or tag-value document with
// tools-golang. Packages and files become components; DEPENDS_ON,
// DEPENDENCY_OF and RUNTIME_DEPENDENCY_OF relationships become
// dependencies; CONTAINS/CONTAINED_BY and a package's files set Parent.
func parseSPDX2(data []byte, encoding string, limits Limits) (*Document, error) {
	raw := spdxVersionOf(data, encoding)
	version, ok := spdx2Versions[raw]
	if !ok {
		return nil, errs.E(errs.Invalid, "sbom: unsupported SPDX version %q (supported: SPDX-2.2, SPDX-2.3, SPDX 3.0 JSON-LD)", raw)
	}
	format := fmt.Sprintf("%s-%s-%s", FamilySPDX, version, encoding)
	var doc *spdx.Document
	err := guard(format, func() error {
		var err error
		if encoding == "json" {
			doc, err = spdxjson.Read(bytes.NewReader(data))
		} else {
			doc, err = tagvalue.Read(bytes.NewReader(data))
		}
		return err
	})
	if err != nil {
		return nil, invalid(format, err)
	}
	if doc == nil {
		return nil, errs.E(errs.Invalid, "sbom: empty %s document", format)
	}

	b := newBuilder(format, limits)
	b.doc.Name = strings.TrimSpace(doc.DocumentName)
	if ci := doc.CreationInfo; ci != nil {
		b.doc.Created = parseTime(ci.Created)
		for _, c := range ci.Creators {
			if c.CreatorType == "Tool" {
				b.tool(c.Creator)
			}
		}
	}

	files := map[common.ElementID]bool{}
	addFile := func(f *spdx.File, parent string) error {
		if f == nil {
			return nil
		}
		c := Component{
			Ref:    common.RenderElementID(f.FileSPDXIdentifier),
			Type:   "file",
			Name:   f.FileName,
			Parent: parent,
			Hashes: spdx2Hashes(f.Checksums),
		}
		c.Licenses = spdx2Licenses(f.LicenseConcluded)
		return b.add(c)
	}
	for _, f := range doc.Files {
		if f != nil {
			files[f.FileSPDXIdentifier] = true
		}
		if err := addFile(f, ""); err != nil {
			return nil, err
		}
	}
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		c := Component{
			Ref:     common.RenderElementID(p.PackageSPDXIdentifier),
			Type:    strings.ToLower(p.PrimaryPackagePurpose),
			Name:    p.PackageName,
			Version: p.PackageVersion,
			Hashes:  spdx2Hashes(p.PackageChecksums),
		}
		if c.Type == "" {
			c.Type = "package"
		}
		if s := p.PackageSupplier; s != nil && s.Supplier != "NOASSERTION" {
			c.Supplier = s.Supplier
		}
		for _, ref := range p.PackageExternalReferences {
			if ref == nil {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(ref.RefType)) {
			case "purl":
				if c.PURL == "" {
					c.PURL = ref.Locator
				}
			case "cpe23type", "cpe22type":
				c.CPEs = append(c.CPEs, ref.Locator)
			}
		}
		c.Licenses = append(spdx2Licenses(p.PackageLicenseConcluded), spdx2Licenses(p.PackageLicenseDeclared)...)
		if err := b.add(c); err != nil {
			return nil, err
		}
		for _, f := range p.Files {
			if f == nil {
				continue
			}
			if files[f.FileSPDXIdentifier] {
				b.setParent(common.RenderElementID(f.FileSPDXIdentifier), c.Ref)
				continue
			}
			files[f.FileSPDXIdentifier] = true
			if err := addFile(f, c.Ref); err != nil {
				return nil, err
			}
		}
	}

	for _, r := range doc.Relationships {
		if r == nil || r.RefA.SpecialID != "" || r.RefB.SpecialID != "" {
			continue
		}
		a, z := common.RenderDocElementID(r.RefA), common.RenderDocElementID(r.RefB)
		switch strings.ToUpper(strings.TrimSpace(r.Relationship)) {
		case "DEPENDS_ON":
			b.depend(a, z)
		case "DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF":
			b.depend(z, a)
		case "CONTAINS":
			b.setParent(z, a)
		case "CONTAINED_BY":
			b.setParent(a, z)
		case "DESCRIBES":
			if a == "SPDXRef-DOCUMENT" && b.doc.Version == "" {
				if c := b.find(z); c != nil {
					b.doc.Version = c.Version
				}
			}
		}
	}
	return b.doc, nil
}

// spdxVersionOf returns the document's SPDXVersion / spdxVersion value.
func spdxVersionOf(data []byte, encoding string) string {
	if encoding == "json" {
		top, err := scanJSON(data, 1<<30)
		if err != nil {
			return ""
		}
		return top.spdxVersion
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "SPDXVersion:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func spdx2Hashes(sums []common.Checksum) map[string]string {
	if len(sums) == 0 {
		return nil
	}
	h := make(map[string]string, len(sums))
	for _, s := range sums {
		h[string(s.Algorithm)] = s.Value
	}
	return h
}

func spdx2Licenses(expr string) []string {
	expr = strings.TrimSpace(expr)
	if expr == "" || expr == "NOASSERTION" || expr == "NONE" {
		return nil
	}
	return []string{expr}
}
