package webui

import (
	"net/http"
	"net/url"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/service"
)

var (
	passwordFields = []string{"current_password", "new_password", "confirm_password"}
	orgFields      = []string{"name", "website", "security_contact"}
)

// accountView is the data of the account page.
type accountView struct {
	Form *form
}

// account shows the member's account and the change-password form.
func (u *UI) account(w http.ResponseWriter, r *http.Request, m *member) {
	u.render(w, r, http.StatusOK, "account.html", m.page("Your account", "account", accountView{Form: newForm("password", nil, passwordFields...)}))
}

// changePassword sets a new password. The service signs out every session
// of the user, this one included, so the member is signed in again with a
// fresh session in the same organisation.
func (u *UI) changePassword(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("password", nil, passwordFields...)
	next := r.PostForm.Get("new_password")
	var err error
	if next != r.PostForm.Get("confirm_password") {
		err = errs.Invalidf("confirm_password", "does not match the new password")
	} else {
		err = u.svc.ChangePassword(r.Context(), m.P, r.PostForm.Get("current_password"), next)
	}
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.render(w, r, status, "account.html", m.page("Your account", "account", accountView{Form: f}))
		return
	}
	secret, err := u.svc.Login(r.Context(), m.P.UserEmail, next, httpx.ClientIP(r, u.cfg.TrustProxy))
	if err != nil {
		u.clearSession(w)
		redirectDone(w, r, "/login", "password_signin")
		return
	}
	u.setSession(w, secret)
	if m.P.OrgID != "" {
		if err := u.svc.SwitchOrganisation(r.Context(), secret, m.P, m.P.OrgID); err != nil {
			u.log.Warn("returning to the organisation after a password change", "err", err)
		}
	}
	redirectDone(w, r, "/ui/account", "password_changed")
}

// orgView is the data of the organisation page.
type orgView struct {
	Form *form
}

// organisation shows the organisation's public profile; owners may edit it.
func (u *UI) organisation(w http.ResponseWriter, r *http.Request, m *member) {
	o, err := u.svc.Organisation(r.Context(), m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := newForm("org", url.Values{"name": {o.Name}, "website": {o.Website}, "security_contact": {o.Contact}}, orgFields...)
	u.render(w, r, http.StatusOK, "organisation.html", m.page("Organisation", "organisation", orgView{Form: f}))
}

// updateOrganisation changes the organisation's public profile.
func (u *UI) updateOrganisation(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("org", formValues(r, orgFields...), orgFields...)
	name, website, contact := f.Get("name"), f.Get("website"), f.Get("security_contact")
	if _, err := u.svc.UpdateOrganisation(r.Context(), m.P, service.OrganisationPatch{Name: &name, Website: &website, Contact: &contact}); err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.render(w, r, status, "organisation.html", m.page("Organisation", "organisation", orgView{Form: f}))
		return
	}
	redirectDone(w, r, "/ui/organisation", "org_updated")
}
