package kev_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/advisory/kev"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func fixture(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/known_exploited_vulnerabilities.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReadFixture(t *testing.T) {
	// One byte at a time, to exercise the streaming and UTF-8 carry-over.
	cat, err := kev.Read(iotest.OneByteReader(bytes.NewReader(fixture(t))), kev.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if cat.Version != "2025.02.25" || cat.Count != 1280 || !cat.Released.Equal(time.Date(2025, 2, 25, 20, 33, 53, 367600000, time.UTC)) || len(cat.Entries) != 5 {
		t.Fatalf("catalogue %+v", cat)
	}
	e := cat.Entries[4]
	want := advisory.Exploitation{
		DateAdded:      time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC),
		DueDate:        time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC),
		RequiredAction: "Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.",
	}
	if e.CVE != "CVE-2025-0111" || e.Exploitation != want || e.Product != "PAN-OS" || !strings.Contains(e.ShortDescription, "\u201cnobody\u201d") ||
		len(e.CWEs) != 1 || e.CWEs[0] != "CWE-73" || !strings.HasPrefix(e.Notes, "https://security.paloaltonetworks.com/") {
		t.Errorf("entry %+v", e)
	}
	a := e.Advisory(cat.Released)
	if a.ID != "CVE-2025-0111" || a.Source != advisory.SourceKEV || a.Exploited == nil || !a.Exploited.DateAdded.Equal(want.DateAdded) || !a.Modified.Equal(cat.Released) {
		t.Errorf("advisory %+v", a)
	}
}

func TestRead(t *testing.T) {
	entry := func(fields string) string {
		return `{"title":"t","catalogVersion":"1","dateReleased":"2025-01-01T00:00:00Z","count":1,"vulnerabilities":[{` + fields + `}]}`
	}
	tests := []struct {
		name       string
		in         string
		lim        kev.Limits
		kind       errs.Kind // 0 (Internal) means success
		msg        string
		ransomware bool
	}{
		{"ransomware_known", entry(`"cveID":"CVE-2021-44228","dateAdded":"2021-12-10","dueDate":"2021-12-24","knownRansomwareCampaignUse":"Known"`), kev.Limits{}, 0, "", true},
		{"five_digit_id_lowercase", entry(`"cveID":"cve-2024-123456","dateAdded":"2024-01-01"`), kev.Limits{}, 0, "", false},
		{"unknown_fields_kept_out", `{"extra":{"a":[1,2,{"b":null}]},"vulnerabilities":[]}`, kev.Limits{}, 0, "", false},
		{"bad_cve", entry(`"cveID":"CVE-21-1","dateAdded":"2021-12-10"`), kev.Limits{}, errs.Invalid, `entry 1: cveID "CVE-21-1" is not a CVE id`, false},
		{"ghsa", entry(`"cveID":"GHSA-xxxx-yyyy-zzzz","dateAdded":"2021-12-10"`), kev.Limits{}, errs.Invalid, "not a CVE id", false},
		{"bad_date", entry(`"cveID":"CVE-2021-44228","dateAdded":"10/12/2021"`), kev.Limits{}, errs.Invalid, "dateAdded", false},
		{"missing_date", entry(`"cveID":"CVE-2021-44228"`), kev.Limits{}, errs.Invalid, "dateAdded", false},
		{"bad_due", entry(`"cveID":"CVE-2021-44228","dateAdded":"2021-12-10","dueDate":"soon"`), kev.Limits{}, errs.Invalid, "dueDate", false},
		{"bad_released", `{"dateReleased":"yesterday","vulnerabilities":[]}`, kev.Limits{}, errs.Invalid, "dateReleased", false},
		{"not_object", `[]`, kev.Limits{}, errs.Invalid, "not a KEV catalogue", false},
		{"no_vulnerabilities", `{"title":"x"}`, kev.Limits{}, errs.Invalid, "no vulnerabilities", false},
		{"vulnerabilities_not_array", `{"vulnerabilities":{}}`, kev.Limits{}, errs.Invalid, "not a KEV catalogue", false},
		{"truncated", `{"vulnerabilities":[{"cveID":"CVE-2021-44228"`, kev.Limits{}, errs.Invalid, "malformed", false},
		{"trailing", `{"vulnerabilities":[]} {}`, kev.Limits{}, errs.Invalid, "data after", false},
		{"invalid_utf8", "{\"title\":\"\xff\",\"vulnerabilities\":[]}", kev.Limits{}, errs.Invalid, "UTF-8", false},
		{"too_large", entry(`"cveID":"CVE-2021-44228","dateAdded":"2021-12-10"`), kev.Limits{MaxBytes: 50}, errs.TooLarge, "exceeds 50 bytes", false},
		{"too_many", `{"vulnerabilities":[` + strings.Repeat(`{"cveID":"CVE-2021-44228","dateAdded":"2021-12-10"},`, 10) + `{}]}`, kev.Limits{MaxEntries: 5}, errs.TooLarge, "more than 5 entries", false},
		{"huge_array", `{"vulnerabilities":[` + strings.Repeat(`{"cveID":"CVE-2021-44228","dateAdded":"2021-12-10"},`, 30000) + `{}]}`, kev.Limits{MaxBytes: 1 << 20}, errs.TooLarge, "exceeds", false},
		{"deep", `{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `,"vulnerabilities":[]}`, kev.Limits{}, errs.Invalid, "malformed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, err := kev.Read(strings.NewReader(tt.in), tt.lim)
			if tt.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if len(cat.Entries) > 0 && cat.Entries[0].Exploitation.RansomwareUse != tt.ransomware {
					t.Errorf("ransomware = %v", cat.Entries[0].Exploitation.RansomwareUse)
				}
				return
			}
			if err == nil || !errs.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v (kind %v), want kind %v containing %q", err, errs.KindOf(err), tt.kind, tt.msg)
			}
		})
	}
}
