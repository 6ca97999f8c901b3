package webui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Advisory feeds: the feeds the operator imported and how their imports
// went, the imports running on this server with their progress, and, for
// site administrators, the form to start one. While an import runs the
// page reloads itself every two seconds with a refresh meta element, so
// the progress moves without any script.

var feedFields = []string{"name", "kind", "location", "full"}

// feedKinds are the import form's choices, one per service.FeedKinds.
var feedKinds = []option{
	{Value: service.FeedOSV, Label: "OSV: a zip of records, a directory or one JSON record"},
	{Value: service.FeedNVD, Label: "NVD: a CVE API 2.0 response or 2.0 data feed (JSON)"},
	{Value: service.FeedCSAF, Label: "CSAF 2.0: one advisory or a directory of them"},
	{Value: service.FeedKEV, Label: "CISA Known Exploited Vulnerabilities catalogue (JSON)"},
}

// sourceCount is how many advisory records one source holds.
type sourceCount struct {
	Source string
	Count  int
}

// feedsView is the data of the feeds page.
type feedsView struct {
	Feeds   []store.Feed
	Sources []sourceCount
	Jobs    []service.FeedJob
	Running bool
	Admin   bool // may start imports
	Form    *form
	Kinds   []option
}

// feeds lists the advisory feeds and the imports in progress.
func (u *UI) feeds(w http.ResponseWriter, r *http.Request, m *member) {
	u.showFeeds(w, r, m, http.StatusOK, nil)
}

func (u *UI) showFeeds(w http.ResponseWriter, r *http.Request, m *member, status int, f *form) {
	fs, counts, err := u.svc.Feeds(r.Context(), m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if f == nil {
		f = newForm("feed", nil, feedFields...)
	}
	v := feedsView{Feeds: fs, Jobs: u.svc.FeedJobs(m.P), Admin: m.CanAdminSite(), Form: f, Kinds: feedKinds}
	for src, n := range counts {
		v.Sources = append(v.Sources, sourceCount{Source: src, Count: n})
	}
	slices.SortFunc(v.Sources, func(a, b sourceCount) int { return strings.Compare(a.Source, b.Source) })
	for _, j := range v.Jobs {
		if j.Finished == nil {
			v.Running = true
		}
	}
	pg := m.page("Advisory feeds", "vulnerabilities", v)
	// A failed form is not reloaded away under the member's eyes.
	pg.Refresh = v.Running && !f.Failed()
	u.render(w, r, status, "feeds.html", pg)
}

var errNotSiteAdmin = errs.E(errs.PermissionDenied, "Only site administrators import advisory feeds: the advisories are shared by every organisation on this Lifeline.").WithCode("permission_denied")

// importFeed starts importing a feed in the background and goes back to
// the feeds page, which shows its progress.
func (u *UI) importFeed(w http.ResponseWriter, r *http.Request, m *member) {
	if !m.CanAdminSite() {
		// The page offers the form only to site administrators; the
		// service refuses everyone else as well.
		u.fail(w, r, errNotSiteAdmin)
		return
	}
	f := newForm("feed", formValues(r, feedFields...), feedFields...)
	// The service checks the rest once the import runs; an empty form is
	// refused here so that no import starts without a name or a place.
	if f.Get("name") == "" {
		f.setError("name", "is required")
	}
	if !slices.Contains(service.FeedKinds, f.Get("kind")) {
		f.setError("kind", "must be one of the kinds listed")
	}
	if f.Get("location") == "" {
		f.setError("location", "is required: a file or directory on the server, or an http(s) URL")
	}
	if f.Failed() {
		f.Problem = "Please correct the fields marked below. No import was started."
		u.showFeeds(w, r, m, http.StatusBadRequest, f)
		return
	}
	spec := service.FeedSpec{Name: f.Get("name"), Kind: f.Get("kind"), Location: f.Get("location"), Full: f.Get("full") != ""}
	if err := u.svc.StartFeedImport(r.Context(), m.P, spec); err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.showFeeds(w, r, m, status, f)
		return
	}
	redirectDone(w, r, "/ui/feeds", "feed_import_started")
}
