package fleet

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// start runs a fleet in the background; stop ends it and returns its
// final statistics.
func start(t *testing.T, cfg Config) (f *Fleet, stop func() Stats) {
	t.Helper()
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	var (
		wg   sync.WaitGroup
		st   Stats
		err2 error
	)
	wg.Go(func() { st, err2 = f.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return f, func() Stats {
		cancel()
		wg.Wait()
		if err2 != nil {
			t.Fatal(err2)
		}
		return st
	}
}

// waitFor polls cond until it holds or a minute passes.
func waitFor(t *testing.T, f *Fleet, what string, cond func(Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := f.Stats()
		if cond(s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %s (last error %q)", what, s, s.LastError)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFleetInstallsOffer: 50 devices enrol, then all install the release
// once it is offered and report it to the server.
func TestFleetInstallsOffer(t *testing.T) {
	api := agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/")
	f, stop := start(t, Config{Server: api.URL, Token: api.Token, Product: agenttest.Product, HardwareRevision: "rev-a",
		Devices: 50, Version: "1.0.0", Interval: 100 * time.Millisecond, InstallTime: 20 * time.Millisecond})
	waitFor(t, f, "enrolment", func(s Stats) bool { return s.Enrolled == 50 && s.CheckIns >= 50 })
	if s := f.Stats(); s.Installed["1.0.0"] != 50 || s.Installs != 0 {
		t.Fatalf("before the offer: %s", s)
	}
	api.SetOffer(&deviceapi.Offer{Target: "1.1.0/fw.bin", Version: "1.1.0", RolloutID: "r1"})
	waitFor(t, f, "the update", func(s Stats) bool { return s.Installed["1.1.0"] == 50 })
	// Every device has told the server.
	waitFor(t, f, "the reports", func(Stats) bool {
		devs := api.Devices()
		for _, d := range devs {
			if len(d.Reports) == 0 {
				return false
			}
			if last := d.Reports[len(d.Reports)-1]; last.InstalledVersion != "1.1.0" || last.State != deviceapi.StateIdle {
				return false
			}
		}
		return len(devs) == 50
	})
	s := stop()
	if s.Installs != 50 || s.Failures != 0 || s.Installed["1.0.0"] != 0 || len(api.Refused()) != 0 {
		t.Fatalf("final: %s; refused %v", s, api.Refused())
	}
	if !strings.Contains(s.String(), "enrolled 50/50") || !strings.Contains(s.String(), "1.1.0=50") {
		t.Fatalf("progress line %q", s)
	}
}

// TestFleetFailRate: installs fail at the configured rate; failed devices
// report the failure with the target and keep their version.
func TestFleetFailRate(t *testing.T) {
	tests := []struct {
		rate                 float64
		minFailed, maxFailed int
	}{
		{0, 0, 0},
		{1, 40, 40},
		{0.5, 1, 39}, // all or nothing has a chance of 2·2⁻⁴⁰
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			api := agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/")
			api.SetOffer(&deviceapi.Offer{Target: "1.1.0/fw.bin", Version: "1.1.0", RolloutID: "r1"})
			f, stop := start(t, Config{Server: api.URL, Token: api.Token, Devices: 40, Version: "1.0.0", FailRate: tt.rate,
				Interval: 100 * time.Millisecond, InstallTime: 10 * time.Millisecond})
			waitFor(t, f, "every install", func(s Stats) bool { return s.Installs+s.Failures == 40 })
			// Let the failures be reported.
			waitFor(t, f, "the reports", func(Stats) bool {
				failed := 0
				for _, d := range api.Devices() {
					if len(d.Reports) == 0 {
						return false
					}
					if last := d.Reports[len(d.Reports)-1]; last.State == deviceapi.StateFailed {
						if last.Target != "1.1.0/fw.bin" || last.InstalledVersion != "1.0.0" || !strings.Contains(last.Error, "simulated failure") {
							t.Errorf("failure report %+v", last)
						}
						failed++
					}
				}
				return failed == int(f.Stats().Failures)
			})
			s := stop()
			if int(s.Failures) < tt.minFailed || int(s.Failures) > tt.maxFailed || s.Installed["1.0.0"] != int(s.Failures) {
				t.Fatalf("rate %v: %s", tt.rate, s)
			}
		})
	}
}

// TestFleetDownload: with Download, devices verify the offered release
// against the live TUF repository and download it, leaving nothing behind;
// a release the metadata does not sign fails.
func TestFleetDownload(t *testing.T) {
	r := agenttest.New(t)
	target := r.Publish("1.1.0", agenttest.Image("1.1.0", 200_000), registry.Release{})
	api := agenttest.NewDeviceAPI(t, r.URL)
	tmp := t.TempDir()
	api.SetOffer(&deviceapi.Offer{Target: target, Version: "1.1.0", RolloutID: "r1"})
	f, stop := start(t, Config{Server: api.URL, Token: api.Token, Product: agenttest.Product, HardwareRevision: "rev-a",
		Devices: 5, Version: "1.0.0", Download: true, Interval: 100 * time.Millisecond, TempDir: tmp})
	waitFor(t, f, "the downloads", func(s Stats) bool { return s.Installed["1.1.0"] == 5 })
	// An offer of a target the repository never signed fails everywhere.
	api.SetOffer(&deviceapi.Offer{Target: "9.9.9/fw.bin", Version: "9.9.9", RolloutID: "r2"})
	waitFor(t, f, "the failures", func(s Stats) bool { return s.Failures == 5 })
	s := stop()
	if s.Installs != 5 || !strings.Contains(s.LastError, "9.9.9/fw.bin is not in the signed metadata") {
		t.Fatalf("final: %s (%s)", s, s.LastError)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Token: "t", Devices: 1, Version: "1"},
		{Server: "http://x", Token: "t", Version: "1"},
		{Server: "http://x", Token: "t", Devices: 1},
		{Server: "http://x", Token: "t", Devices: 1, Version: "1", FailRate: 2},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
