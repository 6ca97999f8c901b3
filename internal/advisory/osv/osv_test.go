package osv_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/advisory/osv"
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

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file     string
		id       string
		aliases  []string
		modified string
		severity []advisory.Severity
		affected int
		firstPkg advisory.Package
		firstRng advisory.Range
		versions int
		refs     int
	}{
		{
			file: "GO-2022-1144.json", id: "GO-2022-1144",
			aliases: []string{"CVE-2022-41717", "GHSA-xrjj-mj9h-534m"}, modified: "2023-06-12T18:45:41Z",
			affected: 2, firstPkg: advisory.Package{Ecosystem: "Go", Name: "stdlib"},
			firstRng: advisory.Range{Type: "SEMVER", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "1.18.9"}, {Introduced: "1.19.0-0"}, {Fixed: "1.19.4"}}},
			refs:     4,
		},
		{
			file: "GHSA-43w2-9j62-hq99.json", id: "GHSA-43w2-9j62-hq99",
			aliases: []string{"CVE-2021-25900"}, modified: "2023-06-13T20:51:42Z",
			severity: []advisory.Severity{
				{Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Score: 9.8},
				{Type: advisory.SeverityLabelType, Vector: "CRITICAL"},
			},
			affected: 2, firstPkg: advisory.Package{Ecosystem: "crates.io", Name: "smallvec", PURL: "pkg:cargo/smallvec"},
			firstRng: advisory.Range{Type: "SEMVER", Events: []advisory.Event{{Introduced: "0.6.3"}, {Fixed: "0.6.14"}}},
			refs:     -1,
		},
		{
			file: "GHSA-mc8h-8q98-g5hr.json", id: "GHSA-mc8h-8q98-g5hr", modified: "2023-02-24T16:23:59Z",
			severity: []advisory.Severity{{Type: advisory.SeverityLabelType, Vector: "LOW"}},
			affected: 1, firstPkg: advisory.Package{Ecosystem: "crates.io", Name: "remove_dir_all", PURL: "pkg:cargo/remove_dir_all"},
			firstRng: advisory.Range{Type: "SEMVER", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "0.8.0"}}},
			refs:     4,
		},
		{
			file: "CVE-2024-1013.json", id: "CVE-2024-1013", modified: "2024-03-18T12:38:25Z",
			affected: 1, firstPkg: advisory.Package{Ecosystem: "Debian:10", Name: "unixodbc"},
			firstRng: advisory.Range{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}}},
			refs:     3,
		},
		{
			file: "OSV-2023-72.json", id: "OSV-2023-72", modified: "2023-04-20T22:43:30Z",
			affected: 1, firstPkg: advisory.Package{Ecosystem: "OSS-Fuzz", Name: "perfetto", PURL: "pkg:generic/perfetto"},
			firstRng: advisory.Range{Type: "GIT", Repo: "https://android.googlesource.com/platform/external/perfetto/", Events: []advisory.Event{{Introduced: "8209fb9b9a4156232aa87ad4621e541bfb777ec1"}, {Fixed: "9a7f09383dd39f19e662d428321ca708a2a600a3"}}},
			versions: -1, refs: -1,
		},
		{
			file: "CVE-2024-1086.json", id: "CVE-2024-1086", modified: "2024-06-27T00:00:00Z",
			severity: []advisory.Severity{{Type: "CVSS_V3", Vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", Score: 7.8}},
			affected: 1, firstPkg: advisory.Package{Ecosystem: "Linux", Name: "Kernel"},
			firstRng: advisory.Range{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "3.15"}, {Fixed: "5.15.149"}, {Introduced: "5.16"}, {Fixed: "6.1.76"}, {Introduced: "6.2"}, {Fixed: "6.6.15"}, {Introduced: "6.7"}, {Fixed: "6.7.3"}}},
			refs:     1,
		},
		{
			file: "ALPINE-CVE-2022-48174.json", id: "ALPINE-CVE-2022-48174", aliases: []string{"CVE-2022-48174"}, modified: "2023-09-01T00:00:00Z",
			affected: 1, firstPkg: advisory.Package{Ecosystem: "Alpine:v3.18", Name: "busybox", PURL: "pkg:apk/alpine/busybox?arch=source"},
			firstRng: advisory.Range{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "1.36.1-r1"}}},
			refs:     1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a, err := osv.Parse(fixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != tt.id || a.Source != advisory.SourceOSV {
				t.Errorf("ID, Source = %q, %q", a.ID, a.Source)
			}
			if !equalStrings(a.Aliases, tt.aliases) {
				t.Errorf("Aliases = %q, want %q", a.Aliases, tt.aliases)
			}
			if got := a.Modified.Format(time.RFC3339); got != tt.modified {
				t.Errorf("Modified = %s, want %s", got, tt.modified)
			}
			if len(a.Severity) != len(tt.severity) {
				t.Fatalf("Severity = %+v, want %+v", a.Severity, tt.severity)
			}
			for i := range tt.severity {
				if a.Severity[i] != tt.severity[i] {
					t.Errorf("Severity[%d] = %+v, want %+v", i, a.Severity[i], tt.severity[i])
				}
			}
			if len(a.Affected) != tt.affected {
				t.Fatalf("len(Affected) = %d, want %d", len(a.Affected), tt.affected)
			}
			af := a.Affected[0]
			if af.Package == nil || *af.Package != tt.firstPkg || af.CPE != nil {
				t.Errorf("Affected[0].Package = %+v, want %+v", af.Package, tt.firstPkg)
			}
			if len(af.Ranges) == 0 || !equalRange(af.Ranges[0], tt.firstRng) {
				t.Errorf("Affected[0].Ranges = %+v, want first %+v", af.Ranges, tt.firstRng)
			}
			if tt.versions >= 0 && len(af.Versions) != tt.versions {
				t.Errorf("len(Versions) = %d, want %d", len(af.Versions), tt.versions)
			}
			if tt.versions < 0 && len(af.Versions) == 0 {
				t.Error("Versions lost")
			}
			if tt.refs >= 0 && len(a.References) != tt.refs {
				t.Errorf("len(References) = %d, want %d", len(a.References), tt.refs)
			}
			if a.Published.IsZero() {
				t.Error("Published not read")
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalRange(a, b advisory.Range) bool {
	if a.Type != b.Type || a.Repo != b.Repo || len(a.Events) != len(b.Events) {
		return false
	}
	for i := range a.Events {
		if a.Events[i] != b.Events[i] {
			return false
		}
	}
	return true
}

func TestParseMapping(t *testing.T) {
	a, err := osv.Parse([]byte(`{
		"id": "CVE-2023-38545", "modified": "2024-01-02T03:04:05.123Z", "withdrawn": "2024-02-01T00:00:00Z",
		"aliases": ["CVE-2023-38545", "GHSA-x", " ", "GHSA-x"],
		"summary": "  SOCKS5 heap overflow  ",
		"severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		             {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/typo"},
		             {"type": "Ubuntu", "score": "high"}],
		"affected": [
			{"ranges": [{"type": "GIT", "repo": "https://github.com/curl/curl", "events": [{"introduced": "0"}, {"fixed": "fb4415d8aee6c10a4ce3328c42b9c2e4eb5bbafb"}]}]},
			{"ranges": [{"type": "WEIRD", "events": []}]},
			{"package": {"ecosystem": "Debian:12", "name": "curl"}, "ranges": [{"type": "FUTURE", "events": [{"x": "1"}]}, {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "7.88.1-10"}, {"limit": "8"}]}]}
		],
		"references": [{"url": "https://curl.se/docs/CVE-2023-38545.html"}, {"url": ""}],
		"database_specific": {"severity": ["not", "a", "label"]}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Aliases; len(got) != 1 || got[0] != "GHSA-x" {
		t.Errorf("Aliases = %q", got)
	}
	if a.Summary != "SOCKS5 heap overflow" || a.Withdrawn.IsZero() || a.Modified.Nanosecond() != 123000000 {
		t.Errorf("Summary %q, Withdrawn %v, Modified %v", a.Summary, a.Withdrawn, a.Modified)
	}
	want := []advisory.Severity{
		{Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Score: 9.8},
		{Type: "CVSS_V3", Vector: "CVSS:3.1/AV:N/typo"},
		{Type: "Ubuntu", Vector: "high"},
	}
	if len(a.Severity) != len(want) {
		t.Fatalf("Severity = %+v", a.Severity)
	}
	for i := range want {
		if a.Severity[i] != want[i] {
			t.Errorf("Severity[%d] = %+v, want %+v", i, a.Severity[i], want[i])
		}
	}
	if len(a.Affected) != 2 {
		t.Fatalf("Affected = %+v", a.Affected)
	}
	if p := a.Affected[0].Package; p == nil || p.Ecosystem != "GIT" || p.Name != "https://github.com/curl/curl" {
		t.Errorf("GIT-only affected package = %+v", p)
	}
	if rs := a.Affected[1].Ranges; len(rs) != 1 || rs[0].Type != "ECOSYSTEM" || rs[0].Events[1].LastAffected != "7.88.1-10" || rs[0].Events[2].Limit != "8" {
		t.Errorf("ranges = %+v", rs)
	}
	if len(a.References) != 1 {
		t.Errorf("References = %q", a.References)
	}
}

func TestParseRefuses(t *testing.T) {
	deep := strings.Repeat("[", 65) + strings.Repeat("]", 65)
	tests := []struct {
		name, in string
		kind     errs.Kind
		msg      string
	}{
		{"not JSON", `{"id":`, errs.Invalid, "malformed"},
		{"no id", `{"modified": "2024-01-01T00:00:00Z"}`, errs.Invalid, "no id"},
		{"no modified", `{"id": "X-1"}`, errs.Invalid, `"X-1": modified`},
		{"bad modified", `{"id": "X-1", "modified": "yesterday"}`, errs.Invalid, "RFC 3339"},
		{"bad published", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "published": "2024-13-01"}`, errs.Invalid, "published"},
		{"two-key event", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}]}]}`, errs.Invalid, "affected[0]: ranges[0].events[0]: an event must have exactly one key"},
		{"empty event", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{}]}]}]}`, errs.Invalid, "exactly one key"},
		{"unknown event", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"patched": "1"}]}]}]}`, errs.Invalid, "unknown event"},
		{"no events", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "SEMVER", "events": []}]}]}`, errs.Invalid, "no events"},
		{"nameless package", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI"}}]}`, errs.Invalid, "neither name nor purl"},
		{"severity without score", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "severity": [{"type": "CVSS_V3"}]}`, errs.Invalid, "severity[0]"},
		{"invalid UTF-8", "{\"id\": \"X-\xff\", \"modified\": \"2024-01-01T00:00:00Z\"}", errs.Invalid, "UTF-8"},
		{"deep nesting", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "database_specific": ` + deep + `}`, errs.TooLarge, "deeper than 64"},
		{"huge array", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "aliases": [` + strings.Repeat(`"GHSA-aaaa-bbbb-cccc",`, 250_000) + `"x"]}`, errs.TooLarge, "exceeds the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := osv.Parse([]byte(tt.in))
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != tt.kind {
				t.Fatalf("Parse error = %v, want an *errs.Error of kind %v", err, tt.kind)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Parse error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

type entry struct {
	name string
	data []byte
}

// buildZip writes entries into an in-memory zip archive.
func buildZip(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func fixtureEntries(t testing.TB) []entry {
	var es []entry
	for _, f := range []string{"GO-2022-1144.json", "GHSA-43w2-9j62-hq99.json", "CVE-2024-1086.json", "ALPINE-CVE-2022-48174.json"} {
		es = append(es, entry{f, fixture(t, f)})
	}
	return es
}

func TestReadZip(t *testing.T) {
	es := fixtureEntries(t)
	es = append(es,
		entry{"README.txt", []byte("not a record")},
		entry{"broken.json", []byte(`{"id": "BROKEN-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]}]}`)},
		entry{"garbage.json", []byte(`{{{`)},
	)
	data := buildZip(t, es)
	var ids []string
	st, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{}, func(a *advisory.Advisory) error {
		ids = append(ids, a.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GO-2022-1144", "GHSA-43w2-9j62-hq99", "CVE-2024-1086", "ALPINE-CVE-2022-48174"}
	if !equalStrings(ids, want) {
		t.Errorf("records %q, want %q (archive order)", ids, want)
	}
	if st.Records != 4 || st.Skipped != 1 || st.ErrorCount != 2 || len(st.Errors) != 2 {
		t.Errorf("stats = %+v", st)
	}
	if !strings.HasPrefix(st.Errors[0], "broken.json: ") || !strings.Contains(st.Errors[0], `"BROKEN-1"`) {
		t.Errorf("error does not name entry and record: %q", st.Errors[0])
	}
	if got := st.MaxModified.Format(time.RFC3339); got != "2024-06-27T00:00:00Z" {
		t.Errorf("MaxModified = %s", got)
	}

	// Incremental: only records modified after Since reach fn.
	ids = nil
	since := time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC)
	st, err = osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{Since: since}, func(a *advisory.Advisory) error {
		ids = append(ids, a.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !equalStrings(ids, []string{"CVE-2024-1086", "ALPINE-CVE-2022-48174"}) || st.Unchanged != 2 || st.Records != 2 {
		t.Errorf("incremental: records %q, stats %+v", ids, st)
	}

	// An error from fn stops the import and comes back unchanged.
	stop := errors.New("stop")
	st, err = osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{}, func(*advisory.Advisory) error { return stop })
	if !errors.Is(err, stop) || st.Records != 0 {
		t.Errorf("fn error: err %v, stats %+v", err, st)
	}
}

func TestReadZipCapsErrors(t *testing.T) {
	var es []entry
	for i := range 150 {
		es = append(es, entry{"bad/" + strings.Repeat("x", i%5) + ".json", []byte(`[]`)})
	}
	data := buildZip(t, es)
	st, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{}, func(*advisory.Advisory) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.ErrorCount != 150 || len(st.Errors) != advisory.MaxImportErrors {
		t.Errorf("ErrorCount %d, len(Errors) %d", st.ErrorCount, len(st.Errors))
	}
}

func TestReadZipRefusesBombs(t *testing.T) {
	// 64 MiB of one byte compresses to about 64 KiB.
	bomb := bytes.Repeat([]byte{' '}, 64<<20)
	tests := []struct {
		name    string
		entries []entry
		lim     osv.Limits
		msg     string
	}{
		{"entry over record limit", []entry{{"a.json", bomb}}, osv.Limits{}, "exceeds the limit of 4194304 bytes"},
		{"total over limit", []entry{{"a.json", bomb[:3<<20]}, {"b.json", bomb[:3<<20]}}, osv.Limits{MaxTotalBytes: 5 << 20}, "import exceeds the limit"},
		{"too many entries", []entry{{"a.json", nil}, {"b.txt", nil}, {"c.json", nil}}, osv.Limits{MaxEntries: 2}, "3 entries"},
		{"deep record", []entry{{"a.json", []byte(strings.Repeat("[", 100))}}, osv.Limits{}, "deeper than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildZip(t, tt.entries)
			_, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), tt.lim, func(*advisory.Advisory) error { return nil })
			if !errs.Is(err, errs.TooLarge) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want errs.TooLarge mentioning %q", err, tt.msg)
			}
		})
	}
}

func TestReadZipLyingHeader(t *testing.T) {
	// An entry whose central directory claims 10 bytes but which inflates
	// to 8 MiB must not get through: bytes are counted as they are read,
	// and archive/zip itself stops at the declared size.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "a.json", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(bytes.Repeat([]byte{' '}, 8<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	cd := bytes.LastIndex(data, []byte("PK\x01\x02"))
	copy(data[cd+24:cd+28], []byte{10, 0, 0, 0}) // uncompressed size field
	st, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{}, func(*advisory.Advisory) error {
		t.Fatal("a record from a lying entry reached fn")
		return nil
	})
	if err == nil && st.ErrorCount != 1 {
		t.Fatalf("lying entry neither refused nor counted as an error: %+v", st)
	}
	if err != nil && !errs.Is(err, errs.TooLarge) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadZipNotZip(t *testing.T) {
	data := []byte("this is not a zip")
	_, err := osv.ReadZip(bytes.NewReader(data), int64(len(data)), osv.Limits{}, func(*advisory.Advisory) error { return nil })
	if !errs.Is(err, errs.Invalid) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadDir(t *testing.T) {
	fsys := fstest.MapFS{
		"b/GO-2022-1144.json":          {Data: fixture(t, "GO-2022-1144.json")},
		"a/CVE-2024-1086.json":         {Data: fixture(t, "CVE-2024-1086.json")},
		"a/notes.md":                   {Data: []byte("# notes")},
		"c/bad.json":                   {Data: []byte("\xff\xfe")},
		"a/z/GHSA-mc8h-8q98-g5hr.json": {Data: fixture(t, "GHSA-mc8h-8q98-g5hr.json")},
	}
	var ids []string
	st, err := osv.ReadDir(fsys, osv.Limits{}, func(a *advisory.Advisory) error {
		ids = append(ids, a.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CVE-2024-1086", "GHSA-mc8h-8q98-g5hr", "GO-2022-1144"}
	if !equalStrings(ids, want) || st.Skipped != 1 || st.ErrorCount != 1 || st.Records != 3 {
		t.Errorf("records %q, stats %+v", ids, st)
	}
	fsys["big.json"] = &fstest.MapFile{Data: bytes.Repeat([]byte(" "), 2<<10)}
	if _, err := osv.ReadDir(fsys, osv.Limits{MaxRecordBytes: 1 << 10}, func(*advisory.Advisory) error { return nil }); !errs.Is(err, errs.TooLarge) {
		t.Errorf("over-size file: err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			f.Add(fixture(f, e.Name()))
		}
	}
	f.Add([]byte(`{"id": "X", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "GIT", "repo": "r", "events": [{"introduced": "0"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := osv.Parse(data)
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not an *errs.Error: %v", err)
			}
			return
		}
		if a.ID == "" || a.Modified.IsZero() {
			t.Fatalf("accepted a record without id or modified: %+v", a)
		}
		for _, af := range a.Affected {
			if af.Package == nil || af.CPE != nil {
				t.Fatalf("affected without exactly one of package and CPE: %+v", af)
			}
			for _, r := range af.Ranges {
				for _, ev := range r.Events {
					n := 0
					for _, s := range []string{ev.Introduced, ev.Fixed, ev.LastAffected, ev.Limit} {
						if s != "" {
							n++
						}
					}
					if n != 1 {
						t.Fatalf("event with %d fields: %+v", n, ev)
					}
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data := fixture(b, "GHSA-43w2-9j62-hq99.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := osv.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
