package vulnmatch

import (
	"slices"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/advisory"
)

var fuzzSchemes = []string{"generic", "kernel", "semver", "Debian", "Alpine", "RPM", "PyPI", "Maven", "NuGet", "RubyGems", "Packagist", "Pub", "Go", "crates.io"}

func FuzzCompareVersions(f *testing.F) {
	seeds := [][2]string{{"1.1.1w", "1.1.1"}, {"6.1-rc1", "6.1"}, {"2.0.0-beta2", "2.0.0"}, {"3.0.11-1~deb12u2", "3.0.11-1"},
		{"1:2.3", "2.4"}, {"3.1.4-r1", "3.1.4_rc1-r0"}, {"6.1.55-yocto-standard", "5.15.0-1040-raspi"}, {"v1.2.3", "1.2.3+build"},
		{"1.0.0-rc.1", "1.0.0-alpha.beta"}, {"2.31.0.post1", "2.31.0rc1"}, {"1.0-SNAPSHOT", "1.0.RELEASE"}}
	for i, s := range seeds {
		f.Add(uint8(i), s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, si uint8, a, b string) {
		sc := fuzzSchemes[int(si)%len(fuzzSchemes)]
		ab, errA := CompareVersions(sc, a, b)
		ba, errB := CompareVersions(sc, b, a)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("%s: %q vs %q: errors differ by argument order: %v / %v", sc, a, b, errA, errB)
		}
		if errA != nil {
			return
		}
		if ab != -ba {
			t.Errorf("%s: Compare(%q, %q) = %d but Compare(%q, %q) = %d", sc, a, b, ab, b, a, ba)
		}
		if aa, err := CompareVersions(sc, a, a); err != nil || aa != 0 {
			t.Errorf("%s: Compare(%q, %q) = %d, %v; want 0", sc, a, a, aa, err)
		}
	})
}

func fuzzIndex() *Index {
	ix := NewIndex()
	for _, a := range []*advisory.Advisory{busyboxCVE, opensslCVE, curlCVE, dnsmasqCVE, zlibCVE, curlNA, archerCVE, kernelOSV, kernelNVD, debianDSA, alpineOSV, goOSV,
		nvd("CVE-WILD", advisory.CPECriteria{Criteria: "cpe:2.3:a:*:*:1.2*:*:*:*:*:*:*:*"}, advisory.CPECriteria{Criteria: "cpe:2.3:*:acme:wid?et:-:*:*:*:*:*:*:*", VersionStartExcluding: "1", VersionEndIncluding: "2"}),
		{ID: "CSAF-1", Source: advisory.SourceCSAF, Affected: []advisory.Affected{{Package: &advisory.Package{PURL: "pkg:generic/openssl@3.0.11"}}, {Package: &advisory.Package{Ecosystem: "PyPI", Name: "Requests"}, Versions: []string{"2.28.1"}}}},
	} {
		ix.Add(a)
	}
	return ix
}

func FuzzMatch(f *testing.F) {
	ix := fuzzIndex()
	f.Add("busybox", "1.35.0", "pkg:yocto/core/busybox@1.35.0", "cpe:2.3:*:*:busybox:1.35.0:*:*:*:*:*:*:*")
	f.Add("kmod-nf-tables", "6.1.55-1", "pkg:openwrt/kmod-nf-tables@6.1.55-1", "cpe:/o:linux:linux_kernel:6.1.55")
	f.Add("linux", "6.8-rc1", "pkg:generic/linux@6.8-rc1", "cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*")
	f.Add("libssl3", "3.0.11-1~deb12u1", "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?upstream=openssl&distro=bookworm", "")
	f.Add("requests", "2.28.1", "pkg:pypi/requests@2.28.1", "cpe:2.3:a:acme:widget:1.5:*:*:*:*:*:*:*")
	f.Add("x", "", "pkg:apk/alpine/openssl@3.1.4-r0?distro=alpine-3.19.0", "cpe:/a:thekelleys:dnsmasq:2.89")
	f.Fuzz(func(t *testing.T, name, version, purl, cpe string) {
		c := Component{Name: name, Version: version, PURL: purl, CPEs: []string{cpe}}
		keys := ComponentKeys(c)
		_ = VersionProblem(c)
		ms := ix.Match(c)
		for i, m := range ms {
			if i > 0 && m.Advisory.ID < ms[i-1].Advisory.ID {
				t.Errorf("matches out of order: %v", reasons(ms))
			}
			if m.Reason.Kind == "" || m.Reason.String() == "" {
				t.Errorf("empty reason: %+v", m.Reason)
			}
			shared := false
			for _, a := range m.Advisory.Affected {
				for _, k := range AffectedKeys(a) {
					shared = shared || slices.Contains(keys, k)
				}
			}
			if !shared {
				t.Errorf("%s matched without a shared key; component keys %v", m.Advisory.ID, keys)
			}
		}
	})
}
