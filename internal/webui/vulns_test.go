package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// webpCVE is the NVD fixture's vulnerability: libwebp before 1.3.2, in
// the CISA catalogue of exploited vulnerabilities.
const webpCVE = "CVE-2023-4863"

// nvdFixture is the path of a real NVD record in package nvd's test data.
func nvdFixture(name string) string {
	return filepath.Join("..", "advisory", "nvd", "testdata", name)
}

// importNVD imports the NVD record of CVE-2023-4863 as the operator.
func (e *env) importNVD() {
	e.t.Helper()
	spec := service.FeedSpec{Name: "nvd", Kind: service.FeedNVD, Location: nvdFixture(webpCVE + ".json")}
	if _, err := e.svc.ImportFeed(context.Background(), access.System("test"), spec, nil); err != nil {
		e.t.Fatal(err)
	}
}

// webpSBOM is a small CycloneDX SBOM of firmware carrying libwebp at
// version, named by the CPE the NVD record's configuration uses, and zlib,
// which no advisory names.
func webpSBOM(version string) string {
	return `{
  "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "metadata": {"component": {"type": "firmware", "name": "plug-firmware"}},
  "components": [
    {"type": "library", "bom-ref": "libwebp", "name": "libwebp", "version": "` + version + `",
     "purl": "pkg:generic/libwebp@` + version + `", "cpe": "cpe:2.3:a:webmproject:libwebp:` + version + `:*:*:*:*:*:*:*"},
    {"type": "library", "bom-ref": "zlib", "name": "zlib", "version": "1.3.1", "purl": "pkg:generic/zlib@1.3.1"}
  ]
}`
}

// releaseWithWebP records a release of product and, unless webp is empty, attaches
// an SBOM carrying libwebp at that version.
func (e *env) releaseWithWebP(o org, product, version string, at time.Time, webp string) {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.svc.CreateRelease(ctx, o.sys, product, registry.Release{Version: version, ReleasedAt: at}); err != nil {
		e.t.Fatal(err)
	}
	if webp != "" {
		if _, err := e.svc.AttachSBOM(ctx, o.sys, product, version, strings.NewReader(webpSBOM(webp))); err != nil {
			e.t.Fatal(err)
		}
	}
}

// devicesOn registers n devices of product running version.
func (e *env) devicesOn(o org, product, prefix, version string, n int) {
	e.t.Helper()
	for i := range n {
		d := registry.Device{Serial: prefix + "-" + string(rune('A'+i)), InstalledVersion: version}
		if _, _, err := e.svc.PutDevice(context.Background(), o.sys, product, d); err != nil {
			e.t.Fatal(err)
		}
	}
}

// vulnFixture gives o a product "plug" in support with releases 2.0.0 and
// 2.1.0 carrying libwebp 1.3.1 (affected) and 2.2.0 carrying 1.3.2 (fixed),
// three devices on 2.0.0 and one on 2.2.0, and imports the NVD record.
func (e *env) vulnFixture(o org) {
	e.t.Helper()
	e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", false)
	e.releaseWithWebP(o, "plug", "2.0.0", start.AddDate(0, -3, 0), "1.3.1")
	e.releaseWithWebP(o, "plug", "2.2.0", start.AddDate(0, -1, 0), "1.3.2")
	e.devicesOn(o, "plug", "SN", "2.0.0", 3)
	e.devicesOn(o, "plug", "NEW", "2.2.0", 1)
	e.importNVD()
}

// TestVulnerabilityPages finds CVE-2023-4863 in a release's SBOM and shows
// it on the portfolio, on its own page, on the release's SBOM page and on
// the page of a device running the release.
func TestVulnerabilityPages(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	b := e.browser()
	b.login(o.email[access.Viewer])

	t.Run("empty", func(t *testing.T) {
		r := b.get("/ui/vulnerabilities")
		wantStatus(t, "empty portfolio", r, http.StatusOK)
		wantBody(t, "empty portfolio", r, "No vulnerabilities found yet", "attached to each release", "advisory feeds page", "None has been imported yet",
			`href="/ui/feeds"`, `href="/ui/vulnerabilities" aria-current="page">Vulnerabilities</a>`)
		checkPage(t, "empty portfolio", r)
	})

	e.vulnFixture(o)

	t.Run("portfolio", func(t *testing.T) {
		r := b.get("/ui/vulnerabilities")
		wantStatus(t, "portfolio", r, http.StatusOK)
		wantBody(t, "portfolio", r,
			`<a href="/ui/vulnerabilities/CVE-2023-4863">CVE-2023-4863</a>`,
			`<span class="sev sev-high">high 8.8</span>`,
			`<span class="badge badge-exploited"><span aria-hidden="true">!</span> Exploited</span>`,
			`<a href="/ui/products/plug">Smart Plug</a> <span class="muted">(2.0.0)</span>`,
			`<td class="num">3</td>`,
			"2.2.0 — 1 of 4 devices",
			`<progress max="4" value="1" aria-label="Smart Plug: devices on 2.2.0 or later, 1 of 4">`,
			`<span class="number">1</span> open vulnerability`,
			`<span class="number">1</span> known to be exploited`,
			`<span class="number">3</span> devices in support exposed`,
		)
		notBody(t, "portfolio", r, "No vulnerabilities found yet")
		checkPage(t, "portfolio", r)
	})

	t.Run("filters", func(t *testing.T) {
		r := b.get("/ui/vulnerabilities?product=plug&include_resolved=on")
		wantStatus(t, "filtered", r, http.StatusOK)
		wantBody(t, "filtered", r, "Vulnerabilities in Smart Plug (SP-200)", `<option value="plug" selected>`, `id="filter-include_resolved" name="include_resolved" type="checkbox" value="on" checked`, "CVE-2023-4863")
		checkPage(t, "filtered", r)

		e.product(o, "cam", "Camera", "CAM-1", "2030-06", false)
		r = b.get("/ui/vulnerabilities?product=cam")
		wantStatus(t, "other product", r, http.StatusOK)
		wantBody(t, "other product", r, "No vulnerabilities match this filter")
		notBody(t, "other product", r, "CVE-2023-4863</a>")
		wantStatus(t, "unknown product", b.get("/ui/vulnerabilities?product=nothing"), http.StatusNotFound)
	})

	t.Run("detail", func(t *testing.T) {
		r := b.get("/ui/vulnerabilities/" + webpCVE)
		wantStatus(t, "detail", r, http.StatusOK)
		wantBody(t, "detail", r,
			"<h1>CVE-2023-4863</h1>",
			"from nvd",
			"Heap buffer overflow in libwebp",
			"CVSS_V3", "<code class=\"hash\">CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H</code>",
			"Listed in the CISA catalogue on 13 Sep 2023; remediation due 4 Oct 2023",
			"Required action: Apply mitigations per vendor instructions",
			`rel="noopener noreferrer"`,
			// Exposure per product.
			`<th scope="row"><a href="/ui/products/plug">Smart Plug</a></th>`, "<td>2.0.0</td>", "2.2.0 — 1 of 4 devices",
			// The finding and why it matched.
			`<a href="/ui/products/plug/releases/2.0.0/sbom">2.0.0</a>`, `<th scope="row">libwebp 1.3.1</th>`, "Open",
			"cpe:2.3:a:webmproject:libwebp:1.3.1:*:*:*:*:*:*:* matches",
		)
		// A viewer reads, but may not triage.
		notBody(t, "viewer's detail", r, `action="/ui/vulnerabilities/CVE-2023-4863/triage"`, "Record the decision")
		checkPage(t, "detail", r)
		for _, href := range hrefs(r.body) {
			if strings.Contains(href, "://") && !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") {
				t.Errorf("a reference links to %q", href)
			}
		}
		wantStatus(t, "unknown vulnerability", b.get("/ui/vulnerabilities/CVE-1999-0001"), http.StatusNotFound)
	})

	t.Run("sbom_page", func(t *testing.T) {
		r := b.get("/ui/products/plug/releases/2.0.0/sbom")
		wantStatus(t, "sbom page", r, http.StatusOK)
		wantBody(t, "sbom page", r, `<h2 id="vulnerabilities">Vulnerabilities</h2>`, "1 of 1 finding is open",
			`<a href="/ui/vulnerabilities/CVE-2023-4863">CVE-2023-4863</a>`, `<td>libwebp 1.3.1</td>`, `<span class="sev sev-high">high 8.8</span>`, "libwebp:1.3.1")
		checkPage(t, "sbom page", r)
		fixed := b.get("/ui/products/plug/releases/2.2.0/sbom")
		wantBody(t, "fixed release's sbom page", fixed, "No published vulnerability is known in this release's components")
		notBody(t, "fixed release's sbom page", fixed, "CVE-2023-4863")
	})

	t.Run("device_page", func(t *testing.T) {
		r := b.get("/ui/devices/plug/SN-A")
		wantStatus(t, "device", r, http.StatusOK)
		wantBody(t, "device", r, "Open vulnerabilities", "1 open vulnerability is known in release 2.0.0", `<a href="/ui/vulnerabilities/CVE-2023-4863">CVE-2023-4863</a>`)
		checkPage(t, "device", r)
		r = b.get("/ui/devices/plug/NEW-A")
		wantBody(t, "fixed device", r, "No open vulnerability is known in release 2.2.0")
	})

	t.Run("product_page", func(t *testing.T) {
		wantBody(t, "product", b.get("/ui/products/plug"), `<a href="/ui/vulnerabilities?product=plug">`)
	})
}

// hrefs lists the link targets of a page.
func hrefs(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `href="`)[1:] {
		out = append(out, part[:strings.IndexByte(part, '"')])
	}
	return out
}

// TestTriage records decisions through the form on a vulnerability's page:
// a bad one shows its errors on the form, a good one resolves the finding
// and carries over to the same component in a later release.
func TestTriage(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.vulnFixture(o)
	b := e.browser()
	b.login(o.email[access.Maintainer])
	page := "/ui/vulnerabilities/" + webpCVE
	action := page + "/triage"

	r := b.get(page)
	wantBody(t, "maintainer's detail", r, `action="`+action+`"`, `id="triage-0-state"`, `id="triage-0-justification"`, `name="component" value="0"`,
		`name="product" value="plug"`, `name="release" value="2.0.0"`, "Record the decision")
	checkPage(t, "maintainer's detail", r)

	key := func(form url.Values) url.Values {
		form.Set("product", "plug")
		form.Set("release", "2.0.0")
		form.Set("component", "0")
		return form
	}
	cases := []struct {
		name string
		form url.Values
		want []string
	}{
		{"no_state", url.Values{}, []string{`id="triage-0-state-error"`, "Decision must be one of"}},
		{"not_affected_without_reason", url.Values{"state": {"not_affected"}, "note": {"checked the build"}},
			[]string{`id="triage-0-justification-error"`, "is required when the state is not_affected", ">checked the build</textarea>"}},
		{"fixed_without_release", url.Values{"state": {"fixed"}}, []string{`id="triage-0-fixed_in-error"`}},
		{"fixed_in_unknown_release", url.Values{"state": {"fixed"}, "fixed_in": {"9.9.9"}}, []string{`id="triage-0-fixed_in-error"`, "is not a release of Smart Plug", `value="9.9.9"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := b.submit(page, action, key(tc.form))
			wantStatus(t, tc.name, r, http.StatusBadRequest)
			wantBody(t, tc.name, r, append(tc.want, `<details id="triage-0" class="triage" open>`, `role="alert"`)...)
			checkPage(t, tc.name, r)
		})
	}
	t.Run("unknown_finding", func(t *testing.T) {
		form := key(url.Values{"state": {"affected"}})
		form.Set("component", "7")
		wantStatus(t, "unknown finding", b.submit(page, action, form), http.StatusNotFound)
	})
	t.Run("viewer", func(t *testing.T) {
		v := e.browser()
		v.login(o.email[access.Viewer])
		r := v.submit(page, action, key(url.Values{"state": {"false_positive"}}))
		wantStatus(t, "viewer triage", r, http.StatusForbidden)
	})

	r = b.submit(page, action, key(url.Values{"state": {"not_affected"}, "justification": {"vulnerable_code_not_in_execute_path"}, "note": {"The firmware never decodes WebP images."}}))
	wantStatus(t, "triage", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != page+"?done=triaged#findings" {
		t.Fatalf("triage redirected to %q", loc)
	}
	r = b.get(r.header.Get("Location"))
	wantBody(t, "triaged", r, "The decision was recorded.", "Not affected", "The vulnerable code is never run", "Decided by triage",
		"Triage history", "by maintainer@acme.example", "The firmware never decodes WebP images.", "libwebp 1.3.1 in release 2.0.0", "Resolved in your releases")
	checkPage(t, "triaged", r)

	// Resolved: the portfolio leaves it out unless asked.
	wantBody(t, "resolved portfolio", b.get("/ui/vulnerabilities"), `<span class="number">0</span> open vulnerabilities`, "No vulnerabilities found yet")
	wantBody(t, "resolved included", b.get("/ui/vulnerabilities?include_resolved=on"), "CVE-2023-4863</a>", "Resolved</span>")

	// The same component in a new release carries the decision.
	e.releaseWithWebP(o, "plug", "2.1.0", start.AddDate(0, -2, 0), "1.3.1")
	r = b.get("/ui/products/plug/releases/2.1.0/sbom")
	wantBody(t, "carried over", r, "0 of 1 finding is open", "Not affected", "The vulnerable code is never run", "Decided by triage")
	r = b.get(page)
	wantBody(t, "carried over on detail", r, `<a href="/ui/products/plug/releases/2.1.0/sbom">2.1.0</a>`)
	notBody(t, "carried over on detail", r, "Open in your releases")
}

// TestVulnerabilityTenants checks that a vulnerability's page shows any
// member its public advisory data, but only their own organisation's
// findings.
func TestVulnerabilityTenants(t *testing.T) {
	e := newEnv(t, webui.Config{})
	acme := e.org("acme")
	e.vulnFixture(acme)
	other := e.org("globex")
	b := e.browser()
	b.login(other.email[access.Owner])

	r := b.get("/ui/vulnerabilities/" + webpCVE)
	wantStatus(t, "other org's detail", r, http.StatusOK)
	wantBody(t, "other org's detail", r, "<h1>CVE-2023-4863</h1>", "Heap buffer overflow in libwebp", "No finding in your organisation's releases")
	notBody(t, "other org's detail", r, "Smart Plug", "2.0.0", "/ui/products/plug", "triage-0")
	checkPage(t, "other org's detail", r)

	r = b.get("/ui/vulnerabilities")
	wantBody(t, "other org's portfolio", r, "No vulnerabilities found yet")
	notBody(t, "other org's portfolio", r, "CVE-2023-4863")

	wantStatus(t, "other org's SBOM page", b.get("/ui/products/plug/releases/2.0.0/sbom"), http.StatusNotFound)
	r = b.submit("/ui/vulnerabilities/"+webpCVE, "/ui/vulnerabilities/"+webpCVE+"/triage",
		url.Values{"product": {"plug"}, "release": {"2.0.0"}, "component": {"0"}, "state": {"false_positive"}})
	wantStatus(t, "other org's triage", r, http.StatusNotFound)
}

// TestVEXUpload uploads an OpenVEX document through the streaming form:
// its statement resolves the finding it names.
func TestVEXUpload(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.vulnFixture(o)
	b := e.browser()
	b.login(o.email[access.Maintainer])

	page := b.get("/ui/vulnerabilities/vex")
	wantStatus(t, "vex page", page, http.StatusOK)
	wantBody(t, "vex page", page, "No VEX document has been uploaded yet", `enctype="multipart/form-data"`, `id="vex-file"`, "up to 16 MiB")
	checkPage(t, "vex page", page)
	csrf := [][2]string{{"csrf_token", csrfToken(t, page.body)}}

	r := b.upload("/ui/vulnerabilities/vex", csrf, "", "application/json", nil)
	wantStatus(t, "no file", r, http.StatusBadRequest)
	wantBody(t, "no file", r, `id="vex-file-error"`, "choose the VEX document")
	checkPage(t, "no file", r)

	r = b.upload("/ui/vulnerabilities/vex", csrf, "notes.txt", "text/plain", []byte("not a VEX document"))
	wantStatus(t, "not vex", r, http.StatusBadRequest)
	wantBody(t, "not vex", r, `id="vex-file-error"`, "was refused", "Nothing was changed")

	r = b.upload("/ui/vulnerabilities/vex", nil, "plug.openvex.json", "application/json", []byte(openVEX))
	wantStatus(t, "no token", r, http.StatusForbidden)

	// A real document from the OpenVEX project names other components, so
	// it is kept and changes nothing here.
	real, err := os.ReadFile(filepath.Join("..", "vex", "vexdoc", "testdata", "openvex-v0.2.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	r = b.upload("/ui/vulnerabilities/vex", csrf, "openvex-v0.2.0.json", "application/json", real)
	wantStatus(t, "real document", r, http.StatusSeeOther)

	r = b.upload("/ui/vulnerabilities/vex", append(csrf, [2]string{"name", "Plug firmware VEX"}), "plug.openvex.json", "application/json", []byte(openVEX))
	wantStatus(t, "upload", r, http.StatusSeeOther)
	r = b.get(r.header.Get("Location"))
	wantBody(t, "uploaded", r, "The VEX document was uploaded", `<th scope="row">Plug firmware VEX</th>`, `<th scope="row">openvex-v0.2.0.json</th>`, "<code>openvex</code>")
	checkPage(t, "uploaded", r)

	r = b.get("/ui/vulnerabilities/" + webpCVE)
	wantBody(t, "after vex", r, "Not affected", "The component is not present", "Decided by a VEX statement")

	v := e.browser()
	v.login(o.email[access.Viewer])
	vp := v.get("/ui/vulnerabilities/vex")
	wantBody(t, "viewer's vex page", vp, "Plug firmware VEX")
	notBody(t, "viewer's vex page", vp, `id="vex-file"`)
	r = v.upload("/ui/vulnerabilities/vex", [][2]string{{"csrf_token", csrfToken(t, vp.body)}}, "plug.openvex.json", "application/json", []byte(openVEX))
	wantStatus(t, "viewer upload", r, http.StatusForbidden)
}

// openVEX says the plug's libwebp is not affected by CVE-2023-4863.
const openVEX = `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://acme.example/vex/plug-1",
  "author": "Acme Security <security@acme.example>",
  "timestamp": "2026-05-01T10:00:00Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": {"name": "CVE-2023-4863"},
      "products": [{"@id": "pkg:generic/libwebp@1.3.1"}],
      "status": "not_affected",
      "justification": "component_not_present"
    }
  ]
}`
