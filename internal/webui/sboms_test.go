package webui_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// sbomFixture reads a real SBOM from package sbom's test data.
func sbomFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "sbom", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sbomFormat is the format of a release's SBOM, or "" when it has none.
func (e *env) sbomFormat(o org, product, version string) string {
	e.t.Helper()
	b, _, err := e.svc.ReleaseSBOM(context.Background(), o.sys, product, version)
	if errs.Is(err, errs.NotFound) {
		return ""
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return b.Format
}

// TestReleaseSBOMForms attaches real SBOMs to a release through the
// streaming form, shows their summary on the release's card and their
// components on a page of their own, and refuses files that are not SBOMs.
func TestReleaseSBOMForms(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", true)
	if _, err := e.svc.CreateRelease(context.Background(), o.sys, "plug", registry.Release{Version: "2.0.0", ReleasedAt: start.AddDate(0, -1, 0)}); err != nil {
		t.Fatal(err)
	}
	const action = `action="/ui/products/plug/releases/2.0.0/sbom"`
	const link = `href="/ui/products/plug/releases/2.0.0/sbom"`
	b := e.browser()
	b.login(o.email[access.Maintainer])
	page := b.get("/ui/products/plug")
	wantBody(t, "no SBOM", page, "<dt>SBOM</dt><dd>None attached</dd>", action, "Attach an SBOM", `id="sbom-0-file"`, "up to 64 MiB")
	notBody(t, "no SBOM", page, link)
	checkPage(t, "no SBOM", page)
	csrf := [][2]string{{"csrf_token", csrfToken(t, page.body)}}

	t.Run("no_sbom_page", func(t *testing.T) {
		wantStatus(t, "no SBOM page", b.get("/ui/products/plug/releases/2.0.0/sbom"), http.StatusNotFound)
	})

	yocto := sbomFixture(t, "yocto-core-image-minimal.spdx3.json")
	cases := []struct {
		name     string
		fields   [][2]string
		filename string
		file     []byte
		status   int
		want     []string
	}{
		{"no_file", csrf, "", nil, http.StatusBadRequest, []string{`id="sbom-0-file-error"`, "SBOM for 2.0.0 choose the SBOM file", `role="alert"`}},
		{"not_an_sbom", csrf, "notes.txt", []byte("These are release notes, not an SBOM.\n"), http.StatusBadRequest,
			[]string{`id="sbom-0-file-error"`, "was refused: unknown format (not CycloneDX, SPDX JSON, SPDX tag-value or SPDX 3 JSON-LD)", "Nothing was changed", `role="alert"`}},
		{"other_json", csrf, "package.json", []byte(`{"name": "plug", "version": "2.0.0"}`), http.StatusBadRequest,
			[]string{`id="sbom-0-file-error"`, "was refused: unknown JSON format"}},
		{"no_form_token", nil, "sbom.json", yocto, http.StatusForbidden, []string{"This form has expired"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := b.upload("/ui/products/plug/releases/2.0.0/sbom", tc.fields, tc.filename, "application/json", tc.file)
			wantStatus(t, tc.name, r, tc.status)
			wantBody(t, tc.name, r, tc.want...)
			checkPage(t, tc.name, r)
			if f := e.sbomFormat(o, "plug", "2.0.0"); f != "" {
				t.Fatalf("a refused upload attached an SBOM: %s", f)
			}
		})
	}
	t.Run("unknown_release", func(t *testing.T) {
		r := b.upload("/ui/products/plug/releases/9.9.9/sbom", csrf, "sbom.json", "application/json", yocto)
		wantStatus(t, "unknown release", r, http.StatusNotFound)
	})

	t.Run("attach", func(t *testing.T) {
		r := b.upload("/ui/products/plug/releases/2.0.0/sbom", csrf, "core-image-minimal.spdx.json", "application/json", yocto)
		wantStatus(t, "attach", r, http.StatusSeeOther)
		if f := e.sbomFormat(o, "plug", "2.0.0"); f != "spdx-3.0.1-json-ld" {
			t.Fatalf("attached format %q", f)
		}
		page := b.get(r.header.Get("Location"))
		wantBody(t, "attached", page, "The SBOM was attached", "<dd><code>spdx-3.0.1-json-ld</code>, 6 components, 2 VEX statements, uploaded 1 Jun 2026",
			link, "Replace the SBOM", action)
		checkPage(t, "attached", page)
	})

	t.Run("refused_file_changes_nothing", func(t *testing.T) {
		r := b.upload("/ui/products/plug/releases/2.0.0/sbom", csrf, "notes.txt", "text/plain", []byte("not an SBOM"))
		wantStatus(t, "refused", r, http.StatusBadRequest)
		wantBody(t, "refused", r, "was refused: unknown format", "Nothing was changed", "<code>spdx-3.0.1-json-ld</code>, 6 components")
		if f := e.sbomFormat(o, "plug", "2.0.0"); f != "spdx-3.0.1-json-ld" {
			t.Fatalf("a refused upload changed the SBOM to %q", f)
		}
	})

	t.Run("components_page", func(t *testing.T) {
		page := b.get("/ui/products/plug/releases/2.0.0/sbom")
		wantStatus(t, "components", page, http.StatusOK)
		wantBody(t, "components", page, "<h1>SBOM of Smart Plug 2.0.0</h1>", `<th scope="row">libz1</th>`, "<td>1.3.1</td>",
			"<code>cpe:2.3:*:zlib:zlib:1.3.1:*:*:*:*:*:*:*</code><br><code>cpe:2.3:*:gnu:zlib:1.3.1:*:*:*:*:*:*:*</code>")
		checkPage(t, "components", page)
	})

	t.Run("owner_replaces", func(t *testing.T) {
		ob := e.browser()
		ob.login(o.email[access.Owner])
		tok := csrfToken(t, ob.get("/ui/products/plug").body)
		r := ob.upload("/ui/products/plug/releases/2.0.0/sbom", [][2]string{{"csrf_token", tok}}, "alpine.cdx.json", "application/json", sbomFixture(t, "syft-alpine.cdx15.json"))
		wantStatus(t, "owner attach", r, http.StatusSeeOther)
		wantBody(t, "owner attached", ob.get("/ui/products/plug"), "<code>cyclonedx-1.5-json</code>, 6 components, 0 VEX statements")
		page := ob.get("/ui/products/plug/releases/2.0.0/sbom")
		wantBody(t, "cdx components", page, `<th scope="row">busybox</th>`, "<td>1.36.1-r29</td>",
			"<code>pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&amp;distro=alpine-3.20.3</code>", "<code>cpe:2.3:a:busybox:busybox:1.36.1-r29:*:*:*:*:*:*:*</code>")
	})

	t.Run("buildroot", func(t *testing.T) {
		ob := e.browser()
		ob.login(o.email[access.Owner])
		tok := csrfToken(t, ob.get("/ui/products/plug").body)
		r := ob.upload("/ui/products/plug/releases/2.0.0/sbom", [][2]string{{"csrf_token", tok}}, "bom.json", "application/json", sbomFixture(t, "buildroot-2024.11.1.cdx.json"))
		wantStatus(t, "buildroot attach", r, http.StatusSeeOther)
		wantBody(t, "buildroot attached", ob.get("/ui/products/plug"), "<code>cyclonedx-1.6-json</code>, 20 components, 4 VEX statements")
		page := ob.get("/ui/products/plug/releases/2.0.0/sbom")
		wantBody(t, "buildroot components", page, `<th scope="row">busybox</th>`, "<code>cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*</code>",
			"<code>cpe:2.3:a:libconfuse_project:libconfuse:3.3:*:*:*:*:*:*:*</code>")
		r = ob.upload("/ui/products/plug/releases/2.0.0/sbom", [][2]string{{"csrf_token", tok}}, "alpine.cdx.json", "application/json", sbomFixture(t, "syft-alpine.cdx15.json"))
		wantStatus(t, "back to alpine", r, http.StatusSeeOther)
	})

	t.Run("viewer_sees_no_form", func(t *testing.T) {
		v := e.browser()
		v.login(o.email[access.Viewer])
		page := v.get("/ui/products/plug")
		wantBody(t, "viewer", page, "<code>cyclonedx-1.5-json</code>, 6 components", link)
		notBody(t, "viewer", page, action, "Attach an SBOM", "Replace the SBOM")
		wantBody(t, "viewer components", v.get("/ui/products/plug/releases/2.0.0/sbom"), `<th scope="row">busybox</th>`)
		r := v.upload("/ui/products/plug/releases/2.0.0/sbom", [][2]string{{"csrf_token", csrfToken(t, page.body)}}, "sbom.json", "application/json", yocto)
		wantStatus(t, "viewer attach", r, http.StatusForbidden)
		if f := e.sbomFormat(o, "plug", "2.0.0"); f != "cyclonedx-1.5-json" {
			t.Fatalf("a viewer changed the SBOM to %q", f)
		}
	})
}
