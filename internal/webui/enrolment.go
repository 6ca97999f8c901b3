package webui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// Enrolment tokens: a product's tokens on its page, and the owner's forms
// to make one (its secret is shown once, on the page the form answers
// with) and to revoke one.

var enrolmentFields = []string{"name", "expires_in_days"}

// defaultEnrolmentDays is the lifetime the form suggests: long enough for
// a production run.
const defaultEnrolmentDays = "90"

// maxEnrolmentDays is the longest lifetime the service accepts, in days.
var maxEnrolmentDays = int(service.MaxEnrolmentTokenLife / (24 * time.Hour))

// enrolmentView is the enrolment section of a product's page.
type enrolmentView struct {
	Tokens  []enrolmentRow
	Form    *form
	MaxDays int
}

// enrolmentRow is one enrolment token in the list.
type enrolmentRow struct {
	T          registry.EnrolmentToken
	Usable     bool
	RevokePath string
}

func newEnrolmentForm() *form {
	return newForm("enrol", url.Values{"expires_in_days": {defaultEnrolmentDays}}, enrolmentFields...)
}

// loadEnrolment fills the enrolment section of a product's page.
func (u *UI) loadEnrolment(r *http.Request, m *member, p registry.Product) (*enrolmentView, error) {
	ts, err := u.svc.EnrolmentTokens(r.Context(), m.P, p.ID)
	if err != nil {
		return nil, err
	}
	v := &enrolmentView{Form: newEnrolmentForm(), MaxDays: maxEnrolmentDays}
	now := u.svc.Now()
	for _, t := range ts {
		v.Tokens = append(v.Tokens, enrolmentRow{T: t, Usable: t.Usable(now), RevokePath: productPath(p) + "/enrolment-tokens/" + url.PathEscape(t.ID) + "/revoke"})
	}
	return v, nil
}

// createdEnrolmentView is the page showing a new enrolment token's secret.
type createdEnrolmentView struct {
	P      registry.Product
	T      registry.EnrolmentToken
	Secret string
}

// createEnrolmentToken makes an enrolment token and shows its secret, this
// once. The answer is a page, not a redirect: the secret must not travel
// in an address.
func (u *UI) createEnrolmentToken(w http.ResponseWriter, r *http.Request, m *member) {
	ctx := r.Context()
	key := r.PathValue("product")
	f := newForm("enrol", formValues(r, enrolmentFields...), enrolmentFields...)
	days, err := strconv.Atoi(f.Get("expires_in_days"))
	if err != nil || days < 1 || days > maxEnrolmentDays {
		err = errs.Invalidf("expires_in_days", "must be a whole number of days, from 1 to %d", maxEnrolmentDays)
	} else {
		var t registry.EnrolmentToken
		var secret string
		if t, secret, err = u.svc.CreateEnrolmentToken(ctx, m.P, key, f.Get("name"), time.Duration(days)*24*time.Hour); err == nil {
			p, err := u.svc.Product(ctx, m.P, key)
			if err != nil {
				u.fail(w, r, err)
				return
			}
			pg := m.page("Your new enrolment token", "products", createdEnrolmentView{P: p, T: t, Secret: secret})
			pg.NoReferrer = true
			u.render(w, r, http.StatusOK, "enrolment_token.html", pg)
			return
		}
	}
	status, shown := f.fail(err, nil)
	if !shown {
		u.fail(w, r, err)
		return
	}
	u.showProduct(w, r, m, status, func(v *productView) { v.Enrolment.Form = f })
}

// revokeEnrolmentToken stops a token from enrolling more devices.
func (u *UI) revokeEnrolmentToken(w http.ResponseWriter, r *http.Request, m *member) {
	key := r.PathValue("product")
	if _, err := u.svc.RevokeEnrolmentToken(r.Context(), m.P, key, r.PathValue("token")); err != nil {
		u.productProblem(w, r, m, err)
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#enrolment", "enrolment_revoked")
}
