package httpapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// TestDeviceAPIOddInput sends device requests holding text no device has
// reason to send (NUL, control characters, bytes that are not UTF-8) on
// both backends. Each is answered 2xx or 4xx as the table says, never with
// a server error: PostgreSQL refuses a NUL or a byte that is not UTF-8 in
// any text, even in a lookup, and a NUL in a queued check-in would fail the
// whole batch of reports written with it.
func TestDeviceAPIOddInput(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			env := testenv.New(t, testenv.OpenStore(t, backend))
			org := env.Org(t, "acme", access.Manufacturer)
			p := access.System("test").InOrg(org.ID)
			_, err := env.Service.CreateProduct(ctx, p, registry.Product{Slug: "plug", Name: "Plug", ModelDesignation: "P-1", Category: "Plug"})
			must(t, err)
			_, token, err := env.Service.CreateEnrolmentToken(ctx, p, "plug", "factory", 30*24*time.Hour)
			must(t, err)
			d, status, body := enrolDevice(t, env, token, "SN-1", "", "")
			if status != 200 {
				t.Fatalf("enrol: %d %s", status, body)
			}
			post := func(auth string, payload []byte) (int, []byte) {
				r, _ := http.NewRequest("POST", env.URL+deviceapi.CheckInPath, bytes.NewReader(payload))
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
			signed := func(payload string) (int, []byte) {
				d.ts = max(d.ts+1, env.Clock.Now().Unix())
				return post(deviceapi.Authorization(d.id, d.key, "POST", deviceapi.CheckInPath, d.ts, []byte(payload)), []byte(payload))
			}
			for _, tt := range []struct {
				name, body string
				want       int
			}{
				{"NUL in health", `{"state":"idle","health":"ok\u0000\u001b[31m"}`, 200},
				{"NUL in error", `{"state":"failed","error":"exit 1:\u0000\nstderr"}`, 200},
				{"NUL in installed version", `{"state":"idle","installed_version":"1.0\u0000"}`, 400},
				{"control character in target", `{"state":"failed","target":"2.0/fw.bin\n"}`, 400},
				{"a second JSON value", `{"state":"idle"} {"state":"failed"}`, 400},
				{"trailing garbage", `{"state":"idle"}x`, 400},
			} {
				if status, body := signed(tt.body); status != tt.want {
					t.Errorf("%s: %d %s, want %d", tt.name, status, body, tt.want)
				}
			}
			dev, err := env.Service.Device(ctx, p, "plug", "SN-1")
			must(t, err)
			if dev.Update == nil || dev.Update.Error != "exit 1:\uFFFD\nstderr" {
				t.Errorf("stored report %+v: control characters other than line breaks should become U+FFFD", dev.Update)
			}

			// A device ID that no device can have is refused before any lookup.
			_, key, _ := ed25519.GenerateKey(rand.Reader)
			ts := env.Clock.Now().Unix()
			for _, id := range []string{"\xff", "dev\xc3\xa9"} {
				if status, body := post(deviceapi.Authorization(id, key, "POST", deviceapi.CheckInPath, ts, []byte("{}")), []byte("{}")); status != 401 {
					t.Errorf("signed header with device ID %q: %d %s, want 401", id, status, body)
				}
				if status, body := post(deviceapi.SessionAuthorization(id, make([]byte, 32), ts+3600, "POST", deviceapi.CheckInPath, ts, []byte("{}")), []byte("{}")); status != 401 {
					t.Errorf("session header with device ID %q: %d %s, want 401", id, status, body)
				}
			}
			// Enrolment: odd text is refused or ignored, never a server error.
			pub := base64.StdEncoding.EncodeToString(make([]byte, 32))
			for _, req := range []string{
				`{"token":"` + token + `","serial":"SN-2","hardware_revision":"\u0000","public_key":"` + pub + `"}`,
				`{"token":"` + token + `","serial":"SN-\u0000","public_key":"` + pub + `"}`,
				`{"token":"lle_\u0000.x","serial":"SN-2","public_key":"` + pub + `"}`,
			} {
				if status, body := call(t, env, "POST", deviceapi.EnrolPath, "", req); status < 400 || status >= 500 {
					t.Errorf("enrol %s: %d %s, want 4xx", req, status, body)
				}
			}

			// The public pages name things by slug; nothing else names anything.
			for path, want := range map[string]int{
				"/public/products/%ff/plug":                      404,
				"/public/products/acme/%00":                      404,
				"/public/manufacturers/%ff":                      404,
				"/public/products?manufacturer=%ff":              200,
				"/public/products?q=%00":                         400,
				"/public/products?q=" + strings.Repeat("%ff", 3): 400,
			} {
				if status, body := call(t, env, "GET", path, "", nil); status != want {
					t.Errorf("GET %s: %d %s, want %d", path, status, body, want)
				}
			}
		})
	}
}

// TestDeviceChangesTakeEffectAtOnce: the device API caches identities for a
// minute, but a change made on this server takes effect at once (ADR 12):
// a removed device is refused, a device moved to another hardware revision
// (one by one or by an import) is offered what that revision gets.
func TestDeviceChangesTakeEffectAtOnce(t *testing.T) {
	env, p, token := fleetEnv(t)
	ctx := context.Background()
	_, err := env.Service.CreateRollout(ctx, p, "plug", rollout.Rollout{Version: "2.0", Scope: rollout.HardwareRevision, ScopeValue: "rev-a", Phases: []float64{100}})
	must(t, err)
	offered := func(d *testDevice) bool { return d.checkIn("1.0", deviceapi.StateIdle, "").Offer != nil }
	d1, _, _ := enrolDevice(t, env, token, "SN-1", "rev-a", "1.0")
	d2, _, _ := enrolDevice(t, env, token, "SN-2", "rev-a", "1.0")
	if !offered(d1) || !offered(d2) {
		t.Fatal("rev-a devices not offered the rev-a rollout")
	}
	_, _, err = env.Service.PutDevice(ctx, p, "plug", registry.Device{Serial: "SN-1", HardwareRevision: "rev-b", InstalledVersion: "1.0"})
	must(t, err)
	if offered(d1) {
		t.Error("a device moved to rev-b is still offered the rev-a rollout")
	}
	if _, err := env.Service.ImportDevices(ctx, p, "plug", strings.NewReader("serial,hardware_revision,installed_version\nSN-2,rev-b,1.0\n"), deviceimport.CSV, false); err != nil {
		t.Fatal(err)
	}
	if offered(d2) {
		t.Error("a device imported as rev-b is still offered the rev-a rollout")
	}
	must(t, env.Service.DeleteDevice(ctx, p, "plug", "SN-1"))
	if status, body := d1.send(deviceapi.CheckInRequest{InstalledVersion: "1.0", State: deviceapi.StateIdle}, 0, nil); status != 401 {
		t.Errorf("a removed device checked in: %d %s", status, body)
	}
}
