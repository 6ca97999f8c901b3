package vex_test

import (
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/sbom"
	"github.com/lifeline-iot/lifeline/internal/vex"
)

func TestApplies(t *testing.T) {
	zlib := vex.Target{
		Ref:     "zlib-1.3",
		PURL:    "pkg:deb/debian/zlib1g@1.3?arch=amd64&distro=bookworm",
		CPEs:    []string{"cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*"},
		Name:    "zlib",
		Version: "1.3",
	}
	tests := []struct {
		name    string
		product vex.Product
		want    bool
	}{
		{"ref_equal", vex.Product{Ref: "zlib-1.3"}, true},
		{"ref_other", vex.Product{Ref: "openssl"}, false},
		{"purl_same", vex.Product{PURL: "pkg:deb/debian/zlib1g@1.3?arch=amd64&distro=bookworm"}, true},
		{"purl_qualifiers_reordered", vex.Product{PURL: "pkg:deb/debian/zlib1g@1.3?distro=bookworm&arch=amd64"}, true},
		{"purl_fewer_qualifiers", vex.Product{PURL: "pkg:deb/debian/zlib1g@1.3"}, true},
		{"purl_other_qualifier", vex.Product{PURL: "pkg:deb/debian/zlib1g@1.3?arch=arm64"}, false},
		{"purl_versionless", vex.Product{PURL: "pkg:deb/debian/zlib1g"}, true},
		{"purl_other_version", vex.Product{PURL: "pkg:deb/debian/zlib1g@1.2.13"}, false},
		{"purl_case_normalised", vex.Product{PURL: "pkg:DEB/Debian/Zlib1g@1.3"}, true},
		{"purl_other_package", vex.Product{PURL: "pkg:deb/debian/zlib1g-dev@1.3"}, false},
		{"purl_invalid", vex.Product{PURL: "not a purl"}, false},
		{"cpe_exact", vex.Product{CPE: "cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*"}, true},
		{"cpe_any_version", vex.Product{CPE: "cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:*"}, true},
		{"cpe_uri_binding", vex.Product{CPE: "cpe:/a:zlib:zlib"}, true},
		{"cpe_other_version", vex.Product{CPE: "cpe:2.3:a:zlib:zlib:1.2.13:*:*:*:*:*:*:*"}, false},
		{"name_version", vex.Product{Name: "ZLIB", Version: "1.3"}, true},
		{"name_only", vex.Product{Name: "zlib"}, false},
		{"name_other_version", vex.Product{Name: "zlib", Version: "1.2"}, false},
		{"name_ignored_when_purl_given", vex.Product{PURL: "pkg:generic/other@1", Name: "zlib", Version: "1.3"}, false},
		{"empty", vex.Product{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := vex.Statement{Vulnerability: "CVE-2023-45853", Products: []vex.Product{tt.product}}
			if got := vex.Applies(st, zlib); got != tt.want {
				t.Errorf("Applies(%+v) = %v, want %v", tt.product, got, tt.want)
			}
		})
	}
	if vex.Applies(vex.Statement{Products: []vex.Product{{Ref: ""}}}, vex.Target{}) {
		t.Error("empty refs must not match")
	}
}

func TestLatestAndEffective(t *testing.T) {
	t1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	p := []vex.Product{{PURL: "pkg:generic/busybox@1.36.1"}}
	sts := []vex.Statement{
		{Vulnerability: "CVE-1", Status: vex.StatusAffected, Timestamp: t2, Products: p},
		{Vulnerability: "CVE-1", Status: vex.StatusNotAffected, Timestamp: t1, Products: p},
		{Vulnerability: "CVE-1", Status: vex.StatusFixed, Products: p},
		{Vulnerability: "CVE-1", Status: vex.StatusUnderInvestigation, Timestamp: t2, Products: p},
		{Vulnerability: "GHSA-x", Aliases: []string{"CVE-2"}, Status: vex.StatusNotAffected, Products: p},
	}
	tests := []struct {
		name   string
		in     []vex.Statement
		want   string
		wantOK bool
	}{
		{"empty", nil, "", false},
		{"one", sts[1:2], vex.StatusNotAffected, true},
		{"newest_wins", sts[:3], vex.StatusAffected, true},
		{"tie_last_wins", sts[:4], vex.StatusUnderInvestigation, true},
		{"zero_is_oldest", []vex.Statement{sts[2], sts[1]}, vex.StatusNotAffected, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := vex.Latest(tt.in)
			if ok != tt.wantOK || got.Status != tt.want {
				t.Errorf("Latest = %q, %v; want %q, %v", got.Status, ok, tt.want, tt.wantOK)
			}
		})
	}
	busybox := vex.Target{PURL: "pkg:generic/busybox@1.36.1"}
	if st, ok := vex.Effective(sts, "cve-2", busybox); !ok || st.Vulnerability != "GHSA-x" {
		t.Errorf("Effective by alias = %+v, %v", st, ok)
	}
	if _, ok := vex.Effective(sts, "CVE-1", vex.Target{PURL: "pkg:generic/busybox@1.35"}); ok {
		t.Error("Effective matched another version")
	}
}

func TestCycloneDXStatus(t *testing.T) {
	tests := []struct {
		state, just         string
		wantStatus, wantJus string
		wantOK              bool
	}{
		{"not_affected", "code_not_present", vex.StatusNotAffected, vex.JustVulnerableCodeNotPresent, true},
		{"not_affected", "code_not_reachable", vex.StatusNotAffected, vex.JustVulnerableCodeNotInExecutePath, true},
		{"not_affected", "requires_environment", vex.StatusNotAffected, "requires_environment", true},
		{"not_affected", "protected_at_perimeter", vex.StatusNotAffected, "protected_at_perimeter", true},
		{"false_positive", "", vex.StatusNotAffected, vex.JustFalsePositive, true},
		{"resolved", "", vex.StatusFixed, "", true},
		{"resolved_with_pedigree", "", vex.StatusFixed, "", true},
		{"exploitable", "", vex.StatusAffected, "", true},
		{"in_triage", "", vex.StatusUnderInvestigation, "", true},
		{"", "", "", "", false},
		{"bogus", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.state+"_"+tt.just, func(t *testing.T) {
			s, j, ok := vex.CycloneDXStatus(tt.state, tt.just)
			if s != tt.wantStatus || j != tt.wantJus || ok != tt.wantOK {
				t.Errorf("got %q %q %v", s, j, ok)
			}
		})
	}
}

func TestFromSBOM(t *testing.T) {
	comps := []sbom.Component{{
		Ref: "pkg-zlib", Name: "zlib", Version: "1.3", PURL: "pkg:yocto/core/zlib@1.3",
		CPEs: []string{"cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*", "cpe:2.3:a:gnu:zlib:1.3:*:*:*:*:*:*:*"},
	}}
	got := vex.FromSBOM([]sbom.Statement{
		{ID: "CVE-2023-45853", Component: "pkg-zlib", Status: sbom.StatusNotAffected, Justification: "code_not_present", Detail: "minizip not built"},
		{ID: "CVE-2022-37434", Component: "outside", Status: sbom.StatusFixed},
	}, comps)
	if len(got) != 2 {
		t.Fatalf("got %d statements", len(got))
	}
	a := got[0]
	if a.Format != vex.FormatSBOM || a.Justification != vex.JustVulnerableCodeNotPresent || a.Detail != "minizip not built" || len(a.Products) != 2 ||
		a.Products[0].Ref != "pkg-zlib" || a.Products[0].PURL != "pkg:yocto/core/zlib@1.3" || a.Products[1].CPE != comps[0].CPEs[1] {
		t.Errorf("first statement %+v", a)
	}
	if b := got[1]; len(b.Products) != 1 || b.Products[0].Ref != "outside" || b.Status != vex.StatusFixed {
		t.Errorf("second statement %+v", b)
	}
	if !vex.Applies(a, vex.Target{CPEs: []string{"cpe:2.3:a:gnu:zlib:1.3:*:*:*:*:*:*:*"}}) {
		t.Error("second CPE not applied")
	}
	if vex.FromSBOM(nil, comps) != nil {
		t.Error("FromSBOM(nil) not nil")
	}
}
