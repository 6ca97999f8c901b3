package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// cdxComponent is one component of the CycloneDX SBOMs written here.
type cdxComponent struct {
	BOMRef  string `json:"bom-ref"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	Version string `json:"version"`
	CPE     string `json:"cpe,omitempty"`
	PURL    string `json:"purl,omitempty"`
}

func writeCDX(path, name string, comps []cdxComponent) error {
	doc := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
		"metadata":     map[string]any{"timestamp": "2026-11-25T12:00:00Z", "component": map[string]any{"type": "firmware", "name": name, "version": "1.0"}},
		"components":   comps}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// writeDebianSBOM writes the packages as syft does for a Debian image:
// pkg:deb purls with distro and, for binary packages of another source,
// the upstream qualifier.
func writeDebianSBOM(path string, debs []debPkg) error {
	var comps []cdxComponent
	for _, p := range debs {
		purl := "pkg:deb/debian/" + p.name + "@" + strings.ReplaceAll(p.version, ":", "%3A") + "?arch=amd64"
		if p.source != "" {
			purl += "&upstream=" + p.source
		}
		purl += "&distro=debian-12"
		comps = append(comps, cdxComponent{BOMRef: purl, Type: "library", Name: p.name, Version: p.version, PURL: purl})
	}
	return writeCDX(path, "debian-bookworm-image", comps)
}

// writeFirmwareSBOM writes a Buildroot/Yocto-style firmware SBOM: CPE-only
// components, pkg:generic and pkg:yocto purls, and the kernel.
func writeFirmwareSBOM(path string) error {
	var comps []cdxComponent
	add := func(name, version, vendor, purlType string) {
		c := cdxComponent{BOMRef: fmt.Sprintf("c%d", len(comps)), Type: "library", Name: name, Version: version,
			CPE: "cpe:2.3:a:" + vendor + ":" + name + ":" + version + ":*:*:*:*:*:*:*"}
		switch purlType {
		case "generic":
			c.PURL = "pkg:generic/" + name + "@" + version
		case "yocto":
			c.PURL = "pkg:yocto/core/" + name + "@" + version
			c.CPE = "cpe:2.3:*:*:" + name + ":" + version + ":*:*:*:*:*:*:*"
		}
		comps = append(comps, c)
	}
	for _, x := range [][3]string{{"busybox", "1.36.1", "busybox"}, {"openssl", "3.0.13", "openssl"}, {"zlib", "1.3.1", "zlib"},
		{"dropbear_ssh", "2022.83", "dropbear_ssh_project"}, {"dnsmasq", "2.89", "thekelleys"}, {"curl", "8.5.0", "haxx"},
		{"libxml2", "2.11.5", "xmlsoft"}, {"expat", "2.5.0", "libexpat_project"}, {"sqlite", "3.44.2", "sqlite"}, {"mosquitto", "2.0.18", "eclipse"}} {
		add(x[0], x[1], x[2], "")
	}
	for _, x := range [][3]string{{"glibc", "2.38", "gnu"}, {"bash", "5.2.15", "gnu"}, {"util-linux", "2.39.1", "kernel"}, {"openssh", "9.4p1", "openbsd"}, {"systemd", "254.4", "systemd_project"}} {
		add(x[0], x[1], x[2], "yocto")
	}
	for _, x := range [][3]string{{"wpa_supplicant", "2.10", "w1.fi"}, {"u-boot", "2023.10", "denx"}, {"lighttpd", "1.4.73", "lighttpd"}} {
		add(x[0], x[1], x[2], "generic")
	}
	comps = append(comps, cdxComponent{BOMRef: "kernel", Type: "operating-system", Name: "linux", Version: "6.1.55",
		CPE: "cpe:2.3:o:linux:linux_kernel:6.1.55:*:*:*:*:*:*:*", PURL: "pkg:generic/linux@6.1.55"})
	return writeCDX(path, "gateway-firmware", comps)
}
