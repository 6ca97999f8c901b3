package vexdoc_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/vex"
	"github.com/lifeline-iot/lifeline/internal/vex/vexdoc"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseCycloneDX(t *testing.T) {
	jackson := "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4"
	want := []vex.Statement{{
		Vulnerability: "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111",
		Aliases:       []string{"CVE-2018-7489"},
		Products:      []vex.Product{{Ref: jackson, PURL: jackson, Name: "jackson-databind", Version: "2.9.4"}},
		Status:        vex.StatusNotAffected,
		Justification: vex.JustVulnerableCodeNotInExecutePath,
		Detail:        "An optional explanation of why the application is not affected by the vulnerable component.\n\nResponse: will_not_fix, update",
		Timestamp:     time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC),
		Format:        vexdoc.FormatCycloneDX,
	}}
	for _, name := range []string{"cyclonedx-valid-vulnerability.json", "cyclonedx-valid-vulnerability.xml"} {
		t.Run(name, func(t *testing.T) {
			sts, format, err := vexdoc.Parse(fixture(t, name), vexdoc.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if format != vexdoc.FormatCycloneDX || !reflect.DeepEqual(sts, want) {
				t.Errorf("format %q\n got %+v\nwant %+v", format, sts, want)
			}
			if !vex.Applies(sts[0], vex.Target{PURL: jackson}) {
				t.Error("statement does not apply to jackson-databind 2.9.4")
			}
		})
	}
}

func TestParseOpenVEX(t *testing.T) {
	sts, format, err := vexdoc.Parse(fixture(t, "openvex-v0.2.0.json"), vexdoc.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if format != vexdoc.FormatOpenVEX || len(sts) != 5 {
		t.Fatalf("format %q, %d statements", format, len(sts))
	}
	first := sts[0]
	wantProducts := []vex.Product{{PURL: "pkg:apk/alpine/libssl3@3.0.8-r3"}, {PURL: "pkg:apk/alpine/libcrypto3@3.0.8-r3"}}
	if first.Vulnerability != "CVE-2023-1255" || first.Status != vex.StatusFixed || !reflect.DeepEqual(first.Products, wantProducts) ||
		first.Timestamp.IsZero() || first.Format != vexdoc.FormatOpenVEX {
		t.Errorf("first statement %+v", first)
	}
	if !vex.Applies(first, vex.Target{PURL: "pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64"}) {
		t.Error("does not apply to libssl3")
	}

	sts, _, err = vexdoc.Parse(fixture(t, "openvex-v001-1.vex.json"), vexdoc.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []vex.Statement{{
		Vulnerability: "CVE-1234-5678",
		Products:      []vex.Product{{PURL: "pkg:apk/wolfi/bash@1.0.0"}},
		Status:        vex.StatusUnderInvestigation,
		Timestamp:     time.Date(2022, 12, 22, 21, 36, 43, 0, time.UTC),
		Format:        vexdoc.FormatOpenVEX,
	}}
	if !reflect.DeepEqual(sts, want) {
		t.Errorf("v0.0.1\n got %+v\nwant %+v", sts, want)
	}
}

func TestParseCSAF(t *testing.T) {
	sts, format, err := vexdoc.Parse(fixture(t, "csaf-2022-evd-uc-01-na-001.json"), vexdoc.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if format != vexdoc.FormatCSAF || len(sts) != 1 || sts[0].Status != vex.StatusNotAffected || sts[0].Vulnerability != "CVE-2021-44228" {
		t.Errorf("format %q statements %+v", format, sts)
	}
}

func TestParseRefuses(t *testing.T) {
	big := fixture(t, "openvex-v0.2.0.json")
	tests := []struct {
		name string
		in   string
		lim  vexdoc.Limits
		kind errs.Kind
		msg  string
	}{
		{"empty", "  ", vexdoc.Limits{}, errs.Invalid, "empty"},
		{"invalid_utf8", "{\"a\":\"\xc3\x28\"}", vexdoc.Limits{}, errs.Invalid, "UTF-8"},
		{"too_large", string(big), vexdoc.Limits{MaxBytes: 1000}, errs.TooLarge, "exceeds 1000 bytes"},
		{"deep_json", `{"bomFormat":"CycloneDX","x":` + strings.Repeat("[", 65) + strings.Repeat("]", 65) + `}`, vexdoc.Limits{}, errs.TooLarge, "depth 64"},
		{"deep_xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.5">` + strings.Repeat("<a>", 70) + strings.Repeat("</a>", 70) + `</bom>`, vexdoc.Limits{}, errs.TooLarge, "depth 64"},
		{"plain_text", "CVE-2021-44228 not affected", vexdoc.Limits{}, errs.Invalid, "unknown format"},
		{"unknown_json", `{"spdxVersion":"SPDX-2.3"}`, vexdoc.Limits{}, errs.Invalid, "unknown JSON format"},
		{"unknown_xml", `<rss version="2.0"/>`, vexdoc.Limits{}, errs.Invalid, "unknown XML format"},
		{"bad_xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><a></bom>`, vexdoc.Limits{}, errs.Invalid, "malformed"},
		{"not_cyclonedx", `{"bomFormat":"SWID"}`, vexdoc.Limits{}, errs.Invalid, "bomFormat"},
		{"cyclonedx_wrong_type", `{"bomFormat":"CycloneDX","vulnerabilities":{}}`, vexdoc.Limits{}, errs.Invalid, "malformed CycloneDX"},
		{"openvex_bad_status", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"status":"fine"}]}`, vexdoc.Limits{}, errs.Invalid, "unknown status"},
		{"openvex_no_vuln", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"status":"fixed"}]}`, vexdoc.Limits{}, errs.Invalid, "names no vulnerability"},
		{"openvex_foreign_context", `{"@context":"https://schema.org","statements":[]}`, vexdoc.Limits{}, errs.Invalid, "not OpenVEX"},
		{"csaf_invalid", `{"document":{"category":"csaf_vex"}}`, vexdoc.Limits{}, errs.Invalid, "csaf"},
		{"too_many_statements", `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[` + strings.Repeat(`{"vulnerability":"CVE-1","status":"fixed"},`, 20) + `{"vulnerability":"CVE-1","status":"fixed"}]}`, vexdoc.Limits{MaxStatements: 10}, errs.TooLarge, "exceed the limit of 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := vexdoc.Parse([]byte(tt.in), tt.lim)
			if err == nil || !errs.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v (kind %v), want kind %v containing %q", err, errs.KindOf(err), tt.kind, tt.msg)
			}
		})
	}
}
