package nvd_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/advisory/nvd"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readAll(t testing.TB, data []byte, lim nvd.Limits) ([]*advisory.Advisory, nvd.Stats, error) {
	t.Helper()
	var out []*advisory.Advisory
	st, err := nvd.Read(bytes.NewReader(data), lim, func(a *advisory.Advisory) error {
		out = append(out, a)
		return nil
	})
	return out, st, err
}

func readOne(t *testing.T, name string) *advisory.Advisory {
	t.Helper()
	as, st, err := readAll(t, fixture(t, name), nvd.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || st.Records != 1 || st.ErrorCount != 0 {
		t.Fatalf("got %d records, stats %+v", len(as), st)
	}
	return as[0]
}

func TestReadAndConfiguration(t *testing.T) {
	a := readOne(t, "CVE-2020-13595.json")
	if a.ID != "CVE-2020-13595" || a.Source != advisory.SourceNVD {
		t.Errorf("ID, Source = %q, %q", a.ID, a.Source)
	}
	if got := a.Published.Format(time.RFC3339Nano); got != "2020-08-31T15:15:10.68Z" {
		t.Errorf("Published = %s", got)
	}
	if got := a.Modified.Format(time.RFC3339Nano); got != "2020-09-08T21:09:33.517Z" {
		t.Errorf("Modified = %s", got)
	}
	// The first sentence is longer than 200 runes, so it is cut at a word.
	if s := a.Summary; !strings.HasPrefix(s, "The Bluetooth Low Energy (BLE) controller implementation in Espressif ESP-IDF 4.0 through 4.2") || !strings.HasSuffix(s, "assertion…") || len([]rune(s)) > 200 {
		t.Errorf("Summary = %q", s)
	}
	if !strings.HasSuffix(a.Details, "by sending a crafted sequence of BLE packets.") {
		t.Errorf("Details = %q", a.Details)
	}
	wantSev := []advisory.Severity{
		{Type: "CVSS_V3", Vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", Score: 6.5, Source: "nvd@nist.gov"},
		{Type: "CVSS_V2", Vector: "AV:A/AC:L/Au:N/C:N/I:N/A:P", Score: 3.3, Source: "nvd@nist.gov"},
	}
	if fmt.Sprint(a.Severity) != fmt.Sprint(wantSev) {
		t.Errorf("Severity = %+v, want %+v", a.Severity, wantSev)
	}
	if len(a.Affected) != 1 {
		t.Fatalf("Affected = %+v", a.Affected)
	}
	c := a.Affected[0].CPE
	if a.Affected[0].Package != nil || c == nil {
		t.Fatalf("Affected[0] = %+v", a.Affected[0])
	}
	want := advisory.CPECriteria{
		Criteria:              "cpe:2.3:a:espressif:esp-idf:*:*:*:*:*:*:*:*",
		VersionStartIncluding: "4.0.0",
		VersionEndIncluding:   "4.2",
		RunningOn:             []string{"cpe:2.3:h:espressif:esp32:-:*:*:*:*:*:*:*"},
	}
	if fmt.Sprint(*c) != fmt.Sprint(want) {
		t.Errorf("CPE = %+v, want %+v", *c, want)
	}
	if len(a.References) != 3 || a.References[2] != "https://github.com/espressif/esp32-bt-lib" {
		t.Errorf("References = %q", a.References)
	}
	if a.Exploited != nil || !a.Withdrawn.IsZero() {
		t.Errorf("Exploited %v, Withdrawn %v", a.Exploited, a.Withdrawn)
	}
}

func TestReadFixtures(t *testing.T) {
	tests := []struct {
		file      string
		affected  int
		runningOn []string // of the first Affected
		sevTypes  string
		maxScore  float64
		exploited string
		withdrawn bool
	}{
		{file: "CVE-2022-33745.json", affected: 4, sevTypes: "CVSS_V3", maxScore: 8.8},
		{file: "CVE-2023-4863.json", affected: 14, sevTypes: "CVSS_V3", maxScore: 8.8, exploited: "2023-09-13/2023-10-04"},
		{file: "CVE-2025-45988.json", affected: 2, runningOn: []string{"cpe:2.3:h:b-link:bl-wr9000:-:*:*:*:*:*:*:*"}, sevTypes: "CVSS_V4 CVSS_V3 CVSS_V3 CVSS_V3 CVSS_V2", maxScore: 7.5},
		{file: "CVE-2022-0094-rejected.json", sevTypes: "", withdrawn: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a := readOne(t, tt.file)
			if len(a.Affected) != tt.affected {
				t.Errorf("len(Affected) = %d, want %d", len(a.Affected), tt.affected)
			}
			if tt.runningOn != nil && fmt.Sprint(a.Affected[0].CPE.RunningOn) != fmt.Sprint(tt.runningOn) {
				t.Errorf("RunningOn = %q, want %q", a.Affected[0].CPE.RunningOn, tt.runningOn)
			}
			for _, af := range a.Affected {
				if af.CPE == nil || af.Package != nil {
					t.Errorf("Affected without exactly a CPE: %+v", af)
				}
			}
			var types []string
			for _, s := range a.Severity {
				types = append(types, s.Type)
			}
			if got := strings.Join(types, " "); got != tt.sevTypes {
				t.Errorf("severity types %q, want %q", got, tt.sevTypes)
			}
			if a.MaxScore() != tt.maxScore {
				t.Errorf("MaxScore = %v, want %v", a.MaxScore(), tt.maxScore)
			}
			switch {
			case tt.exploited == "" && a.Exploited != nil:
				t.Errorf("Exploited = %+v", a.Exploited)
			case tt.exploited != "":
				x := a.Exploited
				if x == nil || x.DateAdded.Format(time.DateOnly)+"/"+x.DueDate.Format(time.DateOnly) != tt.exploited || !strings.HasPrefix(x.RequiredAction, "Apply mitigations") {
					t.Errorf("Exploited = %+v, want %s", x, tt.exploited)
				}
			}
			if a.Withdrawn.IsZero() == tt.withdrawn {
				t.Errorf("Withdrawn = %v", a.Withdrawn)
			}
			if tt.withdrawn && !a.Withdrawn.Equal(a.Modified) {
				t.Errorf("Withdrawn %v != Modified %v", a.Withdrawn, a.Modified)
			}
		})
	}
}

// stream joins the records of the fixtures into one response, the way an
// nvdcve-2.0 feed file holds many.
func stream(t testing.TB, extra ...string) []byte {
	var elems []string
	for _, f := range []string{"CVE-2020-13595.json", "CVE-2022-33745.json", "CVE-2023-4863.json", "CVE-2025-45988.json", "CVE-2022-0094-rejected.json"} {
		d := fixture(t, f)
		i := bytes.Index(d, []byte(`"vulnerabilities": [`))
		j := bytes.LastIndexByte(d, ']')
		elems = append(elems, strings.TrimSpace(string(d[i+len(`"vulnerabilities": [`):j])))
	}
	elems = append(elems, extra...)
	return []byte(`{"resultsPerPage": 7, "startIndex": 0, "totalResults": 7, "format": "NVD_CVE", "version": "2.0", "timestamp": "2023-11-26T23:14:57.970",
		"vulnerabilities": [` + strings.Join(elems, ",\n") + `], "trailer": {"ignored": [1, 2, 3]}}`)
}

func TestReadStream(t *testing.T) {
	bad := `{"cve": {"id": "CVE-2000-0001", "lastModified": "2024-01-01T00:00:00.000", "configurations": [{"nodes": [{"operator": "OR", "cpeMatch": [{"vulnerable": true, "criteria": "cpe:/a:vendor:product:1.0"}]}]}]}}`
	noDate := `{"cve": {"id": "CVE-2000-0002", "lastModified": "last tuesday"}}`
	as, st, err := readAll(t, stream(t, bad, noDate), nvd.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	if strings.Join(ids, " ") != "CVE-2020-13595 CVE-2022-33745 CVE-2023-4863 CVE-2025-45988 CVE-2022-0094" {
		t.Errorf("ids = %q", ids)
	}
	if st.Records != 5 || st.ErrorCount != 2 {
		t.Errorf("stats = %+v", st)
	}
	if !strings.Contains(st.Errors[0], "vulnerabilities[5]") || !strings.Contains(st.Errors[0], "CVE-2000-0001") || !strings.Contains(st.Errors[0], "not a CPE 2.3 formatted string") {
		t.Errorf("error = %q", st.Errors[0])
	}
	if got := st.MaxModified.Format(time.RFC3339); got != "2025-07-10T12:16:15Z" {
		t.Errorf("MaxModified = %s", got)
	}

	since := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	as, st, err = readAll(t, stream(t), nvd.Limits{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 3 || st.Unchanged != 2 {
		t.Errorf("incremental: %d records, stats %+v", len(as), st)
	}

	stop := errors.New("stop")
	_, err = nvd.Read(bytes.NewReader(stream(t)), nvd.Limits{}, func(*advisory.Advisory) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("fn error: %v", err)
	}
}

func TestReadNegatedAndNodeAND(t *testing.T) {
	rec := `{"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [{"cve": {"id": "CVE-2000-0003", "lastModified": "2024-01-01T00:00:00.000",
		"configurations": [
			{"operator": "AND", "nodes": [
				{"operator": "OR", "cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:o:acme:fw:*:*:*:*:*:*:*:*", "versionEndExcluding": "2.0"}]},
				{"operator": "OR", "cpeMatch": [{"vulnerable": false, "criteria": "cpe:2.3:h:acme:cam1:-:*:*:*:*:*:*:*"}, {"vulnerable": false, "criteria": "cpe:2.3:h:acme:cam2:-:*:*:*:*:*:*:*"}]},
				{"operator": "OR", "negate": true, "cpeMatch": [{"vulnerable": false, "criteria": "cpe:2.3:h:acme:cam3:-:*:*:*:*:*:*:*"}]}
			]},
			{"nodes": [{"operator": "AND", "cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*"}, {"vulnerable": false, "criteria": "cpe:2.3:o:acme:os:-:*:*:*:*:*:*:*"}]}]},
			{"nodes": [{"operator": "OR", "cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:a:acme:lib:*:*:*:*:*:*:*:*", "versionStartExcluding": "1", "versionEndIncluding": "1.5"}, {"vulnerable": false, "criteria": "cpe:2.3:o:acme:os:-:*:*:*:*:*:*:*"}]}]}
		]}}]}`
	as, _, err := readAll(t, []byte(rec), nvd.Limits{})
	if err != nil || len(as) != 1 {
		t.Fatalf("err %v, %d records", err, len(as))
	}
	got := as[0].Affected
	if len(got) != 3 {
		t.Fatalf("Affected = %+v", got)
	}
	if fmt.Sprint(got[0].CPE.RunningOn) != "[cpe:2.3:h:acme:cam1:-:*:*:*:*:*:*:* cpe:2.3:h:acme:cam2:-:*:*:*:*:*:*:*]" || got[0].CPE.VersionEndExcluding != "2.0" {
		t.Errorf("AND configuration: %+v", got[0].CPE)
	}
	if fmt.Sprint(got[1].CPE.RunningOn) != "[cpe:2.3:o:acme:os:-:*:*:*:*:*:*:*]" {
		t.Errorf("AND node: %+v", got[1].CPE)
	}
	if len(got[2].CPE.RunningOn) != 0 || got[2].CPE.VersionStartExcluding != "1" || got[2].CPE.VersionEndIncluding != "1.5" {
		t.Errorf("OR node: %+v", got[2].CPE)
	}
}

func TestReadRefuses(t *testing.T) {
	big := `{"cve": {"id": "CVE-2000-0004", "lastModified": "2024-01-01T00:00:00.000", "descriptions": [{"lang": "en", "value": "` + strings.Repeat("A", 2<<20) + `"}]}}`
	deep := `{"cve": {"id": "CVE-2000-0005", "lastModified": "2024-01-01T00:00:00.000", "x": ` + strings.Repeat("[", 80) + strings.Repeat("]", 80) + `}}`
	wrap := func(elems ...string) string {
		return `{"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [` + strings.Join(elems, ",") + `]}`
	}
	tests := []struct {
		name string
		in   string
		lim  nvd.Limits
		kind errs.Kind
		msg  string
	}{
		{"record over limit", wrap(big), nvd.Limits{MaxRecordBytes: 1 << 20}, errs.TooLarge, "vulnerabilities[0] exceeds the limit of 1048576 bytes"},
		{"input over limit", wrap(big), nvd.Limits{MaxInputBytes: 1 << 20}, errs.TooLarge, "input exceeds"},
		{"huge top-level field", `{"junk": "` + strings.Repeat("x", 2<<20) + `", "vulnerabilities": []}`, nvd.Limits{MaxRecordBytes: 1 << 20}, errs.TooLarge, `field "junk" exceeds`},
		{"deep record", wrap(deep), nvd.Limits{}, errs.TooLarge, "deeper than 64"},
		{"not an object", `[]`, nvd.Limits{}, errs.Invalid, `expected "{"`},
		{"truncated", wrap(`{"cve": {"id": "CVE-2000-0006"`)[:60], nvd.Limits{}, errs.Invalid, "nvd:"},
		{"syntax error", `{"vulnerabilities": [{"cve": {]}`, nvd.Limits{}, errs.Invalid, "malformed JSON"},
		{"wrong format", `{"format": "NVD_CPE", "vulnerabilities": []}`, nvd.Limits{}, errs.Invalid, "not NVD_CVE"},
		{"1.1 feed", `{"CVE_data_format": "MITRE", "CVE_Items": []}`, nvd.Limits{}, errs.Invalid, "no \"vulnerabilities\""},
		{"trailing data", `{"vulnerabilities": []} {}`, nvd.Limits{}, errs.Invalid, "after the top-level object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, []byte(tt.in), tt.lim)
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != tt.kind || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.kind, tt.msg)
			}
		})
	}
}

func TestReadRecordErrors(t *testing.T) {
	// Malformed records are counted and skipped; the import goes on.
	recs := []string{
		"{\"cve\": {\"id\": \"CVE-2000-\xff\", \"lastModified\": \"2024-01-01T00:00:00.000\"}}",
		`{"cve": {"lastModified": "2024-01-01T00:00:00.000"}}`,
		`{"nocve": {}}`,
		`{"cve": {"id": "CVE-2000-0007", "lastModified": "2024-01-01T00:00:00.000", "metrics": {"cvssMetricV31": [{"cvssData": {"vectorString": "CVSS:3.1/AV:N", "baseScore": 11}}]}}}`,
		`{"cve": {"id": "CVE-2000-0008", "lastModified": "2024-01-01T00:00:00.000", "cisaExploitAdd": "13/09/2023"}}`,
		`{"cve": {"id": "CVE-2000-0009", "lastModified": "2024-01-01T00:00:00.000", "configurations": [{"nodes": [{"cpeMatch": [{"vulnerable": false, "criteria": "cpe:2.3:h:a:b"}]}]}]}}`,
		`{"cve": {"id": "CVE-2000-0010", "lastModified": "2024-01-01T00:00:00Z"}}`,
	}
	in := `{"vulnerabilities": [` + strings.Join(recs, ",") + `]}`
	as, st, err := readAll(t, []byte(in), nvd.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].ID != "CVE-2000-0010" || st.ErrorCount != 6 {
		t.Fatalf("records %d, stats %+v", len(as), st)
	}
	for i, want := range []string{"UTF-8", "no id", "no \"cve\"", "outside 0–10", "cisaExploitAdd", "CVE-2000-0009: configurations[0]"} {
		if !strings.Contains(st.Errors[i], want) {
			t.Errorf("Errors[%d] = %q, want mention of %q", i, st.Errors[i], want)
		}
	}
}

func TestSummary(t *testing.T) {
	long := strings.Repeat("word ", 60)
	in := `{"vulnerabilities": [
		{"cve": {"id": "CVE-1", "lastModified": "2024-01-01T00:00:00.000", "descriptions": [{"lang": "es", "value": "No."}, {"lang": "en", "value": "First line, v1.2.3 e.g. this. Second sentence."}]}},
		{"cve": {"id": "CVE-2", "lastModified": "2024-01-01T00:00:00.000", "descriptions": [{"lang": "en", "value": "Line one\nLine two"}]}},
		{"cve": {"id": "CVE-3", "lastModified": "2024-01-01T00:00:00.000", "descriptions": [{"lang": "en", "value": "` + long + `"}]}}
	]}`
	as, _, err := readAll(t, []byte(in), nvd.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if as[0].Summary != "First line, v1.2.3 e.g. this." {
		t.Errorf("Summary = %q", as[0].Summary)
	}
	if as[1].Summary != "Line one" {
		t.Errorf("Summary = %q", as[1].Summary)
	}
	if s := as[2].Summary; len([]rune(s)) > 200 || !strings.HasSuffix(s, "word…") {
		t.Errorf("Summary (%d runes) = %q", len([]rune(s)), s)
	}
}

func FuzzRead(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			f.Add(fixture(f, e.Name()))
		}
	}
	f.Add([]byte(`{"vulnerabilities": [{"cve": {"id": "CVE-1", "lastModified": "2024-01-01T00:00:00.000"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := nvd.Limits{MaxRecordBytes: 64 << 10, MaxInputBytes: 1 << 20}
		st, err := nvd.Read(bytes.NewReader(data), lim, func(a *advisory.Advisory) error {
			if a.ID == "" || a.Modified.IsZero() {
				t.Fatalf("record without id or lastModified: %+v", a)
			}
			for _, af := range a.Affected {
				if af.CPE == nil || af.Package != nil {
					t.Fatalf("affected without exactly a CPE: %+v", af)
				}
			}
			return nil
		})
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not an *errs.Error: %v", err)
			}
		}
		if st.ErrorCount < len(st.Errors) || len(st.Errors) > advisory.MaxImportErrors {
			t.Fatalf("stats inconsistent: %+v", st)
		}
	})
}

// syntheticStream writes a CVE API 2.0 response of n records.
func syntheticStream(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resultsPerPage": 2000, "startIndex": 0, "totalResults": 10000, "format": "NVD_CVE", "version": "2.0", "timestamp": "2024-01-01T00:00:00.000", "vulnerabilities": [`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"cve": {"id": "CVE-2024-%05d", "sourceIdentifier": "cve@mitre.org", "published": "2024-01-01T00:00:00.000", "lastModified": "2024-02-01T00:00:00.%03d", "vulnStatus": "Analyzed",
			"descriptions": [{"lang": "en", "value": "Buffer overflow in acme firmware before 2.%d allows remote attackers to execute code. More text follows here."}],
			"metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8, "baseSeverity": "CRITICAL"}, "exploitabilityScore": 3.9, "impactScore": 5.9}]},
			"weaknesses": [{"source": "nvd@nist.gov", "type": "Primary", "description": [{"lang": "en", "value": "CWE-787"}]}],
			"configurations": [{"operator": "AND", "nodes": [{"operator": "OR", "negate": false, "cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:o:acme:fw:*:*:*:*:*:*:*:*", "versionEndExcluding": "2.%d", "matchCriteriaId": "0D1A3280-9C15-4961-8C69-9ECE34528FDB"}]}, {"operator": "OR", "negate": false, "cpeMatch": [{"vulnerable": false, "criteria": "cpe:2.3:h:acme:cam:-:*:*:*:*:*:*:*", "matchCriteriaId": "2D5ADB0D-6D03-448A-A0F3-7C238A20AF46"}]}]}],
			"references": [{"url": "https://example.com/advisory/%d", "source": "cve@mitre.org", "tags": ["Vendor Advisory"]}]}}`, i, i%1000, i, i, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkRead(b *testing.B) {
	data := syntheticStream(10_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		st, err := nvd.Read(bytes.NewReader(data), nvd.Limits{}, func(*advisory.Advisory) error { n++; return nil })
		if err != nil || n != 10_000 || st.ErrorCount != 0 {
			b.Fatalf("err %v, n %d, stats %+v", err, n, st)
		}
	}
}
