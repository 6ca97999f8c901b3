package sbom_test

import (
	"strconv"
	"strings"
	"testing"

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
