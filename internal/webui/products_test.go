package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// TestProductWorkflow walks a product's life through the forms, as a
// maintainer would: register, declare, publish, extend, refuse and force a
// shortening, add revisions and releases, edit, and delete.
func TestProductWorkflow(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	b := e.browser()
	b.login(o.email[access.Maintainer])

	// step posts a form from the product's page and follows the redirect.
	step := func(t *testing.T, action string, form url.Values, wantDone string) response {
		t.Helper()
		r := b.submit("/ui/products/plug", action, form)
		wantStatus(t, action, r, http.StatusSeeOther)
		loc := r.header.Get("Location")
		if !strings.Contains(loc, "done="+wantDone) {
			t.Fatalf("%s: Location %q lacks done=%s", action, loc, wantDone)
		}
		page := b.get(loc)
		wantStatus(t, loc, page, http.StatusOK)
		return page
	}

	t.Run("invalid_product_keeps_input", func(t *testing.T) {
		r := b.submit("/ui/products/new", "/ui/products", url.Values{"name": {"Smart Plug"}, "slug": {"plug"}, "category": {"Smart plug"}, "description": {"A <plug>"}})
		wantStatus(t, "no model designation", r, http.StatusBadRequest)
		wantBody(t, "no model designation", r,
			`value="Smart Plug"`, `value="plug"`, "A &lt;plug&gt;</textarea>",
			`id="product-model_designation-error"`, `aria-describedby="product-model_designation-hint product-model_designation-error"`, `aria-invalid="true"`,
			"Model designation is required")
		checkPage(t, "invalid product", r)
	})
	t.Run("create", func(t *testing.T) {
		r := b.submit("/ui/products/new", "/ui/products", url.Values{"name": {"Smart Plug"}, "slug": {"plug"}, "model_designation": {"SP-200"}, "category": {"Smart plug"}})
		wantStatus(t, "create", r, http.StatusSeeOther)
		if got := r.header.Get("Location"); got != "/ui/products/plug?done=product_created" {
			t.Fatalf("Location = %q", got)
		}
		wantBody(t, "new product", b.get("/ui/products/plug"), "Not published", "No support period has been declared yet")
	})
	t.Run("duplicate_slug", func(t *testing.T) {
		r := b.submit("/ui/products/new", "/ui/products", url.Values{"name": {"Other"}, "slug": {"plug"}, "model_designation": {"X"}, "category": {"Toy"}})
		wantStatus(t, "duplicate", r, http.StatusConflict)
		wantBody(t, "duplicate", r, `role="alert"`, `value="Other"`)
	})
	t.Run("publish_needs_a_support_period", func(t *testing.T) {
		r := b.submit("/ui/products/plug", "/ui/products/plug/publish", url.Values{"published": {"true"}})
		wantStatus(t, "publish", r, http.StatusBadRequest)
		wantBody(t, "publish", r, "Declare the product&#39;s support period before publishing it.")
	})
	t.Run("support_form_errors", func(t *testing.T) {
		cases := []struct {
			name string
			form url.Values
			want []string
		}{
			{"nothing", url.Values{"reason": {"launch"}}, []string{`id="support-end_month-error"`, ">launch</textarea>"}},
			{"both", url.Values{"end_month": {"2030-06"}, "end_day": {"2030-06-30"}}, []string{`id="support-end_day-error"`, `value="2030-06"`}},
			{"bad_month", url.Values{"end_month": {"June 2030"}}, []string{`id="support-end_month-error"`, "must be a month (YYYY-MM)", `value="June 2030"`}},
			{"bad_day", url.Values{"end_day": {"2030-02-30"}}, []string{`id="support-end_day-error"`}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := b.submit("/ui/products/plug", "/ui/products/plug/support", tc.form)
				wantStatus(t, tc.name, r, http.StatusBadRequest)
				wantBody(t, tc.name, r, tc.want...)
				checkPage(t, tc.name, r)
			})
		}
	})
	t.Run("declare_publish_extend", func(t *testing.T) {
		page := step(t, "/ui/products/plug/support", url.Values{"end_month": {"2030-06"}, "reason": {"launch plan"}}, "support_declared")
		wantBody(t, "declared", page, "The support period was declared.", "Security updates until the end of June 2030", "launch plan", "maintainer@acme.example")
		page = step(t, "/ui/products/plug/publish", url.Values{"published": {"true"}}, "published")
		wantBody(t, "published", page, "<strong>Published</strong>", `href="/public/products/acme/plug"`)
		page = step(t, "/ui/products/plug/support", url.Values{"end_day": {"2031-03-31"}}, "support_extended")
		wantBody(t, "extended", page, "Security updates until 31 March 2031", "Extended")
	})
	t.Run("shortening_is_refused_unless_forced", func(t *testing.T) {
		r := b.submit("/ui/products/plug", "/ui/products/plug/support", url.Values{"end_month": {"2029-01"}})
		wantStatus(t, "shortening", r, http.StatusConflict)
		wantBody(t, "shortening", r, "Refusing to shorten the published support period", "PSTI", `value="2029-01"`)

		r = b.submit("/ui/products/plug", "/ui/products/plug/support", url.Values{"end_month": {"2029-01"}, "force": {"on"}})
		wantStatus(t, "forced without reason", r, http.StatusBadRequest)
		wantBody(t, "forced without reason", r, `id="support-reason-error"`, `checked`)

		page := step(t, "/ui/products/plug/support", url.Values{"end_month": {"2029-01"}, "force": {"on"}, "reason": {"chip end of life"}}, "support_shortened")
		wantBody(t, "shortened", page, "was shortened after publication", "Shortened")
		wantBody(t, "public page", e.browser().get("/public/products/acme/plug"), "the support period was shortened", "January 2029", "chip end of life")
	})
	t.Run("hardware_and_releases", func(t *testing.T) {
		page := step(t, "/ui/products/plug/hardware", url.Values{"name": {"rev-B"}, "notes": {"new antenna"}}, "hardware_added")
		wantBody(t, "hardware", page, "<th scope=\"row\">rev-B</th>", "new antenna")

		r := b.submit("/ui/products/plug", "/ui/products/plug/hardware", url.Values{"name": {"rev-B"}})
		wantStatus(t, "duplicate revision", r, http.StatusConflict)
		wantBody(t, "duplicate revision", r, "<details open>", `value="rev-B"`)

		r = b.submit("/ui/products/plug", "/ui/products/plug/releases", url.Values{"version": {"1.0 beta"}, "released_at": {"2026-05-01"}})
		wantStatus(t, "bad version", r, http.StatusBadRequest)
		wantBody(t, "bad version", r, `id="release-version-error"`, `value="1.0 beta"`)

		step(t, "/ui/products/plug/releases", url.Values{"version": {"1.0.0"}, "released_at": {"2026-01-10"}}, "release_added")
		page = step(t, "/ui/products/plug/releases", url.Values{"version": {"1.1.0"}, "released_at": {"2026-04-02"}, "notes": {"fixes"}}, "release_added")
		if i, j := strings.Index(page.body, ">1.1.0<"), strings.Index(page.body, ">1.0.0<"); i < 0 || j < 0 || i > j {
			t.Errorf("releases are not listed newest first")
		}

		if _, _, err := e.svc.PutDevice(context.Background(), o.sys, "plug", deviceOn("SN-1", "rev-B")); err != nil {
			t.Fatal(err)
		}
		r = b.submit("/ui/products/plug", "/ui/products/plug/hardware/delete", url.Values{"name": {"rev-B"}})
		wantStatus(t, "delete revision in use", r, http.StatusConflict)
		wantBody(t, "delete revision in use", r, `class="alert alert-error" role="alert"`)

		if err := e.svc.DeleteDevice(context.Background(), o.sys, "plug", "SN-1"); err != nil {
			t.Fatal(err)
		}
		step(t, "/ui/products/plug/hardware/delete", url.Values{"name": {"rev-B"}}, "hardware_deleted")
	})
	t.Run("edit", func(t *testing.T) {
		r := b.submit("/ui/products/plug/edit", "/ui/products/plug/edit", url.Values{"name": {""}, "model_designation": {"SP-201"}, "category": {"Smart plug"}})
		wantStatus(t, "edit without name", r, http.StatusBadRequest)
		wantBody(t, "edit without name", r, `value="SP-201"`, "Product name is required", "Edit Smart Plug")

		r = b.submit("/ui/products/plug/edit", "/ui/products/plug/edit", url.Values{"name": {"Smart Plug 2"}, "model_designation": {"SP-201"}, "category": {"Smart plug"}, "description": {"Now with more plug."}})
		wantStatus(t, "edit", r, http.StatusSeeOther)
		wantBody(t, "edited", b.get("/ui/products/plug"), "Smart Plug 2", "SP-201", "Now with more plug.")
	})
	t.Run("delete", func(t *testing.T) {
		r := b.submit("/ui/products/plug", "/ui/products/plug/delete", nil)
		wantStatus(t, "delete published", r, http.StatusConflict)
		wantBody(t, "delete published", r, `role="alert"`)

		if _, err := e.svc.CreateProduct(context.Background(), o.sys, productNamed("draft")); err != nil {
			t.Fatal(err)
		}
		r = b.submit("/ui/products/draft", "/ui/products/draft/delete", nil)
		wantStatus(t, "delete draft", r, http.StatusSeeOther)
		wantStatus(t, "deleted draft", b.get("/ui/products/draft"), http.StatusNotFound)
	})
	t.Run("unpublish", func(t *testing.T) {
		page := step(t, "/ui/products/plug/publish", url.Values{"published": {"false"}}, "unpublished")
		wantBody(t, "unpublished", page, "Not published")
		wantStatus(t, "public page", e.browser().get("/public/products/acme/plug"), http.StatusNotFound)
	})

	t.Run("audit_log_records_it", func(t *testing.T) {
		b := e.browser()
		b.login(o.email[access.Owner])
		r := b.get("/ui/audit?actor=" + url.QueryEscape(o.email[access.Maintainer]) + "&action=support_period.")
		wantStatus(t, "audit", r, http.StatusOK)
		wantBody(t, "audit", r, "support_period.shortened", "support_period.declared")
		notBody(t, "audit", r, "product.create")
		r = b.get("/ui/audit?since=yesterday")
		wantStatus(t, "bad date", r, http.StatusBadRequest)
		wantBody(t, "bad date", r, `id="filter-since-error"`)
	})
}

func TestProductSearchAndPaging(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	for i := range 55 {
		e.product(o, "", "Bulb "+string(rune('A'+i%26))+strings.Repeat("x", i/26), "B-"+string(rune('A'+i%26))+strings.Repeat("x", i/26), "", false)
	}
	b := e.browser()
	b.login(o.email[access.Viewer])
	first := b.get("/ui/products")
	wantStatus(t, "first page", first, http.StatusOK)
	next := between(first.body, `<a href="`, `" rel="next">Next page</a>`)
	if next == "" {
		t.Fatal("no Next page link on a list of 55")
	}
	second := b.get(strings.ReplaceAll(next, "&amp;", "&"))
	wantStatus(t, "second page", second, http.StatusOK)
	wantBody(t, "second page", second, "First page")
	notBody(t, "second page", second, "Next page")
	if n := strings.Count(first.body, `<th scope="row">`) + strings.Count(second.body, `<th scope="row">`); n != 55 {
		t.Errorf("the two pages list %d products, want 55", n)
	}
	found := b.get("/ui/products?q=b-bxx")
	if n := strings.Count(found.body, `<th scope="row">`); n != 1 {
		t.Errorf("search for b-bxx lists %d products, want 1", n)
	}
	wantStatus(t, "bad cursor", b.get("/ui/products?cursor=%25%25"), http.StatusBadRequest)
}

// between returns the text of s between the last before that precedes the
// first after.
func between(s, before, after string) string {
	j := strings.Index(s, after)
	if j < 0 {
		return ""
	}
	i := strings.LastIndex(s[:j], before)
	if i < 0 {
		return ""
	}
	return s[i+len(before) : j]
}

// TestAgencyCannotRegisterProducts checks a service refusal shown as a page.
func TestAgencyCannotRegisterProducts(t *testing.T) {
	e := newEnv(t, webui.Config{})
	agency, err := e.svc.CreateOrganisation(context.Background(), access.System("test"), access.Organisation{Slug: "ncsa", Name: "Agency", Kind: access.Agency})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.AddMember(context.Background(), access.System("test").InOrg(agency.ID), service.NewMember{Email: "a@ncsa.example", Name: "A", Role: access.Owner, Password: password("a@ncsa.example")}); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.login("a@ncsa.example")
	r := b.submit("/ui/products/new", "/ui/products", url.Values{"name": {"X"}, "model_designation": {"X"}, "category": {"Toy"}})
	wantStatus(t, "agency product", r, http.StatusForbidden)
	wantBody(t, "agency product", r, "only manufacturer organisations register products")
}
