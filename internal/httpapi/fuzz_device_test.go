package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/version"
)

// deviceFuzzEnv is a server with one product whose release 2.0 is signed
// and rolled out to every device, an enrolment token, and one enrolled
// device whose key the fuzz targets sign with. Each fuzzing process builds
// its own, on SQLite, or on PostgreSQL with LIFELINE_FUZZ_BACKEND=postgres.
type deviceFuzzEnv struct {
	env      *testenv.Env
	h        http.Handler
	owner    string // owner API token
	token    string // enrolment token
	pub      string // base64 public key of the fuzzing device
	key      ed25519.PrivateKey
	deviceID string
	session  []byte // session key, and when it expires
	sessExp  int64
}

func newDeviceFuzzEnv(f *testing.F) *deviceFuzzEnv {
	backend := os.Getenv("LIFELINE_FUZZ_BACKEND")
	if backend == "" {
		backend = "sqlite"
	}
	ctx := context.Background()
	env := testenv.New(f, testenv.OpenStore(f, backend))
	org := env.Org(f, "acme", access.Manufacturer)
	p := access.System("test").InOrg(org.ID)
	svc := env.Service
	check := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
	}
	_, err := svc.CreateProduct(ctx, p, registry.Product{Slug: "plug", Name: "Plug", ModelDesignation: "P-1", Category: "Plug"})
	check(err)
	_, err = svc.CreateHardwareRevision(ctx, p, "plug", registry.HardwareRevision{Name: "rev-a"})
	check(err)
	for _, v := range []string{"1.0", "2.0"} {
		_, err = svc.CreateRelease(ctx, p, "plug", registry.Release{Version: v})
		check(err)
	}
	testenv.NewRootKeys(f).InstallRoot(f, svc, p, "plug", 1)
	_, err = svc.UploadImage(ctx, p, "plug", "2.0", "fw.bin", strings.NewReader("image 2.0"))
	check(err)
	_, err = svc.SignRelease(ctx, p, "plug", "2.0")
	check(err)
	_, err = svc.CreateRollout(ctx, p, "plug", rollout.Rollout{Version: "2.0", Phases: []float64{100}})
	check(err)
	_, token, err := svc.CreateEnrolmentToken(ctx, p, "plug", "fuzz", 30*24*time.Hour)
	check(err)

	e := &deviceFuzzEnv{env: env, h: env.Server.Handler(), owner: org.Tokens[access.Owner], token: token,
		key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))}
	e.pub = base64.StdEncoding.EncodeToString(e.key.Public().(ed25519.PublicKey))
	enrolBody := []byte(`{"token":"` + token + `","serial":"SN-F","hardware_revision":"rev-a","public_key":"` + e.pub + `"}`)
	rec := e.do("POST", deviceapi.EnrolPath, deviceapi.Authorization(deviceapi.EnrolID, e.key, "POST", deviceapi.EnrolPath, env.Clock.Now().Unix(), enrolBody), enrolBody)
	var enrolled deviceapi.EnrolResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &enrolled) != nil {
		f.Fatalf("enrol: %d %s", rec.Code, rec.Body)
	}
	e.deviceID = enrolled.DeviceID
	return e
}

func (e *deviceFuzzEnv) do(method, path, auth string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// nextTime moves the server's clock on by a second and returns it, so every
// request is newer than the last (replay protection) and inside the skew.
func (e *deviceFuzzEnv) nextTime() int64 {
	e.env.Clock.Advance(time.Second)
	return e.env.Clock.Now().Unix()
}

// sessionKey opens a session with a signed request when there is none or
// it is about to expire.
func (e *deviceFuzzEnv) sessionKey(t *testing.T) ([]byte, int64) {
	if e.session != nil && e.env.Clock.Now().Add(time.Hour).Unix() < e.sessExp {
		return e.session, e.sessExp
	}
	ts := e.nextTime()
	rec := e.do("POST", deviceapi.SessionPath, deviceapi.Authorization(e.deviceID, e.key, "POST", deviceapi.SessionPath, ts, nil), nil)
	var s deviceapi.SessionResponse
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &s) != nil {
		t.Fatalf("open session: %d %s", rec.Code, rec.Body)
	}
	e.session, _ = base64.RawURLEncoding.DecodeString(s.Key)
	e.sessExp = s.Expires.Unix()
	return e.session, e.sessExp
}

// validCheckIn is the device API's contract for a check-in body, written
// from its documentation: one JSON object of CheckInRequest's fields, a
// known state, short fields, versions and targets without control
// characters.
func validCheckIn(body []byte) (deviceapi.CheckInRequest, bool) {
	var req deviceapi.CheckInRequest
	if !json.Valid(body) {
		return req, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if dec.Decode(&req) != nil {
		return req, false
	}
	states := []string{deviceapi.StateIdle, deviceapi.StateDownloading, deviceapi.StateInstalling, deviceapi.StateRestarting, deviceapi.StateTrial, deviceapi.StateFailed}
	control := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
	}
	return req, slices.Contains(states, req.State) && len(req.InstalledVersion) <= registry.MaxVersionLen && !control(req.InstalledVersion) &&
		len(req.Target) <= 300 && !control(req.Target) && len(req.Error) <= 2000 && len(req.Health) <= 500
}

// FuzzDeviceCheckIn posts arbitrary check-in bodies, each correctly signed
// by an enrolled device (with its key, or in a session), so that the body
// handling is what is fuzzed. A valid body must be answered 200 with an
// offer only where the rules allow one, and be readable back through the
// management API; anything else 400 (413 when too large); never a 5xx.
func FuzzDeviceCheckIn(f *testing.F) {
	for _, seed := range []string{
		`{"installed_version":"1.0","state":"idle","auto_update":true}`,
		`{"installed_version":"1.0","state":"failed","target":"2.0/fw.bin","error":"hash mismatch\n"}`,
		`{"installed_version":"2.0","state":"trial","health":"ok"}`,
		`{"installed_version":"v3.0-rc.1+b7","state":"downloading","target":"2.0/fw.bin"}`,
		`{"state":"idle","extra":1}`, `{"state":"idle"} {}`, `null`, `[]`, `{"state":"idle","health":"\u0000"}`,
		`{"state":"restarting","installed_version":"1.0\u0007"}`, "{\"state\":\"installing\",\"error\":\"\xff\"}",
	} {
		f.Add([]byte(seed), uint8(0))
		f.Add([]byte(seed), uint8(1))
	}
	e := newDeviceFuzzEnv(f)
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		ts := e.nextTime()
		var auth string
		if mode%2 == 0 {
			auth = deviceapi.Authorization(e.deviceID, e.key, "POST", deviceapi.CheckInPath, ts, body)
		} else {
			key, exp := e.sessionKey(t)
			ts = e.nextTime()
			auth = deviceapi.SessionAuthorization(e.deviceID, key, exp, "POST", deviceapi.CheckInPath, ts, body)
		}
		rec := e.do("POST", deviceapi.CheckInPath, auth, body)
		req, valid := validCheckIn(body)
		switch {
		case len(body) > deviceapi.MaxBody:
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Fatalf("%d-byte body: %d %s", len(body), rec.Code, rec.Body)
			}
			return
		case !valid:
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("invalid check-in %q (mode %d): %d %s", body, mode%2, rec.Code, rec.Body)
			}
			return
		case rec.Code != http.StatusOK:
			t.Fatalf("valid check-in %q (mode %d): %d %s", body, mode%2, rec.Code, rec.Body)
		}
		var resp deviceapi.CheckInResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.PollAfter < 1 {
			t.Fatalf("check-in %q answered %s (%v)", body, rec.Body, err)
		}
		// The rollout offers 2.0 to every device, unless it runs 2.0 or
		// newer, or has just failed to install it.
		wantOffer := (req.InstalledVersion == "" || version.Newer("2.0", req.InstalledVersion)) &&
			!(req.State == deviceapi.StateFailed && req.Target == "2.0/fw.bin")
		if (resp.Offer != nil) != wantOffer || (resp.Offer != nil && resp.Offer.Target != "2.0/fw.bin") {
			t.Fatalf("check-in %q: offer %+v, want one: %v", body, resp.Offer, wantOffer)
		}
		// What was accepted is stored and can be read back.
		get := httptest.NewRequest("GET", "/api/v1/products/plug/devices/SN-F", nil)
		get.Header.Set("Authorization", "Bearer "+e.owner)
		got := httptest.NewRecorder()
		e.h.ServeHTTP(got, get)
		var dev registry.Device
		if got.Code != 200 || json.Unmarshal(got.Body.Bytes(), &dev) != nil || dev.Update == nil || dev.Update.State != req.State {
			t.Fatalf("after check-in %q the device reads %d %s", body, got.Code, got.Body)
		}
	})
}

// FuzzDeviceEnrol posts arbitrary enrolment bodies; "$TOKEN" and "$KEY" in
// an input stand for a valid enrolment token and public key, so the fuzzer
// reaches past the token check. Never a 5xx; a body that is not JSON is a
// 4xx; an enrolment is accepted only with the token, and the device it
// enrolled can be read back.
func FuzzDeviceEnrol(f *testing.F) {
	for _, seed := range []string{
		`{"token":"$TOKEN","serial":"SN-1","hardware_revision":"rev-a","installed_version":"1.0","public_key":"$KEY"}`,
		`{"token":"$TOKEN","serial":"SN-2","public_key":"$KEY"}`,
		`{"token":"$TOKEN","serial":"SN-F","public_key":"$KEY"}`,
		`{"token":"$TOKEN","serial":"SN 3","public_key":"$KEY"}`,
		`{"token":"$TOKEN","serial":"SN-4","hardware_revision":"rev-z","public_key":"$KEY"}`,
		`{"token":"$TOKEN","serial":"SN-5","installed_version":"\u0000","public_key":"$KEY"}`,
		`{"token":"lle_x","serial":"SN-6","public_key":"$KEY"}`,
		`{"token":"$TOKEN","serial":"SN-7","public_key":"AAAA"}`,
		`{"token":"$TOKEN","serial":"SN-8","public_key":"$KEY","extra":true}`,
		`{"token":"$TOKEN"}`, `[]`, `null`, "",
	} {
		f.Add(seed)
	}
	e := newDeviceFuzzEnv(f)
	f.Fuzz(func(t *testing.T, in string) {
		body := strings.ReplaceAll(strings.ReplaceAll(in, "$TOKEN", e.token), "$KEY", e.pub)
		// Signed with the fuzz device's key, so bodies that name it get past
		// the proof of possession to the parser.
		rec := e.do("POST", deviceapi.EnrolPath, deviceapi.Authorization(deviceapi.EnrolID, e.key, "POST", deviceapi.EnrolPath, e.nextTime(), []byte(body)), []byte(body))
		if rec.Code >= 500 || rec.Code < 200 || (rec.Code >= 300 && rec.Code < 400) {
			t.Fatalf("enrol %q: %d %s", body, rec.Code, rec.Body)
		}
		if !json.Valid([]byte(body)) && rec.Code < 400 {
			t.Fatalf("enrol with a body that is not JSON %q: %d %s", body, rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			return
		}
		var req deviceapi.EnrolRequest
		var resp deviceapi.EnrolResponse
		_ = json.Unmarshal([]byte(body), &req)
		if req.Token != e.token || json.Unmarshal(rec.Body.Bytes(), &resp) != nil || resp.DeviceID == "" || resp.Repository != "/tuf/acme/plug/" {
			t.Fatalf("enrol %q accepted: %s", body, rec.Body)
		}
		get := httptest.NewRequest("GET", "/api/v1/products/plug/devices/"+url.PathEscape(req.Serial), nil)
		get.Header.Set("Authorization", "Bearer "+e.owner)
		got := httptest.NewRecorder()
		e.h.ServeHTTP(got, get)
		var dev registry.Device
		if got.Code != 200 || json.Unmarshal(got.Body.Bytes(), &dev) != nil || dev.ID != resp.DeviceID || dev.EnrolledAt == nil {
			t.Fatalf("after enrolling %q the device reads %d %s", body, got.Code, got.Body)
		}
	})
}
