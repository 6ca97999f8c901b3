package webui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/supportperiod"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// publicEnv has two manufacturers: acme with a supported plug and a
// shortened lock, and globex with a camera whose support has ended.
func publicEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, webui.Config{})
	acme, globex := e.org("acme"), e.org("globex")
	e.product(acme, "plug", "Smart Plug", "SP-200-UK", "2030-06", true)
	lock := e.product(acme, "lock", "Door Lock", "DL-7", "2030-06-15", true)
	if _, _, err := e.svc.SetSupportPeriod(context.Background(), acme.sys, lock.ID, supportperiod.Request{
		End: supportperiod.MustParseEndDate("2027-03"), Force: true, Reason: "the radio chip reached end of life"}); err != nil {
		t.Fatal(err)
	}
	e.product(globex, "old-cam", "Old Camera", "OC-1", "2025-12", true)
	e.product(acme, "secret", "Unreleased Thing", "UT-1", "2031-01", false)
	return e
}

func TestPublicPages(t *testing.T) {
	e := publicEnv(t)
	pages := []struct{ name, path, want string }{
		{"landing", "/", "Is my device still getting security updates?"},
		{"lookup_empty", "/public/lookup", "Type the model designation"},
		{"lookup", "/public/lookup?q=sp-200", "Smart Plug"},
		{"products", "/public/products", "Old Camera"},
		{"products_of_one_maker", "/public/products?manufacturer=globex", "Old Camera"},
		{"product", "/public/products/acme/plug", "Security updates until the end of June 2030"},
		{"manufacturers", "/public/manufacturers", "Org globex"},
		{"manufacturer", "/public/manufacturers/acme", "Door Lock"},
	}
	for _, pg := range pages {
		t.Run(pg.name, func(t *testing.T) {
			b := e.browser()
			r := b.get(pg.path)
			wantStatus(t, pg.path, r, http.StatusOK)
			wantBody(t, pg.path, r, pg.want, "Sign in")
			notBody(t, pg.path, r, "Unreleased Thing", "@acme.example\">", "owner@", "maintainer@")
			checkPage(t, pg.path, r)
			if len(r.cookies) != 0 || len(b.cookies) != 0 {
				t.Errorf("a public page set cookies: %v", r.cookies)
			}
			if cc := r.header.Get("Cache-Control"); cc != "public, max-age=300" {
				t.Errorf("Cache-Control = %q", cc)
			}
		})
	}
	t.Run("one_maker_only", func(t *testing.T) {
		r := e.browser().get("/public/products?manufacturer=globex")
		notBody(t, "globex products", r, "Smart Plug")
	})
	t.Run("signed_in_members_get_the_same_page", func(t *testing.T) {
		b := e.browser()
		b.login("owner@acme.example")
		r := b.get("/public/products/acme/plug")
		wantStatus(t, "public page", r, http.StatusOK)
		notBody(t, "public page for a member", r, "Signed in as", "csrf_token")
	})
	t.Run("missing", func(t *testing.T) {
		for _, path := range []string{"/public/products/acme/secret", "/public/products/acme/none", "/public/manufacturers/nobody"} {
			r := e.browser().get(path)
			wantStatus(t, path, r, http.StatusNotFound)
			wantBody(t, path, r, "We could not find that product or manufacturer")
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control = %q on an error", path, cc)
			}
		}
	})
}

// TestPublicJSONNegotiation checks the web UI leaves JSON requests to the API.
func TestPublicJSONNegotiation(t *testing.T) {
	e := publicEnv(t)
	req, _ := http.NewRequest(http.MethodGet, e.url+"/public/products/acme/plug", nil)
	req.Header.Set("Accept", "application/json")
	r := e.browser().do(req)
	wantStatus(t, "JSON", r, http.StatusOK)
	var body struct {
		Support struct {
			EndText string `json:"end_text"`
		} `json:"support"`
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Support.EndText != "June 2030" {
		t.Fatalf("JSON public product: %v %s", err, r.body)
	}
}

func TestLookup(t *testing.T) {
	e := publicEnv(t)
	cases := []struct {
		name, q string
		want    []string
		not     []string
	}{
		{"model_designation", "SP-200-UK", []string{"Smart Plug", "Security updates until the end of June 2030", "Supported", "This product gets security updates until at least June 2030."}, []string{"Door Lock"}},
		{"part_of_model_any_case", "dl-", []string{"Door Lock", "Support ending soon", "shortened"}, []string{"Smart Plug"}},
		{"product_name", "camera", []string{"Old Camera", "Support ended", "Security updates ended after December 2025"}, nil},
		{"no_match", "zzz-404", []string{"No published product matches", "Check the model designation", "/public/products"}, []string{"result\""}},
		{"unpublished_stays_hidden", "UT-1", []string{"No published product matches"}, []string{"Unreleased"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.browser().get("/public/lookup?" + url.Values{"q": {tc.q}}.Encode())
			wantStatus(t, tc.q, r, http.StatusOK)
			wantBody(t, tc.q, r, tc.want...)
			notBody(t, tc.q, r, tc.not...)
			wantBody(t, tc.q, r, `value="`+tc.q+`"`)
		})
	}
	t.Run("too_long", func(t *testing.T) {
		r := e.browser().get("/public/lookup?q=" + strings.Repeat("x", 201))
		wantStatus(t, "long query", r, http.StatusBadRequest)
		wantBody(t, "long query", r, `aria-invalid="true"`, "must be at most 200 characters")
		checkPage(t, "long query", r)
	})
	t.Run("html_is_escaped", func(t *testing.T) {
		r := e.browser().get("/public/lookup?q=" + url.QueryEscape(`<img src=x>`))
		notBody(t, "escaped query", r, `<img src=x>`)
		wantBody(t, "escaped query", r, `&lt;img src=x&gt;`)
	})
}

func TestPublicProductPage(t *testing.T) {
	e := publicEnv(t)
	r := e.browser().get("/public/products/acme/lock")
	wantStatus(t, "lock", r, http.StatusOK)
	wantBody(t, "shortened product", r,
		"Security updates until the end of March 2027",
		"Support ending soon",
		"Warning: the support period was shortened",
		"the radio chip reached end of life", // the reason for a shortening is public
		"15 June 2030",                       // the history shows the earlier date in words
		"Model designation", "DL-7",
		"security@acme.example", `href="mailto:security@acme.example"`,
		"Accept: application/json",
		`<th scope="col">`,
	)
	notBody(t, "shortened product", r, "owner@acme.example", "system</td>")

	plain := e.browser().get("/public/products/acme/plug")
	notBody(t, "plug", plain, "was shortened")
	wantBody(t, "plug", plain, "<td>Declared</td>")
}

// TestPublicLinkFromMemberPage checks that a member's product page links
// to the public page once, and only once, the product is published.
func TestPublicLinkFromMemberPage(t *testing.T) {
	e := publicEnv(t)
	b := e.browser()
	b.login("viewer@acme.example")
	wantBody(t, "published", b.get("/ui/products/plug"), `href="/public/products/acme/plug"`)
	notBody(t, "unpublished", b.get("/ui/products/secret"), `/public/products/acme/secret`)
}
