package webui_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

func (e *env) enrolmentTokens(o org) []registry.EnrolmentToken {
	e.t.Helper()
	ts, err := e.svc.EnrolmentTokens(context.Background(), o.sys, "plug")
	if err != nil {
		e.t.Fatal(err)
	}
	return ts
}

func (e *env) device(o org, serial string) registry.Device {
	e.t.Helper()
	d, err := e.svc.Device(context.Background(), o.sys, "plug", serial)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

var secretRE = regexp.MustCompile(`<output id="new-enrolment-token" class="secret">([^<]+)</output>`)

// TestEnrolmentTokens makes, uses and revokes enrolment tokens through the
// product page as an owner: the secret shows once and enrols a device;
// refused input makes nothing; other roles see the list but no forms.
func TestEnrolmentTokens(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	e.fleet(o) // has one token, "factory"
	b := e.browser()
	b.login(o.email[access.Owner])

	refused := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"no_name", url.Values{"expires_in_days": {"30"}}, http.StatusBadRequest, []string{`id="enrol-name-error"`, "Name is required"}},
		{"days_not_a_number", url.Values{"name": {"Line 2"}, "expires_in_days": {"soon"}}, http.StatusBadRequest, []string{`id="enrol-expires_in_days-error"`, "from 1 to 1825", `value="Line 2"`}},
		{"zero_days", url.Values{"name": {"Line 2"}, "expires_in_days": {"0"}}, http.StatusBadRequest, []string{`id="enrol-expires_in_days-error"`}},
		{"too_many_days", url.Values{"name": {"Line 2"}, "expires_in_days": {"1826"}}, http.StatusBadRequest, []string{`id="enrol-expires_in_days-error"`}},
		{"name_too_long", url.Values{"name": {strings.Repeat("n", 101)}, "expires_in_days": {"30"}}, http.StatusBadRequest, []string{`id="enrol-name-error"`, "at most 100 characters"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := b.submit("/ui/products/plug", "/ui/products/plug/enrolment-tokens", tc.form)
			wantStatus(t, tc.name, r, tc.status)
			wantBody(t, tc.name, r, tc.want...)
			wantBody(t, tc.name, r, "<details open>\n    <summary>Create an enrolment token</summary>", `role="alert"`)
			checkPage(t, tc.name, r)
			if n := len(e.enrolmentTokens(o)); n != 1 {
				t.Fatalf("a refused form left %d tokens", n)
			}
		})
	}
	for _, role := range []access.Role{access.Maintainer, access.Viewer} {
		t.Run(string(role), func(t *testing.T) {
			c := e.browser()
			c.login(o.email[role])
			page := c.get("/ui/products/plug")
			wantBody(t, string(role), page, `<th scope="row">factory</th>`, "An owner of your organisation creates and revokes enrolment tokens.")
			notBody(t, string(role), page, "/enrolment-tokens", "Create enrolment token")
			r := c.submit("/ui/products/plug", "/ui/products/plug/enrolment-tokens", url.Values{"name": {"Mine"}, "expires_in_days": {"30"}})
			wantStatus(t, string(role)+" creates", r, http.StatusForbidden)
			id := e.enrolmentTokens(o)[0].ID
			r = c.submit("/ui/products/plug", "/ui/products/plug/enrolment-tokens/"+id+"/revoke", nil)
			wantStatus(t, string(role)+" revokes", r, http.StatusForbidden)
			if ts := e.enrolmentTokens(o); len(ts) != 1 || ts[0].RevokedAt != nil {
				t.Fatalf("%s changed the tokens: %+v", role, ts)
			}
		})
	}

	var secret string
	t.Run("create", func(t *testing.T) {
		r := b.submit("/ui/products/plug", "/ui/products/plug/enrolment-tokens", url.Values{"name": {"Line 2 <March>"}, "expires_in_days": {"60"}})
		wantStatus(t, "create", r, http.StatusOK)
		wantBody(t, "create", r, "Copy the enrolment token now", "This is the only time Lifeline shows the enrolment token “Line 2 &lt;March&gt;” of Smart Plug",
			"can enrol with it until 31 Jul 2026, 12:00 UTC", `href="/ui/products/plug#enrolment"`)
		checkPage(t, "create", r)
		if rp := r.header.Get("Referrer-Policy"); rp != "no-referrer" {
			t.Errorf("Referrer-Policy %q", rp)
		}
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		m := secretRE.FindStringSubmatch(r.body)
		if m == nil || !strings.HasPrefix(m[1], registry.EnrolmentTokenPrefix) {
			t.Fatalf("no secret on the page:\n%s", r.body)
		}
		secret = m[1]
		page := b.get("/ui/products/plug")
		notBody(t, "product page after", page, secret)
		wantBody(t, "product page after", page, `<th scope="row">Line 2 &lt;March&gt;</th>`)
	})
	t.Run("the_secret_enrols_a_device", func(t *testing.T) {
		d := e.enrol(secret, "SN-NEW", "rev-A", "1.0")
		d.checkIn("1.0", deviceapi.StateIdle, "")
		for _, tok := range e.enrolmentTokens(o) {
			if tok.Name == "Line 2 <March>" && tok.Enrolled != 1 {
				t.Errorf("token counts %d devices", tok.Enrolled)
			}
		}
		wantBody(t, "count", b.get("/ui/products/plug"), "<td>1</td>")
	})
	t.Run("revoke", func(t *testing.T) {
		var id string
		for _, tok := range e.enrolmentTokens(o) {
			if tok.Name == "Line 2 <March>" {
				id = tok.ID
			}
		}
		r := b.submit("/ui/products/plug", "/ui/products/plug/enrolment-tokens/"+id+"/revoke", nil)
		wantStatus(t, "revoke", r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != "/ui/products/plug?done=enrolment_revoked#enrolment" {
			t.Fatalf("Location %q", loc)
		}
		page := b.get(r.header.Get("Location"))
		wantBody(t, "revoked", page, "The enrolment token was revoked.", "<td>Revoked 1 Jun 2026, 12:00 UTC</td>")
		notBody(t, "revoked", page, "/enrolment-tokens/"+id+"/revoke")
		_, lateKey, _ := ed25519.GenerateKey(rand.Reader)
		payload, auth := deviceapi.SignedEnrolment(deviceapi.EnrolRequest{Token: secret, Serial: "SN-LATE"}, lateKey, e.clk.Now().Unix())
		status, _ := e.deviceCall(deviceapi.EnrolPath, auth, json.RawMessage(payload))
		if status != http.StatusUnauthorized {
			t.Errorf("a revoked token enrolled a device: %d", status)
		}
		r = b.submit("/ui/products/plug", "/ui/products/plug/enrolment-tokens/nope/revoke", nil)
		wantStatus(t, "unknown token", r, http.StatusNotFound)
	})
}

// TestDevicePages shows devices' check-ins and enrolment on the list and
// on each device's page, and sets a group and resets a key through the
// forms, with the confirmation step.
func TestDevicePages(t *testing.T) {
	e := newEnv(t, webui.Config{})
	o := e.org("acme")
	token := e.fleet(o)
	ctx := context.Background()
	d := e.enrol(token, "SN-1", "rev-A", "1.0")
	e.startRollout(o, rollout.Rollout{Phases: []float64{100}, Urgent: true})
	offer := d.checkIn("1.0", deviceapi.StateIdle, "").Offer
	if offer == nil {
		t.Fatal("no offer at 100%")
	}
	d.checkIn("1.0", deviceapi.StateDownloading, offer.Target)
	// A device only imported, never enrolled.
	if _, _, err := e.svc.PutDevice(ctx, o.sys, "plug", registry.Device{Serial: "SN-2", HardwareRevision: "rev-B"}); err != nil {
		t.Fatal(err)
	}

	t.Run("list", func(t *testing.T) {
		c := e.browser()
		c.login(o.email[access.Viewer])
		r := c.get("/ui/devices?product=plug")
		wantStatus(t, "list", r, http.StatusOK)
		wantBody(t, "list", r, `<th scope="col">Update state</th>`, `<th scope="col">Last check-in</th>`, `<th scope="col">Group</th>`, `<th scope="col">Enrolled</th>`,
			`<a href="/ui/devices/plug/SN-1"><code>SN-1</code></a>`, "<td>Downloading an update</td>", "<td>Yes, 1 Jun 2026</td>", "<td>1 Jun 2026, 12:00 UTC</td>",
			"<td>Never checked in</td>", "<td>No</td>", "<td>Never</td>")
		checkPage(t, "list", r)
	})

	page := "/ui/devices/plug/SN-1"
	groupForm := `action="/ui/devices/plug/SN-1/group"`
	resetLink := `href="/ui/devices/plug/SN-1/reset-key"`
	cases := []struct {
		name      string
		role      access.Role
		path      string
		want, not []string
	}{
		{"owner", access.Owner, page, []string{"Downloading an update", "<code>2.0/plug-2.0.bin</code>", "Yes, 1 Jun 2026, 12:00 UTC: it signs its check-ins", "<dd>ok</dd>",
			"The rollout that last offered it an update", groupForm, resetLink}, nil},
		{"maintainer", access.Maintainer, page, []string{groupForm}, []string{resetLink}},
		{"viewer", access.Viewer, page, []string{"Downloading an update"}, []string{groupForm, resetLink}},
		{"never_enrolled", access.Owner, "/ui/devices/plug/SN-2", []string{"No: it has not registered a key", "Never checked in", `action="/ui/devices/plug/SN-2/group"`}, []string{"reset-key", "Last check-in"}},
		{"reset_confirmation", access.Owner, page + "/reset-key", []string{"Reset the key of device <code>SN-1</code>?", `name="confirm" value="yes"`, "Reset the key of SN-1</button>", `<a href="/ui/devices/plug/SN-1">Cancel</a>`}, nil},
		{"reset_confirmation_maintainer", access.Maintainer, page + "/reset-key", []string{"Only an owner of your organisation can reset"}, []string{`name="confirm"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.browser()
			c.login(o.email[tc.role])
			r := c.get(tc.path)
			wantStatus(t, tc.name, r, http.StatusOK)
			wantBody(t, tc.name, r, tc.want...)
			notBody(t, tc.name, r, tc.not...)
			checkPage(t, tc.name, r)
		})
	}
	t.Run("unknown_device", func(t *testing.T) {
		c := e.browser()
		c.login(o.email[access.Viewer])
		wantStatus(t, "unknown", c.get("/ui/devices/plug/SN-404"), http.StatusNotFound)
	})

	b := e.browser()
	b.login(o.email[access.Maintainer])
	t.Run("group", func(t *testing.T) {
		r := b.submit(page, page+"/group", url.Values{"group": {strings.Repeat("g", 65)}})
		wantStatus(t, "long group", r, http.StatusBadRequest)
		wantBody(t, "long group", r, `id="group-group-error"`, "at most 64 characters")
		checkPage(t, "long group", r)
		if g := e.device(o, "SN-1").Group; g != "" {
			t.Fatalf("a refused group was saved: %q", g)
		}
		v := e.browser()
		v.login(o.email[access.Viewer])
		wantStatus(t, "viewer group", v.submit(page, page+"/group", url.Values{"group": {"beta"}}), http.StatusForbidden)

		r = b.submit(page, page+"/group", url.Values{"group": {"beta"}})
		wantStatus(t, "group", r, http.StatusSeeOther)
		if g := e.device(o, "SN-1").Group; g != "beta" {
			t.Fatalf("group %q", g)
		}
		after := b.get(r.header.Get("Location"))
		wantBody(t, "group saved", after, "The device&#39;s group was saved.", "<dd>beta</dd>", `value="beta"`)
		wantBody(t, "list with group", b.get("/ui/devices"), "<td>beta</td>")
	})
	t.Run("reset_key", func(t *testing.T) {
		wantStatus(t, "maintainer resets", b.submit(page, page+"/reset-key", url.Values{"confirm": {"yes"}}), http.StatusForbidden)
		owner := e.browser()
		owner.login(o.email[access.Owner])
		r := owner.submit(page, page+"/reset-key", nil)
		wantStatus(t, "unconfirmed", r, http.StatusOK)
		wantBody(t, "unconfirmed", r, `name="confirm" value="yes"`)
		if e.device(o, "SN-1").EnrolledAt == nil {
			t.Fatal("an unconfirmed reset reset the key")
		}
		r = owner.submit(page+"/reset-key", page+"/reset-key", url.Values{"confirm": {"yes"}})
		wantStatus(t, "reset", r, http.StatusSeeOther)
		if e.device(o, "SN-1").EnrolledAt != nil {
			t.Fatal("the key was not reset")
		}
		after := owner.get(r.header.Get("Location"))
		wantBody(t, "reset", after, "The device&#39;s key was reset.", "No: it has not registered a key")
		notBody(t, "reset", after, resetLink)
		body := `{"installed_version":"1.0","state":"idle","auto_update":true}`
		status, _ := e.deviceCall(deviceapi.CheckInPath, deviceapi.Authorization(d.id, d.key, http.MethodPost, deviceapi.CheckInPath, d.ts+1, []byte(body)), rawJSON(body))
		if status != http.StatusUnauthorized {
			t.Errorf("the old key still checks in: %d", status)
		}
	})
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }
