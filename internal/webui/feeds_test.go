package webui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

const refreshMeta = `<meta http-equiv="refresh" content="2">`

// siteAdmin makes the user a site administrator.
func (e *env) siteAdmin(email string) {
	e.t.Helper()
	yes := true
	if _, err := e.svc.UpdateUser(context.Background(), access.System("test"), email, service.UserUpdate{SiteAdmin: &yes}); err != nil {
		e.t.Fatal(err)
	}
}

// waitForImports waits until no feed import runs on the server.
func (e *env) waitForImports() []service.FeedJob {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		jobs := e.svc.FeedJobs(access.System("test"))
		running := false
		for _, j := range jobs {
			running = running || j.Finished == nil
		}
		if !running {
			return jobs
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("feed imports still running: %+v", jobs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFeeds imports a feed through the form as a site administrator,
// watches its progress on the page, which reloads itself only while the
// import runs, and checks that other members only read the page.
func TestFeeds(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.siteAdmin(o.email[access.Owner])

	// The feed is served over HTTP and held back until the test lets it
	// go, so the page can be seen while the import runs.
	release := make(chan struct{})
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		http.ServeFile(w, r, nvdFixture(webpCVE+".json"))
	}))
	t.Cleanup(feed.Close)
	t.Cleanup(let)

	admin := e.browser()
	admin.login(o.email[access.Owner])
	page := admin.get("/ui/feeds")
	wantStatus(t, "feeds", page, http.StatusOK)
	wantBody(t, "feeds", page, "No advisory feed has been imported yet", `action="/ui/feeds/import"`, `id="feed-name"`, `id="feed-kind"`, `id="feed-location"`, `id="feed-full"`)
	notBody(t, "feeds", page, refreshMeta)
	checkPage(t, "feeds", page)
	wantBody(t, "portfolio links to feeds", admin.get("/ui/vulnerabilities"), `href="/ui/feeds"`)

	r := admin.submit("/ui/feeds", "/ui/feeds/import", url.Values{"kind": {"nvd"}})
	wantStatus(t, "empty form", r, http.StatusBadRequest)
	wantBody(t, "empty form", r, `id="feed-name-error"`, `id="feed-location-error"`, "No import was started")
	notBody(t, "empty form", r, `id="feed-kind-error"`)
	checkPage(t, "empty form", r)

	spec := url.Values{"name": {"nvd"}, "kind": {"nvd"}, "location": {feed.URL + "/nvd.json"}, "full": {"on"}}
	r = admin.submit("/ui/feeds", "/ui/feeds/import", spec)
	wantStatus(t, "import", r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/ui/feeds?done=feed_import_started" {
		t.Fatalf("import redirected to %q", loc)
	}
	running := admin.get(r.header.Get("Location"))
	wantBody(t, "running", running, refreshMeta, "The import started.", "An import is running", "Running: ", "nvd <span class=\"muted\">(nvd)</span>")
	checkPage(t, "running", running)

	r = admin.submit("/ui/feeds", "/ui/feeds/import", spec)
	wantStatus(t, "second import", r, http.StatusConflict)
	wantBody(t, "second import", r, "is being imported already", `role="alert"`)
	notBody(t, "second import", r, refreshMeta)

	let()
	jobs := e.waitForImports()
	if len(jobs) != 1 || jobs[0].Error != "" {
		t.Fatalf("jobs: %+v", jobs)
	}
	done := admin.get("/ui/feeds")
	wantStatus(t, "finished", done, http.StatusOK)
	wantBody(t, "finished", done, "Finished", `<th scope="row">nvd</th>`, "<td>nvd</td>", feed.URL+"/nvd.json", `<td class="num">1</td>`, "Advisory records by source")
	notBody(t, "finished", done, refreshMeta, "An import is running")
	checkPage(t, "finished", done)

	// A member who is not a site administrator reads the feeds but may
	// not import one.
	m := e.browser()
	m.login(o.email[access.Maintainer])
	ro := m.get("/ui/feeds")
	wantStatus(t, "maintainer's feeds", ro, http.StatusOK)
	wantBody(t, "maintainer's feeds", ro, `<th scope="row">nvd</th>`, "only its site administrators import them")
	notBody(t, "maintainer's feeds", ro, `action="/ui/feeds/import"`, "Imports on this server")
	checkPage(t, "maintainer's feeds", ro)
	r = m.submit("/ui/feeds", "/ui/feeds/import", url.Values{"name": {"osv"}, "kind": {"osv"}, "location": {"/tmp"}})
	wantStatus(t, "maintainer's import", r, http.StatusForbidden)
	wantBody(t, "maintainer's import", r, "Only site administrators import advisory feeds")
	if jobs := e.svc.FeedJobs(access.System("test")); len(jobs) != 1 {
		t.Errorf("a maintainer started an import: %+v", jobs)
	}
}
