package webui

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/service"
)

var errSetUp = errs.E(errs.NotFound, "Lifeline is already set up. Sign in instead, or ask an owner of your organisation to add you.").WithCode("already_set_up")

var setupFields = []string{"org_name", "org_slug", "org_kind", "name", "email", "password"}

// setupView is the data of the first-run setup page.
type setupView struct {
	Form  *form
	Token string
	Kinds []option
}

func orgKindOptions() []option {
	out := make([]option, len(access.OrgKinds))
	for i, k := range access.OrgKinds {
		out[i] = option{Value: string(k), Label: k.Label()}
	}
	return out
}

// setupForm shows the form that creates the first organisation and its
// owner. It exists only while Lifeline has no users; the one-time token in
// the link proves the visitor is the operator who started Lifeline.
func (u *UI) setupForm(w http.ResponseWriter, r *http.Request) {
	pending, err := u.svc.SetupPending(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !pending {
		u.fail(w, r, errSetUp)
		return
	}
	f := newForm("setup", nil, setupFields...)
	f.Values.Set("org_kind", string(access.Manufacturer))
	u.renderSetup(w, r, http.StatusOK, f, r.URL.Query().Get("token"))
}

func (u *UI) renderSetup(w http.ResponseWriter, r *http.Request, status int, f *form, token string) {
	csrf := u.preLoginToken(w, r)
	u.render(w, r, status, "setup.html", page{Title: "Set up Lifeline", CSRF: csrf, NoReferrer: true,
		Data: setupView{Form: f, Token: token, Kinds: orgKindOptions()}})
}

// setup completes the setup and signs the new owner in.
func (u *UI) setup(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		u.fail(w, r, err)
		return
	}
	if !u.validPreLoginCSRF(r) {
		u.fail(w, r, errBadCSRF)
		return
	}
	pending, err := u.svc.SetupPending(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if !pending {
		u.fail(w, r, errSetUp)
		return
	}
	token := r.PostForm.Get("token")
	f := newForm("setup", formValues(r, "org_name", "org_slug", "org_kind", "name", "email"), setupFields...)
	password := r.PostForm.Get("password")
	source := httpx.ClientIP(r, u.cfg.TrustProxy)
	in := service.SetupInput{OrgName: f.Get("org_name"), OrgSlug: f.Get("org_slug"), OrgKind: access.OrgKind(f.Get("org_kind")),
		Name: f.Get("name"), Email: f.Get("email"), Password: password}
	if _, _, err := u.svc.CompleteSetup(r.Context(), token, in, source); err != nil {
		status, shown := f.fail(err, map[string]string{"name": "name", "slug": "org_slug", "kind": "org_kind"})
		if !shown {
			u.fail(w, r, err)
			return
		}
		splitSetupNames(f, err)
		u.renderSetup(w, r, status, f, token)
		return
	}
	secret, err := u.svc.Login(r.Context(), in.Email, password, source)
	if err != nil {
		// Setup worked; only the automatic sign-in did not.
		u.clearPreLoginCookie(w)
		redirectDone(w, r, "/login", "setup_complete")
		return
	}
	u.clearPreLoginCookie(w)
	u.setSession(w, secret)
	redirectDone(w, r, "/ui/", "setup_complete")
}

// splitSetupNames sorts out the one clash of field names: the service
// calls both the organisation's name and the person's name "name". The
// organisation is validated first, so when the organisation's name looks
// wrong the first "name" error is about it, and any other is the person's.
func splitSetupNames(f *form, err error) {
	delete(f.Errors, "name")
	orgName := f.Get("org_name")
	orgSuspect := orgName == "" || len(orgName) > 200
	for _, fe := range errs.Public(err).Fields {
		if fe.Field != "name" {
			continue
		}
		if orgSuspect {
			f.setError("org_name", fe.Message)
			orgSuspect = false
			continue
		}
		f.setError("name", fe.Message)
	}
}
