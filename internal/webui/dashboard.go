package webui

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// dashboardView is the data of the dashboard.
type dashboardView struct {
	Summary  store.OrgSummary
	ByStatus []statusCount
}

// statusCount is the number of products in one support status.
type statusCount struct {
	Status     supportperiod.Status
	StatusText string
	Count      int
}

// dashboardStatuses is the order statuses are listed in: the ones needing
// attention last, next to the devices out of support.
var dashboardStatuses = []supportperiod.Status{supportperiod.Supported, supportperiod.EndingSoon, supportperiod.Ended, supportperiod.NotDeclared}

// dashboard counts the organisation's registry.
func (u *UI) dashboard(w http.ResponseWriter, r *http.Request, m *member) {
	if m.P.OrgID == "" {
		// A user can exist without belonging anywhere, for instance after
		// being removed from their last organisation.
		u.render(w, r, http.StatusOK, "no_org.html", m.page("No organisation", "dashboard", nil))
		return
	}
	sum, err := u.svc.Summary(r.Context(), m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := dashboardView{Summary: sum}
	for _, s := range dashboardStatuses {
		v.ByStatus = append(v.ByStatus, statusCount{Status: s, StatusText: s.Label(), Count: sum.BySupportStatus[s]})
	}
	u.render(w, r, http.StatusOK, "dashboard.html", m.page("Dashboard", "dashboard", v))
}

// switchOrg makes the session work in another of the user's organisations.
func (u *UI) switchOrg(w http.ResponseWriter, r *http.Request, m *member) {
	if err := u.svc.SwitchOrganisation(r.Context(), m.secret, m.P, r.PostForm.Get("org")); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/ui/", "org_switched")
}
