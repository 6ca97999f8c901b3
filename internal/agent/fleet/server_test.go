package fleet

import (
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// TestFleetAgainstServer runs a fleet against the real server: devices
// enrol with a real token, are offered a rollout's release, download and
// verify it, and the server records their versions and failures.
func TestFleetAgainstServer(t *testing.T) {
	r := agenttest.New(t)
	r.Publish("1.0.0", agenttest.Image("1.0.0", 1000), registry.Release{}) // the server records only known versions
	r.Publish("1.1.0", agenttest.Image("1.1.0", 20_000), registry.Release{})
	f, stop := start(t, Config{Server: r.Env.URL, Token: r.EnrolmentToken(), Product: agenttest.Product, HardwareRevision: "rev-a",
		Devices: 20, Version: "1.0.0", FailRate: 0.2, Download: true, Root: r.Root, Interval: 100 * time.Millisecond, TempDir: t.TempDir()})
	waitFor(t, f, "enrolment", func(s Stats) bool { return s.Enrolled == 20 })
	r.StartRollout("1.1.0")
	waitFor(t, f, "the installs", func(s Stats) bool { return s.Installs+s.Failures == 20 })
	time.Sleep(500 * time.Millisecond) // a few more check-ins to report
	s := stop()
	if s.Errors != 0 {
		t.Fatalf("errors: %s (%s)", s, s.LastError)
	}
	installed, failed := 0, 0
	for _, d := range r.Devices() {
		switch {
		case d.InstalledVersion == "1.1.0" && d.Update.State == deviceapi.StateIdle:
			installed++
		case d.InstalledVersion == "1.0.0" && d.Update.State == deviceapi.StateFailed && d.Update.Target == "1.1.0/fw.bin":
			failed++
		default:
			t.Errorf("device %s: %s %+v", d.Serial, d.InstalledVersion, d.Update)
		}
	}
	if installed != int(s.Installs) || failed != int(s.Failures) {
		t.Fatalf("server: %d installed, %d failed; fleet: %s", installed, failed, s)
	}
}
