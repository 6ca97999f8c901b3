package webui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

var tokenRE = regexp.MustCompile(`llt_[0-9a-f]{32}_[A-Za-z0-9_-]{43}`)

func TestTokens(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	b := e.browser()
	b.login(o.email[access.Maintainer])

	page := b.get("/ui/tokens")
	notBody(t, "maintainer's token form", page, `value="admin"`)

	r := b.submit("/ui/tokens", "/ui/tokens", url.Values{"name": {""}, "expires_in_days": {"0"}})
	wantStatus(t, "bad token", r, http.StatusBadRequest)
	wantBody(t, "bad token", r, `id="token-name-error"`, `id="token-scopes-error"`, `id="token-expires_in_days-error"`)
	checkPage(t, "bad token", r)

	r = b.submit("/ui/tokens", "/ui/tokens", url.Values{"name": {"CI import"}, "scopes": {"read", "write"}, "expires_in_days": {"30"}})
	wantStatus(t, "create token", r, http.StatusOK)
	secret := tokenRE.FindString(r.body)
	if secret == "" {
		t.Fatalf("the new token is not shown:\n%s", r.body)
	}
	wantBody(t, "created token", r, "Copy your new token now", "only time")
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the token page may be cached: %q", cc)
	}

	// The secret works with the API, and is never shown again.
	req, _ := http.NewRequest(http.MethodGet, e.url+"/api/v1/products", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	wantStatus(t, "API with the new token", e.browser().do(req), http.StatusOK)
	list := b.get("/ui/tokens")
	wantBody(t, "token list", list, "CI import", "read, write", "Active")
	if tokenRE.MatchString(list.body) {
		t.Error("the token list shows a secret")
	}

	id := between(list.body, `action="/ui/tokens/`, `/revoke"`)
	r = b.post("/ui/tokens/"+id+"/revoke", url.Values{"csrf_token": {csrfToken(t, list.body)}})
	wantStatus(t, "revoke", r, http.StatusSeeOther)
	wantBody(t, "revoked", b.get(r.header.Get("Location")), "The token was revoked", "Revoked")
	wantStatus(t, "API with the revoked token", e.browser().do(req), http.StatusUnauthorized)

	// Someone else's token is not theirs to revoke.
	other := e.browser()
	other.login(o.email[access.Viewer])
	r = other.submit("/ui/tokens", "/ui/tokens/"+id+"/revoke", nil)
	wantStatus(t, "revoke another's token", r, http.StatusNotFound)
}

func TestMembers(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	b := e.browser()
	b.login(o.email[access.Owner])

	r := b.submit("/ui/members", "/ui/members", url.Values{"email": {"not an email"}, "name": {"Newcomer"}, "role": {"viewer"}})
	wantStatus(t, "bad email", r, http.StatusBadRequest)
	wantBody(t, "bad email", r, `id="member-email-error"`, `value="Newcomer"`)

	r = b.submit("/ui/members", "/ui/members", url.Values{"email": {"new@acme.example"}, "name": {"Newcomer"}, "role": {"maintainer"}})
	wantStatus(t, "add member", r, http.StatusOK)
	wantBody(t, "add member", r, "new@acme.example was added as maintainer", "Give this password to new@acme.example")
	generated := between(r.body, `<output id="generated-password" class="secret">`, `</output>`)
	if len(generated) < 12 {
		t.Fatalf("no generated password shown: %q", generated)
	}
	n := e.browser()
	page := n.get("/login")
	r = n.post("/login", url.Values{"csrf_token": {csrfToken(t, page.body)}, "email": {"new@acme.example"}, "password": {generated}})
	wantStatus(t, "login with the generated password", r, http.StatusSeeOther)

	list := b.get("/ui/members")
	newID := memberID(t, list.body, "new@acme.example")
	r = b.post("/ui/members/"+newID+"/role", url.Values{"csrf_token": {csrfToken(t, list.body)}, "role": {"viewer"}})
	wantStatus(t, "change role", r, http.StatusSeeOther)
	wantBody(t, "role changed", b.get(r.header.Get("Location")), "The member&#39;s role was changed.")

	ownerID := memberID(t, list.body, o.email[access.Owner])
	r = b.post("/ui/members/"+ownerID+"/role", url.Values{"csrf_token": {csrfToken(t, list.body)}, "role": {"viewer"}})
	wantStatus(t, "demote the last owner", r, http.StatusConflict)
	wantBody(t, "demote the last owner", r, "at least one owner")

	r = b.post("/ui/members/"+newID+"/remove", url.Values{"csrf_token": {csrfToken(t, list.body)}})
	wantStatus(t, "remove", r, http.StatusSeeOther)
	notBody(t, "removed", b.get("/ui/members"), "new@acme.example")

	// A maintainer sees the members but cannot change them.
	m := e.browser()
	m.login(o.email[access.Maintainer])
	mlist := m.get("/ui/members")
	wantBody(t, "maintainer's member list", mlist, o.email[access.Owner])
	notBody(t, "maintainer's member list", mlist, "Add a member", "/remove")
}

// memberID finds a member's user ID in the members page by their email.
func memberID(t *testing.T, body, email string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)<td>` + regexp.QuoteMeta(email) + `</td>.*?action="/ui/members/([^/]+)/role"`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no role form for %s", email)
	}
	return m[1]
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	email := o.email[access.Maintainer]
	here, elsewhere := e.browser(), e.browser()
	here.login(email)
	elsewhere.login(email)
	const next = "a brand new long password"

	cases := []struct {
		name string
		form url.Values
		want string
	}{
		{"wrong_current", url.Values{"current_password": {"nope"}, "new_password": {next}, "confirm_password": {next}}, `id="password-current_password-error"`},
		{"mismatch", url.Values{"current_password": {password(email)}, "new_password": {next}, "confirm_password": {next + "!"}}, `id="password-confirm_password-error"`},
		{"too_short", url.Values{"current_password": {password(email)}, "new_password": {"short"}, "confirm_password": {"short"}}, `id="password-new_password-error"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := here.submit("/ui/account", "/ui/account/password", tc.form)
			wantStatus(t, tc.name, r, http.StatusBadRequest)
			wantBody(t, tc.name, r, tc.want)
			notBody(t, tc.name, r, next, password(email))
		})
	}

	old := here.cookies[httpx.SessionCookie]
	r := here.submit("/ui/account", "/ui/account/password", url.Values{"current_password": {password(email)}, "new_password": {next}, "confirm_password": {next}})
	wantStatus(t, "change password", r, http.StatusSeeOther)
	if here.cookies[httpx.SessionCookie] == old || here.cookies[httpx.SessionCookie] == "" {
		t.Error("the session was not renewed after the password change")
	}
	page := here.get(r.header.Get("Location"))
	wantStatus(t, "account after change", page, http.StatusOK)
	wantBody(t, "account after change", page, "Your password was changed", "<strong>Org acme</strong>")

	if got := elsewhere.get("/ui/"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.header.Get("Location"), "/login") {
		t.Errorf("the other session survived the password change: %d", got.status)
	}
}

func TestOrganisationProfile(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	b := e.browser()
	b.login(o.email[access.Owner])
	r := b.submit("/ui/organisation", "/ui/organisation", url.Values{"name": {"Acme"}, "website": {"ftp://acme.example"}, "security_contact": {"psirt@acme.example"}})
	wantStatus(t, "bad website", r, http.StatusBadRequest)
	wantBody(t, "bad website", r, `id="org-website-error"`, `value="psirt@acme.example"`)
	r = b.submit("/ui/organisation", "/ui/organisation", url.Values{"name": {"Acme"}, "website": {"https://acme.example"}, "security_contact": {"psirt@acme.example"}})
	wantStatus(t, "profile", r, http.StatusSeeOther)

	e.product(o, "plug", "Plug", "P-1", "2030-01", true)
	wantBody(t, "public page", e.browser().get("/public/products/acme/plug"), `href="mailto:psirt@acme.example"`)

	v := e.browser()
	v.login(o.email[access.Viewer])
	page := v.get("/ui/organisation")
	wantBody(t, "viewer", page, "Only owners can change these.", "psirt@acme.example")
}
