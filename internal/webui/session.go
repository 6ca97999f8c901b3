package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
)

// maxFormBytes bounds an ordinary (URL-encoded) form post.
const maxFormBytes = 1 << 20

// member is the signed-in person a member page is for.
type member struct {
	P    access.Principal
	Org  access.Organisation // the organisation the session works in; zero when none
	Role access.Role
	// Orgs lists every organisation the user belongs to, for the switcher.
	Orgs []access.Member
	// CSRF is the session's form token.
	CSRF string

	secret  string // the session cookie's value, needed to switch organisation
	csrfKey []byte // the session's key for form tokens
}

// CanWrite reports whether the member may change the registry.
func (m *member) CanWrite() bool { return m.P.Can(access.WriteRegistry) }

// CanAudit reports whether the member may read the audit log.
func (m *member) CanAudit() bool { return m.P.Can(access.ReadAudit) }

// CanManageMembers reports whether the member may add and remove members.
func (m *member) CanManageMembers() bool { return m.P.Can(access.ManageMembers) }

// CanManageUpdateKeys reports whether the member may create a product's
// online signing keys and install its root metadata.
func (m *member) CanManageUpdateKeys() bool { return m.P.Can(access.ManageUpdateKeys) }

// CanAdminSite reports whether the member is a site administrator, who
// may import advisory feeds.
func (m *member) CanAdminSite() bool { return m.P.CanAdminSite() }

// CanManageOrg reports whether the member may change the organisation's profile.
func (m *member) CanManageOrg() bool { return m.P.Can(access.ManageOrg) }

// memberHandler is a page for signed-in members.
type memberHandler func(w http.ResponseWriter, r *http.Request, m *member)

var errNotSignedIn = errs.E(errs.Unauthenticated, "please sign in").WithCode("unauthenticated")

func (u *UI) sessionCookieName() string {
	if u.cfg.InsecureCookies {
		return httpx.InsecureSessionCookie
	}
	return httpx.SessionCookie
}

// cookie builds a host-only, HttpOnly, SameSite=Lax cookie for path /,
// Secure unless the operator turned on insecure cookies. maxAge 0 makes a
// cookie that lasts until the browser closes; negative deletes it.
func (u *UI) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", Secure: !u.cfg.InsecureCookies, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: maxAge}
}

// setSession stores a new session secret in the browser. The cookie ends
// with the browser session rather than lasting days: on a shared computer,
// closing the browser signs out. The server ends idle sessions anyway.
func (u *UI) setSession(w http.ResponseWriter, secret string) {
	http.SetCookie(w, u.cookie(u.sessionCookieName(), secret, 0))
}

func (u *UI) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, u.cookie(u.sessionCookieName(), "", -1))
}

// loadMember finds the signed-in member from the session cookie.
func (u *UI) loadMember(r *http.Request) (*member, error) {
	c, err := r.Cookie(u.sessionCookieName())
	if err != nil || c.Value == "" {
		return nil, errNotSignedIn
	}
	ctx := r.Context()
	p, sess, err := u.svc.Session(ctx, c.Value, httpx.ClientIP(r, u.cfg.TrustProxy))
	if err != nil {
		return nil, err
	}
	orgs, err := u.svc.Memberships(ctx, p)
	if err != nil {
		return nil, err
	}
	m := &member{P: p, Orgs: orgs, CSRF: sessionCSRFToken(sess.CSRFKey), secret: c.Value, csrfKey: sess.CSRFKey}
	for _, o := range orgs {
		if o.Organisation.ID == p.OrgID {
			m.Org, m.Role = o.Organisation, o.Role
		}
	}
	return m, nil
}

// member wraps a page that needs a signed-in member. Visitors who are not
// signed in are sent to the sign-in page, which brings them back.
func (u *UI) member(fn memberHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := u.loadMember(r)
		if err != nil {
			if errs.Is(err, errs.Unauthenticated) {
				u.toLogin(w, r, err != errNotSignedIn)
				return
			}
			u.fail(w, r, err)
			return
		}
		ctx := context.WithValue(httpx.WithPrincipal(r.Context(), m.P), memberKey{}, m)
		fn(w, r.WithContext(ctx), m)
	})
}

// memberKey carries the signed-in member in a request's context, so that
// an error page can still show the member's navigation.
type memberKey struct{}

// memberFrom returns the signed-in member of a member page's request, or nil.
func memberFrom(r *http.Request) *member {
	m, _ := r.Context().Value(memberKey{}).(*member)
	return m
}

// memberForm wraps a URL-encoded form post by a signed-in member: it
// bounds and parses the form and refuses it unless it carries the
// session's form token.
func (u *UI) memberForm(fn memberHandler) http.Handler {
	return u.member(func(w http.ResponseWriter, r *http.Request, m *member) {
		if err := parseForm(w, r); err != nil {
			u.fail(w, r, err)
			return
		}
		if !validSessionCSRF(m.csrfKey, r.PostForm.Get(csrfField)) {
			u.fail(w, r, errBadCSRF)
			return
		}
		fn(w, r, m)
	})
}

// parseForm reads a URL-encoded body of at most maxFormBytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err, "The form could not be read. Go back and try again.").WithCode("bad_form")
	}
	return nil
}

// toLogin sends a visitor who is not signed in to the sign-in page, with
// the address to come back to when it was a page they were reading.
func (u *UI) toLogin(w http.ResponseWriter, r *http.Request, ended bool) {
	if _, err := r.Cookie(u.sessionCookieName()); err == nil {
		u.clearSession(w)
	}
	q := url.Values{}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		q.Set("next", r.URL.RequestURI())
	}
	if ended {
		q.Set("done", "session_ended")
	}
	to := "/login"
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// safeNext returns where to go after signing in: next when it is a path
// on this site, else the dashboard. Anything that a browser could read as
// another host ("//evil", "/\evil", "https://evil") is refused, so the
// sign-in page cannot be used to send people elsewhere.
func safeNext(next string) string {
	const home = "/ui/"
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\") {
		return home
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	return next
}

// page starts the page data of a member page.
func (m *member) page(title, section string, data any) page {
	return page{Title: title, Section: section, M: m, CSRF: m.CSRF, Data: data}
}
