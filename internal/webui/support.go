package webui

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// setSupportPeriod declares or changes a product's support end date. The
// form takes either a month (support lasts to the end of it) or a day; the
// service decides whether the change is a declaration, an extension, a
// correction, or a shortening that must be forced.
func (u *UI) setSupportPeriod(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("support", formValues(r, supportFields...), supportFields...)
	showForm := func(status int) {
		u.showProduct(w, r, m, status, func(v *productView) { v.SupportForm = f })
	}
	raw, input := f.Get("end_month"), "end_month"
	if d := f.Get("end_day"); d != "" {
		if raw != "" {
			f.setError("end_day", "give a month or a day, not both")
			f.Problem = "Please correct the fields marked below."
			showForm(http.StatusBadRequest)
			return
		}
		raw, input = d, "end_day"
	}
	if raw == "" {
		f.setError("end_month", "give the month, or the exact day, the support period ends")
		f.Problem = "Please correct the fields marked below."
		showForm(http.StatusBadRequest)
		return
	}
	rename := map[string]string{"end": input}
	end, err := supportperiod.ParseEndDate(raw)
	if err != nil {
		status, _ := f.fail(err, rename)
		showForm(status)
		return
	}
	req := supportperiod.Request{End: end, Reason: f.Get("reason"), Force: f.Get("force") != ""}
	p, change, err := u.svc.SetSupportPeriod(r.Context(), m.P, r.PathValue("product"), req)
	if err != nil {
		status, shown := f.fail(err, rename)
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	redirectDone(w, r, productPath(p), "support_"+string(change.Kind))
}
