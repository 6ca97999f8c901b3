package webui

import (
	"net/http"
	"net/url"

	"github.com/lifeline-iot/lifeline/internal/httpx"
)

// loginView is the data of the sign-in page.
type loginView struct {
	Form *form
	Next string
}

// loginForm shows the sign-in form, or goes straight on when the visitor
// is already signed in.
func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, err := u.loadMember(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	f := newForm("login", nil, "email", "password")
	u.renderLogin(w, r, http.StatusOK, f, next)
}

func (u *UI) renderLogin(w http.ResponseWriter, r *http.Request, status int, f *form, next string) {
	token := u.preLoginToken(w, r)
	u.render(w, r, status, "login.html", page{Title: "Sign in", Section: "login", CSRF: token, Data: loginView{Form: f, Next: next}})
}

// login checks the email address and password and starts a session.
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		u.fail(w, r, err)
		return
	}
	if !u.validPreLoginCSRF(r) {
		u.fail(w, r, errBadCSRF)
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	f := newForm("login", formValues(r, "email"), "email", "password")
	secret, err := u.svc.Login(r.Context(), f.Get("email"), r.PostForm.Get("password"), httpx.ClientIP(r, u.cfg.TrustProxy))
	if err != nil {
		status, pub := httpx.Status(err)
		if status >= 500 {
			u.fail(w, r, err)
			return
		}
		// The same words for a wrong address and a wrong password, as the
		// service gives them, so the form does not reveal who has an account.
		f.Problem = sentence(pub.Message) + "."
		u.renderLogin(w, r, status, f, next)
		return
	}
	u.clearPreLoginCookie(w)
	u.setSession(w, secret)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session. A visitor whose session has already ended is
// simply sent to the sign-in page.
func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	m, err := u.loadMember(r)
	if err != nil {
		u.clearSession(w)
		http.Redirect(w, r, "/login?"+url.Values{"done": {"already_signed_out"}}.Encode(), http.StatusSeeOther)
		return
	}
	if err := parseForm(w, r); err != nil {
		u.fail(w, r, err)
		return
	}
	if !validSessionCSRF(m.csrfKey, r.PostForm.Get(csrfField)) {
		u.fail(w, r, errBadCSRF)
		return
	}
	if err := u.svc.Logout(r.Context(), m.secret); err != nil {
		u.fail(w, r, err)
		return
	}
	u.clearSession(w)
	redirectDone(w, r, "/login", "signed_out")
}
