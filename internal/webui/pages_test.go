package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// TestMemberPages renders every member page for an owner and checks what
// every page must have: the security headers and the accessible structure.
func TestMemberPages(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	p := e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", true)
	e.product(o, "cam", "Camera", "CAM-1", "", false)
	b := e.browser()
	b.login(o.email[access.Owner])

	pages := []struct{ name, path, want string }{
		{"dashboard", "/ui/", "Products by support status"},
		{"products", "/ui/products", "Smart Plug"},
		{"products_search", "/ui/products?q=SP-2&published=yes", "Smart Plug"},
		{"new_product", "/ui/products/new", "Register a product"},
		{"product", "/ui/products/" + p.Slug, "Security updates until the end of June 2030"},
		{"product_by_id", "/ui/products/" + p.ID, "Smart Plug"},
		{"edit_product", "/ui/products/" + p.Slug + "/edit", `value="SP-200"`},
		{"devices", "/ui/devices", "devices match"},
		{"devices_of_product", "/ui/devices?product=" + p.Slug + "&serial_prefix=X", "0</strong> devices match"},
		{"import", "/ui/devices/import?product=" + p.Slug, "Import devices"},
		{"rollouts", "/ui/rollouts", "No rollouts yet."},
		{"rollouts_of_product", "/ui/rollouts?product=" + p.Slug, "Rollouts of Smart Plug, newest first"},
		{"vulnerabilities", "/ui/vulnerabilities", "No vulnerabilities found yet"},
		{"vulnerabilities_of_product", "/ui/vulnerabilities?product=" + p.Slug, "No vulnerabilities match this filter"},
		{"vex", "/ui/vulnerabilities/vex", "Upload a VEX document"},
		{"feeds", "/ui/feeds", "No advisory feed has been imported yet"},
		{"notifications", "/ui/notifications", "Add a webhook"},
		{"audit", "/ui/audit", "product.publish"},
		{"audit_filtered", "/ui/audit?action=product.&since=2026-01-01&until=2026-12-31", "product.create"},
		{"tokens", "/ui/tokens", "Create a token"},
		{"members", "/ui/members", "viewer@acme.example"},
		{"organisation", "/ui/organisation", "security@acme.example"},
		{"account", "/ui/account", "Change your password"},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			r := b.get(pg.path)
			wantStatus(t, pg.path, r, http.StatusOK)
			wantBody(t, pg.path, r, pg.want)
			checkPage(t, pg.path, r)
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store for a member page", cc)
			}
		})
	}
}

var (
	idRE       = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	attrRE     = regexp.MustCompile(`\b(id|type|aria-describedby)="([^"]*)"`)
	elementIDs = regexp.MustCompile(`\bid="([^"]+)"`)
)

// liveScriptRE is the one script element a page may hold: the live
// rollout script, by address, with the response's nonce.
var liveScriptRE = regexp.MustCompile(`<script src="/static/live\.js\?v=[0-9a-f]{12}" nonce="([A-Za-z0-9_-]{22})" defer></script>`)

// checkPage checks what every HTML page must carry: the CSP, the language,
// landmarks and a skip link, a label for every input, and
// aria-describedby pointing at elements that exist. A page may load the
// live rollout script, and then only with the nonce its CSP names.
func checkPage(t *testing.T, what string, r response) {
	t.Helper()
	csp := wantCSP
	if m := liveScriptRE.FindStringSubmatch(r.body); m != nil {
		csp = wantCSP + "; script-src 'nonce-" + m[1] + "'; connect-src 'self'"
		r.body = strings.Replace(r.body, m[0], "", 1)
	}
	if got := r.header.Get("Content-Security-Policy"); got != csp {
		t.Errorf("%s: Content-Security-Policy = %q, want %q", what, got, csp)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: Content-Type = %q", what, ct)
	}
	wantBody(t, what, r, `<html lang="en">`, `<header`, `<nav`, `<main id="main"`, `href="#main"`)
	notBody(t, what, r, "<script", "style=", "ZgotmplZ")
	ids := map[string]bool{}
	for _, m := range elementIDs.FindAllStringSubmatch(r.body, -1) {
		if ids[m[1]] {
			t.Errorf("%s: id %q is used twice", what, m[1])
		}
		ids[m[1]] = true
	}
	for _, tag := range idRE.FindAllString(r.body, -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(tag, -1) {
			attrs[a[1]] = a[2]
		}
		if attrs["type"] == "hidden" {
			continue
		}
		id := attrs["id"]
		if id == "" || !strings.Contains(r.body, `for="`+id+`"`) {
			t.Errorf("%s: no label for %s", what, tag)
		}
		for _, ref := range strings.Fields(attrs["aria-describedby"]) {
			if !ids[ref] {
				t.Errorf("%s: %s is described by missing element %q", what, tag, ref)
			}
		}
	}
}

// TestViewerCannotWrite checks that the pages leave authorization to the
// service: a viewer's writes get the 403 page and change nothing.
func TestViewerCannotWrite(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	p := e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", false)
	b := e.browser()
	b.login(o.email[access.Viewer])

	viewerPage := b.get("/ui/products/" + p.Slug)
	wantStatus(t, "product page", viewerPage, http.StatusOK)
	notBody(t, "viewer's product page", viewerPage, "Save support period", ">Publish<", "Delete Smart Plug")
	token := csrfToken(t, viewerPage.body)

	writes := []struct {
		name, path string
		form       url.Values
	}{
		{"create_product", "/ui/products", url.Values{"name": {"X"}, "model_designation": {"X-1"}, "category": {"Toy"}}},
		{"edit_product", "/ui/products/plug/edit", url.Values{"name": {"X"}, "model_designation": {"X-1"}, "category": {"Toy"}}},
		{"publish", "/ui/products/plug/publish", url.Values{"published": {"true"}}},
		{"delete", "/ui/products/plug/delete", nil},
		{"support_period", "/ui/products/plug/support", url.Values{"end_month": {"2031-01"}}},
		{"hardware", "/ui/products/plug/hardware", url.Values{"name": {"rev-C"}}},
		{"release", "/ui/products/plug/releases", url.Values{"version": {"9.9"}, "released_at": {"2026-05-01"}}},
		{"add_member", "/ui/members", url.Values{"email": {"x@acme.example"}, "name": {"X"}, "role": {"owner"}}},
		{"organisation", "/ui/organisation", url.Values{"name": {"Hijacked"}}},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range w.form {
				form[k] = v
			}
			form.Set("csrf_token", token)
			r := b.post(w.path, form)
			wantStatus(t, w.path, r, http.StatusForbidden)
			checkPage(t, w.path, r)
			wantBody(t, w.path, r, "You are not allowed to do this")
		})
	}
	wantStatus(t, "audit log", b.get("/ui/audit"), http.StatusForbidden)

	got, err := e.svc.Product(context.Background(), o.sys, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Published || got.Name != p.Name || got.SupportEnd.String() != "2030-06" {
		t.Errorf("a viewer changed the product: %+v", got)
	}
}

// TestTenantIsolation checks that a member of one organisation cannot
// reach another's products through the pages.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t, webui.Config{})
	a, other := e.org("acme"), e.org("globex")
	theirs := e.product(other, "globex-hub", "Globex Hub", "GH-1", "2030-01", false)
	b := e.browser()
	b.login(a.email[access.Owner])
	token := csrfToken(t, b.get("/ui/").body)

	for _, path := range []string{"/ui/products/" + theirs.Slug, "/ui/products/" + theirs.ID, "/ui/products/" + theirs.Slug + "/edit", "/ui/devices?product=" + theirs.Slug} {
		r := b.get(path)
		wantStatus(t, path, r, http.StatusNotFound)
		checkPage(t, path, r)
		notBody(t, path, r, "Globex Hub")
	}
	for _, path := range []string{"/ui/products/" + theirs.Slug + "/support", "/ui/products/" + theirs.Slug + "/delete", "/ui/products/" + theirs.Slug + "/publish"} {
		r := b.post(path, url.Values{"csrf_token": {token}, "end_month": {"2020-01"}, "published": {"true"}})
		wantStatus(t, path, r, http.StatusNotFound)
	}
	got, err := e.svc.Product(context.Background(), other.sys, theirs.ID)
	if err != nil || got.SupportEnd.String() != "2030-01" {
		t.Errorf("the other organisation's product changed: %+v %v", got, err)
	}
}

func TestMethodsAndMissingPages(t *testing.T) {
	e := newEnv(t, webui.Config{})
	b := e.browser()
	cases := []struct {
		method, path string
		want         int
		allow        string
	}{
		{"PUT", "/ui/products", http.StatusMethodNotAllowed, "GET, POST"},
		{"DELETE", "/", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"PATCH", "/login", http.StatusMethodNotAllowed, "GET, POST"},
		{"POST", "/public/products", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"GET", "/no/such/page", http.StatusNotFound, ""},
		{"GET", "/logout", http.StatusMethodNotAllowed, "POST"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, e.url+tc.path, nil)
		r := b.do(req)
		if r.status != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, r.status, tc.want)
		}
		if got := r.header.Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow = %q, want %q", tc.method, tc.path, got, tc.allow)
		}
		checkPage(t, tc.method+" "+tc.path, r)
	}
	css := b.get("/static/style.css")
	wantStatus(t, "style sheet", css, http.StatusOK)
	if !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("style sheet Content-Type = %q", css.header.Get("Content-Type"))
	}
}

// TestInternalErrorPage checks that an internal failure shows only
// "Something went wrong" and the request ID.
func TestInternalErrorPage(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	b := e.browser()
	b.login(o.email[access.Owner])
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	r := b.get("/ui/products")
	wantStatus(t, "products with the database closed", r, http.StatusInternalServerError)
	checkPage(t, "error page", r)
	id := r.header.Get("X-Request-Id")
	wantBody(t, "error page", r, "Something went wrong", id)
	notBody(t, "error page", r, "sql", "database is closed")
}

// TestFlashIsNotReflected checks that ?done= shows only fixed messages.
func TestFlashIsNotReflected(t *testing.T) {
	e := newEnv(t, webui.Config{})
	r := e.browser().get("/?done=" + url.QueryEscape("<b>owned</b>"))
	wantStatus(t, "landing", r, http.StatusOK)
	notBody(t, "landing", r, "owned")
	r = e.browser().get("/login?done=signed_out")
	wantBody(t, "login", r, "You have signed out.")
}

// TestOrganisationSwitcher checks that a member of two organisations can
// move between them.
func TestOrganisationSwitcher(t *testing.T) {
	e := newEnv(t, webui.Config{})
	a, other := e.org("acme"), e.org("globex")
	email := a.email[access.Maintainer]
	if _, _, err := e.svc.AddMember(context.Background(), other.sys, service.NewMember{Email: email, Role: access.Viewer}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login(email)
	dash := b.get("/ui/")
	wantBody(t, "dashboard", dash, `<select id="switch-org" name="org">`, "Org globex")
	r := b.post("/ui/switch-org", url.Values{"csrf_token": {csrfToken(t, dash.body)}, "org": {other.ID}})
	wantStatus(t, "switch", r, http.StatusSeeOther)
	dash = b.get(r.header.Get("Location"))
	wantBody(t, "dashboard after switching", dash, "<h1>Org globex</h1>", "You switched organisation", "Your role:</span> viewer")

	// Only organisations the user belongs to.
	stranger := e.org("initech")
	r = b.post("/ui/switch-org", url.Values{"csrf_token": {csrfToken(t, dash.body)}, "org": {stranger.ID}})
	wantStatus(t, "switch to a stranger", r, http.StatusNotFound)
}
