package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// Build systems whose SBOM conventions the demo imitates, so that the demo
// exercises the identifier quirks real firmware SBOMs have.
const (
	styleBuildroot = "buildroot" // CPE 2.3 names with the upstream vendor, no purls
	styleYocto     = "yocto"     // pkg:yocto purls and CPEs with a "*" vendor where CVE_PRODUCT names none
	styleOpenWrt   = "openwrt"   // CPE 2.2 URIs; kmod-* packages at the kernel's version and without a CPE
)

// firmwarePart is one component of the demo firmware, with its version in
// each generation of releases, newest first.
type firmwarePart struct {
	name, vendor, product, part string
	yoctoVendor                 bool // Yocto's recipe names the vendor (CVE_PRODUCT "vendor:product")
	versions                    []string
}

var firmwareParts = []firmwarePart{
	{name: "busybox", vendor: "busybox", product: "busybox", part: "a", versions: []string{"1.36.1", "1.35.0", "1.35.0", "1.34.1"}},
	{name: "dnsmasq", vendor: "thekelleys", product: "dnsmasq", part: "a", versions: []string{"2.90", "2.89", "2.89", "2.86"}},
	{name: "openssl", vendor: "openssl", product: "openssl", part: "a", yoctoVendor: true, versions: []string{"3.0.13", "3.0.12", "3.0.11", "1.1.1w"}},
	{name: "curl", vendor: "haxx", product: "curl", part: "a", yoctoVendor: true, versions: []string{"8.4.0", "8.3.0", "8.1.2", "7.88.1"}},
	{name: "zlib", vendor: "zlib", product: "zlib", part: "a", yoctoVendor: true, versions: []string{"1.3.1", "1.3", "1.2.13", "1.2.13"}},
	{name: "dropbear", vendor: "dropbear_ssh_project", product: "dropbear_ssh", part: "a", versions: []string{"2024.84", "2022.83", "2022.83", "2020.81"}},
	{name: "linux", vendor: "linux", product: "linux_kernel", part: "o", yoctoVendor: true, versions: []string{"5.15.148", "5.15.148", "5.15.137", "5.10.180"}},
}

// version returns the part's version in release i (0 newest) of a product
// whose firmware lags by offset generations.
func (fp firmwarePart) version(i, offset int) string {
	return fp.versions[min(i+offset, len(fp.versions)-1)]
}

// demoSBOM writes a CycloneDX 1.5 JSON SBOM, with cyclonedx-go, for
// release i of a product, in the conventions of the product's build system.
func demoSBOM(ps productSeed, i int, at time.Time) ([]byte, error) {
	rel := ps.releases[i]
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_5
	bom.SerialNumber = fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012x", len(ps.name)*7919+i, len(rel.version)*104729+i)
	bom.Metadata = &cdx.Metadata{
		Timestamp: at.UTC().Format(time.RFC3339),
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: ps.style + " (Lifeline demo)"}}},
		Component: &cdx.Component{Type: cdx.ComponentTypeFirmware, BOMRef: "firmware", Name: ps.model, Version: rel.version},
	}
	var comps []cdx.Component
	var refs []string
	for _, fp := range firmwareParts {
		v := fp.version(i, ps.sbomOffset)
		if ps.kernel != "" && fp.name == "linux" {
			v = ps.kernel
			if i > 0 {
				v = fp.version(i, ps.sbomOffset)
			}
		}
		c := cdx.Component{Type: cdx.ComponentTypeLibrary, BOMRef: fp.name, Name: fp.name, Version: v}
		if fp.part == "o" {
			c.Type = cdx.ComponentTypeOS
		}
		switch ps.style {
		case styleBuildroot:
			c.CPE = fmt.Sprintf("cpe:2.3:%s:%s:%s:%s:*:*:*:*:*:*:*", fp.part, fp.vendor, fp.product, v)
		case styleYocto:
			c.PackageURL = "pkg:yocto/core/" + fp.name + "@" + v
			vendor := "*"
			if fp.yoctoVendor {
				vendor = fp.vendor
			}
			c.CPE = fmt.Sprintf("cpe:2.3:*:%s:%s:%s:*:*:*:*:*:*:*", vendor, fp.product, v)
		case styleOpenWrt:
			c.CPE = fmt.Sprintf("cpe:/%s:%s:%s:%s", fp.part, fp.vendor, fp.product, v)
		}
		comps = append(comps, c)
		refs = append(refs, c.BOMRef)
	}
	if ps.style == styleOpenWrt {
		kernel := comps[len(comps)-1].Version
		for _, m := range []string{"kmod-nf-conntrack", "kmod-nft-core", "kmod-mt7915e"} {
			comps = append(comps, cdx.Component{Type: cdx.ComponentTypeLibrary, BOMRef: m, Name: m, Version: kernel})
			refs = append(refs, m)
		}
	}
	bom.Components = &comps
	bom.Dependencies = &[]cdx.Dependency{{Ref: "firmware", Dependencies: &refs}}
	var buf bytes.Buffer
	enc := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_5); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// seedSBOMs attaches an SBOM to every release of a product.
func seedSBOMs(ctx context.Context, svc *service.Service, p access.Principal, prod registry.Product, ps productSeed) error {
	if ps.style == "" {
		return nil
	}
	for i, r := range ps.releases {
		b, err := demoSBOM(ps, i, r.at)
		if err != nil {
			return err
		}
		if _, err := svc.AttachSBOM(ctx, p, prod.Slug, r.version, bytes.NewReader(b)); err != nil {
			return fmt.Errorf("SBOM of %s: %w", r.version, err)
		}
	}
	return nil
}

// seedVulnerabilities imports the demo's advisory feeds (written from
// public NVD and CISA KEV records; see feeds/README.md), which matches them
// against every release's SBOM, and records a triage decision that
// carries over between releases.
func seedVulnerabilities(ctx context.Context, svc *service.Service, dir string) error {
	sys := access.System("demo")
	for _, f := range []struct{ name, kind, file string }{
		{"demo-nvd", service.FeedNVD, "nvd-firmware.json"},
		{"demo-kev", service.FeedKEV, "kev.json"},
	} {
		path, err := writeFeed(dir, f.file)
		if err != nil {
			return err
		}
		if _, err := svc.ImportFeed(ctx, sys, service.FeedSpec{Name: f.name, Kind: f.kind, Location: path}, nil); err != nil {
			return fmt.Errorf("importing %s: %w", f.name, err)
		}
	}
	return nil
}

// seedTriage records that Brightwave's firmware does not build MiniZip, so
// the zlib CVE in it does not apply; the decision is made on one release
// and carries over to the others.
func seedTriage(ctx context.Context, svc *service.Service, p access.Principal, productSlug, version string) error {
	fs, err := svc.ReleaseFindings(ctx, p, productSlug, version)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.VulnID == "CVE-2023-45853" && strings.HasPrefix(f.Component, "zlib") {
			_, err := svc.Triage(ctx, p, service.TriageRequest{VulnID: f.VulnID, ProductKey: productSlug, Version: version, ComponentIndex: f.Index,
				State: "not_affected", Justification: "vulnerable_code_not_present", Note: "MiniZip (contrib/minizip) is not built into the firmware."})
			return err
		}
	}
	return nil
}
