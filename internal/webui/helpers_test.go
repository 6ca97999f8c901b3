package webui_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/server"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/sqlite"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// start is the fake clock's time in every test.
var start = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

const wantCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// env is a running Lifeline: real SQLite store, service, web UI and server.
type env struct {
	t     *testing.T
	url   string
	svc   *service.Service
	store store.Store
	clk   *clock.Fake
}

func newEnv(t *testing.T, cfg webui.Config) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := clock.NewFake(start)
	svc := service.New(st, clk, nil, service.Limits{}).WithUpdates(testenv.TestUpdates(t))
	web, err := webui.New(svc, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{}, svc, slog.New(slog.DiscardHandler), web)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &env{t: t, url: hs.URL, svc: svc, store: st, clk: clk}
}

// org is an organisation made for a test, with an owner, a maintainer and a viewer.
type org struct {
	access.Organisation
	sys   access.Principal // the operator, acting in this organisation
	email map[access.Role]string
}

// password is every test user's password.
func password(email string) string { return "correct horse " + email }

func (e *env) org(slug string) org {
	e.t.Helper()
	ctx := context.Background()
	sys := access.System("test")
	o, err := e.svc.CreateOrganisation(ctx, sys, access.Organisation{Slug: slug, Name: "Org " + slug, Kind: access.Manufacturer,
		Contact: "security@" + slug + ".example", Website: "https://" + slug + ".example"})
	if err != nil {
		e.t.Fatal(err)
	}
	out := org{Organisation: o, sys: sys.InOrg(o.ID), email: map[access.Role]string{}}
	for _, role := range access.Roles {
		email := string(role) + "@" + slug + ".example"
		if _, _, err := e.svc.AddMember(ctx, out.sys, service.NewMember{Email: email, Name: "The " + string(role), Role: role, Password: password(email)}); err != nil {
			e.t.Fatal(err)
		}
		out.email[role] = email
	}
	return out
}

// product registers a product; with end it declares the support period,
// and with published it publishes it.
func (e *env) product(o org, slug, name, model, end string, published bool) registry.Product {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.svc.CreateProduct(ctx, o.sys, registry.Product{Slug: slug, Name: name, ModelDesignation: model, Category: "Smart plug"})
	if err != nil {
		e.t.Fatal(err)
	}
	if end != "" {
		if p, _, err = e.svc.SetSupportPeriod(ctx, o.sys, p.ID, supportperiod.Request{End: supportperiod.MustParseEndDate(end)}); err != nil {
			e.t.Fatal(err)
		}
	}
	if published {
		yes := true
		if p, err = e.svc.UpdateProduct(ctx, o.sys, p.ID, registry.ProductPatch{Published: &yes}); err != nil {
			e.t.Fatal(err)
		}
	}
	return p
}

// browser is a minimal browser: it keeps cookies (sending Secure ones over
// the test's plain HTTP, as browsers do for 127.0.0.1), does not follow
// redirects, and can read form tokens from pages.
type browser struct {
	t       *testing.T
	base    string
	cookies map[string]string
	header  http.Header // sent with every request
	client  *http.Client
}

func (e *env) browser() *browser {
	return &browser{t: e.t, base: e.url, cookies: map[string]string{}, header: http.Header{},
		client: &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// response is what a request returned.
type response struct {
	status  int
	header  http.Header
	body    string
	cookies []*http.Cookie
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	for k, vs := range b.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for name, value := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(body), cookies: resp.Cookies()}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a URL-encoded form as is.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// submit opens page, takes its form token, and posts form to action with it.
func (b *browser) submit(page, action string, form url.Values) response {
	b.t.Helper()
	r := b.get(page)
	if r.status != http.StatusOK {
		b.t.Fatalf("GET %s = %d before posting to %s\n%s", page, r.status, action, r.body)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", csrfToken(b.t, r.body))
	return b.post(action, form)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrfToken returns the first form token on a page.
func csrfToken(t *testing.T, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token on the page:\n%s", body)
	}
	return m[1]
}

// login signs in through the form and fails the test unless it works.
func (b *browser) login(email string) {
	b.t.Helper()
	r := b.submit("/login", "/login", url.Values{"email": {email}, "password": {password(email)}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/ui/" {
		b.t.Fatalf("login as %s: %d %s\n%s", email, r.status, r.header.Get("Location"), r.body)
	}
}

// upload posts a multipart form: fields in order, then the file, as browsers do.
func (b *browser) upload(path string, fields [][2]string, filename, contentType string, file []byte) response {
	b.t.Helper()
	return b.uploadAround(path, fields, filename, contentType, file, nil)
}

// uploadAround posts a multipart form with fields before the file and after
// it, in order.
func (b *browser) uploadAround(path string, fields [][2]string, filename, contentType string, file []byte, after [][2]string) response {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			b.t.Fatal(err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
	h.Set("Content-Type", contentType)
	pw, err := mw.CreatePart(h)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := pw.Write(file); err != nil {
		b.t.Fatal(err)
	}
	for _, f := range after {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			b.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// wantStatus fails the test when r's status is not want.
func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, want, r.body)
	}
}

// wantBody fails the test unless the body holds every text.
func wantBody(t *testing.T, what string, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(r.body, s) {
			t.Errorf("%s: the page lacks %q\n%s", what, s, r.body)
		}
	}
}

// notBody fails the test if the body holds any text.
func notBody(t *testing.T, what string, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.body, s) {
			t.Errorf("%s: the page holds %q", what, s)
		}
	}
}

var (
	storeFilterAll = store.ProductFilter{}
	pageAll        = store.Page{Limit: store.MaxLimit}
)

func deviceOn(serial, revision string) registry.Device {
	return registry.Device{Serial: serial, HardwareRevision: revision}
}

func productNamed(slug string) registry.Product {
	return registry.Product{Slug: slug, Name: "Product " + slug, ModelDesignation: strings.ToUpper(slug), Category: "Toy"}
}
