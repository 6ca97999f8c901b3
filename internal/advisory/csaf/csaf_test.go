package csaf_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/advisory/csaf"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/vex"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseFixtures(t *testing.T) {
	t.Run("oasis_vex_not_affected", func(t *testing.T) {
		doc, err := csaf.Parse(readFixture(t, "2022-evd-uc-01-na-001.json"), csaf.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if doc.TrackingID != "2022-EVD-UC-01-NA-001" || doc.Category != "csaf_vex" || !doc.Modified.Equal(time.Date(2022, 3, 3, 11, 0, 0, 0, time.UTC)) {
			t.Errorf("document %+v", doc)
		}
		if len(doc.Advisories) != 1 {
			t.Fatalf("%d advisories", len(doc.Advisories))
		}
		a := doc.Advisories[0]
		if a.ID != "2022-EVD-UC-01-NA-001/CVE-2021-44228" || a.Source != advisory.SourceCSAF || !reflect.DeepEqual(a.Aliases, []string{"2022-EVD-UC-01-NA-001", "CVE-2021-44228"}) || len(a.Affected) != 0 {
			t.Errorf("advisory %+v", a)
		}
		want := []vex.Statement{{
			Vulnerability: "CVE-2021-44228",
			Aliases:       []string{"2022-EVD-UC-01-NA-001"},
			Products:      []vex.Product{{Name: "ABC", Version: "4.2"}},
			Status:        vex.StatusNotAffected,
			Detail:        "Class with vulnerable code was removed before shipping.",
			Timestamp:     doc.Modified,
			Format:        "csaf",
		}}
		if !reflect.DeepEqual(doc.Statements, want) {
			t.Errorf("statements\n got %+v\nwant %+v", doc.Statements, want)
		}
		if !vex.Applies(doc.Statements[0], vex.Target{Name: "abc", Version: "4.2"}) {
			t.Error("statement does not apply to ABC 4.2")
		}
	})
	t.Run("gocsaf_vex", func(t *testing.T) {
		doc, err := csaf.Parse(readFixture(t, "avendor-advisory-0004.json"), csaf.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Advisories) != 2 || !strings.HasSuffix(doc.Advisories[0].ID, "/CVE-2020-1234") {
			t.Fatalf("advisories %+v", doc.Advisories)
		}
		if len(doc.Statements) == 0 || doc.Statements[0].Status != vex.StatusUnderInvestigation {
			t.Errorf("statements %+v", doc.Statements)
		}
	})
	t.Run("redhat_advisory", func(t *testing.T) {
		doc, err := csaf.Parse(readFixture(t, "rhsa-2021_5217.json"), csaf.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		a := doc.Advisories[0]
		if a.ID != "RHSA-2021:5217/CVE-2021-4133" || !strings.HasPrefix(a.Summary, "CVE-2021-4133 Keycloak") ||
			!a.Published.Equal(time.Date(2021, 12, 16, 17, 5, 0, 0, time.UTC)) {
			t.Errorf("advisory %+v", a)
		}
		wantAliases := []string{"CVE-2021-4133", "RHSA-2021:5217", "https://bugzilla.redhat.com/show_bug.cgi?id=2033602"}
		if !reflect.DeepEqual(a.Aliases, wantAliases) {
			t.Errorf("aliases %q", a.Aliases)
		}
		if len(a.Affected) != 0 || len(doc.Statements) != 1 || doc.Statements[0].Status != vex.StatusFixed {
			t.Errorf("affected %+v statements %+v", a.Affected, doc.Statements)
		}
	})
}

// product is a synthetic document exercising the product tree: purls,
// CPEs, vers ranges, relationships and product groups.
const productTree = `{
  "document": {"category": "csaf_security_advisory", "csaf_version": "2.0", "title": "T",
    "publisher": {"category": "vendor", "name": "ACME PSIRT", "namespace": "https://acme.example"},
    "tracking": {"id": "ACME-2024-1", "current_release_date": "2024-05-01T10:00:00Z", "initial_release_date": "2024-04-01T10:00:00Z"}},
  "product_tree": {
    "branches": [{"category": "vendor", "name": "ACME", "branches": [
      {"category": "product_name", "name": "libfoo", "branches": [
        {"category": "product_version_range", "name": "vers:generic/>=1.0|<1.2.3",
         "product": {"name": "libfoo <1.2.3", "product_id": "FOO-RANGE", "product_identification_helper": {"purl": "pkg:generic/acme/libfoo"}}},
        {"category": "product_version", "name": "1.2.3",
         "product": {"name": "libfoo 1.2.3", "product_id": "FOO-FIXED", "product_identification_helper": {"purl": "pkg:generic/acme/libfoo@1.2.3"}}}]},
      {"category": "product_name", "name": "Router", "branches": [
        {"category": "product_version_range", "name": "vers:intdot/<4.2",
         "product": {"name": "Router <4.2", "product_id": "RT", "product_identification_helper": {"cpe": "cpe:/h:acme:router"}}},
        {"category": "product_version", "name": "4.2",
         "product": {"name": "Router 4.2", "product_id": "RT-42"}}]}]}],
    "full_product_names": [{"name": "busybox 1.36.1", "product_id": "BB", "product_identification_helper": {"purl": "pkg:deb/debian/busybox@1.36.1"}}],
    "product_groups": [{"group_id": "G", "product_ids": ["BB", "RT-42"]}],
    "relationships": [{"category": "installed_on", "product_reference": "BB", "relates_to_product_reference": "RT-42",
      "full_product_name": {"name": "busybox on Router 4.2", "product_id": "BB-ON-RT"}}]
  },
  "vulnerabilities": [{
    "ids": [{"system_name": "ACME", "text": "ACME-VULN-7"}],
    "title": "Overflow in libfoo",
    "notes": [{"category": "description", "text": "A heap overflow."}],
    "product_status": {"known_affected": ["FOO-RANGE", "RT", "BB-ON-RT"], "fixed": ["FOO-FIXED", "RT-42"], "known_not_affected": ["BB"]},
    "flags": [{"label": "vulnerable_code_not_present", "group_ids": ["G"]}],
    "remediations": [{"category": "vendor_fix", "details": "Update libfoo.", "product_ids": ["FOO-RANGE"]}],
    "scores": [{"products": ["FOO-RANGE"], "cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8, "baseSeverity": "CRITICAL"}},
               {"products": ["RT"], "cvss_v2": {"version": "2.0", "vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P", "baseScore": 7.5}}]
  }]
}`

func TestProductResolution(t *testing.T) {
	doc, err := csaf.Parse([]byte(productTree), csaf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a := doc.Advisories[0]
	if a.ID != "ACME-2024-1/ACME-VULN-7" || a.Summary != "Overflow in libfoo" || a.Details != "A heap overflow." {
		t.Errorf("advisory %+v", a)
	}
	wantAffected := []advisory.Affected{
		{
			Package: &advisory.Package{Name: "libfoo", PURL: "pkg:generic/acme/libfoo"},
			Ranges:  []advisory.Range{{Type: advisory.RangeEcosystem, Events: []advisory.Event{{Introduced: "1.0"}, {Fixed: "1.2.3"}}}},
			Fixed:   []string{"1.2.3"},
		},
		{CPE: &advisory.CPECriteria{Criteria: "cpe:2.3:h:acme:router:*:*:*:*:*:*:*:*", VersionEndExcluding: "4.2"}},
		{Package: &advisory.Package{Name: "busybox", PURL: "pkg:deb/debian/busybox"}, Versions: []string{"1.36.1"}},
	}
	if !reflect.DeepEqual(a.Affected, wantAffected) {
		t.Errorf("affected\n got %s\nwant %s", dump(a.Affected), dump(wantAffected))
	}
	wantSev := []advisory.Severity{
		{Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Score: 9.8, Source: "ACME PSIRT"},
		{Type: "CVSS_V2", Vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", Score: 7.5, Source: "ACME PSIRT"},
	}
	if !reflect.DeepEqual(a.Severity, wantSev) {
		t.Errorf("severity %+v", a.Severity)
	}
	byStatus := map[string][]vex.Statement{}
	for _, s := range doc.Statements {
		byStatus[s.Status] = append(byStatus[s.Status], s)
	}
	na := byStatus[vex.StatusNotAffected]
	if len(na) != 1 || na[0].Justification != vex.JustVulnerableCodeNotPresent || na[0].Products[0].PURL != "pkg:deb/debian/busybox@1.36.1" {
		t.Errorf("not_affected %+v", na)
	}
	if aff := byStatus[vex.StatusAffected]; len(aff) != 2 || aff[0].Detail != "Update libfoo." {
		t.Errorf("affected statements %+v", aff)
	}
	if fx := byStatus[vex.StatusFixed]; len(fx) != 1 || len(fx[0].Products) != 2 || fx[0].Products[1].Name != "Router" || fx[0].Products[1].Version != "4.2" {
		t.Errorf("fixed statements %+v", fx)
	}
}

func dump(as []advisory.Affected) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString("{")
		if a.Package != nil {
			b.WriteString(a.Package.PURL)
		}
		if a.CPE != nil {
			b.WriteString(a.CPE.Criteria + " " + a.CPE.VersionStartIncluding + "–" + a.CPE.VersionEndExcluding)
		}
		for _, r := range a.Ranges {
			for _, e := range r.Events {
				b.WriteString(" " + e.Introduced + "/" + e.Fixed + "/" + e.LastAffected)
			}
		}
		b.WriteString(" v=" + strings.Join(a.Versions, ",") + " f=" + strings.Join(a.Fixed, ",") + "} ")
	}
	return b.String()
}

func TestParseVers(t *testing.T) {
	tests := []struct {
		in       string
		events   []advisory.Event
		versions []string
		wantErr  bool
	}{
		{"vers:generic/<1.2.3", []advisory.Event{{Introduced: "0"}, {Fixed: "1.2.3"}}, nil, false},
		{"vers:intdot/>=1.4.1074|<=1.4.1116", []advisory.Event{{Introduced: "1.4.1074"}, {LastAffected: "1.4.1116"}}, nil, false},
		{"vers:all/*", []advisory.Event{{Introduced: "0"}}, nil, false},
		{"vers:semver/1.0.0|>=2.0.0|<2.0.5", []advisory.Event{{Introduced: "2.0.0"}, {Fixed: "2.0.5"}}, []string{"1.0.0"}, false},
		{"vers:semver/>=3.0", []advisory.Event{{Introduced: "3.0"}}, nil, false},
		{"vers:generic/=1.0|=1.1", nil, []string{"1.0", "1.1"}, false},
		{"vers:generic/>1.0", nil, nil, true},
		{"vers:generic/!=1.0", nil, nil, true},
		{"vers:generic/>=1|>=2", nil, nil, true},
		{"< V8.18.13", nil, nil, true},
		{"vers:/<1", nil, nil, true},
		{"vers:generic/", nil, nil, true},
		{"vers:generic/<", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, versions, _, err := csaf.ParseVers(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				if !errs.Is(err, errs.Invalid) {
					t.Errorf("kind %v", errs.KindOf(err))
				}
				return
			}
			if !reflect.DeepEqual(r.Events, tt.events) || !reflect.DeepEqual(versions, tt.versions) {
				t.Errorf("got %+v %q", r.Events, versions)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	valid := readFixture(t, "2022-evd-uc-01-na-001.json")
	tests := []struct {
		name string
		in   []byte
		lim  csaf.Limits
		kind errs.Kind
		msg  string
	}{
		{"invalid_utf8", append([]byte(`{"document": {"title": "`), 0xff, '"', '}', '}'), csaf.Limits{}, errs.Invalid, "UTF-8"},
		{"too_large", valid, csaf.Limits{MaxBytes: 100}, errs.TooLarge, "exceeds 100 bytes"},
		{"deep", []byte(`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`), csaf.Limits{}, errs.TooLarge, "depth 64"},
		{"not_json", []byte("<csaf/>"), csaf.Limits{}, errs.Invalid, "not a JSON object"},
		{"truncated", valid[:200], csaf.Limits{}, errs.Invalid, "malformed"},
		{"trailing", append(append([]byte{}, valid...), []byte("{}")...), csaf.Limits{}, errs.Invalid, "malformed"},
		{"no_tracking", []byte(`{"document": {"category": "csaf_base", "csaf_version": "2.0"}}`), csaf.Limits{}, errs.Invalid, "tracking.id"},
		{"csaf_2_1", []byte(`{"document": {"category": "csaf_base", "csaf_version": "2.1", "tracking": {"id": "x", "current_release_date": "2024-01-01T00:00:00Z"}}}`), csaf.Limits{}, errs.Invalid, "csaf_version"},
		{"wrong_types", []byte(`{"document": {"category": 7}}`), csaf.Limits{}, errs.Invalid, "malformed"},
		{"huge_array", []byte(`{"vulnerabilities": [` + strings.Repeat(`{},`, 200_000) + `{}]}`), csaf.Limits{MaxBytes: 256 << 10}, errs.TooLarge, "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := csaf.Parse(tt.in, tt.lim)
			if err == nil {
				t.Fatal("no error")
			}
			if !errs.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v (kind %v), want kind %v containing %q", err, errs.KindOf(err), tt.kind, tt.msg)
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	fsys := fstest.MapFS{
		"2020/avendor-advisory-0004.json": {Data: readFixture(t, "avendor-advisory-0004.json")},
		"2021/rhsa-2021_5217.json":        {Data: readFixture(t, "rhsa-2021_5217.json")},
		"2022/2022-evd-uc-01-na-001.json": {Data: readFixture(t, "2022-evd-uc-01-na-001.json")},
		"2022/broken.json":                {Data: []byte(`{"document": `)},
		"2022/index.txt":                  {Data: []byte("2022/2022-evd-uc-01-na-001.json\n")},
		".git/config.json":                {Data: []byte("x")},
	}
	var seen []string
	stats, err := csaf.ReadDir(fsys, csaf.Limits{Since: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}, func(d *csaf.Document) error {
		seen = append(seen, d.TrackingID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seen, []string{"RHSA-2021:5217", "2022-EVD-UC-01-NA-001"}) {
		t.Errorf("seen %q", seen)
	}
	if stats.Records != 2 || stats.Unchanged != 1 || stats.Skipped != 1 || stats.ErrorCount != 1 ||
		!strings.HasPrefix(stats.Errors[0], "2022/broken.json: ") || !stats.MaxModified.Equal(time.Date(2022, 3, 3, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("stats %+v", stats)
	}
	stop := errs.E(errs.Internal, "stop")
	if _, err := csaf.ReadDir(fsys, csaf.Limits{}, func(*csaf.Document) error { return stop }); err != stop {
		t.Errorf("callback error not returned: %v", err)
	}
}
