package webui_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// fleet gives o a product "plug" with hardware revisions rev-A and rev-B,
// release 1.0, release 2.0 (a security update) signed into its update
// repository, and an unsigned release 3.0 with an image; it returns an
// enrolment token of the product.
func (e *env) fleet(o org) string {
	e.t.Helper()
	ctx := context.Background()
	e.product(o, "plug", "Smart Plug", "SP-200", "2030-06", false)
	for _, h := range []string{"rev-A", "rev-B"} {
		if _, err := e.svc.CreateHardwareRevision(ctx, o.sys, "plug", registry.HardwareRevision{Name: h}); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, rel := range []registry.Release{{Version: "1.0", ReleasedAt: start.AddDate(0, -2, 0)}, {Version: "2.0", ReleasedAt: start.AddDate(0, 0, -1), SecurityUpdate: true}, {Version: "3.0", ReleasedAt: start}} {
		if _, err := e.svc.CreateRelease(ctx, o.sys, "plug", rel); err != nil {
			e.t.Fatal(err)
		}
	}
	testenv.NewRootKeys(e.t).InstallRoot(e.t, e.svc, o.sys, "plug", 1)
	for _, v := range []string{"2.0", "3.0"} {
		if _, err := e.svc.UploadImage(ctx, o.sys, "plug", v, "plug-"+v+".bin", strings.NewReader("image "+v)); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := e.svc.SignRelease(ctx, o.sys, "plug", "2.0"); err != nil {
		e.t.Fatal(err)
	}
	_, token, err := e.svc.CreateEnrolmentToken(ctx, o.sys, "plug", "factory", 30*24*time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return token
}

// startRollout starts a rollout of plug 2.0 through the service.
func (e *env) startRollout(o org, in rollout.Rollout) service.RolloutView {
	e.t.Helper()
	if in.Version == "" {
		in.Version = "2.0"
	}
	v, err := e.svc.CreateRollout(context.Background(), o.sys, "plug", in)
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *env) rollouts(o org) []service.RolloutView {
	e.t.Helper()
	rs, err := e.svc.Rollouts(context.Background(), o.sys, "")
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

// device is a device talking to the device API: it enrols with its own
// key and signs its check-ins.
type device struct {
	e   *env
	id  string
	key ed25519.PrivateKey
	ts  int64
}

// enrol registers a device with an enrolment token, or fails the test.
func (e *env) enrol(token, serial, hw, version string) *device {
	e.t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	payload, auth := deviceapi.SignedEnrolment(deviceapi.EnrolRequest{Token: token, Serial: serial, HardwareRevision: hw, InstalledVersion: version}, priv, e.clk.Now().Unix())
	status, body := e.deviceCall(deviceapi.EnrolPath, auth, json.RawMessage(payload))
	if status != http.StatusOK {
		e.t.Fatalf("enrol %s: %d %s", serial, status, body)
	}
	var resp deviceapi.EnrolResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		e.t.Fatal(err)
	}
	return &device{e: e, id: resp.DeviceID, key: priv, ts: e.clk.Now().Unix()}
}

// checkIn reports the device's state, signed, and returns the answer.
func (d *device) checkIn(installed, state, target string) deviceapi.CheckInResponse {
	d.e.t.Helper()
	body, _ := json.Marshal(deviceapi.CheckInRequest{InstalledVersion: installed, State: state, Target: target, AutoUpdate: true, Health: "ok"})
	d.ts = max(d.ts+1, d.e.clk.Now().Unix())
	status, resp := d.e.deviceCall(deviceapi.CheckInPath, deviceapi.Authorization(d.id, d.key, http.MethodPost, deviceapi.CheckInPath, d.ts, body), json.RawMessage(body))
	if status != http.StatusOK {
		d.e.t.Fatalf("check-in: %d %s", status, resp)
	}
	var out deviceapi.CheckInResponse
	if err := json.Unmarshal(resp, &out); err != nil {
		d.e.t.Fatal(err)
	}
	return out
}

func (e *env) deviceCall(path, auth string, v any) (int, []byte) {
	e.t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.url+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// installAll has every device check in: those offered the release install
// it and report it running. It returns how many were offered it.
func installAll(t *testing.T, devs []*device, failures int) (offered int) {
	t.Helper()
	for _, d := range devs {
		resp := d.checkIn("1.0", deviceapi.StateIdle, "")
		if resp.Offer == nil {
			continue
		}
		offered++
		if failures > 0 {
			failures--
			d.checkIn("1.0", deviceapi.StateFailed, resp.Offer.Target)
			continue
		}
		d.checkIn(resp.Offer.Version, deviceapi.StateIdle, "")
	}
	return offered
}
