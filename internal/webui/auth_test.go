package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

func TestLogin(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	owner := o.email["owner"]

	t.Run("success_sets_a_host_only_secure_cookie", func(t *testing.T) {
		b := e.browser()
		r := b.submit("/login", "/login", url.Values{"email": {owner}, "password": {password(owner)}})
		wantStatus(t, "login", r, http.StatusSeeOther)
		if got := r.header.Get("Location"); got != "/ui/" {
			t.Errorf("Location = %q, want /ui/", got)
		}
		var sess *http.Cookie
		for _, c := range r.cookies {
			if c.Name == httpx.SessionCookie {
				sess = c
			}
		}
		if sess == nil {
			t.Fatalf("no %s cookie in %v", httpx.SessionCookie, r.cookies)
		}
		if !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Domain != "" {
			t.Errorf("session cookie %+v: want Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", sess)
		}
		if _, ok := b.cookies["__Host-lifeline_csrf"]; ok {
			t.Error("the pre-login CSRF cookie outlived the sign-in")
		}
		wantStatus(t, "dashboard", b.get("/ui/"), http.StatusOK)
	})

	t.Run("wrong_password_keeps_the_email", func(t *testing.T) {
		b := e.browser()
		r := b.submit("/login", "/login", url.Values{"email": {owner}, "password": {"not the password"}})
		wantStatus(t, "login", r, http.StatusUnauthorized)
		wantBody(t, "failed login", r, "Wrong email address or password", `value="`+owner+`"`, `role="alert"`)
		notBody(t, "failed login", r, "not the password")
		if _, ok := b.cookies[httpx.SessionCookie]; ok {
			t.Error("a failed login set a session cookie")
		}
	})

	t.Run("already_signed_in_skips_the_form", func(t *testing.T) {
		b := e.browser()
		b.login(owner)
		r := b.get("/login?next=/ui/devices")
		wantStatus(t, "login form", r, http.StatusSeeOther)
		if got := r.header.Get("Location"); got != "/ui/devices" {
			t.Errorf("Location = %q", got)
		}
	})

	cases := []struct{ name, next, want string }{
		{"next_local_path", "/ui/products?q=plug", "/ui/products?q=plug"},
		{"next_protocol_relative", "//evil.example/x", "/ui/"},
		{"next_absolute", "https://evil.example/", "/ui/"},
		{"next_backslash", `/\evil.example`, "/ui/"},
		{"next_empty", "", "/ui/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			page := b.get("/login?" + url.Values{"next": {tc.next}}.Encode())
			wantStatus(t, "login form", page, http.StatusOK)
			r := b.post("/login", url.Values{"csrf_token": {csrfToken(t, page.body)}, "email": {owner}, "password": {password(owner)}, "next": {tc.next}})
			wantStatus(t, "login", r, http.StatusSeeOther)
			if got := r.header.Get("Location"); got != tc.want {
				t.Errorf("next=%q: Location = %q, want %q", tc.next, got, tc.want)
			}
		})
	}

	t.Run("logout_ends_the_session", func(t *testing.T) {
		b := e.browser()
		b.login(owner)
		stolen := b.cookies[httpx.SessionCookie]
		r := b.submit("/ui/", "/logout", nil)
		wantStatus(t, "logout", r, http.StatusSeeOther)
		if _, ok := b.cookies[httpx.SessionCookie]; ok {
			t.Error("logout left the session cookie")
		}
		b.cookies[httpx.SessionCookie] = stolen
		r = b.get("/ui/")
		wantStatus(t, "old session after logout", r, http.StatusSeeOther)
		if !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("Location = %q", r.header.Get("Location"))
		}
	})
}

func TestInsecureCookies(t *testing.T) {
	e := newEnv(t, webui.Config{InsecureCookies: true})
	o := e.org("acme")
	b := e.browser()
	page := b.get("/login")
	if _, ok := b.cookies["lifeline_csrf"]; !ok {
		t.Fatalf("no lifeline_csrf cookie: %v", page.cookies)
	}
	r := b.post("/login", url.Values{"csrf_token": {csrfToken(t, page.body)}, "email": {o.email["owner"]}, "password": {password(o.email["owner"])}})
	wantStatus(t, "login", r, http.StatusSeeOther)
	for _, c := range r.cookies {
		if c.Name == httpx.InsecureSessionCookie {
			if c.Secure || !c.HttpOnly {
				t.Errorf("insecure session cookie %+v: want not Secure, HttpOnly", c)
			}
			wantStatus(t, "dashboard", b.get("/ui/"), http.StatusOK)
			return
		}
	}
	t.Fatalf("no %s cookie in %v", httpx.InsecureSessionCookie, r.cookies)
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	owner := o.email["owner"]
	newProduct := func(token string) url.Values {
		return url.Values{"csrf_token": {token}, "name": {"Plug"}, "model_designation": {"P-1"}, "category": {"Smart plug"}}
	}

	t.Run("login_without_token", func(t *testing.T) {
		b := e.browser()
		b.get("/login") // has the cookie, but the form lacks the field
		r := b.post("/login", url.Values{"email": {owner}, "password": {password(owner)}})
		wantStatus(t, "login without token", r, http.StatusForbidden)
	})
	t.Run("login_without_cookie", func(t *testing.T) {
		b := e.browser()
		token := csrfToken(t, b.get("/login").body)
		delete(b.cookies, "__Host-lifeline_csrf")
		r := b.post("/login", url.Values{"csrf_token": {token}, "email": {owner}, "password": {password(owner)}})
		wantStatus(t, "login without cookie", r, http.StatusForbidden)
	})

	b := e.browser()
	b.login(owner)
	token := csrfToken(t, b.get("/ui/products/new").body)
	cases := []struct {
		name   string
		form   url.Values
		header map[string]string
		want   int
	}{
		{"missing_token", newProduct(""), nil, http.StatusForbidden},
		{"wrong_token", newProduct(strings.Repeat("A", len(token))), nil, http.StatusForbidden},
		{"cross_site_fetch", newProduct(token), map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign_origin", newProduct(token), map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same_origin", newProduct(token), map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, e.url+"/ui/products", strings.NewReader(tc.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			r := b.do(req)
			wantStatus(t, tc.name, r, tc.want)
			if tc.want == http.StatusForbidden {
				wantBody(t, tc.name, r, "refused")
				if r.header.Get("Content-Security-Policy") != wantCSP {
					t.Error("the refusal page has no CSP")
				}
			}
		})
	}
	l, err := e.svc.Products(context.Background(), o.sys, storeFilterAll, pageAll)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 {
		t.Errorf("%d products were created, want 1 (only the same-origin post)", len(l.Items))
	}
}

func TestUnauthenticated(t *testing.T) {
	e := newEnv(t, webui.Config{})
	b := e.browser()
	cases := []struct{ method, path, want string }{
		{"GET", "/ui/products?q=a", "/login?next=%2Fui%2Fproducts%3Fq%3Da"},
		{"GET", "/ui/", "/login?next=%2Fui%2F"},
		{"GET", "/ui/audit", "/login?next=%2Fui%2Faudit"},
		{"POST", "/ui/products", "/login"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, e.url+tc.path, nil)
		r := b.do(req)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != tc.want {
			t.Errorf("%s %s = %d %q, want 303 %q", tc.method, tc.path, r.status, r.header.Get("Location"), tc.want)
		}
	}
	// A session cookie the server does not know is cleared.
	b.cookies[httpx.SessionCookie] = "forged"
	r := b.get("/ui/")
	if r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "session_ended") {
		t.Errorf("forged session: %d %q", r.status, r.header.Get("Location"))
	}
	if _, ok := b.cookies[httpx.SessionCookie]; ok {
		t.Error("the forged session cookie was not cleared")
	}
}

func TestSetup(t *testing.T) {
	e := newEnv(t, webui.Config{})
	token, err := e.svc.NewSetupToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	page := b.get("/setup?token=" + url.QueryEscape(token))
	wantStatus(t, "setup form", page, http.StatusOK)
	if got := page.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q: the setup token could leak", got)
	}
	csrf := csrfToken(t, page.body)
	good := url.Values{"csrf_token": {csrf}, "token": {token}, "org_name": {"Acme Devices"}, "org_kind": {"manufacturer"},
		"name": {"Ada"}, "email": {"ada@acme.example"}, "password": {"a long enough password"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range good {
			f[key] = append([]string(nil), vals...)
		}
		f.Set(k, v)
		return f
	}

	r := b.post("/setup", with("token", "wrong"))
	wantStatus(t, "bad token", r, http.StatusUnauthorized)

	r = b.post("/setup", with("password", "short"))
	wantStatus(t, "short password", r, http.StatusBadRequest)
	wantBody(t, "short password", r, `value="Acme Devices"`, `value="ada@acme.example"`, "at least 12 characters", `aria-describedby="setup-password-hint setup-password-error"`)

	r = b.post("/setup", with("org_name", ""))
	wantStatus(t, "no organisation name", r, http.StatusBadRequest)
	wantBody(t, "no organisation name", r, `id="setup-org_name-error"`)
	notBody(t, "no organisation name", r, `id="setup-name-error"`)

	r = b.post("/setup", good)
	wantStatus(t, "setup", r, http.StatusSeeOther)
	if got := r.header.Get("Location"); !strings.HasPrefix(got, "/ui/") {
		t.Errorf("Location = %q", got)
	}
	dash := b.get("/ui/")
	wantStatus(t, "dashboard after setup", dash, http.StatusOK)
	wantBody(t, "dashboard after setup", dash, "Acme Devices")

	wantStatus(t, "setup again", e.browser().get("/setup?token="+token), http.StatusNotFound)
}
