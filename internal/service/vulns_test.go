package service_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// demoNVD is the demo's NVD feed: six real CVEs in firmware components.
var demoNVD = filepath.Join("..", "demo", "feeds", "nvd-firmware.json")

// firmwareSBOM is a CycloneDX SBOM of a Buildroot-style firmware.
func firmwareSBOM(busybox, openssl, zlib string) string {
	return fmt.Sprintf(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
 {"type":"library","bom-ref":"busybox","name":"busybox","version":%[1]q,"cpe":"cpe:2.3:a:busybox:busybox:%[1]s:*:*:*:*:*:*:*"},
 {"type":"library","bom-ref":"openssl","name":"openssl","version":%[2]q,"cpe":"cpe:2.3:a:openssl:openssl:%[2]s:*:*:*:*:*:*:*"},
 {"type":"library","bom-ref":"zlib","name":"zlib","version":%[3]q,"purl":"pkg:generic/zlib@%[3]s","cpe":"cpe:2.3:a:zlib:zlib:%[3]s:*:*:*:*:*:*:*"},
 {"type":"library","bom-ref":"notes","name":"release-notes"}]}`, busybox, openssl, zlib)
}

type vulnEnv struct {
	svc  *service.Service
	p    access.Principal
	sys  access.Principal
	prod registry.Product
	env  *testenv.Env
}

func newVulnEnv(t *testing.T) vulnEnv {
	t.Helper()
	ctx := context.Background()
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	p := access.System("test").InOrg(org.ID)
	svc := env.Service
	prod, err := svc.CreateProduct(ctx, p, registry.Product{Name: "Acme Router", ModelDesignation: "AR-1", Category: "Router"})
	mustNil(t, err)
	for i, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		_, err := svc.CreateRelease(ctx, p, prod.Slug, registry.Release{Version: v, ReleasedAt: testenv.Start.AddDate(0, 0, i-30)})
		mustNil(t, err)
	}
	_, _, err = svc.SetSupportPeriod(ctx, p, prod.Slug, supportperiod.Request{End: supportperiod.MustParseEndDate("2031-01")})
	mustNil(t, err)
	for i := range 5 {
		_, _, err := svc.PutDevice(ctx, p, prod.Slug, registry.Device{Serial: fmt.Sprintf("SN-%d", i), InstalledVersion: "1.0.0"})
		mustNil(t, err)
	}
	_, _, err = svc.PutDevice(ctx, p, prod.Slug, registry.Device{Serial: "SN-new", InstalledVersion: "1.1.0"})
	mustNil(t, err)
	return vulnEnv{svc: svc, p: p, sys: access.System("test"), prod: prod, env: env}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (e vulnEnv) attach(t *testing.T, version, sbom string) {
	t.Helper()
	_, err := e.svc.AttachSBOM(context.Background(), e.p, e.prod.Slug, version, strings.NewReader(sbom))
	mustNil(t, err)
}

func (e vulnEnv) importFeed(t *testing.T, name, kind, location string) service.FeedResult {
	t.Helper()
	res, err := e.svc.ImportFeed(context.Background(), e.sys, service.FeedSpec{Name: name, Kind: kind, Location: location}, nil)
	mustNil(t, err)
	return res
}

func findingsByVuln(t *testing.T, e vulnEnv, version string) map[string]service.FindingView {
	t.Helper()
	fs, err := e.svc.ReleaseFindings(context.Background(), e.p, e.prod.Slug, version)
	mustNil(t, err)
	out := map[string]service.FindingView{}
	for _, f := range fs {
		out[f.VulnID+" "+strings.Fields(f.Component)[0]] = f
	}
	return out
}

func TestVulnerabilityMonitoring(t *testing.T) {
	ctx := context.Background()
	e := newVulnEnv(t)
	e.attach(t, "1.0.0", firmwareSBOM("1.35.0", "3.0.11", "1.3"))
	e.attach(t, "1.1.0", firmwareSBOM("1.36.1", "3.0.11", "1.3"))

	// Importing the feed matches it against both releases.
	res := e.importFeed(t, "nvd", service.FeedNVD, demoNVD)
	if res.Stats.Records != 6 || res.NewFindings != 5 {
		t.Fatalf("first import: %+v", res)
	}
	old := findingsByVuln(t, e, "1.0.0")
	if len(old) != 3 {
		t.Fatalf("1.0.0 findings = %v", old)
	}
	bb := old["CVE-2022-48174 busybox"]
	if bb.Score != 9.8 || bb.Status != store.FindingOpen || len(bb.Reasons) != 1 || !strings.Contains(string(bb.Reasons[0]), "versions < 1.36.0") {
		t.Fatalf("busybox finding = %+v reasons %s", bb, bb.Reasons)
	}
	if _, ok := findingsByVuln(t, e, "1.1.0")["CVE-2022-48174 busybox"]; ok {
		t.Fatal("busybox 1.36.1 matched a CVE fixed in 1.36.0")
	}

	// The portfolio view: devices exposed, in support, and the fixing release.
	pf, err := e.svc.Vulnerabilities(ctx, e.p, service.VulnFilter{})
	mustNil(t, err)
	if pf.DevicesExposedInSupport != 6 || pf.DevicesExposedOutOfSupport != 0 { // both releases carry open findings
		t.Fatalf("devices exposed = %d in support, %d out", pf.DevicesExposedInSupport, pf.DevicesExposedOutOfSupport)
	}
	var found bool
	for _, v := range pf.Items {
		if v.ID != "CVE-2022-48174" {
			continue
		}
		found = true
		pe := v.Products[0]
		if v.Devices != 5 || v.DevicesInSupport != 5 || pe.FixedIn != "1.1.0" || pe.OnFixed != 1 || pe.FleetDevices != 6 {
			t.Fatalf("busybox exposure = %+v", v)
		}
	}
	if !found {
		t.Fatalf("portfolio = %+v", pf)
	}

	// A second import of the same feed changes nothing.
	again := e.importFeed(t, "nvd", service.FeedNVD, demoNVD)
	if again.Stats.Records != 0 || again.Stats.Unchanged != 6 || again.NewFindings != 0 {
		t.Fatalf("incremental import: %+v", again)
	}
	if f := findingsByVuln(t, e, "1.0.0")["CVE-2022-48174 busybox"]; !f.FirstSeen.Equal(bb.FirstSeen) {
		t.Fatal("a rematch moved first-seen")
	}

	// KEV marks an existing finding exploited at once.
	kev := filepath.Join(t.TempDir(), "kev.json")
	mustNil(t, os.WriteFile(kev, []byte(`{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.01.01","dateReleased":"2026-01-01T00:00:00.000Z","count":1,
	  "vulnerabilities":[{"cveID":"CVE-2023-5678","vendorProject":"OpenSSL","product":"OpenSSL","vulnerabilityName":"test entry","dateAdded":"2025-12-01","shortDescription":"x","requiredAction":"update","dueDate":"2025-12-22","knownRansomwareCampaignUse":"Unknown","notes":"","cwes":[]}]}`), 0o600))
	e.importFeed(t, "kev", service.FeedKEV, kev)
	if f := findingsByVuln(t, e, "1.1.0")["CVE-2023-5678 openssl"]; !f.Exploited {
		t.Fatalf("openssl finding after KEV = %+v", f)
	}
	pf, _ = e.svc.Vulnerabilities(ctx, e.p, service.VulnFilter{})
	if pf.Items[0].ID != "CVE-2023-5678" || !pf.Items[0].Exploited {
		t.Fatalf("an exploited vulnerability ranks first: %+v", pf.Items[0])
	}

	// Triage on one release carries over to the next release of the product.
	_, err = e.svc.Triage(ctx, e.p, service.TriageRequest{VulnID: "CVE-2023-45853", ProductKey: e.prod.Slug, Version: "1.0.0",
		ComponentIndex: old["CVE-2023-45853 zlib"].Index, State: "not_affected"})
	if pe := errs.Public(err); pe.Kind != errs.Invalid || len(pe.Fields) != 1 || pe.Fields[0].Field != "justification" {
		t.Fatalf("not_affected without a justification: %v", err)
	}
	_, err = e.svc.Triage(ctx, e.p, service.TriageRequest{VulnID: "CVE-2023-45853", ProductKey: e.prod.Slug, Version: "1.0.0",
		ComponentIndex: old["CVE-2023-45853 zlib"].Index, State: "not_affected", Justification: "vulnerable_code_not_present", Note: "minizip is not built"})
	mustNil(t, err)
	e.attach(t, "1.2.0", firmwareSBOM("1.36.1", "3.0.13", "1.3"))
	z := findingsByVuln(t, e, "1.2.0")["CVE-2023-45853 zlib"]
	if z.Status != store.FindingNotAffected || z.DecidedBy != "triage" {
		t.Fatalf("zlib in 1.2.0 = %+v, want the 1.0.0 decision carried over", z)
	}

	// An uploaded OpenVEX statement suppresses a finding, justification kept.
	vex := `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://acme.example/vex/1","author":"Acme PSIRT","timestamp":"2026-05-01T00:00:00Z","version":1,
	  "statements":[{"vulnerability":{"name":"CVE-2023-5678"},"products":[{"@id":"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"}]}`
	d, err := e.svc.UploadVEX(ctx, e.p, "acme.openvex.json", strings.NewReader(vex))
	mustNil(t, err)
	if d.Format != "openvex" || d.Statements != 1 {
		t.Fatalf("VEX document = %+v", d)
	}
	o := findingsByVuln(t, e, "1.1.0")["CVE-2023-5678 openssl"]
	if o.Status != store.FindingNotAffected || o.DecidedBy != "vex" || o.Justification != "vulnerable_code_not_in_execute_path" {
		t.Fatalf("openssl 3.0.11 after VEX = %+v", o)
	}
	_, err = e.svc.UploadVEX(ctx, e.p, "junk", strings.NewReader(`{"hello":"world"}`))
	wantKind(t, err, errs.Invalid)

	// The detail view finds the vulnerability by id and shows every record.
	det, err := e.svc.Vulnerability(ctx, e.p, "CVE-2023-5678")
	mustNil(t, err)
	if len(det.Records) != 2 || !det.Exposure.Exploited || len(det.Findings) != 2 {
		t.Fatalf("detail = %+v", det)
	}

	// A device sees the open findings of the release it runs.
	dv, err := e.svc.DeviceVulnerabilities(ctx, e.p, e.prod.Slug, "SN-0")
	mustNil(t, err)
	if len(dv) != 1 || dv[0].VulnID != "CVE-2022-48174" {
		t.Fatalf("device SN-0 vulnerabilities = %+v", dv)
	}
}

func TestNewAdvisoryRematchesOnlyWhatItTouches(t *testing.T) {
	e := newVulnEnv(t)
	e.attach(t, "1.0.0", firmwareSBOM("1.35.0", "3.0.11", "1.3"))
	e.importFeed(t, "nvd", service.FeedNVD, demoNVD)
	before := findingsByVuln(t, e, "1.0.0")

	// An OSV record for zlib under a different id but the same CVE merges
	// with the NVD record into one vulnerability.
	dir := t.TempDir()
	mustNil(t, os.WriteFile(filepath.Join(dir, "OSV-TEST-ZLIB.json"), []byte(`{"schema_version":"1.6.0","id":"OSV-TEST-ZLIB","modified":"2026-01-01T00:00:00Z",
	  "aliases":["CVE-2023-45853"],"summary":"zlib minizip overflow","affected":[{"package":{"ecosystem":"","name":"zlib","purl":"pkg:generic/zlib"},
	  "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.3.1"}]}]}]}`), 0o600))
	res := e.importFeed(t, "osv", service.FeedOSV, dir)
	if res.Vulns != 1 || res.NewFindings != 0 {
		t.Fatalf("OSV import: %+v", res)
	}
	after := findingsByVuln(t, e, "1.0.0")
	z := after["CVE-2023-45853 zlib"]
	if len(z.Advisories) != 2 || !z.FirstSeen.Equal(before["CVE-2023-45853 zlib"].FirstSeen) {
		t.Fatalf("zlib finding after a second record = %+v", z)
	}
	if len(after) != len(before) {
		t.Fatalf("findings %d → %d", len(before), len(after))
	}
}

func TestFeedImportRefusals(t *testing.T) {
	ctx := context.Background()
	e := newVulnEnv(t)
	owner := access.Principal{Kind: access.KindSession, UserID: "u", OrgID: e.p.OrgID, Role: access.Owner}
	_, err := e.svc.ImportFeed(ctx, owner, service.FeedSpec{Name: "nvd", Kind: service.FeedNVD, Location: demoNVD}, nil)
	wantKind(t, err, errs.PermissionDenied)

	_, err = e.svc.ImportFeed(ctx, e.sys, service.FeedSpec{Name: "bad name", Kind: "rss", Location: ""}, nil)
	if pe := errs.Public(err); pe.Kind != errs.Invalid || len(pe.Fields) != 3 {
		t.Fatalf("bad spec: %+v", pe)
	}

	// A malformed feed is refused and stores nothing.
	bad := filepath.Join(t.TempDir(), "bad.json")
	mustNil(t, os.WriteFile(bad, []byte(`{"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":`), 0o600))
	_, err = e.svc.ImportFeed(ctx, e.sys, service.FeedSpec{Name: "nvd", Kind: service.FeedNVD, Location: bad}, nil)
	wantKind(t, err, errs.Invalid)
	counts, err := e.svc.Store().Advisories().CountAdvisories(ctx)
	mustNil(t, err)
	if len(counts) != 0 {
		t.Fatalf("a refused feed stored %v", counts)
	}
	_, err = e.svc.ImportFeed(ctx, e.sys, service.FeedSpec{Name: "nvd", Kind: service.FeedNVD, Location: filepath.Join(t.TempDir(), "missing.json")}, nil)
	wantKind(t, err, errs.Invalid)
}

func TestFeedImportFromURL(t *testing.T) {
	body, err := os.ReadFile(demoNVD)
	mustNil(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/nvd.json" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	e := newVulnEnv(t)
	var phases []string
	res, err := e.svc.ImportFeed(context.Background(), e.sys, service.FeedSpec{Name: "nvd", Kind: service.FeedNVD, Location: srv.URL + "/nvd.json"},
		func(p service.ImportProgress) { phases = append(phases, p.Phase) })
	mustNil(t, err)
	if res.Stats.Records != 6 || res.Feed.Location != srv.URL+"/nvd.json" || phases[len(phases)-1] != "done" {
		t.Fatalf("URL import: %+v, phases %v", res, phases)
	}
	_, err = e.svc.ImportFeed(context.Background(), e.sys, service.FeedSpec{Name: "nvd2", Kind: service.FeedNVD, Location: srv.URL + "/missing"}, nil)
	wantKind(t, err, errs.Unavailable)
}

func TestFeedJobRunsInTheBackground(t *testing.T) {
	e := newVulnEnv(t)
	mustNil(t, e.svc.StartFeedImport(context.Background(), e.sys, service.FeedSpec{Name: "nvd", Kind: service.FeedNVD, Location: demoNVD}))
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		jobs := e.svc.FeedJobs(e.sys)
		if len(jobs) == 1 && jobs[0].Finished != nil {
			if jobs[0].Error != "" || jobs[0].Result.Stats.Records != 6 {
				t.Fatalf("job = %+v", jobs[0])
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the import did not finish")
}

func TestTriageFixedInAppliesFromThatRelease(t *testing.T) {
	ctx := context.Background()
	e := newVulnEnv(t)
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		e.attach(t, v, firmwareSBOM("1.35.0", "3.0.11", "1.3"))
	}
	e.importFeed(t, "nvd", service.FeedNVD, demoNVD)
	bb := findingsByVuln(t, e, "1.1.0")["CVE-2022-48174 busybox"]
	// The maintainer backported the fix into 1.1.0 without bumping busybox's version.
	_, err := e.svc.Triage(ctx, e.p, service.TriageRequest{VulnID: "CVE-2022-48174", ProductKey: e.prod.Slug, Version: "1.1.0",
		ComponentIndex: bb.Index, State: "fixed", FixedIn: "1.1.0", Note: "patched ash.c"})
	mustNil(t, err)
	want := map[string]string{"1.0.0": store.FindingAffected, "1.1.0": store.FindingFixed, "1.2.0": store.FindingFixed}
	for v, status := range want {
		if f := findingsByVuln(t, e, v)["CVE-2022-48174 busybox"]; f.Status != status {
			t.Errorf("%s: busybox finding %s, want %s", v, f.Status, status)
		}
	}
	_, err = e.svc.Triage(ctx, e.p, service.TriageRequest{VulnID: "CVE-2022-48174", ProductKey: e.prod.Slug, Version: "1.1.0",
		ComponentIndex: bb.Index, State: "fixed", FixedIn: "9.9.9"})
	if pe := errs.Public(err); pe.Kind != errs.Invalid || pe.Fields[0].Field != "fixed_in" {
		t.Fatalf("fixed in an unknown release: %v", err)
	}
}

func TestSBOMReplacement(t *testing.T) {
	ctx := context.Background()
	e := newVulnEnv(t)
	e.attach(t, "1.0.0", firmwareSBOM("1.35.0", "3.0.11", "1.3"))
	e.importFeed(t, "nvd", service.FeedNVD, demoNVD)
	before := findingsByVuln(t, e, "1.0.0")
	e.env.Clock.Advance(time.Hour)

	// The same components in another order: nothing is new.
	e.attach(t, "1.0.0", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
 {"type":"library","bom-ref":"zlib","name":"zlib","version":"1.3","purl":"pkg:generic/zlib@1.3","cpe":"cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*"},
 {"type":"library","bom-ref":"openssl","name":"openssl","version":"3.0.11","cpe":"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"},
 {"type":"library","bom-ref":"busybox","name":"busybox","version":"1.35.0","cpe":"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}]}`)
	after := findingsByVuln(t, e, "1.0.0")
	for k, f := range after {
		if !f.FirstSeen.Equal(before[k].FirstSeen) {
			t.Errorf("%s: first seen moved from %s to %s", k, before[k].FirstSeen, f.FirstSeen)
		}
	}
	// A fixed busybox removes its finding; the others stay.
	e.attach(t, "1.0.0", firmwareSBOM("1.36.1", "3.0.11", "1.3"))
	now := findingsByVuln(t, e, "1.0.0")
	if _, ok := now["CVE-2022-48174 busybox"]; ok || len(now) != 2 {
		t.Fatalf("findings after the fix = %v", now)
	}
	// An alias that names several vulnerabilities is refused as ambiguous;
	// the vulnerability's own id works.
	if _, err := e.svc.Vulnerability(ctx, e.p, "CVE-2023-5678"); err != nil {
		t.Fatal(err)
	}
}
