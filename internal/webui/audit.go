package webui

import (
	"net/http"
	"time"

	"github.com/lifeline-iot/lifeline/internal/audit"
)

var auditFilterFields = []string{"action", "actor", "since", "until"}

// auditView is the data of the audit log page.
type auditView struct {
	Filter *form
	Events []audit.Event
	Pager  pager
}

// audit shows the organisation's audit log, newest first. The service
// refuses members whose role may not read it.
func (u *UI) audit(w http.ResponseWriter, r *http.Request, m *member) {
	q := r.URL.Query()
	filter := newForm("filter", nil, auditFilterFields...)
	for _, name := range auditFilterFields {
		filter.Values.Set(name, q.Get(name))
	}
	f := audit.Filter{Action: q.Get("action"), ActorLabel: q.Get("actor")}
	// Dates cover whole days in UTC: "until" includes the day it names.
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			filter.setError(name, "must be a date such as 2026-03-31")
			continue
		}
		if name == "until" {
			t = t.AddDate(0, 0, 1)
		}
		*dst = t
	}
	// A bad date is reported and left out of the filter; the log is still
	// read, so the service's permission check decides what is shown.
	l, err := u.svc.Audit(r.Context(), m.P, f, listPage(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if filter.Failed() {
		filter.Problem = "Please correct the fields marked below."
		status = http.StatusBadRequest
	}
	v := auditView{Filter: filter, Events: l.Items, Pager: newPager(r, l.Next)}
	u.render(w, r, status, "audit.html", m.page("Audit log", "audit", v))
}
