package vulnmatch

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/sbom"
)

// nvd builds an NVD record with one Affected per criterion.
func nvd(id string, crits ...advisory.CPECriteria) *advisory.Advisory {
	a := &advisory.Advisory{ID: id, Source: advisory.SourceNVD}
	for i := range crits {
		a.Affected = append(a.Affected, advisory.Affected{CPE: &crits[i]})
	}
	return a
}

// osv builds an OSV record affecting one package.
func osv(id, ecosystem, name string, ranges ...advisory.Range) *advisory.Advisory {
	return &advisory.Advisory{ID: id, Source: advisory.SourceOSV, Affected: []advisory.Affected{{
		Package: &advisory.Package{Ecosystem: ecosystem, Name: name}, Ranges: ranges,
	}}}
}

// rng builds a range from "introduced=0", "fixed=3.0.13", "last_affected=1.3", "limit=2".
func rng(typ string, events ...string) advisory.Range {
	r := advisory.Range{Type: typ}
	for _, e := range events {
		k, v, _ := strings.Cut(e, "=")
		switch k {
		case "introduced":
			r.Events = append(r.Events, advisory.Event{Introduced: v})
		case "fixed":
			r.Events = append(r.Events, advisory.Event{Fixed: v})
		case "last_affected":
			r.Events = append(r.Events, advisory.Event{LastAffected: v})
		case "limit":
			r.Events = append(r.Events, advisory.Event{Limit: v})
		}
	}
	return r
}

func eco(events ...string) advisory.Range { return rng(advisory.RangeEcosystem, events...) }

// The advisories of the tests, from public records (ranges as NVD and OSV
// publish them, trimmed to what the tests need).
var (
	// CVE-2022-48174, BusyBox ash stack overflow, fixed in 1.36.0.
	busyboxCVE = nvd("CVE-2022-48174", advisory.CPECriteria{Criteria: "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", VersionEndExcluding: "1.36.0"})
	// CVE-2023-5678, OpenSSL DH excessive time.
	opensslCVE = nvd("CVE-2023-5678",
		advisory.CPECriteria{Criteria: "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", VersionStartIncluding: "1.0.2", VersionEndExcluding: "1.0.2zj"},
		advisory.CPECriteria{Criteria: "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", VersionStartIncluding: "1.1.1", VersionEndExcluding: "1.1.1x"},
		advisory.CPECriteria{Criteria: "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", VersionStartIncluding: "3.0.0", VersionEndExcluding: "3.0.13"},
		advisory.CPECriteria{Criteria: "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", VersionStartIncluding: "3.1.0", VersionEndExcluding: "3.1.5"},
	)
	// CVE-2023-38545, curl SOCKS5 heap overflow.
	curlCVE = nvd("CVE-2023-38545", advisory.CPECriteria{Criteria: "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*", VersionStartIncluding: "7.69.0", VersionEndExcluding: "8.4.0"})
	// CVE-2023-28450, dnsmasq default EDNS.0 UDP packet size.
	dnsmasqCVE = nvd("CVE-2023-28450", advisory.CPECriteria{Criteria: "cpe:2.3:a:thekelleys:dnsmasq:*:*:*:*:*:*:*:*", VersionEndExcluding: "2.90"})
	// CVE-2023-45853, zlib MiniZip integer overflow.
	zlibCVE = nvd("CVE-2023-45853", advisory.CPECriteria{Criteria: "cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*", VersionEndIncluding: "1.3"})
	// An NVD criterion that names no version: must not flood (rule c).
	curlNA = nvd("CVE-2000-0001-NA", advisory.CPECriteria{Criteria: "cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*"})
	// CVE-2023-1389, TP-Link Archer AX21 firmware, on the hardware (rule e).
	archerCVE = nvd("CVE-2023-1389", advisory.CPECriteria{
		Criteria: "cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*", VersionEndExcluding: "1.1.4",
		RunningOn: []string{"cpe:2.3:h:tp-link:archer_ax21:3.0:*:*:*:*:*:*:*"},
	})
	// CVE-2024-1086, nf_tables use-after-free, as OSV's Linux ecosystem ranges.
	kernelOSV = osv("CVE-2024-1086", "Linux", "Kernel",
		eco("introduced=3.15", "fixed=5.10.209"), eco("introduced=5.11", "fixed=5.15.149"),
		eco("introduced=5.16", "fixed=6.1.76"), eco("introduced=6.2", "fixed=6.6.15"), eco("introduced=6.7", "fixed=6.7.3"),
		advisory.Range{Type: advisory.RangeGit, Repo: "https://git.kernel.org/pub/scm/linux/kernel/git/stable/linux.git",
			Events: []advisory.Event{{Introduced: "0"}, {Fixed: "f342de4e2f33e0e39165d8639387aa6c19dff660"}}},
	)
	// The same CVE in NVD.
	kernelNVD = nvd("CVE-2024-1086", advisory.CPECriteria{Criteria: "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", VersionStartIncluding: "6.2", VersionEndExcluding: "6.6.15"})
	// DSA-5532-1, openssl in Debian 12.
	debianDSA = osv("DSA-5532-1", "Debian:12", "openssl", eco("introduced=0", "fixed=3.0.11-1~deb12u2"))
	// CVE-2023-5678 in Alpine v3.19's openssl.
	alpineOSV = osv("ALPINE-CVE-2023-5678", "Alpine:v3.19", "openssl", eco("introduced=0", "fixed=3.1.4-r1"))
	// GO-2023-2102, HTTP/2 rapid reset in golang.org/x/net.
	goOSV = osv("GO-2023-2102", "Go", "golang.org/x/net", rng(advisory.RangeSemver, "introduced=0", "fixed=0.17.0"))
)

func TestMatch(t *testing.T) {
	ix := NewIndex()
	for _, a := range []*advisory.Advisory{busyboxCVE, opensslCVE, curlCVE, dnsmasqCVE, zlibCVE, curlNA, archerCVE, kernelOSV, kernelNVD, debianDSA, alpineOSV, goOSV} {
		ix.Add(a)
	}
	type want struct {
		id, kind, scheme, caveat string
		criterion                string // substring
	}
	tests := []struct {
		name string
		c    Component
		want []want
	}{
		{"busybox_buildroot_vendor_set", Component{Name: "busybox", Version: "1.35.0", CPEs: []string{"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2022-48174", KindCPE, "generic", "", "< 1.36.0"}}},
		{"busybox_fixed", Component{Name: "busybox", Version: "1.36.1", CPEs: []string{"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"}}, nil},
		{"busybox_fix_version_itself", Component{Name: "busybox", Version: "1.36.0", CPEs: []string{"cpe:2.3:a:busybox:busybox:1.36.0:*:*:*:*:*:*:*"}}, nil},
		{"busybox_yocto_wildcard_vendor", Component{Name: "busybox", Version: "1.35.0", PURL: "pkg:yocto/core/busybox@1.35.0",
			CPEs: []string{"cpe:2.3:*:*:busybox:1.35.0:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2022-48174", KindCPE, "generic", caveatVendorWildcard, ""}}},
		{"busybox_buildroot_default_vendor_no_fallback", Component{Name: "busybox", Version: "1.35.0",
			CPEs: []string{"cpe:2.3:a:busybox_project:busybox:1.35.0:*:*:*:*:*:*:*"}}, nil},
		{"busybox_syft_generic_purl", Component{Name: "busybox", Version: "1.35.0", PURL: "pkg:generic/busybox@1.35.0",
			CPEs: []string{"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2022-48174", KindCPE, "generic", "", ""}}},
		{"busybox_cpe_without_version_uses_component_version", Component{Name: "busybox", Version: "1.35.0",
			CPEs: []string{"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2022-48174", KindCPE, "generic", "", ""}}},
		{"openssl_yocto_part_any", Component{Name: "openssl", Version: "3.0.11", PURL: "pkg:yocto/core/openssl@3.0.11",
			CPEs: []string{"cpe:2.3:*:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-5678", KindCPE, "generic", "", ">= 3.0.0, < 3.0.13"}}},
		{"openssl_111w_letter_release", Component{Name: "openssl", Version: "1.1.1w", CPEs: []string{"cpe:2.3:a:openssl:openssl:1.1.1w:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-5678", KindCPE, "generic", "", ">= 1.1.1, < 1.1.1x"}}},
		{"openssl_111x_fixed", Component{Name: "openssl", Version: "1.1.1x", CPEs: []string{"cpe:2.3:a:openssl:openssl:1.1.1x:*:*:*:*:*:*:*"}}, nil},
		{"openssl_3013_fixed", Component{Name: "openssl", Version: "3.0.13", CPEs: []string{"cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*"}}, nil},
		{"curl_affected", Component{Name: "curl", Version: "8.3.0", CPEs: []string{"cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-38545", KindCPE, "generic", "", ">= 7.69.0, < 8.4.0"}}},
		{"curl_before_introduced", Component{Name: "curl", Version: "7.68.0", CPEs: []string{"cpe:2.3:a:haxx:curl:7.68.0:*:*:*:*:*:*:*"}}, nil},
		{"curl_fixed", Component{Name: "curl", Version: "8.4.0", CPEs: []string{"cpe:2.3:a:haxx:curl:8.4.0:*:*:*:*:*:*:*"}}, nil},
		{"curl_na_matches_only_na", Component{Name: "curl", CPEs: []string{"cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2000-0001-NA", KindCPE, "generic", "", ""}}},
		{"curl_na_cpe_with_real_version", Component{Name: "curl", Version: "8.3.0", CPEs: []string{"cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-38545", KindCPE, "generic", "", ""}}},
		{"dnsmasq_openwrt_uri_binding", Component{Name: "dnsmasq", Version: "2.89-1", CPEs: []string{"cpe:/a:thekelleys:dnsmasq:2.89"}},
			[]want{{"CVE-2023-28450", KindCPE, "generic", "", "< 2.90"}}},
		{"dnsmasq_286", Component{Name: "dnsmasq", Version: "2.86", CPEs: []string{"cpe:2.3:a:thekelleys:dnsmasq:2.86:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-28450", KindCPE, "generic", "", ""}}},
		{"dnsmasq_290", Component{Name: "dnsmasq", Version: "2.90", CPEs: []string{"cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*"}}, nil},
		{"zlib_end_including", Component{Name: "zlib", Version: "1.3", CPEs: []string{"cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-45853", KindCPE, "generic", "", "<= 1.3"}}},
		{"zlib_1213", Component{Name: "zlib", Version: "1.2.13", CPEs: []string{"cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-45853", KindCPE, "generic", "", ""}}},
		{"zlib_131", Component{Name: "zlib", Version: "1.3.1", CPEs: []string{"cpe:2.3:a:zlib:zlib:1.3.1:*:*:*:*:*:*:*"}}, nil},
		{"zlib_unparseable_version", Component{Name: "zlib", Version: "git", CPEs: []string{"cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*"}}, nil},
		{"firmware_running_on", Component{Name: "archer_ax21_firmware", Version: "1.1.2", CPEs: []string{"cpe:2.3:o:tp-link:archer_ax21_firmware:1.1.2:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2023-1389", KindCPE, "generic", "only when running on cpe:2.3:h:tp-link:archer_ax21:3.0:*:*:*:*:*:*:*", ""}}},
		{"kernel_openwrt_kmod_ignored", Component{Name: "kmod-nf-tables", Version: "6.1.55-1", PURL: "pkg:openwrt/kmod-nf-tables@6.1.55-1",
			CPEs: []string{"cpe:/o:linux:linux_kernel:6.1.55"}}, nil},
		{"kernel_openwrt_kernel_package", Component{Name: "kernel", Version: "6.1.55-1", PURL: "pkg:openwrt/kernel@6.1.55-1",
			CPEs: []string{"cpe:/o:linux:linux_kernel:6.1.55"}},
			[]want{{"CVE-2024-1086", KindKernelRange, "kernel", "", "Linux/Kernel ECOSYSTEM [5.16, 6.1.76)"}}},
		{"kernel_yocto", Component{Name: "linux-yocto", Version: "6.1.55+gitAUTOINC+a1b2c3d4e5_f6a7b8c9d0", PURL: "pkg:yocto/core/linux-yocto@6.1.55%2BgitAUTOINC%2Ba1b2c3d4e5_f6a7b8c9d0",
			CPEs: []string{"cpe:2.3:*:linux:linux_kernel:6.1.55:*:*:*:*:*:*:*", "cpe:2.3:*:*:linux:6.1.55:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2024-1086", KindKernelRange, "kernel", "", "[5.16, 6.1.76)"}}},
		{"kernel_syft_raspi_purl_only", Component{Name: "linux-kernel", Version: "5.15.0-1040-raspi", PURL: "pkg:generic/linux-kernel@5.15.0-1040-raspi"},
			[]want{{"CVE-2024-1086", KindKernelRange, "kernel", "", "[5.11, 5.15.149)"}}},
		{"kernel_nvd_when_osv_fixed_branch", Component{Name: "linux", Version: "6.5.2", CPEs: []string{"cpe:2.3:o:linux:linux_kernel:6.5.2:*:*:*:*:*:*:*"}},
			[]want{{"CVE-2024-1086", KindCPE, "generic", "", ">= 6.2, < 6.6.15"}, {"CVE-2024-1086", KindKernelRange, "kernel", "", "[6.2, 6.6.15)"}}},
		{"kernel_fixed_stable", Component{Name: "linux", Version: "6.1.76", CPEs: []string{"cpe:2.3:o:linux:linux_kernel:6.1.76:*:*:*:*:*:*:*"}}, nil},
		{"kernel_rc_before_introduced", Component{Name: "linux", Version: "6.7-rc1", PURL: "pkg:generic/linux@6.7-rc1"}, nil},
		{"debian_binary_via_upstream", Component{Name: "libssl3", Version: "3.0.11-1~deb12u1",
			PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&upstream=openssl&distro=debian-12"},
			[]want{{"DSA-5532-1", KindEcosystemRange, "Debian", "", "Debian:12/openssl ECOSYSTEM [0, 3.0.11-1~deb12u2)"}}},
		{"debian_codename", Component{Name: "openssl", Version: "3.0.9-1", PURL: "pkg:deb/debian/openssl@3.0.9-1?distro=bookworm"},
			[]want{{"DSA-5532-1", KindEcosystemRange, "Debian", "", ""}}},
		{"debian_fixed", Component{Name: "openssl", Version: "3.0.11-1~deb12u2", PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"}, nil},
		{"debian_other_release", Component{Name: "openssl", Version: "1.1.1n-0+deb11u5", PURL: "pkg:deb/debian/openssl@1.1.1n-0+deb11u5?distro=debian-11"}, nil},
		{"debian_release_unknown", Component{Name: "openssl", Version: "3.0.11-1~deb12u1", PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u1"},
			[]want{{"DSA-5532-1", KindEcosystemRange, "Debian", "release not stated in the SBOM; the advisory is for 12", ""}}},
		{"ubuntu_is_not_debian", Component{Name: "openssl", Version: "3.0.2-0ubuntu1.10", PURL: "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?distro=ubuntu-22.04"}, nil},
		{"alpine_affected", Component{Name: "libcrypto3", Version: "3.1.4-r0", PURL: "pkg:apk/alpine/libcrypto3@3.1.4-r0?arch=x86_64&upstream=openssl&distro=alpine-3.19.0"},
			[]want{{"ALPINE-CVE-2023-5678", KindEcosystemRange, "Alpine", "", "Alpine:v3.19/openssl ECOSYSTEM [0, 3.1.4-r1)"}}},
		{"alpine_fixed", Component{Name: "openssl", Version: "3.1.4-r1", PURL: "pkg:apk/alpine/openssl@3.1.4-r1?distro=alpine-3.19.0"}, nil},
		{"alpine_other_release", Component{Name: "openssl", Version: "3.1.4-r0", PURL: "pkg:apk/alpine/openssl@3.1.4-r0?distro=alpine-3.18.4"}, nil},
		{"go_module_semver", Component{Name: "golang.org/x/net", Version: "v0.15.0", PURL: "pkg:golang/golang.org/x/net@v0.15.0"},
			[]want{{"GO-2023-2102", KindEcosystemRange, "semver", "", "Go/golang.org/x/net SEMVER [0, 0.17.0)"}}},
		{"go_module_fixed", Component{Name: "golang.org/x/net", Version: "v0.17.0", PURL: "pkg:golang/golang.org/x/net@v0.17.0"}, nil},
		{"no_identifiers", Component{Name: "openssl", Version: "3.0.11"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Match(tt.c)
			if len(got) != len(tt.want) {
				t.Fatalf("Match = %v, want %d matches %v", reasons(got), len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				r := got[i].Reason
				if got[i].Advisory.ID != w.id || r.Kind != w.kind || r.Scheme != w.scheme || r.Caveat != w.caveat || !strings.Contains(r.Criterion, w.criterion) {
					t.Errorf("match %d = %s %+v, want %+v", i, got[i].Advisory.ID, r, w)
				}
				if r.Identifier == "" || r.String() == "" {
					t.Errorf("match %d has no identifier: %+v", i, r)
				}
				if !sharesKey(ComponentKeys(tt.c), got[i].Advisory) {
					t.Errorf("match %d: component keys %v share none with the advisory", i, ComponentKeys(tt.c))
				}
			}
		})
	}
}

func reasons(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Advisory.ID+": "+m.Reason.String())
	}
	return out
}

func sharesKey(keys []string, a *advisory.Advisory) bool {
	for _, af := range a.Affected {
		for _, k := range AffectedKeys(af) {
			if slices.Contains(keys, k) {
				return true
			}
		}
	}
	return false
}

func TestMatchVersionsAndRanges(t *testing.T) {
	pkg := func(ranges []advisory.Range, versions ...string) *advisory.Advisory {
		return &advisory.Advisory{ID: "PYSEC-2023-74", Source: advisory.SourceOSV, Affected: []advisory.Affected{{
			Package: &advisory.Package{Ecosystem: "PyPI", Name: "requests"}, Ranges: ranges, Versions: versions}}}
	}
	tests := []struct {
		name      string
		adv       *advisory.Advisory
		version   string
		kind      string
		caveat    string
		wantMatch bool
	}{
		{"ecosystem_range_in", pkg([]advisory.Range{eco("introduced=2.3.0", "fixed=2.31.0")}), "2.28.1", KindEcosystemRange, "", true},
		{"ecosystem_range_fixed", pkg([]advisory.Range{eco("introduced=2.3.0", "fixed=2.31.0")}), "2.31.0", "", "", false},
		{"ecosystem_range_before", pkg([]advisory.Range{eco("introduced=2.3.0", "fixed=2.31.0")}), "2.2.0", "", "", false},
		{"last_affected_inclusive", pkg([]advisory.Range{eco("introduced=0", "last_affected=2.30.0")}), "2.30.0", KindEcosystemRange, "", true},
		{"last_affected_after", pkg([]advisory.Range{eco("introduced=0", "last_affected=2.30.0")}), "2.30.1", "", "", false},
		{"limit", pkg([]advisory.Range{eco("introduced=0", "limit=2.0")}), "2.1", "", "", false},
		{"unsorted_events", pkg([]advisory.Range{eco("fixed=2.31.0", "introduced=2.3.0")}), "2.28.1", KindEcosystemRange, "", true},
		{"two_intervals_second", pkg([]advisory.Range{eco("introduced=1.0", "fixed=1.5", "introduced=2.0", "fixed=2.2")}), "2.1", KindEcosystemRange, "", true},
		{"two_intervals_gap", pkg([]advisory.Range{eco("introduced=1.0", "fixed=1.5", "introduced=2.0", "fixed=2.2")}), "1.7", "", "", false},
		{"versions_list", pkg(nil, "2.28.0", "2.28.1"), "2.28.1", KindVersionList, "", true},
		{"versions_list_miss", pkg(nil, "2.28.0"), "2.28.1", "", "", false},
		{"git_only_ignored", pkg([]advisory.Range{{Type: advisory.RangeGit, Repo: "https://github.com/psf/requests", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5"}}}}), "2.28.1", "", "", false},
		{"git_with_versions", pkg([]advisory.Range{{Type: advisory.RangeGit, Repo: "https://github.com/psf/requests", Events: []advisory.Event{{Introduced: "0"}}}}, "2.28.1"), "2.28.1", KindVersionList, "", true},
		{"all_versions", pkg(nil), "2.28.1", KindEcosystemRange, caveatAllVersions, true},
		{"unparseable_event_drops_range", pkg([]advisory.Range{eco("introduced=0", "fixed=not a version")}), "2.28.1", "", "", false},
		{"unparseable_component_version", pkg([]advisory.Range{eco("introduced=0", "fixed=2.31.0")}), "latest", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix := NewIndex()
			ix.Add(tt.adv)
			got := ix.Match(Component{Name: "requests", Version: tt.version, PURL: "pkg:pypi/requests@" + tt.version})
			if (len(got) == 1) != tt.wantMatch || len(got) > 1 {
				t.Fatalf("Match = %v, want match %v", reasons(got), tt.wantMatch)
			}
			if tt.wantMatch && (got[0].Reason.Kind != tt.kind || got[0].Reason.Caveat != tt.caveat || got[0].Reason.Scheme != "PyPI") {
				t.Errorf("reason = %+v, want kind %q caveat %q scheme PyPI", got[0].Reason, tt.kind, tt.caveat)
			}
		})
	}
}

func TestMatchPURLOnly(t *testing.T) {
	// A CSAF-style statement naming the product by purl alone.
	csaf := &advisory.Advisory{ID: "CVE-2023-5678", Source: advisory.SourceCSAF, Affected: []advisory.Affected{
		{Package: &advisory.Package{PURL: "pkg:generic/openssl"}, Ranges: []advisory.Range{eco("introduced=3.0.0", "fixed=3.0.13")}},
		{Package: &advisory.Package{PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u1"}},
	}}
	ix := NewIndex()
	ix.Add(csaf)
	tests := []struct {
		name, purl, kind, scheme string
	}{
		{"generic_range", "pkg:generic/openssl@3.0.11", KindPURLRange, "generic"},
		{"generic_fixed", "pkg:generic/openssl@3.0.13", "", ""},
		{"versioned_purl_names_that_version", "pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64", KindVersionList, "Debian"},
		{"versioned_purl_other_version", "pkg:deb/debian/openssl@3.0.11-1~deb12u2", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.Match(Component{PURL: tt.purl})
			if tt.kind == "" {
				if len(got) != 0 {
					t.Fatalf("Match = %v, want none", reasons(got))
				}
				return
			}
			if len(got) != 1 || got[0].Reason.Kind != tt.kind || got[0].Reason.Scheme != tt.scheme {
				t.Fatalf("Match = %v, want one %s in %s order", reasons(got), tt.kind, tt.scheme)
			}
		})
	}
}

func TestIndexAddRemove(t *testing.T) {
	ix := NewIndex()
	c := Component{Name: "curl", Version: "8.3.0", CPEs: []string{"cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*"}}
	ix.Add(curlCVE)
	ix.Add(zlibCVE)
	if ix.Len() != 2 || len(ix.Match(c)) != 1 {
		t.Fatalf("Len = %d, Match = %v", ix.Len(), reasons(ix.Match(c)))
	}

	// A modified record replaces the old one: curl fixed the bug earlier (not true, a test).
	changed := nvd("CVE-2023-38545", advisory.CPECriteria{Criteria: "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*", VersionStartIncluding: "7.69.0", VersionEndExcluding: "8.0.0"})
	ix.Add(changed)
	if ix.Len() != 2 || len(ix.Match(c)) != 0 {
		t.Fatalf("after replace: Len = %d, Match = %v", ix.Len(), reasons(ix.Match(c)))
	}

	// The same id from another source is another record.
	fromOSV := osv("CVE-2023-38545", "Debian:12", "curl", eco("introduced=0", "fixed=7.88.1-10+deb12u4"))
	ix.Add(fromOSV)
	ix.Add(curlCVE)
	got := ix.Match(Component{Version: "7.88.1-10+deb12u1", PURL: "pkg:deb/debian/curl@7.88.1-10+deb12u1?distro=debian-12",
		CPEs: []string{"cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*"}})
	if len(got) != 2 || got[0].Advisory.Source != advisory.SourceNVD || got[1].Advisory.Source != advisory.SourceOSV {
		t.Fatalf("Match = %v, want the NVD and the OSV record, in that order", reasons(got))
	}

	ix.Remove(advisory.SourceNVD, "CVE-2023-38545")
	ix.Remove(advisory.SourceNVD, "CVE-2023-38545") // twice is fine
	if ix.Len() != 2 || len(ix.Match(c)) != 0 {
		t.Fatalf("after remove: Len = %d, Match = %v", ix.Len(), reasons(ix.Match(c)))
	}

	withdrawn := *zlibCVE
	withdrawn.Withdrawn = time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	ix.Add(&withdrawn)
	if ix.Len() != 1 {
		t.Fatalf("a withdrawn record should replace and drop the old one: Len = %d", ix.Len())
	}
	if len(ix.buckets["cpe:haxx:curl"]) != 0 || len(ix.buckets["cpe:zlib:zlib"]) != 0 {
		t.Errorf("buckets not cleaned: %v", ix.buckets)
	}
}

func TestMatchConcurrent(t *testing.T) {
	ix := fuzzIndex()
	c := Component{Name: "openssl", Version: "3.0.11", PURL: "pkg:yocto/core/openssl@3.0.11", CPEs: []string{"cpe:2.3:*:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}}
	want := len(ix.Match(c))
	done := make(chan int)
	for range 4 {
		go func() { done <- len(ix.Match(c)) }()
	}
	for range 4 {
		if got := <-done; got != want || want == 0 {
			t.Errorf("concurrent Match found %d, want %d (> 0)", got, want)
		}
	}
}

func TestMatchOnePerRecordPreferringNoCaveat(t *testing.T) {
	// NVD lists the same product twice; the component's wildcard-vendor CPE
	// matches with a caveat, its vendor CPE without.
	ix := NewIndex()
	ix.Add(opensslCVE)
	ix.Add(busyboxCVE)
	got := ix.Match(Component{Name: "openssl", Version: "3.0.11", CPEs: []string{
		"cpe:2.3:*:*:openssl:3.0.11:*:*:*:*:*:*:*", "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}})
	if len(got) != 1 || got[0].Reason.Caveat != "" || got[0].Reason.Identifier != "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*" {
		t.Fatalf("Match = %v", reasons(got))
	}
}

func TestCPEPartRules(t *testing.T) {
	// A hardware criterion never matches on product alone or on part "*".
	hw := nvd("CVE-2020-0000-HW", advisory.CPECriteria{Criteria: "cpe:2.3:h:*:busybox:-:*:*:*:*:*:*:*"})
	hw2 := nvd("CVE-2020-0001-HW", advisory.CPECriteria{Criteria: "cpe:2.3:h:acme:busybox:*:*:*:*:*:*:*:*"})
	ix := NewIndex()
	ix.Add(hw)
	ix.Add(hw2)
	for _, c := range []Component{
		{Name: "busybox", Version: "1.35.0", CPEs: []string{"cpe:2.3:*:*:busybox:1.35.0:*:*:*:*:*:*:*"}},
		{Name: "busybox", Version: "1.35.0", CPEs: []string{"cpe:2.3:*:acme:busybox:1.35.0:*:*:*:*:*:*:*"}},
	} {
		if got := ix.Match(c); len(got) != 0 {
			t.Errorf("Match(%v) = %v, want none", c.CPEs, reasons(got))
		}
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name string
		c    Component
		want []string
	}{
		{"debian_binary", Component{PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&upstream=openssl&distro=debian-12"},
			[]string{"eco:Debian/openssl", "purl:pkg:deb/debian/libssl3", "purl:pkg:deb/debian/openssl"}},
		{"pypi", Component{PURL: "pkg:pypi/Django_Rest@1.0"}, []string{"eco:PyPI/django-rest", "purl:pkg:pypi/django-rest"}},
		{"go", Component{PURL: "pkg:golang/github.com/Foo/Bar@v1.0.0"}, []string{"eco:Go/github.com/Foo/Bar", "purl:pkg:golang/github.com/Foo/Bar"}},
		{"maven", Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
			[]string{"eco:Maven/org.apache.logging.log4j:log4j-core", "purl:pkg:maven/org.apache.logging.log4j/log4j-core"}},
		{"yocto_busybox", Component{PURL: "pkg:yocto/core/busybox@1.36.1", CPEs: []string{"cpe:2.3:*:*:busybox:1.36.1:*:*:*:*:*:*:*"}},
			[]string{"cpeany", "cpep:busybox", "purl:pkg:yocto/core/busybox"}},
		{"openssl_cpe", Component{CPEs: []string{"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}},
			[]string{"cpe:*:openssl", "cpe:openssl:openssl", "cpeany"}},
		{"kernel", Component{Name: "linux-yocto", PURL: "pkg:yocto/core/linux-yocto@6.1.55", CPEs: []string{"cpe:2.3:*:linux:linux_kernel:6.1.55:*:*:*:*:*:*:*"}},
			[]string{"cpe:*:linux_kernel", "cpe:linux:linux_kernel", "cpeany", "kernel", "purl:pkg:yocto/core/linux-yocto"}},
		{"kmod", Component{Name: "kmod-usb-core", PURL: "pkg:openwrt/kmod-usb-core@6.1.55-1", CPEs: []string{"cpe:/o:linux:linux_kernel:6.1.55"}},
			[]string{"purl:pkg:openwrt/kmod-usb-core"}},
		{"debian_linux_is_not_the_kernel_rule", Component{PURL: "pkg:deb/debian/linux@6.1.55-1?distro=debian-12"},
			[]string{"eco:Debian/linux", "purl:pkg:deb/debian/linux"}},
		{"bad_identifiers", Component{PURL: "not a purl", CPEs: []string{"cpe:2.3:x"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ComponentKeys(tt.c); !slices.Equal(got, tt.want) {
				t.Errorf("ComponentKeys = %q, want %q", got, tt.want)
			}
		})
	}

	affected := []struct {
		name string
		a    advisory.Affected
		want []string
	}{
		{"debian_release_dropped", debianDSA.Affected[0], []string{"eco:Debian/openssl"}},
		{"alpine", alpineOSV.Affected[0], []string{"eco:Alpine/openssl"}},
		{"kernel", kernelOSV.Affected[0], []string{"kernel"}},
		{"cpe_vendor", opensslCVE.Affected[0], []string{"cpe:openssl:openssl", "cpep:openssl"}},
		{"cpe_any_vendor", advisory.Affected{CPE: &advisory.CPECriteria{Criteria: "cpe:2.3:a:*:busybox:*:*:*:*:*:*:*:*"}}, []string{"cpe:*:busybox", "cpep:busybox"}},
		{"cpe_any_product", advisory.Affected{CPE: &advisory.CPECriteria{Criteria: "cpe:2.3:a:acme:*:*:*:*:*:*:*:*:*"}}, []string{"cpeany"}},
		{"purl_and_ecosystem", advisory.Affected{Package: &advisory.Package{Ecosystem: "PyPI", Name: "Django", PURL: "pkg:pypi/django"}},
			[]string{"eco:PyPI/django", "purl:pkg:pypi/django"}},
		{"bad_cpe", advisory.Affected{CPE: &advisory.CPECriteria{Criteria: "cpe:nonsense"}}, nil},
	}
	for _, tt := range affected {
		t.Run("affected_"+tt.name, func(t *testing.T) {
			if got := AffectedKeys(tt.a); !slices.Equal(got, tt.want) {
				t.Errorf("AffectedKeys = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVersionProblem(t *testing.T) {
	tests := []struct {
		name string
		c    Component
		want string // substring; "" for none
	}{
		{"fine", Component{PURL: "pkg:deb/debian/openssl@3.0.11-1", CPEs: []string{"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}}, ""},
		{"no_version", Component{PURL: "pkg:pypi/requests"}, "no version"},
		{"no_digit", Component{Version: "latest", CPEs: []string{"cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*"}}, "no digit"},
		{"bad_generic", Component{Version: "git-abc1", CPEs: []string{"cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*"}}, "generic order"},
		{"bad_kernel", Component{Name: "linux", Version: "next-20240101", PURL: "pkg:generic/linux@next-20240101"}, "kernel version"},
		{"na_is_fine", Component{CPEs: []string{"cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VersionProblem(tt.c)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("VersionProblem = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFromSBOMAndReasonString(t *testing.T) {
	c := FromSBOM(sbom.Component{Ref: "r1", Name: "curl", Version: "8.3.0", PURL: "pkg:generic/curl@8.3.0", CPEs: []string{"cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:*"}})
	ix := NewIndex()
	ix.Add(curlCVE)
	got := ix.Match(c)
	if len(got) != 1 {
		t.Fatalf("Match = %v", reasons(got))
	}
	want := "cpe:2.3:a:haxx:curl:8.3.0:*:*:*:*:*:*:* matches cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:* versions >= 7.69.0, < 8.4.0 (cpe, generic order)"
	if s := got[0].Reason.String(); s != want {
		t.Errorf("Reason.String() =\n%s\nwant\n%s", s, want)
	}
}
