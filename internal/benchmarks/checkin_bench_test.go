package benchmarks

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

type benchDevice struct {
	id      string
	key     ed25519.PrivateKey
	ts      atomic.Int64 // request times sent to Lifeline, which checks them
	noopTS  atomic.Int64 // request times sent to the no-op handler
	session []byte       // session key
	expires int64
}

// BenchmarkCheckIn measures device check-ins per second through the whole
// server (authentication, replay and clock checks, rollout offer, batched
// write) with 1,000 enrolled devices and an active rollout, against a no-op
// Go handler driven by the same load generator on the same machine — once
// with every request signed by the device's Ed25519 key, once in device
// sessions (HMAC). The ratios are the figures in docs/benchmarks.md.
func BenchmarkCheckIn(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			env := testenv.New(b, testenv.OpenStore(b, backend))
			env.Clock.Set(time.Now())
			go env.Service.RunCheckInWriter(ctx, time.Second)
			devs := checkinFixture(b, env)
			body := func(d *benchDevice) []byte {
				return []byte(`{"installed_version":"1.0","state":"idle","auto_update":true}`)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			noop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"poll_after_seconds":3600,"server_time":"2026-11-25T00:00:00Z"}`))
			}))
			defer noop.Close()
			for _, target := range []struct {
				name, url string
				session   bool
			}{{"signed/noop", noop.URL, false}, {"signed/lifeline", env.URL, false}, {"session/noop", noop.URL, true}, {"session/lifeline", env.URL, true}} {
				b.Run(target.name, func(b *testing.B) {
					var next atomic.Int64
					b.SetParallelism(16)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							d := devs[int(next.Add(1))%len(devs)]
							counter := &d.ts
							if target.url == noop.URL {
								counter = &d.noopTS
							}
							ts := counter.Add(1)
							payload := body(d)
							req, _ := http.NewRequest("POST", target.url+deviceapi.CheckInPath, bytes.NewReader(payload))
							req.Header.Set("Content-Type", "application/json")
							if target.session {
								req.Header.Set("Authorization", deviceapi.SessionAuthorization(d.id, d.session, d.expires, "POST", deviceapi.CheckInPath, ts, payload))
							} else {
								req.Header.Set("Authorization", deviceapi.Authorization(d.id, d.key, "POST", deviceapi.CheckInPath, ts, payload))
							}
							resp, err := client.Do(req)
							if err != nil {
								b.Error(err)
								return
							}
							_, _ = io.Copy(io.Discard, resp.Body)
							resp.Body.Close()
							if resp.StatusCode != 200 {
								b.Errorf("status %d", resp.StatusCode)
								return
							}
						}
					})
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
				})
			}
		})
	}
}

// checkinFixture enrols 1,000 devices of a product with an active rollout.
func checkinFixture(b *testing.B, env *testenv.Env) []*benchDevice {
	b.Helper()
	ctx := context.Background()
	org, err := env.Service.CreateOrganisation(ctx, access.System("bench"), access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		b.Fatal(err)
	}
	p := access.System("bench").InOrg(org.ID)
	svc := env.Service
	if _, err := svc.CreateProduct(ctx, p, registry.Product{Slug: "plug", Name: "Plug", ModelDesignation: "P-1", Category: "Plug"}); err != nil {
		b.Fatal(err)
	}
	for _, v := range []string{"1.0", "2.0"} {
		if _, err := svc.CreateRelease(ctx, p, "plug", registry.Release{Version: v}); err != nil {
			b.Fatal(err)
		}
	}
	testenv.NewRootKeys(b).InstallRoot(b, svc, p, "plug", 1)
	if _, err := svc.UploadImage(ctx, p, "plug", "2.0", "fw.bin", strings.NewReader("image")); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SignRelease(ctx, p, "plug", "2.0"); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateRollout(ctx, p, "plug", rollout.Rollout{Version: "2.0", Phases: []float64{5, 100}}); err != nil {
		b.Fatal(err)
	}
	_, token, err := svc.CreateEnrolmentToken(ctx, p, "plug", "bench", 24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	var devs []*benchDevice
	for i := range 1000 {
		_, priv, _ := ed25519.GenerateKey(rand.Reader)
		req := deviceapi.EnrolRequest{Token: token, Serial: fmt.Sprintf("SN-%05d", i), InstalledVersion: "1.0"}
		body, auth := deviceapi.SignedEnrolment(req, priv, time.Now().Unix())
		req.PublicKey = base64.StdEncoding.EncodeToString(priv.Public().(ed25519.PublicKey))
		resp, err := svc.Enrol(ctx, req, service.Proof{Authorization: auth, Method: "POST", Path: deviceapi.EnrolPath, Body: body}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		openTS := time.Now().Unix() - int64(deviceapi.MaxSkew/time.Second) + 5
		ident, err := svc.AuthenticateDevice(ctx, deviceapi.Authorization(resp.DeviceID, priv, "POST", deviceapi.SessionPath, openTS, nil), "POST", deviceapi.SessionPath, nil)
		if err != nil {
			b.Fatal(err)
		}
		sess, err := svc.NewDeviceSession(ctx, ident, openTS)
		if err != nil {
			b.Fatal(err)
		}
		key, _ := base64.RawURLEncoding.DecodeString(sess.Key)
		d := &benchDevice{id: resp.DeviceID, key: priv, session: key, expires: sess.Expires.Unix()}
		// Request times only ever rise per device, by a second at a time;
		// starting near the oldest time the server accepts leaves every
		// device a budget of minutes.
		d.ts.Store(time.Now().Unix() - int64(deviceapi.MaxSkew/time.Second) + 10)
		d.noopTS.Store(d.ts.Load())
		devs = append(devs, d)
	}
	return devs
}
