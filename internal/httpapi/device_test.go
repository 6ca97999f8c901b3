package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// testDevice is a device talking to the device API over HTTP.
type testDevice struct {
	t    *testing.T
	env  *testenv.Env
	id   string
	key  ed25519.PrivateKey
	ts   int64
	last deviceapi.CheckInResponse
}

func enrolDevice(t *testing.T, env *testenv.Env, token, serial, hw, version string) (*testDevice, int, []byte) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	payload, auth := deviceapi.SignedEnrolment(deviceapi.EnrolRequest{Token: token, Serial: serial, HardwareRevision: hw, InstalledVersion: version}, priv, env.Clock.Now().Unix())
	r, _ := http.NewRequest("POST", env.URL+deviceapi.EnrolPath, bytes.NewReader(payload))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", auth)
	resp0, err := testenv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp0.Body)
	resp0.Body.Close()
	status := resp0.StatusCode
	d := &testDevice{t: t, env: env, key: priv, ts: env.Clock.Now().Unix()}
	if status == 200 {
		var resp deviceapi.EnrolResponse
		mustDecode(t, body, &resp)
		d.id = resp.DeviceID
	}
	return d, status, body
}

// send signs and posts a check-in; ts 0 uses the next timestamp.
func (d *testDevice) send(req deviceapi.CheckInRequest, ts int64, tamper func(*http.Request)) (int, []byte) {
	d.t.Helper()
	body, _ := json.Marshal(req)
	if ts == 0 {
		d.ts = max(d.ts+1, d.env.Clock.Now().Unix())
		ts = d.ts
	}
	r, _ := http.NewRequest("POST", d.env.URL+deviceapi.CheckInPath, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", deviceapi.Authorization(d.id, d.key, "POST", deviceapi.CheckInPath, ts, body))
	if tamper != nil {
		tamper(r)
	}
	resp, err := testenv.Client().Do(r)
	if err != nil {
		d.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (d *testDevice) checkIn(installed, state, target string) deviceapi.CheckInResponse {
	d.t.Helper()
	status, body := d.send(deviceapi.CheckInRequest{InstalledVersion: installed, State: state, Target: target, AutoUpdate: true}, 0, nil)
	if status != 200 {
		d.t.Fatalf("check-in: %d %s", status, body)
	}
	var resp deviceapi.CheckInResponse
	mustDecode(d.t, body, &resp)
	return resp
}

// fleetEnv is a product with a signed 2.0 release and an enrolment token.
func fleetEnv(t *testing.T) (*testenv.Env, access.Principal, string) {
	t.Helper()
	ctx := context.Background()
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	p := access.System("test").InOrg(org.ID)
	svc := env.Service
	_, err := svc.CreateProduct(ctx, p, registry.Product{Slug: "plug", Name: "Plug", ModelDesignation: "P-1", Category: "Plug"})
	must(t, err)
	for _, h := range []string{"rev-a", "rev-b"} {
		_, err = svc.CreateHardwareRevision(ctx, p, "plug", registry.HardwareRevision{Name: h})
		must(t, err)
	}
	for _, v := range []string{"1.0", "2.0"} {
		_, err = svc.CreateRelease(ctx, p, "plug", registry.Release{Version: v})
		must(t, err)
	}
	testenv.NewRootKeys(t).InstallRoot(t, svc, p, "plug", 1)
	_, err = svc.UploadImage(ctx, p, "plug", "2.0", "fw.bin", strings.NewReader("image 2.0"))
	must(t, err)
	_, err = svc.SignRelease(ctx, p, "plug", "2.0")
	must(t, err)
	_, token, err := svc.CreateEnrolmentToken(ctx, p, "plug", "factory", 30*24*time.Hour)
	must(t, err)
	return env, p, token
}

func TestDeviceEnrolmentAndSignedRequests(t *testing.T) {
	env, p, token := fleetEnv(t)
	d, status, body := enrolDevice(t, env, token, "SN-1", "rev-a", "1.0")
	if status != 200 || d.id == "" {
		t.Fatalf("enrol: %d %s", status, body)
	}
	resp := d.checkIn("1.0", deviceapi.StateIdle, "")
	if resp.Offer != nil || resp.PollAfter < 3000 || resp.PollAfter > 4000 {
		t.Fatalf("first check-in: %+v", resp)
	}

	// Refusals: each must leave the device unchanged.
	tests := []struct {
		name   string
		ts     int64
		tamper func(*http.Request)
		code   string
	}{
		{"replayed timestamp", d.ts, nil, "replayed_request"},
		{"clock far behind", env.Clock.Now().Unix() - 3600, nil, "clock_skew"},
		{"no signature", 0, func(r *http.Request) { r.Header.Del("Authorization") }, "bad_device_signature"},
		{"bearer token instead", 0, func(r *http.Request) { r.Header.Set("Authorization", "Bearer llt_x") }, "bad_device_signature"},
		{"body changed after signing", 0, func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"installed_version":"9.9","state":"idle"}`))
			r.ContentLength = -1
		}, "bad_device_signature"},
		{"unknown device", 0, func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), d.id, "0193d1a4-0000-7000-8000-000000000000", 1))
		}, "unknown_device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := d.send(deviceapi.CheckInRequest{InstalledVersion: "1.0", State: deviceapi.StateIdle}, tt.ts, tt.tamper)
			if code, _, _ := errorOf(t, body); status != 401 || code != tt.code {
				t.Fatalf("status %d, code %s: %s", status, code, body)
			}
		})
	}
	status, body = d.send(deviceapi.CheckInRequest{InstalledVersion: "1.0", State: "dancing"}, 0, nil)
	if code, _, fields := errorOf(t, body); status != 400 || code != "validation_failed" || fields["state"] == "" {
		t.Fatalf("bad state: %d %s", status, body)
	}

	// Enrolment refusals.
	for name, req := range map[string][]string{
		"bad token":              {"lle_0123", "SN-2", "rev-a"},
		"unknown revision":       {token, "SN-2", "rev-z"},
		"bad serial":             {token, "SN 2", "rev-a"},
		"other key, same serial": {token, "SN-1", "rev-a"},
	} {
		if _, status, body := enrolDevice(t, env, req[0], req[1], req[2], "1.0"); status == 200 {
			t.Errorf("%s: enrolled: %s", name, body)
		}
	}
	// After a key reset the serial can enrol again with a new key, and the old key is refused.
	must(t, env.Service.ResetDeviceKey(context.Background(), p, "plug", "SN-1"))
	if status, _ := d.send(deviceapi.CheckInRequest{InstalledVersion: "1.0", State: deviceapi.StateIdle}, 0, nil); status != 401 {
		t.Fatalf("old key after reset: %d", status)
	}
	if _, status, body := enrolDevice(t, env, token, "SN-1", "rev-a", "1.0"); status != 200 {
		t.Fatalf("re-enrol after reset: %d %s", status, body)
	}
}

// TestRolloutDrivenByDeviceReports: a rollout offers the release to a
// growing share of devices; their reports advance it phase by phase, and
// failures pause it.
func TestRolloutDrivenByDeviceReports(t *testing.T) {
	env, p, token := fleetEnv(t)
	ctx := context.Background()
	var devs []*testDevice
	for i := range 200 {
		hw := "rev-a"
		if i%10 == 0 {
			hw = "rev-b"
		}
		d, status, body := enrolDevice(t, env, token, fmt.Sprintf("SN-%03d", i), hw, "1.0")
		if status != 200 {
			t.Fatalf("enrol: %s", body)
		}
		devs = append(devs, d)
	}
	view, err := env.Service.CreateRollout(ctx, p, "plug", rollout.Rollout{Version: "2.0", Scope: rollout.HardwareRevision, ScopeValue: "rev-a",
		Phases: []float64{10, 50, 100}, Soak: rollout.Duration(time.Hour), Success: rollout.Threshold{Percent: 90}, PauseAt: rollout.Threshold{Percent: 20}})
	must(t, err)
	if view.Stats.Targeted != 180 {
		t.Fatalf("targeted %d, want the 180 rev-a devices", view.Stats.Targeted)
	}

	// Every device checks in; those offered install and report success.
	round := func() (offered int) {
		for _, d := range devs {
			resp := d.checkIn("1.0", deviceapi.StateIdle, "")
			if resp.Offer != nil {
				offered++
				if resp.Offer.Target != "2.0/fw.bin" || resp.Offer.RolloutID != view.ID {
					t.Fatalf("offer %+v", resp.Offer)
				}
				d.last = resp
			}
		}
		for _, d := range devs {
			if d.last.Offer != nil {
				d.checkIn("2.0", deviceapi.StateIdle, "")
			}
		}
		return offered
	}
	n := round()
	if n < 8 || n > 30 {
		t.Fatalf("phase 10%%: %d of 180 offered", n)
	}
	if changed, _ := env.Service.EvaluateRollouts(ctx); changed != 0 {
		t.Fatal("advanced before the soak time")
	}
	env.Clock.Advance(time.Hour)
	if changed, _ := env.Service.EvaluateRollouts(ctx); changed != 1 {
		t.Fatal("did not advance after a successful soaked phase")
	}
	view, _ = env.Service.Rollout(ctx, p, view.ID)
	if view.Phase != 1 || view.Percent != 50 {
		t.Fatalf("after advancing: %+v", view)
	}

	// Phase 50%: new devices are offered; now many fail.
	failed := 0
	for _, d := range devs {
		if d.last.Offer != nil {
			continue // already on 2.0
		}
		resp := d.checkIn("1.0", deviceapi.StateIdle, "")
		if resp.Offer != nil {
			d.checkIn("1.0", deviceapi.StateFailed, resp.Offer.Target)
			failed++
			// A device that failed is not offered the same release again.
			if again := d.checkIn("1.0", deviceapi.StateFailed, resp.Offer.Target); again.Offer != nil {
				t.Fatal("offered a release the device just failed")
			}
		}
	}
	if failed < 40 {
		t.Fatalf("only %d devices joined at 50%%", failed)
	}
	if changed, _ := env.Service.EvaluateRollouts(ctx); changed != 1 {
		t.Fatal("failures did not pause the rollout")
	}
	view, _ = env.Service.Rollout(ctx, p, view.ID)
	if view.State != rollout.Paused || !strings.Contains(view.Reason, "pause threshold") || view.Stats.Failed != failed {
		t.Fatalf("after failures: %+v", view)
	}
	// A paused rollout offers nothing (this server dropped its cached
	// rollouts when it paused it).
	for _, d := range devs[:20] {
		if resp := d.checkIn("1.0", deviceapi.StateIdle, ""); resp.Offer != nil {
			t.Fatal("a paused rollout made an offer")
		}
	}
	// The rev-b devices were never offered anything.
	for i := 0; i < len(devs); i += 10 {
		if devs[i].last.Offer != nil {
			t.Fatalf("rev-b device %d was offered a rev-a rollout", i)
		}
	}
	// Abort by hand; then it cannot be resumed.
	if _, err := env.Service.ChangeRollout(ctx, p, view.ID, "abort", "bad batch"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.ChangeRollout(ctx, p, view.ID, "resume", ""); err == nil {
		t.Fatal("resumed an aborted rollout")
	}
}

// TestDeviceSessions: a request signed with the device key opens a
// session; later check-ins carry an HMAC; sessions cannot renew themselves,
// expire, and end with a key reset.
func TestDeviceSessions(t *testing.T) {
	env, p, token := fleetEnv(t)
	d, status, body := enrolDevice(t, env, token, "SN-1", "rev-a", "1.0")
	if status != 200 {
		t.Fatalf("enrol: %s", body)
	}
	post := func(path, auth string, payload []byte) (int, []byte) {
		r, _ := http.NewRequest("POST", env.URL+path, bytes.NewReader(payload))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", auth)
		resp, err := testenv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	d.ts = max(d.ts+1, env.Clock.Now().Unix())
	openAuth := deviceapi.Authorization(d.id, d.key, "POST", deviceapi.SessionPath, d.ts, nil)
	status, body = post(deviceapi.SessionPath, openAuth, nil)
	if status != 200 {
		t.Fatalf("open session: %d %s", status, body)
	}
	// The same signed request replayed to another server of the deployment
	// (same database, empty memory) gets no session key.
	other := testenv.New(t, env.Store)
	other.Clock.Set(env.Clock.Now())
	r, _ := http.NewRequest("POST", other.URL+deviceapi.SessionPath, nil)
	r.Header.Set("Authorization", openAuth)
	resp, err := testenv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	replayBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if code, _, _ := errorOf(t, replayBody); resp.StatusCode != 401 || code != "replayed_request" {
		t.Fatalf("replayed session request on another server: %d %s", resp.StatusCode, replayBody)
	}
	var sess deviceapi.SessionResponse
	mustDecode(t, body, &sess)
	key, _ := base64.RawURLEncoding.DecodeString(sess.Key)
	checkIn := []byte(`{"installed_version":"1.0","state":"idle","auto_update":true}`)
	sessionPost := func(path string, payload []byte) (int, []byte) {
		d.ts = max(d.ts+1, env.Clock.Now().Unix())
		return post(path, deviceapi.SessionAuthorization(d.id, key, sess.Expires.Unix(), "POST", path, d.ts, payload), payload)
	}
	if status, body := sessionPost(deviceapi.CheckInPath, checkIn); status != 200 {
		t.Fatalf("check-in in a session: %d %s", status, body)
	}
	if status, body := sessionPost(deviceapi.SessionPath, nil); status != 403 {
		t.Fatalf("a session renewed itself: %d %s", status, body)
	}
	// A forged MAC, and a replay, are refused.
	d.ts++
	if status, _ := post(deviceapi.CheckInPath, deviceapi.SessionAuthorization(d.id, []byte("guessed key 0123456789abcdef0123"), sess.Expires.Unix(), "POST", deviceapi.CheckInPath, d.ts, checkIn), checkIn); status != 401 {
		t.Fatalf("forged session MAC: %d", status)
	}
	if status, _ := post(deviceapi.CheckInPath, deviceapi.SessionAuthorization(d.id, key, sess.Expires.Unix(), "POST", deviceapi.CheckInPath, d.ts-1, checkIn), checkIn); status != 401 {
		t.Fatalf("replayed session request: %d", status)
	}
	// After a key reset the session is dead.
	must(t, env.Service.ResetDeviceKey(context.Background(), p, "plug", "SN-1"))
	if status, _ := sessionPost(deviceapi.CheckInPath, checkIn); status != 401 {
		t.Fatalf("session after a key reset: %d", status)
	}
	// And sessions expire.
	d2, _, _ := enrolDevice(t, env, token, "SN-2", "rev-a", "1.0")
	d2.ts = env.Clock.Now().Unix()
	_, body = post(deviceapi.SessionPath, deviceapi.Authorization(d2.id, d2.key, "POST", deviceapi.SessionPath, d2.ts, nil), nil)
	mustDecode(t, body, &sess)
	key, _ = base64.RawURLEncoding.DecodeString(sess.Key)
	env.Clock.Advance(deviceapi.SessionLife + time.Minute)
	ts := env.Clock.Now().Unix()
	status, body = post(deviceapi.CheckInPath, deviceapi.SessionAuthorization(d2.id, key, sess.Expires.Unix(), "POST", deviceapi.CheckInPath, ts, checkIn), checkIn)
	if code, _, _ := errorOf(t, body); status != 401 || code != "session_expired" {
		t.Fatalf("expired session: %d %s", status, body)
	}
}

// TestRollbackRolloutsSettle: a rollback rollout takes devices back to a
// good release and keeps them there; a later forward rollout takes them on
// again. No pair of rollouts sends a device back and forth.
func TestRollbackRolloutsSettle(t *testing.T) {
	env, p, token := fleetEnv(t)
	ctx := context.Background()
	svc := env.Service
	_, err := svc.CreateRelease(ctx, p, "plug", registry.Release{Version: "1.5", AllowRollback: true})
	must(t, err)
	_, err = svc.UploadImage(ctx, p, "plug", "1.5", "fw.bin", strings.NewReader("image 1.5"))
	must(t, err)
	_, err = svc.SignRelease(ctx, p, "plug", "1.5")
	must(t, err)
	d, status, body := enrolDevice(t, env, token, "SN-1", "rev-a", "1.0")
	if status != 200 {
		t.Fatalf("enrol: %s", body)
	}
	offer := func(installed string) string {
		t.Helper()
		if r := d.checkIn(installed, deviceapi.StateIdle, ""); r.Offer != nil {
			return r.Offer.Version
		}
		return ""
	}
	rollOut := func(version string) {
		t.Helper()
		env.Clock.Advance(time.Second) // rollouts are ordered by when they were made
		_, err := svc.CreateRollout(ctx, p, "plug", rollout.Rollout{Version: version, Phases: []float64{100}})
		must(t, err)
	}
	rollOut("2.0")
	steps := []struct{ installed, want string }{{"1.0", "2.0"}, {"2.0", ""}}
	for _, s := range steps {
		if got := offer(s.installed); got != s.want {
			t.Fatalf("on %s offered %q, want %q", s.installed, got, s.want)
		}
	}
	rollOut("1.5") // 2.0 turned out bad: back to 1.5
	for _, s := range []struct{ installed, want string }{{"2.0", "1.5"}, {"1.5", ""}, {"1.5", ""}, {"1.0", "1.5"}} {
		if got := offer(s.installed); got != s.want {
			t.Fatalf("after the rollback, on %s offered %q, want %q", s.installed, got, s.want)
		}
	}
	rollOut("2.0") // fixed: forward again
	for _, s := range []struct{ installed, want string }{{"1.5", "2.0"}, {"2.0", ""}, {"2.0", ""}} {
		if got := offer(s.installed); got != s.want {
			t.Fatalf("after the new forward rollout, on %s offered %q, want %q", s.installed, got, s.want)
		}
	}
}

// TestEnrolmentNeedsTheKey: nobody can enrol, or re-enrol, a public key
// without holding its private key — a leaked enrolment token is not enough
// to take over or rewrite a device that exists.
func TestEnrolmentNeedsTheKey(t *testing.T) {
	env, _, token := fleetEnv(t)
	d, status, body := enrolDevice(t, env, token, "SN-1", "rev-a", "1.0")
	if status != 200 {
		t.Fatalf("enrol: %s", body)
	}
	victim := d.key.Public().(ed25519.PublicKey)
	_, attacker, _ := ed25519.GenerateKey(rand.Reader)
	req := deviceapi.EnrolRequest{Token: token, Serial: "SN-1", HardwareRevision: "rev-b", PublicKey: base64.StdEncoding.EncodeToString(victim)}
	payload, _ := json.Marshal(req)
	for name, auth := range map[string]string{
		"unsigned":              "",
		"signed by another key": deviceapi.Authorization(deviceapi.EnrolID, attacker, "POST", deviceapi.EnrolPath, env.Clock.Now().Unix(), payload),
		"signed as the device":  deviceapi.Authorization(d.id, attacker, "POST", deviceapi.EnrolPath, env.Clock.Now().Unix(), payload),
	} {
		r, _ := http.NewRequest("POST", env.URL+deviceapi.EnrolPath, bytes.NewReader(payload))
		r.Header.Set("Content-Type", "application/json")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		resp, err := testenv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if code, _, _ := errorOf(t, b); resp.StatusCode != 401 || code != "bad_device_signature" {
			t.Errorf("%s: %d %s", name, resp.StatusCode, b)
		}
	}
	if ident, err := env.Store.Directory().DeviceIdentity(context.Background(), d.id); err != nil || ident.HardwareRevision != "rev-a" {
		t.Fatalf("the device changed: %+v %v", ident, err)
	}
}
