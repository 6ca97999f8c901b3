package sbom_test

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/sbom"
)

// byName returns the components with the given name, in document order.
func byName(doc *sbom.Document, name string) []sbom.Component {
	var out []sbom.Component
	for _, c := range doc.Components {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// oneByName returns the only component with the given name.
func oneByName(tb testing.TB, doc *sbom.Document, name string) sbom.Component {
	tb.Helper()
	cs := byName(doc, name)
	if len(cs) != 1 {
		tb.Fatalf("%d components named %q, want 1", len(cs), name)
	}
	return cs[0]
}

// OpenWrt's scripts/package-metadata.pl (pkgcyclonedxsbom) writes one line
// of CycloneDX 1.4 JSON per package feed: no metadata component, no tools,
// no bom-refs, no purls, no dependencies, a timestamp without a zone, and
// CPEs in the CPE 2.2 URI form (PKG_CPE_ID with the version appended).
func TestOpenWrtBaseFeed(t *testing.T) {
	doc := parseFile(t, "openwrt-23.05.2-base-feed.cdx.json")
	if doc.Format != "cyclonedx-1.4-json" {
		t.Errorf("Format = %q", doc.Format)
	}
	if doc.Name != "" || doc.Version != "" || len(doc.Tools) != 0 {
		t.Errorf("Name, Version, Tools = %q, %q, %v; the file has no metadata component or tools", doc.Name, doc.Version, doc.Tools)
	}
	// "2024-03-13T08:22:35" has no zone and is not RFC 3339.
	if !doc.Created.IsZero() {
		t.Errorf("Created = %v, want zero for a zone-less timestamp", doc.Created)
	}
	if len(doc.Components) != 28 {
		t.Fatalf("%d components, want 28", len(doc.Components))
	}
	if len(doc.Dependencies) != 0 {
		t.Errorf("%d dependency entries, want 0", len(doc.Dependencies))
	}
	withCPE := 0
	for i, c := range doc.Components {
		if c.PURL != "" {
			t.Errorf("%s has purl %q; OpenWrt writes none", c.Name, c.PURL)
		}
		// No bom-refs: every component gets a synthetic ref.
		if want := "_:component-" + strconv.Itoa(i+1); c.Ref != want {
			t.Errorf("%s: Ref = %q, want %q", c.Name, c.Ref, want)
		}
		for _, cpe := range c.CPEs {
			if !strings.HasPrefix(cpe, "cpe:/") {
				t.Errorf("%s: CPE %q is not in the 2.2 URI form", c.Name, cpe)
			}
		}
		if len(c.CPEs) > 0 {
			withCPE++
		}
	}
	if withCPE != 14 {
		t.Errorf("%d components with a CPE, want 14", withCPE)
	}

	bb := oneByName(t, doc, "busybox-selinux")
	if bb.Version != "1.36.1" || bb.Type != "application" {
		t.Errorf("busybox-selinux = %+v", bb)
	}
	if len(bb.CPEs) != 1 || bb.CPEs[0] != "cpe:/a:busybox:busybox:1.36.1" {
		t.Errorf("busybox-selinux CPEs = %q", bb.CPEs)
	}
	if len(bb.Licenses) != 1 || bb.Licenses[0] != "GPL-2.0" {
		t.Errorf("busybox-selinux Licenses = %q", bb.Licenses)
	}

	// A CPE vendor with "_project", as NVD spells it.
	e2 := oneByName(t, doc, "badblocks")
	if len(e2.CPEs) != 1 || e2.CPEs[0] != "cpe:/a:e2fsprogs_project:e2fsprogs:1.47.0" {
		t.Errorf("badblocks CPEs = %q", e2.CPEs)
	}
	// A package version that is a git snapshot, copied into the CPE.
	chat := oneByName(t, doc, "chat")
	if len(chat.CPEs) != 1 || chat.CPEs[0] != "cpe:/a:samba:ppp:2.4.9.git-2021-01-04" {
		t.Errorf("chat CPEs = %q", chat.CPEs)
	}
	// Firmware blobs: type "firmware", no licence, no CPE.
	fw := oneByName(t, doc, "ar3k-firmware")
	if fw.Type != "firmware" || fw.Version != "20230804" || len(fw.CPEs) != 0 || len(fw.Licenses) != 0 {
		t.Errorf("ar3k-firmware = %+v", fw)
	}
	// The split of a space-separated license string: "GPL-2.0-only OR
	// BSD-2-Clause" becomes three license names, "OR" among them.
	bpf := oneByName(t, doc, "bpftool-full")
	if got := strings.Join(bpf.Licenses, "|"); got != "GPL-2.0-only|OR|BSD-2-Clause" {
		t.Errorf("bpftool-full Licenses = %q", bpf.Licenses)
	}
}

// The target feed of the same release: the kmod-* packages carry the kernel
// version (5.15.137, the "-r<n>" and "+<pkgver>" parts cut off by the
// generator) but, in OpenWrt 23.05, no CPE at all: the kernel CPE that the
// matcher's quirk rule is about is not in this output.
func TestOpenWrtTargetFeed(t *testing.T) {
	doc := parseFile(t, "openwrt-23.05.2-x86-targets.cdx.json")
	if doc.Format != "cyclonedx-1.4-json" {
		t.Errorf("Format = %q", doc.Format)
	}
	if len(doc.Components) != 23 {
		t.Fatalf("%d components, want 23", len(doc.Components))
	}
	kmods := 0
	for _, c := range doc.Components {
		if !strings.HasPrefix(c.Name, "kmod-") {
			continue
		}
		kmods++
		if c.Version != "5.15.137" {
			t.Errorf("%s: Version = %q, want 5.15.137", c.Name, c.Version)
		}
		if len(c.CPEs) != 0 {
			t.Errorf("%s: CPEs = %q, want none in OpenWrt 23.05 output", c.Name, c.CPEs)
		}
		if c.PURL != "" {
			t.Errorf("%s: PURL = %q", c.Name, c.PURL)
		}
	}
	if kmods != 15 {
		t.Errorf("%d kmod-* components, want 15", kmods)
	}
	// kmod-ar5523 has no License in its package metadata.
	if l := oneByName(t, doc, "kmod-ar5523").Licenses; len(l) != 0 {
		t.Errorf("kmod-ar5523 Licenses = %q", l)
	}
	bf := oneByName(t, doc, "base-files")
	if bf.Version != "1-r23630-842932a63d" || len(bf.CPEs) != 0 {
		t.Errorf("base-files = %+v", bf)
	}
	ubi := oneByName(t, doc, "ubi-utils")
	if len(ubi.CPEs) != 1 || ubi.CPEs[0] != "cpe:/a:mtd-utils_project:mtd-utils:2.1.5" {
		t.Errorf("ubi-utils CPEs = %q", ubi.CPEs)
	}
	if len(ubi.Licenses) != 1 || ubi.Licenses[0] != "GPLv2" {
		t.Errorf("ubi-utils Licenses = %q", ubi.Licenses)
	}
}

// Buildroot's utils/generate-cyclonedx turns `make show-info` JSON into
// CycloneDX 1.6: bom-refs are the show-info package keys, every component
// has type "library", virtual packages are left out, the CPE is the
// package's cpe-id as Buildroot built it, each <PKG>_IGNORE_CVES entry
// becomes a vulnerability with analysis state "in_triage" (or
// "resolved_with_pedigree" when a Buildroot patch names the CVE), and
// dependencies on a virtual package are replaced by its provider.
func TestBuildrootGenerateCycloneDX(t *testing.T) {
	doc := parseFile(t, "buildroot-2024.11.1.cdx.json")
	if doc.Format != "cyclonedx-1.6-json" {
		t.Errorf("Format = %q", doc.Format)
	}
	if doc.Name != "acme-router" || doc.Version != "1.4.0" {
		t.Errorf("Name, Version = %q, %q", doc.Name, doc.Version)
	}
	// The generator writes no metadata.timestamp.
	if !doc.Created.IsZero() {
		t.Errorf("Created = %v, want zero", doc.Created)
	}
	if len(doc.Tools) != 1 || doc.Tools[0] != "Buildroot generate-cyclonedx 2024.11.1" {
		t.Errorf("Tools = %q", doc.Tools)
	}
	// 25 show-info entries, 5 of them virtual (openssl, skeleton,
	// toolchain, toolchain-buildroot, zlib) and so not written.
	if len(doc.Components) != 20 {
		t.Fatalf("%d components, want 20", len(doc.Components))
	}
	withCPE := 0
	for _, c := range doc.Components {
		if c.Type != "library" {
			t.Errorf("%s: Type = %q, want library", c.Ref, c.Type)
		}
		if c.PURL != "" || len(c.Hashes) != 0 {
			t.Errorf("%s: PURL %q, hashes %v; the generator writes neither", c.Ref, c.PURL, c.Hashes)
		}
		for _, v := range []string{"openssl", "zlib", "skeleton", "toolchain", "toolchain-buildroot"} {
			if c.Ref == v {
				t.Errorf("virtual package %q was written as a component", v)
			}
		}
		if len(c.CPEs) > 0 {
			withCPE++
		}
	}
	if withCPE != 15 {
		t.Errorf("%d components with a CPE, want 15", withCPE)
	}

	bb := component(t, doc, "busybox")
	if bb.Name != "busybox" || bb.Version != "1.36.1" {
		t.Errorf("busybox = %+v", bb)
	}
	if len(bb.CPEs) != 1 || bb.CPEs[0] != "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*" {
		t.Errorf("busybox CPEs = %q", bb.CPEs)
	}
	// BUSYBOX_LICENSE "GPL-2.0, bzip2-1.0.4" is split at the comma; only
	// the first is in the SPDX list the generator was given, the second is
	// written as a name. The model keeps both strings.
	if got := strings.Join(bb.Licenses, "|"); got != "GPL-2.0|bzip2-1.0.4" {
		t.Errorf("busybox Licenses = %q", bb.Licenses)
	}
	// libconfuse sets only LIBCONFUSE_CPE_ID_VALID, so Buildroot's default
	// vendor "<pkg>_project" is used.
	if c := component(t, doc, "libconfuse"); len(c.CPEs) != 1 || c.CPEs[0] != "cpe:2.3:a:libconfuse_project:libconfuse:3.3:*:*:*:*:*:*:*" {
		t.Errorf("libconfuse CPEs = %q", c.CPEs)
	}
	// The package name and the CPE product differ.
	if c := component(t, doc, "libopenssl"); len(c.CPEs) != 1 || c.CPEs[0] != "cpe:2.3:a:openssl:openssl:3.2.3:*:*:*:*:*:*:*" {
		t.Errorf("libopenssl CPEs = %q", c.CPEs)
	}
	if c := component(t, doc, "libcurl"); len(c.CPEs) != 1 || c.CPEs[0] != "cpe:2.3:a:haxx:libcurl:8.10.0:*:*:*:*:*:*:*" {
		t.Errorf("libcurl CPEs = %q", c.CPEs)
	}
	// The kernel and its headers carry the same CPE.
	for _, ref := range []string{"linux", "linux-headers"} {
		if c := component(t, doc, ref); len(c.CPEs) != 1 || c.CPEs[0] != "cpe:2.3:a:linux:linux_kernel:6.6.63:*:*:*:*:*:*:*" {
			t.Errorf("%s CPEs = %q", ref, c.CPEs)
		}
	}
	// A host package: the bom-ref is the show-info key, the name the raw
	// package name.
	if c := component(t, doc, "host-pkgconf"); c.Name != "pkgconf" || c.Version != "1.6.3" {
		t.Errorf("host-pkgconf = %+v", c)
	}
	// No CPE and no version: ifupdown-scripts has neither.
	if c := component(t, doc, "ifupdown-scripts"); len(c.CPEs) != 0 || c.Version != "" {
		t.Errorf("ifupdown-scripts = %+v", c)
	}

	// IGNORE_CVES: busybox has one, hostapd three; none is named by a patch
	// in this run, so all are "in_triage", which the model reads as
	// under investigation.
	want := map[string]string{
		"CVE-2022-28391": "busybox",
		"CVE-2019-16275": "hostapd",
		"CVE-2020-12695": "hostapd",
		"CVE-2021-30004": "hostapd",
	}
	if len(doc.VEX) != len(want) {
		t.Fatalf("%d VEX statements, want %d: %+v", len(doc.VEX), len(want), doc.VEX)
	}
	for _, s := range doc.VEX {
		if want[s.ID] != s.Component {
			t.Errorf("%s: Component = %q, want %q", s.ID, s.Component, want[s.ID])
		}
		if s.Status != sbom.StatusUnderInvestigation || s.Justification != "" {
			t.Errorf("%s: Status, Justification = %q, %q", s.ID, s.Status, s.Justification)
		}
		if s.Detail != "The CVE '"+s.ID+"' has been marked as ignored by Buildroot" {
			t.Errorf("%s: Detail = %q", s.ID, s.Detail)
		}
	}

	// One entry for the project and one per component.
	if len(doc.Dependencies) != 21 {
		t.Errorf("%d dependency entries, want 21", len(doc.Dependencies))
	}
	deps := map[string][]string{
		// the virtual "openssl" is replaced by its provider libopenssl
		"inadyn":  {"host-pkgconf", "libconfuse", "libopenssl", "skeleton-init-sysv"},
		"libcurl": {"host-pkgconf", "libopenssl", "libzlib", "skeleton-init-sysv"},
		// the virtual "zlib" is replaced by libzlib, the virtual
		// "toolchain" (which nothing provides) is dropped
		"libopenssl":         {"libzlib", "skeleton-init-sysv"},
		"skeleton-init-sysv": {"skeleton-init-common"},
		"uclibc":             {"linux-headers"},
		"linux-headers":      {},
	}
	for ref, on := range deps {
		if got, ok := doc.Dependencies[ref]; !ok || !slices.Equal(got, on) {
			t.Errorf("Dependencies[%q] = %q, want %q", ref, got, on)
		}
	}
	// The project's entry lists the packages that no other package depends
	// on by name. libzlib is among them because the others depend on the
	// virtual "zlib", which the generator does not resolve at this step.
	root := doc.Dependencies["acme-router"]
	if len(root) != 14 || !slices.Contains(root, "busybox") || !slices.Contains(root, "libzlib") || slices.Contains(root, "libopenssl") {
		t.Errorf("Dependencies[acme-router] = %q", root)
	}
}

// The show-info JSON the Buildroot fixture was generated from is kept next
// to it as documentation; it is not an SBOM and Parse refuses it.
func TestBuildrootShowInfoIsNotAnSBOM(t *testing.T) {
	_, err := sbom.Parse(bytes.NewReader(mustRead(t, "buildroot-show-info.json")), sbom.Limits{})
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("Parse(buildroot-show-info.json) = %v, want an Invalid error", err)
	}
}
