package daemon

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/agent/engine"
	"github.com/lifeline-iot/lifeline/internal/agent/identity"
	"github.com/lifeline-iot/lifeline/internal/agent/install"
	"github.com/lifeline-iot/lifeline/internal/agent/state"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// rig is one device: a state directory, an engine with the directory
// installer against a live repository, and a fake device API.
type rig struct {
	api    *agenttest.DeviceAPI
	dir    string
	e      *engine.Engine
	events []engine.Event
	sleeps []time.Duration
}

func newRig(t *testing.T, r *agenttest.Repo) *rig {
	t.Helper()
	g := &rig{api: agenttest.NewDeviceAPI(t, r.URL), dir: t.TempDir()}
	e, err := engine.New(engine.Config{
		RepositoryURL: r.URL, StateDir: filepath.Join(g.dir, "state"), BootstrapRoot: r.Root,
		Device:    engine.Device{Product: agenttest.Product, HardwareRevision: "rev-a", Installed: "1.0.0"},
		Installer: &install.Directory{Dir: filepath.Join(g.dir, "app")},
		Notify:    func(ev engine.Event) { g.events = append(g.events, ev) },
	})
	if err != nil {
		t.Fatal(err)
	}
	g.e = e
	return g
}

// config returns a daemon configuration whose sleeps return at once and
// stop the daemon when stop says so (or after 50 sleeps).
func (g *rig) config(u Updater, stop func(sleeps int) bool) (Config, context.Context) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cfg := Config{
		Engine: u, StateDir: filepath.Join(g.dir, "state"), Server: g.api.URL,
		EnrolToken: func() (string, error) { return g.api.Token, nil },
		Serial:     "SN-1", HardwareRevision: "rev-a",
		Notify: func(ev engine.Event) { g.events = append(g.events, ev) },
		Rand:   func() float64 { return 0.5 }, // no jitter
		Sleep: func(ctx context.Context, d time.Duration) error {
			g.sleeps = append(g.sleeps, d)
			if stop(len(g.sleeps)) || len(g.sleeps) >= 50 {
				cancel()
			}
			return ctx.Err()
		},
	}
	return cfg, ctx
}

func (g *rig) deviceID(t *testing.T) string {
	t.Helper()
	id, err := identity.Store{Dir: filepath.Join(g.dir, "state")}.Load()
	if err != nil {
		t.Fatal(err)
	}
	return id.DeviceID
}

func (g *rig) reports(t *testing.T) []deviceapi.CheckInRequest {
	return g.api.Reports(g.deviceID(t))
}

// TestInstallsOfferedUpdate runs the loop end to end: enrol, check in, get
// an offer, install it from the live TUF repository with the directory
// installer, and report the new version at the next check-in, at once.
func TestInstallsOfferedUpdate(t *testing.T) {
	r := agenttest.New(t)
	img := agenttest.Image("1.1.0", 50_000)
	target := r.Publish("1.1.0", img, registry.Release{})
	g := newRig(t, r)
	g.api.SetOffer(&deviceapi.Offer{Target: target, Version: "1.1.0", RolloutID: "r1"})
	cfg, ctx := g.config(g.e, func(n int) bool { return n >= 2 })
	if err := Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(g.dir, "app", "current", "fw.bin"))
	if err != nil || !bytes.Equal(got, img) {
		t.Fatalf("installed bundle: %v", err)
	}
	reps := g.reports(t)
	want := []deviceapi.CheckInRequest{
		{InstalledVersion: "1.0.0", State: deviceapi.StateIdle, AutoUpdate: true},
		{InstalledVersion: "1.1.0", State: deviceapi.StateIdle, AutoUpdate: true},
	}
	if !slices.Equal(reps, want) {
		t.Fatalf("reports:\n%+v\nwant\n%+v", reps, want)
	}
	// One sleep for the first check-in the server asked for at enrolment,
	// none between the install and its report.
	if !slices.Equal(g.sleeps, []time.Duration{time.Second, time.Second}) {
		t.Fatalf("sleeps %v", g.sleeps)
	}
	if kinds := eventKinds(g.events); !slices.Contains(kinds, "installed") {
		t.Fatalf("events %v", kinds)
	}
}

// TestOwnerControlsHoldOffers: settings, the manufacturer's default, a
// maintenance window and an earlier failure each keep an offer from being
// installed; the owner hears about held updates once; a manual install
// still works.
func TestOwnerControlsHoldOffers(t *testing.T) {
	r := agenttest.New(t)
	target := r.Publish("1.1.0", agenttest.Image("1.1.0", 5000), registry.Release{SecurityUpdate: true})
	now := time.Now()
	later := now.Add(time.Hour)
	off, on := false, true
	tests := []struct {
		name       string
		settings   *Settings
		defaultOn  *bool
		notBefore  *time.Time
		failed     bool
		wantNotify []string // in the one update_available Detail; nil: no notification
		wantAuto   bool
		wantState  string
		installs   bool
	}{
		{name: "owner turned updates off", settings: &Settings{AutoUpdate: &off},
			wantNotify: []string{"security update 1.1.0", "automatic updates are off", "lifeline-agent install " + target}, wantState: deviceapi.StateIdle},
		{name: "owner postponed", settings: &Settings{PostponeUntil: later},
			wantNotify: []string{"security update 1.1.0", "postponed until"}, wantState: deviceapi.StateIdle},
		{name: "manufacturer default off", defaultOn: &off,
			wantNotify: []string{"automatic updates are off"}, wantState: deviceapi.StateIdle},
		{name: "owner turned on what the manufacturer left off", defaultOn: &off, settings: &Settings{AutoUpdate: &on},
			wantAuto: true, installs: true, wantState: deviceapi.StateIdle},
		{name: "postponement over", settings: &Settings{PostponeUntil: now.Add(-time.Minute)},
			wantAuto: true, installs: true, wantState: deviceapi.StateIdle},
		{name: "maintenance window not open", notBefore: &later, wantAuto: true, wantState: deviceapi.StateIdle},
		{name: "failed here before", failed: true, wantAuto: true, wantState: deviceapi.StateFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newRig(t, r)
			stateDir := filepath.Join(g.dir, "state")
			if tt.settings != nil {
				if err := SaveSettings(stateDir, *tt.settings); err != nil {
					t.Fatal(err)
				}
			}
			if tt.failed {
				st, _ := state.Open(stateDir)
				if err := st.Save(state.State{Phase: state.Idle, Installed: "1.0.0", Failed: []string{target}, LastError: "health check failed: boom"}); err != nil {
					t.Fatal(err)
				}
			}
			g.api.SetOffer(&deviceapi.Offer{Target: target, Version: "1.1.0", SecurityUpdate: true, RolloutID: "r1", NotBefore: tt.notBefore})
			cfg, ctx := g.config(g.e, func(n int) bool { return n >= 4 })
			cfg.AutoUpdate = tt.defaultOn
			if err := Run(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			st, _ := g.e.State()
			if got := st.Installed == "1.1.0"; got != tt.installs {
				t.Fatalf("installed %s, want install=%v", st.Installed, tt.installs)
			}
			reps := g.reports(t)
			if len(reps) < 2 {
				t.Fatalf("%d check-ins", len(reps))
			}
			last := reps[len(reps)-1]
			if last.AutoUpdate != tt.wantAuto || last.State != tt.wantState {
				t.Fatalf("last report %+v", last)
			}
			if tt.failed && (last.Target != target || !strings.Contains(last.Error, "boom")) {
				t.Fatalf("failure not reported: %+v", last)
			}
			var notes []engine.Event
			for _, ev := range g.events {
				if ev.Kind == "update_available" {
					notes = append(notes, ev)
				}
			}
			switch {
			case tt.wantNotify == nil && !tt.installs && len(notes) > 0:
				t.Fatalf("unexpected notifications %+v", notes)
			case tt.wantNotify != nil && len(notes) != 1:
				t.Fatalf("want one notification, got %+v", notes)
			}
			for _, w := range tt.wantNotify {
				if !strings.Contains(notes[0].Detail, w) {
					t.Errorf("notification %q lacks %q", notes[0].Detail, w)
				}
			}
			if tt.installs || tt.failed {
				return
			}
			// The owner can still install it by hand.
			if err := g.e.Apply(context.Background(), target); err != nil {
				t.Fatalf("manual install: %v", err)
			}
			if st, _ := g.e.State(); st.Installed != "1.1.0" {
				t.Fatalf("manual install: %+v", st)
			}
		})
	}
}

// TestBackoff: failed check-ins and enrolments are retried after 5s, 10s,
// 20s… up to the cap, then the server's schedule resumes.
func TestBackoff(t *testing.T) {
	tests := []struct {
		name  string
		setup func(g *rig, cfg *Config)
		want  []time.Duration
	}{
		{"server errors", func(g *rig, cfg *Config) { g.api.FailNext(5) },
			[]time.Duration{time.Second, 5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second, 30 * time.Second, time.Second}},
		{"token not there yet", func(g *rig, cfg *Config) {
			n := 0
			cfg.EnrolToken = func() (string, error) {
				if n++; n <= 2 {
					return "", os.ErrNotExist
				}
				return g.api.Token, nil
			}
		}, []time.Duration{5 * time.Second, 10 * time.Second, time.Second, time.Second}},
		{"server refuses the token", func(g *rig, cfg *Config) {
			cfg.EnrolToken = func() (string, error) { return "wrong", nil }
		}, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &rig{api: agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/"), dir: t.TempDir()}
			u := &fakeUpdater{st: state.State{Phase: state.Idle, Installed: "1.0.0"}}
			cfg, ctx := g.config(u, func(n int) bool { return n >= len(tt.want) })
			cfg.PollMax = 30 * time.Second
			tt.setup(g, &cfg)
			if err := Run(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(g.sleeps, tt.want) {
				t.Fatalf("sleeps %v, want %v", g.sleeps, tt.want)
			}
		})
	}
}

func TestPollWait(t *testing.T) {
	soon := time.Date(2026, 1, 1, 12, 0, 30, 0, time.UTC)
	tests := []struct {
		name      string
		pollAfter int
		rnd       float64
		notBefore *time.Time
		want      time.Duration
	}{
		{"server's interval", 60, 0.5, nil, time.Minute},
		{"jitter down", 60, 0, nil, 54 * time.Second},
		{"jitter up", 60, 0.999999, nil, 66 * time.Second},
		{"capped", 86400 * 7, 0.5, nil, 6 * time.Hour},
		{"no interval named", 0, 0.5, nil, DefaultPoll},
		{"maintenance window opens first", 3600, 0.5, &soon, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := newDaemon(Config{Engine: &fakeUpdater{}, StateDir: "x", Server: "x", EnrolToken: func() (string, error) { return "", nil },
				PollMax: 6 * time.Hour, Rand: func() float64 { return tt.rnd }, Now: func() time.Time { return soon.Add(-30 * time.Second) }})
			resp := deviceapi.CheckInResponse{PollAfter: tt.pollAfter}
			if tt.notBefore != nil {
				resp.Offer = &deviceapi.Offer{Target: "t", NotBefore: tt.notBefore}
			}
			if got := d.pollWait(resp); (got - tt.want).Abs() > time.Millisecond {
				t.Fatalf("pollWait = %s, want %s", got, tt.want)
			}
		})
	}
}

// fakeUpdater stands in for the engine where the repository does not
// matter.
type fakeUpdater struct {
	st       state.State
	applyErr error
	applied  []string
}

func (f *fakeUpdater) State() (state.State, error) { return f.st, nil }

func (f *fakeUpdater) Resume(context.Context) error {
	if f.st.Phase == state.Trial {
		return engine.ErrRestartRequired
	}
	return nil
}

func (f *fakeUpdater) Apply(_ context.Context, target string) error {
	f.applied = append(f.applied, target)
	if errors.Is(f.applyErr, engine.ErrRestartRequired) {
		f.st.Phase, f.st.Update = state.Trial, &state.Update{Target: target, Version: "2.0.0"}
	}
	return f.applyErr
}

// TestRestart: an install that needs a restart is reported as
// "restarting" at once; then the restart hook runs, or Run returns
// engine.ErrRestartRequired for the init system.
func TestRestart(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		atStart   bool // the device starts in trial, in the same boot
		hook      error
		noHook    bool
		wantErr   error
		wantInErr string
	}{
		{name: "no restart command", noHook: true, wantErr: engine.ErrRestartRequired},
		{name: "restart command", hook: nil, wantErr: nil},
		{name: "restart command fails", hook: boom, wantErr: engine.ErrRestartRequired, wantInErr: "restart command failed: boom"},
		{name: "still in the same boot at start", atStart: true, noHook: true, wantErr: engine.ErrRestartRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &rig{api: agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/"), dir: t.TempDir()}
			u := &fakeUpdater{st: state.State{Phase: state.Idle, Installed: "1.0.0"}, applyErr: engine.ErrRestartRequired}
			g.api.SetOffer(&deviceapi.Offer{Target: "2.0.0/fw.bin", Version: "2.0.0"})
			if tt.atStart {
				if _, err := (identity.Store{Dir: filepath.Join(g.dir, "state")}).Enrol(context.Background(), nil, g.api.URL, g.api.Token, "SN-1", "", "1.0.0"); err != nil {
					t.Fatal(err)
				}
				u.st.Phase, u.st.Update = state.Trial, &state.Update{Target: "2.0.0/fw.bin", Version: "2.0.0"}
			}
			// The restart command "works" when the system stops the daemon
			// while it waits.
			cfg, ctx := g.config(u, func(n int) bool { return g.sleeps[n-1] == restartWait })
			restarts := 0
			if !tt.noHook {
				cfg.Restart = func(context.Context) error { restarts++; return tt.hook }
			}
			err := Run(ctx, cfg)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) || !strings.Contains(errString(err), tt.wantInErr) {
				t.Fatalf("Run = %v, want %v", err, tt.wantErr)
			}
			if !tt.noHook && restarts != 1 {
				t.Fatalf("restart hook ran %d times", restarts)
			}
			reps := g.reports(t)
			last := reps[len(reps)-1]
			if last.State != deviceapi.StateRestarting || last.Target != "2.0.0/fw.bin" || last.InstalledVersion != "1.0.0" {
				t.Fatalf("last report %+v", last)
			}
			if tt.atStart && len(u.applied) != 0 {
				t.Fatalf("applied %v while waiting for a restart", u.applied)
			}
		})
	}
}

// TestRepeatedFailuresReported: a release that fails to install is tried
// MaxAttempts times, then reported failed and left alone.
func TestRepeatedFailuresReported(t *testing.T) {
	g := &rig{api: agenttest.NewDeviceAPI(t, "/tuf/acme/smart-plug/"), dir: t.TempDir()}
	u := &fakeUpdater{st: state.State{Phase: state.Idle, Installed: "1.0.0"}, applyErr: errors.New("refused: the release is for hardware [rev-b]")}
	g.api.SetOffer(&deviceapi.Offer{Target: "2.0.0/fw.bin", Version: "2.0.0"})
	cfg, ctx := g.config(u, func(n int) bool { return n >= 8 })
	if err := Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if len(u.applied) != DefaultMaxAttempts {
		t.Fatalf("applied %d times, want %d", len(u.applied), DefaultMaxAttempts)
	}
	reps := g.reports(t)
	last := reps[len(reps)-1]
	if last.State != deviceapi.StateFailed || last.Target != "2.0.0/fw.bin" || !strings.Contains(last.Error, "rev-b") {
		t.Fatalf("last report %+v", last)
	}
	// Until then the device did not claim a failure.
	for _, r := range reps[:3] {
		if r.State != deviceapi.StateIdle {
			t.Fatalf("early report %+v", r)
		}
	}
}

func eventKinds(evs []engine.Event) []string {
	var k []string
	for _, e := range evs {
		k = append(k, e.Kind)
	}
	return k
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
