package e2e_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// TestBrowserRolloutLive starts a rollout from a product's page in a real
// browser, opens the rollouts page, and watches its numbers follow the
// devices' check-ins — made from the test through the signed device API —
// and the rollout move through its phases to completion, without the page
// reloading: live.js polls the JSON API and rewrites the numbers in place.
func TestBrowserRolloutLive(t *testing.T) {
	chromium := chromiumPath(t)
	env := testenv.NewSQLite(t)
	ctx := context.Background()
	org := env.Org(t, "acme", access.Manufacturer)
	sys := access.System("e2e").InOrg(org.ID)
	svc := env.Service
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.CreateProduct(ctx, sys, registry.Product{Slug: "plug", Name: "Smart Plug", ModelDesignation: "SP-1", Category: "Smart plug"})
	must(err)
	for _, v := range []string{"1.0", "2.0"} {
		_, err = svc.CreateRelease(ctx, sys, "plug", registry.Release{Version: v, ReleasedAt: testenv.Start, SecurityUpdate: v == "2.0"})
		must(err)
	}
	testenv.NewRootKeys(t).InstallRoot(t, svc, sys, "plug", 1)
	_, err = svc.UploadImage(ctx, sys, "plug", "2.0", "plug-2.0.bin", strings.NewReader("image 2.0"))
	must(err)
	_, err = svc.SignRelease(ctx, sys, "plug", "2.0")
	must(err)
	_, token, err := svc.CreateEnrolmentToken(ctx, sys, "plug", "factory", 30*24*time.Hour)
	must(err)
	const fleet = 20
	var devs []*device
	for i := range fleet {
		devs = append(devs, enrol(t, env, token, fmt.Sprintf("SN-%02d", i)))
	}

	bctx, finish := startBrowser(t, chromium, 120*time.Second)
	defer finish()
	step := func(name string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// live is the rollout on the rollouts page.
	const live = `li.rollout`
	field := func(name string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(live+` [data-field="`+name+`"]`)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(s), " ")
	}
	// waitField waits for live.js to write want into a field.
	waitField := func(name, want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			got := field(name)
			if got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the page's %s shows %q, not %q, 30 s after the change", name, got, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	step("sign in",
		chromedp.Navigate(env.URL+"/ui/products/plug"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SendKeys(chromedp.ID("login-email"), org.Emails[access.Owner]),
		chromedp.SendKeys(chromedp.ID("login-password"), org.Passwords[access.Owner]),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		waitText("Smart Plug"),
		waitText("No rollouts yet."),
	)

	step("start a rollout",
		chromedp.Click(chromedp.CSS(`details:has(form[action$="/rollouts"]) > summary`)),
		chromedp.WaitVisible(chromedp.ID("rollout-version")),
		chromedp.SetValue(chromedp.ID("rollout-version"), "2.0"),
		chromedp.Click(chromedp.ID("rollout-scope-product")),
		chromedp.SetValue(chromedp.ID("rollout-phases"), "50, 100"),
		chromedp.SetValue(chromedp.ID("rollout-soak"), "1h"),
		chromedp.Click(chromedp.ID("rollout-urgent")),
		chromedp.SetValue(chromedp.ID("rollout-abort_threshold"), "50%"),
		chromedp.Click(chromedp.CSS(`form[action$="/rollouts"] button[type="submit"]`)),
		waitText("The rollout started."),
		waitText("Rollout of version 2.0"),
		waitText("50% → 100% of the targeted devices"),
	)

	step("see it on the rollouts page",
		chromedp.Click(chromedp.CSS(`nav.site-nav a[href="/ui/rollouts"]`)),
		waitText("All rollouts, newest first"),
		waitText("Version 2.0 of Smart Plug"),
		// live.js runs: it shows its note.
		chromedp.WaitVisible(chromedp.CSS(`[data-live-note]`)),
	)
	for name, want := range map[string]string{"targeted": fmt.Sprint(fleet), "offered": "0", "succeeded": "0", "not-offered": fmt.Sprint(fleet),
		"not-offered-share": "100%", "phase": "1 of 2 — 50% of targeted devices"} {
		if got := field(name); got != want {
			t.Errorf("before check-ins, %s = %q, want %q", name, got, want)
		}
	}
	// A mark on the page's window: a reload would lose it.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[string](`window.lifelineE2E = "same page"`)); err != nil {
		t.Fatal(err)
	}

	// The devices check in. Those in the first phase are offered the
	// release; all but one install it, and one of those has not yet.
	var offered []*device
	for _, d := range devs {
		if o := d.checkIn("1.0", deviceapi.StateIdle, ""); o.Offer != nil {
			d.offer = o.Offer
			offered = append(offered, d)
		}
	}
	if len(offered) == 0 || len(offered) == fleet {
		t.Fatalf("%d of %d devices were offered the release in a 50%% phase", len(offered), fleet)
	}
	waitField("offered", fmt.Sprint(len(offered)))
	waitField("pending", fmt.Sprint(len(offered)))
	waitField("not-offered", fmt.Sprint(fleet-len(offered)))
	for _, d := range offered {
		d.checkIn(d.offer.Version, deviceapi.StateIdle, "")
	}
	waitField("succeeded", fmt.Sprint(len(offered)))
	waitField("pending", "0")
	waitField("succeeded-share", share(len(offered), fleet))
	width, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('li.rollout [data-bar="succeeded"]').getAttribute("width")`))
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprint(len(offered) * 1000 / fleet); width != want {
		t.Errorf("the bar's installed part is %s wide, want %s", width, want)
	}

	// The server moves the rollout on (lifeline serve does every 15 s).
	if _, err := svc.EvaluateRollouts(ctx); err != nil {
		t.Fatal(err)
	}
	waitField("phase", "2 of 2 — 100% of targeted devices")
	waitField("reason", fmt.Sprintf("phase 50%% succeeded on %d of %d devices", len(offered), len(offered)))
	for _, d := range devs {
		if d.offer != nil {
			continue
		}
		o := d.checkIn("1.0", deviceapi.StateIdle, "")
		if o.Offer == nil {
			t.Fatalf("%s was not offered the release at 100%%", d.serial)
		}
		d.checkIn(o.Offer.Version, deviceapi.StateIdle, "")
	}
	waitField("succeeded", fmt.Sprint(fleet))
	waitField("not-offered", "0")
	if _, err := svc.EvaluateRollouts(ctx); err != nil {
		t.Fatal(err)
	}
	waitField("state", "✓ Completed")
	waitField("state-text", "Every phase succeeded.")

	mark, err := chromedp.Run(bctx, chromedp.Evaluate[string](`String(window.lifelineE2E)`))
	if err != nil {
		t.Fatal(err)
	}
	if mark != "same page" {
		t.Errorf("the page reloaded: the mark on its window is %q", mark)
	}
	status, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`[data-live-status]`)))
	if err != nil {
		t.Fatal(err)
	}
	if status != "The rollouts on this page have finished." {
		t.Errorf("the live note says %q once the rollout completed", status)
	}

	step("the rollout's page shows the same",
		chromedp.Click(chromedp.CSS(`li.rollout h3 a`)),
		waitText("Rollout of version 2.0"),
		waitText("Completed"),
		waitText(fmt.Sprintf("%d targeted devices, %d offered the release so far", fleet, fleet)),
	)
}

// share is n of total as the pages write it, for whole tenths.
func share(n, total int) string {
	tenths := n * 1000 / total
	if tenths%10 == 0 {
		return fmt.Sprintf("%d%%", tenths/10)
	}
	return fmt.Sprintf("%d.%d%%", tenths/10, tenths%10)
}

// device is a device of the test's fleet: it enrols with its own key and
// signs its check-ins, as lifeline-agent does.
type device struct {
	t      *testing.T
	env    *testenv.Env
	serial string
	id     string
	key    ed25519.PrivateKey
	ts     int64
	offer  *deviceapi.Offer
}

func enrol(t *testing.T, env *testenv.Env, token, serial string) *device {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	d := &device{t: t, env: env, serial: serial, key: priv, ts: env.Clock.Now().Unix()}
	var resp deviceapi.EnrolResponse
	payload, auth := deviceapi.SignedEnrolment(deviceapi.EnrolRequest{Token: token, Serial: serial, InstalledVersion: "1.0"}, priv, d.ts)
	d.post(deviceapi.EnrolPath, auth, json.RawMessage(payload), &resp)
	d.id = resp.DeviceID
	return d
}

func (d *device) checkIn(installed, state, target string) deviceapi.CheckInResponse {
	d.t.Helper()
	body, err := json.Marshal(deviceapi.CheckInRequest{InstalledVersion: installed, State: state, Target: target, AutoUpdate: true})
	if err != nil {
		d.t.Fatal(err)
	}
	d.ts = max(d.ts+1, d.env.Clock.Now().Unix())
	var resp deviceapi.CheckInResponse
	d.post(deviceapi.CheckInPath, deviceapi.Authorization(d.id, d.key, http.MethodPost, deviceapi.CheckInPath, d.ts, body), json.RawMessage(body), &resp)
	return resp
}

func (d *device) post(path, auth string, in, out any) {
	d.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		d.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, d.env.URL+path, bytes.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := testenv.Client().Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		d.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		d.t.Fatalf("%s %s: %d %s", d.serial, path, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		d.t.Fatal(errors.Join(err, errors.New(string(b))))
	}
}
