package webui_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// TestRolloutPages renders the rollouts page, a product's rollouts section
// and a rollout's page as each role sees them: the numbers in words, the
// bar, the live script only where a rollout is in progress, and buttons
// only for those who may use them.
func TestRolloutPages(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	token := e.fleet(o)
	var devs []*device
	for i := range 20 {
		devs = append(devs, e.enrol(token, fmt.Sprintf("SN-%02d", i), "rev-A", "1.0"))
	}
	live := e.startRollout(o, rollout.Rollout{Phases: []float64{50, 100}, Soak: rollout.Duration(24 * time.Hour), PauseAt: rollout.Threshold{Percent: 50}, AbortAt: rollout.Threshold{Count: 9},
		Window: rollout.Window{Start: "01:00", End: "05:00"}})
	offered := installAll(t, devs, 1)
	e.clk.Advance(90 * time.Minute)
	v, err := e.svc.Rollout(t.Context(), o.sys, live.ID)
	if err != nil {
		t.Fatal(err)
	}
	st := v.Stats
	if st.Targeted != 20 || st.Offered != offered || st.Failed != 1 || st.Succeeded != offered-1 || offered < 2 {
		t.Fatalf("stats %+v after %d offered", st, offered)
	}
	numbers := []string{
		`<strong data-field="targeted">20</strong> targeted devices`,
		fmt.Sprintf(`<strong data-field="offered">%d</strong> offered`, offered),
		fmt.Sprintf(`Installed: <strong data-field="succeeded">%d</strong> (<span data-field="succeeded-share">%s</span>)`, st.Succeeded, shareOf(st.Succeeded, 20)),
		`Failed: <strong data-field="failed">1</strong> (<span data-field="failed-share">5%</span>)`,
		`Offered, not installed yet: <strong data-field="pending">0</strong> (<span data-field="pending-share">0%</span>)`,
		fmt.Sprintf(`Not offered yet: <strong data-field="not-offered">%d</strong>`, 20-offered),
		`<dd data-field="phase">1 of 2 — 50% of targeted devices</dd>`,
		"<span aria-hidden=\"true\">▶</span> Active</span>",
		"22 hours 30 minutes (the soak time ends 2 Jun 2026, 12:00 UTC)",
		"1 day in each phase",
		`data-rollout="` + live.ID + `"`, `data-state="active"`, `data-soak="86400"`,
		`<rect class="seg seg-succeeded" data-bar="succeeded" x="0" y="0" width="` + fmt.Sprint(st.Succeeded*50) + `" height="24">`,
		"<noscript>", "Refresh</a> to see the latest",
	}
	rolloutPage := "/ui/rollouts/" + live.ID
	changeForm := `action="` + rolloutPath(live.ID) + `/change"`
	startForm := `action="/ui/products/plug/rollouts"`
	cases := []struct {
		name      string
		role      access.Role
		path      string
		want, not []string
	}{
		{"list_viewer", access.Viewer, "/ui/rollouts", append([]string{`<a href="` + rolloutPage + `">Version 2.0 of Smart Plug</a>`, "Security update</span>", `aria-current="page">Rollouts</a>`},
			numbers...), []string{changeForm, startForm}},
		{"list_of_product", access.Maintainer, "/ui/rollouts?product=plug", numbers, nil},
		{"product_owner", access.Owner, "/ui/products/plug", append([]string{`<h2 id="rollouts">Rollouts</h2>`, startForm, `<option value="2.0">2.0 (security update)</option>`,
			`value="1, 10, 50, 100"`, `value="24h"`, `value="5%"`, `id="rollout-scope-hardware_revision"`, `<option value="rev-B">rev-B</option>`, `type="time"`}, numbers...),
			[]string{`<option value="3.0">`, `<option value="1.0">`}},
		{"product_maintainer", access.Maintainer, "/ui/products/plug", []string{startForm, `<h2 id="enrolment">Device enrolment</h2>`, "An owner of your organisation creates and revokes enrolment tokens."}, []string{`/enrolment-tokens"`}},
		{"product_viewer", access.Viewer, "/ui/products/plug", numbers, []string{startForm, "Start a rollout", `/enrolment-tokens`}},
		{"rollout_owner", access.Owner, rolloutPage, append([]string{changeForm, "Pause the rollout", "Abort the rollout", `name="action" value="pause"`, `name="action" value="abort"`,
			"50% → 100% of the targeted devices", "Daily from 01:00 to 05:00 UTC", "50% of the devices offered the release in the phase failed to install it", "9 devices failed to install it",
			"95% of the devices offered the release in the phase installed it, after the soak time", "<code>2.0/plug-2.0.bin</code>", "Every device of the product", "Security update</span>"}, numbers...),
			[]string{"Resume the rollout"}},
		{"rollout_maintainer", access.Maintainer, rolloutPage, []string{changeForm, "Pause the rollout", "Abort the rollout"}, nil},
		{"rollout_viewer", access.Viewer, rolloutPage, numbers, []string{changeForm, "Pause the rollout", "Abort the rollout"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			b.login(o.email[tc.role])
			r := b.get(tc.path)
			wantStatus(t, tc.name, r, http.StatusOK)
			wantBody(t, tc.name, r, tc.want...)
			notBody(t, tc.name, r, tc.not...)
			checkPage(t, tc.name, r)
			if !liveScriptRE.MatchString(r.body) {
				t.Errorf("%s: a page with a rollout in progress does not load the live script", tc.name)
			}
		})
	}

	t.Run("finished_rollouts_run_no_script", func(t *testing.T) {
		b := e.browser()
		b.login(o.email[access.Maintainer])
		r := b.submit(rolloutPage, rolloutPath(live.ID)+"/change", url.Values{"action": {"abort"}, "reason": {"Battery drain reports"}})
		wantStatus(t, "abort", r, http.StatusSeeOther)
		for _, path := range []string{rolloutPage, "/ui/rollouts", "/ui/products/plug"} {
			r := b.get(path)
			wantBody(t, path, r, "<span aria-hidden=\"true\">✕</span> Aborted</span>", "Battery drain reports", "Stopped for good")
			notBody(t, path, r, "<script", "<noscript>", changeForm, "22 hours")
			checkPage(t, path, r)
			if got := r.header.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("%s: CSP %q, want the strict one", path, got)
			}
		}
	})
	t.Run("no_rollouts", func(t *testing.T) {
		o2 := e.org("other")
		b := e.browser()
		b.login(o2.email[access.Owner])
		r := b.get("/ui/rollouts")
		wantStatus(t, "other org", r, http.StatusOK)
		wantBody(t, "other org", r, "No rollouts yet.")
		notBody(t, "other org", r, live.ID)
		r = b.get(rolloutPage)
		wantStatus(t, "another org's rollout", r, http.StatusNotFound)
	})
}

func rolloutPath(id string) string { return "/ui/rollouts/" + url.PathEscape(id) }

// shareOf is n of total as the pages write it.
func shareOf(n, total int) string {
	v := float64(n*1000/total) / 10
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") + "%"
}

// TestStartRolloutForm starts rollouts through the product page's form:
// input it cannot read, and input the service refuses, come back by field
// and start nothing.
func TestStartRolloutForm(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.fleet(o)
	b := e.browser()
	b.login(o.email[access.Maintainer])
	good := func(change func(url.Values)) url.Values {
		v := url.Values{"version": {"2.0"}, "scope": {"product"}, "phases": {"1, 10, 50, 100"}, "soak": {"24h"}, "pause_threshold": {"5%"}}
		if change != nil {
			change(v)
		}
		return v
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"no_version", good(func(v url.Values) { v.Del("version") }), http.StatusBadRequest, []string{`id="rollout-version-error"`, "Release is required"}},
		{"unknown_version", good(func(v url.Values) { v.Set("version", "9.9") }), http.StatusBadRequest, []string{`id="rollout-version-error"`, "has no release &#34;9.9&#34;"}},
		{"unsigned_release", good(func(v url.Values) { v.Set("version", "3.0") }), http.StatusConflict, []string{"Release 3.0 is not signed into the update repository yet", `role="alert"`}},
		{"phases_not_numbers", good(func(v url.Values) { v.Set("phases", "1, ten, 100") }), http.StatusBadRequest, []string{`id="rollout-phases-error"`, "must be percentages separated by commas", `value="1, ten, 100"`}},
		{"phases_not_ending_at_100", good(func(v url.Values) { v.Set("phases", "1, 10, 50") }), http.StatusBadRequest, []string{`id="rollout-phases-error"`, "the last phase must be 100"}},
		{"phases_falling", good(func(v url.Values) { v.Set("phases", "50, 10, 100") }), http.StatusBadRequest, []string{`id="rollout-phases-error"`, "must rise"}},
		{"soak_unreadable", good(func(v url.Values) { v.Set("soak", "a day") }), http.StatusBadRequest, []string{`id="rollout-soak-error"`, "must be a time such as 24h"}},
		{"soak_too_long", good(func(v url.Values) { v.Set("soak", "100d") }), http.StatusBadRequest, []string{`id="rollout-soak-error"`, "between 0 and 90 days"}},
		{"pause_unreadable", good(func(v url.Values) { v.Set("pause_threshold", "some") }), http.StatusBadRequest, []string{`id="rollout-pause_threshold-error"`, "must be a number of devices"}},
		{"abort_over_100", good(func(v url.Values) { v.Set("abort_threshold", "150%") }), http.StatusBadRequest, []string{`id="rollout-abort_threshold-error"`, "at most 100%"}},
		{"bad_scope", good(func(v url.Values) { v.Set("scope", "everyone") }), http.StatusBadRequest, []string{`id="rollout-scope-error"`}},
		{"revision_missing", good(func(v url.Values) { v.Set("scope", "hardware_revision") }), http.StatusBadRequest, []string{`id="rollout-hardware_revision-error"`, "choose the revision"}},
		{"revision_unknown", good(func(v url.Values) { v.Set("scope", "hardware_revision"); v.Set("hardware_revision", "rev-Z") }), http.StatusBadRequest, []string{`id="rollout-hardware_revision-error"`, "has no hardware revision &#34;rev-Z&#34;"}},
		{"group_missing", good(func(v url.Values) { v.Set("scope", "group") }), http.StatusBadRequest, []string{`id="rollout-group-error"`, "name the group"}},
		{"window_half", good(func(v url.Values) { v.Set("window_start", "01:00") }), http.StatusBadRequest, []string{`id="rollout-window-error"`, "needs both a start and an end"}},
		{"window_empty", good(func(v url.Values) { v.Set("window_start", "01:00"); v.Set("window_end", "01:00") }), http.StatusBadRequest, []string{`id="rollout-window-error"`, "start and end are the same"}},
		{"window_not_a_time", good(func(v url.Values) { v.Set("window_start", "1am"); v.Set("window_end", "05:00") }), http.StatusBadRequest, []string{`id="rollout-window-error"`, "HH:MM"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := b.submit("/ui/products/plug", "/ui/products/plug/rollouts", tc.form)
			wantStatus(t, tc.name, r, tc.status)
			wantBody(t, tc.name, r, tc.want...)
			wantBody(t, tc.name, r, "<details open>\n    <summary>Start a rollout</summary>")
			checkPage(t, tc.name, r)
			if rs := e.rollouts(o); len(rs) != 0 {
				t.Fatalf("a refused form started %d rollouts", len(rs))
			}
		})
	}
	t.Run("viewer_cannot_start", func(t *testing.T) {
		v := e.browser()
		v.login(o.email[access.Viewer])
		r := v.submit("/ui/products/plug", "/ui/products/plug/rollouts", good(nil))
		wantStatus(t, "viewer", r, http.StatusForbidden)
		if rs := e.rollouts(o); len(rs) != 0 {
			t.Fatal("a viewer started a rollout")
		}
	})
	t.Run("no_form_token", func(t *testing.T) {
		r := b.post("/ui/products/plug/rollouts", good(nil))
		wantStatus(t, "no token", r, http.StatusForbidden)
		if rs := e.rollouts(o); len(rs) != 0 {
			t.Fatal("a form without its token started a rollout")
		}
	})
	t.Run("start", func(t *testing.T) {
		r := b.submit("/ui/products/plug", "/ui/products/plug/rollouts", url.Values{"version": {"2.0"}, "scope": {"hardware_revision"}, "hardware_revision": {"rev-B"},
			"group": {"ignored"}, "phases": {"10%, 100%"}, "soak": {"2d"}, "urgent": {"on"}, "pause_threshold": {"3"}, "abort_threshold": {"12.5%"}, "window_start": {"22:00"}, "window_end": {"02:00"}})
		wantStatus(t, "start", r, http.StatusSeeOther)
		rs := e.rollouts(o)
		if len(rs) != 1 {
			t.Fatalf("%d rollouts", len(rs))
		}
		got := rs[0]
		if got.Version != "2.0" || got.Scope != rollout.HardwareRevision || got.ScopeValue != "rev-B" || fmt.Sprint(got.Phases) != "[10 100]" ||
			time.Duration(got.Soak) != 48*time.Hour || !got.Urgent || got.PauseAt != (rollout.Threshold{Count: 3}) || got.AbortAt != (rollout.Threshold{Percent: 12.5}) ||
			got.Window != (rollout.Window{Start: "22:00", End: "02:00"}) || !got.Security || got.State != rollout.Active {
			t.Fatalf("started %+v", got)
		}
		if loc := r.header.Get("Location"); loc != rolloutPath(got.ID)+"?done=rollout_started" {
			t.Fatalf("Location = %q", loc)
		}
		page := b.get(r.header.Get("Location"))
		wantBody(t, "started", page, "The rollout started.", "Devices of hardware revision rev-B", "10% → 100%", "None: urgent, phases do not wait",
			"3 devices failed to install it", "12.5% of the devices offered", "Daily from 22:00 to 02:00 UTC (ignored: the rollout is urgent)", "installed it, at once",
			`<dd data-field="phase">1 of 2 — 10% of targeted devices</dd>`, `<strong data-field="targeted">0</strong> targeted devices`, "by maintainer@acme.example")
		checkPage(t, "started", page)
	})
}

// TestChangeRolloutForms pauses, resumes and aborts a rollout from its
// page; a refused change leaves it as it was.
func TestChangeRolloutForms(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.fleet(o)
	live := e.startRollout(o, rollout.Rollout{})
	page := rolloutPath(live.ID)
	state := func() rollout.State {
		t.Helper()
		v, err := e.svc.Rollout(t.Context(), o.sys, live.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v.State
	}
	b := e.browser()
	b.login(o.email[access.Maintainer])

	refused := []struct {
		name   string
		who    access.Role
		form   url.Values
		status int
		want   []string
	}{
		{"viewer_pauses", access.Viewer, url.Values{"action": {"pause"}}, http.StatusForbidden, []string{"You are not allowed"}},
		{"unknown_action", access.Maintainer, url.Values{"action": {"explode"}}, http.StatusBadRequest, []string{"Choose to pause, resume or abort"}},
		{"reason_too_long", access.Maintainer, url.Values{"action": {"pause"}, "reason": {strings.Repeat("x", 501)}}, http.StatusBadRequest, []string{`id="change-reason-error"`, "at most 500 characters"}},
		{"abort_reason_too_long", access.Maintainer, url.Values{"action": {"abort"}, "reason": {strings.Repeat("x", 501)}}, http.StatusBadRequest, []string{`id="abort-reason-error"`, "<details class=\"danger-zone\" open>"}},
		{"resume_an_active_rollout", access.Maintainer, url.Values{"action": {"resume"}}, http.StatusConflict, []string{"A active rollout cannot resume", `role="alert"`}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			c := e.browser()
			c.login(o.email[tc.who])
			r := c.submit(page, page+"/change", tc.form)
			wantStatus(t, tc.name, r, tc.status)
			wantBody(t, tc.name, r, tc.want...)
			checkPage(t, tc.name, r)
			if s := state(); s != rollout.Active {
				t.Fatalf("a refused change left the rollout %s", s)
			}
		})
	}

	steps := []struct {
		action, reason, done string
		state                rollout.State
		want, not            []string
	}{
		{"pause", "Waiting for the field team", "rollout_paused", rollout.Paused, []string{"The rollout was paused.", "‖</span> Paused", "Waiting for the field team", "Resume the rollout", `value="resume"`}, []string{"Pause the rollout"}},
		{"resume", "", "rollout_resumed", rollout.Active, []string{"The rollout was resumed.", "▶</span> Active", "resumed by maintainer@acme.example", "Pause the rollout"}, []string{"Resume the rollout"}},
		{"abort", "Bricks rev-B units", "rollout_aborted", rollout.Aborted, []string{"The rollout was aborted.", "✕</span> Aborted", "Bricks rev-B units"}, []string{"Pause the rollout", "Resume the rollout", "Abort the rollout"}},
	}
	for _, s := range steps {
		t.Run(s.action, func(t *testing.T) {
			r := b.submit(page, page+"/change", url.Values{"action": {s.action}, "reason": {s.reason}})
			wantStatus(t, s.action, r, http.StatusSeeOther)
			if loc := r.header.Get("Location"); loc != page+"?done="+s.done {
				t.Fatalf("Location = %q", loc)
			}
			if got := state(); got != s.state {
				t.Fatalf("state %s, want %s", got, s.state)
			}
			after := b.get(r.header.Get("Location"))
			wantBody(t, s.action, after, s.want...)
			notBody(t, s.action, after, s.not...)
			checkPage(t, s.action, after)
		})
	}
	t.Run("aborted_stays_aborted", func(t *testing.T) {
		r := b.submit(page, page+"/change", url.Values{"action": {"resume"}})
		wantStatus(t, "resume aborted", r, http.StatusConflict)
		if s := state(); s != rollout.Aborted {
			t.Fatalf("state %s", s)
		}
	})
}

// TestRolloutLiveEndpoint checks what live.js relies on: the page names the
// script and its nonce in its CSP, the script is served, and the JSON API
// answers the session's requests for a rollout with the numbers the page
// shows, which follow devices' check-ins.
func TestRolloutLiveEndpoint(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	token := e.fleet(o)
	var devs []*device
	for i := range 10 {
		devs = append(devs, e.enrol(token, fmt.Sprintf("SN-%02d", i), "rev-A", "1.0"))
	}
	live := e.startRollout(o, rollout.Rollout{Phases: []float64{100}, Urgent: true})
	b := e.browser()
	b.login(o.email[access.Viewer])

	page := b.get(rolloutPath(live.ID))
	m := liveScriptRE.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no live script on the page:\n%s", page.body)
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'nonce-"+m[1]+"'") || !strings.Contains(csp, "connect-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q does not allow exactly the nonce's script", csp)
	}
	if again := liveScriptRE.FindStringSubmatch(b.get(rolloutPath(live.ID)).body); again[1] == m[1] {
		t.Error("two responses share a nonce")
	}
	src := regexp.MustCompile(`src="([^"]+)"`).FindStringSubmatch(m[0])[1]
	js := b.get(strings.ReplaceAll(src, "&amp;", "&"))
	wantStatus(t, "live.js", js, http.StatusOK)
	if ct := js.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("live.js Content-Type %q", ct)
	}
	wantBody(t, "live.js", js, "/api/v1/rollouts/", `credentials: "same-origin"`, "textContent")
	notBody(t, "live.js", js, "innerHTML", "eval(")

	poll := func(c *browser) (int, service.RolloutView) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.url+"/api/v1/rollouts/"+live.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		// What the browser sends with live.js's fetch.
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Sec-Fetch-Mode", "cors")
		r := c.do(req)
		var v service.RolloutView
		if r.status == http.StatusOK {
			if err := json.Unmarshal([]byte(r.body), &v); err != nil {
				t.Fatalf("%v: %s", err, r.body)
			}
		}
		return r.status, v
	}
	status, v := poll(b)
	if status != http.StatusOK || v.Stats != (rollout.Stats{Targeted: 10}) || v.State != rollout.Active || v.Percent != 100 || v.Phase != 0 || len(v.Phases) != 1 {
		t.Fatalf("before check-ins: %d %+v", status, v)
	}
	if offered := installAll(t, devs[:4], 1); offered != 4 {
		t.Fatalf("%d of 4 devices offered the release at 100%%", offered)
	}
	devs[4].checkIn("1.0", "idle", "") // offered, not installed yet
	_, v = poll(b)
	if want := (rollout.Stats{Targeted: 10, Offered: 5, Succeeded: 3, Failed: 1, Pending: 1}); v.Stats != want {
		t.Fatalf("after check-ins: %+v, want %+v", v.Stats, want)
	}
	// The page, drawn now, shows the same numbers.
	wantBody(t, "page after check-ins", b.get(rolloutPath(live.ID)), `<strong data-field="offered">5</strong>`, `data-field="succeeded">3</strong>`,
		`data-field="failed">1</strong>`, `data-field="pending">1</strong>`, `data-field="not-offered">5</strong>`, `<span data-field="succeeded-share">30%</span>`)

	t.Run("not_signed_in", func(t *testing.T) {
		if status, _ := poll(e.browser()); status != http.StatusUnauthorized {
			t.Errorf("status %d without a session", status)
		}
	})
	t.Run("other_organisation", func(t *testing.T) {
		o2 := e.org("other")
		c := e.browser()
		c.login(o2.email[access.Owner])
		if status, _ := poll(c); status != http.StatusNotFound {
			t.Errorf("status %d for another organisation's rollout", status)
		}
	})
}
