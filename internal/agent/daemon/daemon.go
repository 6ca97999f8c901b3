// Package daemon is lifeline-agent's long-running mode ("lifeline-agent
// run"): it finishes any update a restart interrupted, enrols the device
// once, then checks in with the server's device API on the server's
// schedule, installs what the server offers when the owner's settings
// allow it, and reports the outcome at the next check-in.
//
// The clock, sleep and randomness are injectable, so tests run the loop at
// full speed.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/engine"
	"github.com/lifeline-iot/lifeline/internal/agent/identity"
	"github.com/lifeline-iot/lifeline/internal/agent/state"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
)

// Updater is the part of the update engine the daemon drives;
// *engine.Engine implements it.
type Updater interface {
	Resume(ctx context.Context) error
	Apply(ctx context.Context, target string) error
	State() (state.State, error)
}

var _ Updater = (*engine.Engine)(nil)

// Defaults.
const (
	DefaultPoll        = time.Hour      // when the server names no interval
	DefaultPollMax     = 24 * time.Hour // cap on any wait
	MinBackoff         = 5 * time.Second
	DefaultMaxAttempts = 3               // tries of one offered release before reporting it failed
	restartWait        = 5 * time.Minute // for the restart command to take the agent down
)

// Config configures the daemon.
type Config struct {
	Engine Updater
	// StateDir holds the device identity and the owner's settings.
	StateDir string
	// Server is the Lifeline server base URL.
	Server string
	HTTP   *http.Client
	// EnrolToken returns the product's enrolment token. It is called only
	// while the device has not enrolled; afterwards the token may be gone.
	EnrolToken       func() (string, error)
	Serial           string
	HardwareRevision string
	// AutoUpdate is the manufacturer's default for automatic updates until
	// the owner chooses (Settings); nil means on.
	AutoUpdate *bool
	// PollMax caps every wait, whatever the server asks (default 24h).
	PollMax time.Duration
	// MaxAttempts is how often one offered release is tried before the
	// daemon reports it failed and stops trying it until it restarts
	// (default 3). Releases rolled back after a failed health check are
	// never retried (state.Failed).
	MaxAttempts int
	// Notify tells the owner about held updates (Kind "update_available").
	Notify func(engine.Event)
	// Restart, if set, restarts the device to run a new image (for
	// example by running "systemctl reboot"). Without it Run returns
	// engine.ErrRestartRequired and the init system restarts the device.
	Restart func(context.Context) error
	// Health, if set, is reported at each check-in.
	Health func(context.Context) string
	// Logf logs what the daemon does (default: nothing).
	Logf func(format string, args ...any)

	Now   func() time.Time                           // default time.Now
	Sleep func(context.Context, time.Duration) error // default: a timer
	Rand  func() float64                             // in [0,1), for jitter; default math/rand/v2
}

// Run runs the daemon until ctx ends (then it returns nil) or the device
// must restart to run a new image (then, without a Restart hook, it returns
// an error matching engine.ErrRestartRequired).
func Run(ctx context.Context, cfg Config) error {
	d, err := newDaemon(cfg)
	if err != nil {
		return err
	}
	err = d.run(ctx)
	if ctx.Err() != nil && !errors.Is(err, engine.ErrRestartRequired) {
		return nil
	}
	return err
}

type daemon struct {
	cfg      Config
	store    identity.Store
	id       *identity.Identity
	backoff  time.Duration
	attempts map[string]int // offered target → failed attempts in this run
	failed   *failure       // the last release given up on in this run
	notified map[string]bool
}

type failure struct{ target, err string }

func newDaemon(cfg Config) (*daemon, error) {
	if cfg.Engine == nil || cfg.StateDir == "" || cfg.Server == "" || cfg.EnrolToken == nil {
		return nil, errors.New("daemon: an engine, state directory, server and enrolment token are required")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: time.Minute}
	}
	if cfg.PollMax <= 0 {
		cfg.PollMax = DefaultPollMax
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Notify == nil {
		cfg.Notify = func(engine.Event) {}
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	return &daemon{cfg: cfg, store: identity.Store{Dir: cfg.StateDir}, attempts: map[string]int{}, notified: map[string]bool{}}, nil
}

func (d *daemon) run(ctx context.Context) error {
	if err := d.resume(ctx); err != nil {
		return err
	}
	first, err := d.enrol(ctx)
	if err != nil {
		return err
	}
	if first > 0 {
		if err := d.cfg.Sleep(ctx, d.jitter(first)); err != nil {
			return err
		}
	}
	reportOnly := false
	for {
		if err := d.resume(ctx); err != nil {
			return err
		}
		resp, err := d.checkIn(ctx, "")
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			wait := d.nextBackoff()
			d.cfg.Logf("check-in failed, trying again in %s: %v", wait.Round(time.Second), err)
			if err := d.cfg.Sleep(ctx, wait); err != nil {
				return err
			}
			continue
		}
		d.backoff = 0
		// Right after an install the daemon checks in again at once to
		// report the outcome; an offer in that answer waits for the next
		// regular check-in, so a confused server cannot make it loop.
		if resp.Offer != nil && !reportOnly {
			tried, err := d.consider(ctx, resp.Offer)
			if err != nil {
				return err
			}
			if tried {
				reportOnly = true
				continue
			}
		}
		reportOnly = false
		if err := d.cfg.Sleep(ctx, d.pollWait(resp)); err != nil {
			return err
		}
	}
}

// resume carries on an interrupted update; a restart it needs ends Run.
func (d *daemon) resume(ctx context.Context) error {
	st, err := d.cfg.Engine.State()
	if err != nil {
		return err // a damaged state file needs a person
	}
	if st.Phase == state.Idle {
		return nil
	}
	err = d.cfg.Engine.Resume(ctx)
	if errors.Is(err, engine.ErrRestartRequired) {
		return d.restart(ctx)
	}
	if err != nil {
		d.cfg.Logf("resuming the update of %s: %v", st.Update.Target, err)
	}
	return nil
}

// enrol loads the device identity or enrols, retrying until it works or
// ctx ends. It returns how long the server asked to wait before the first
// check-in.
func (d *daemon) enrol(ctx context.Context) (time.Duration, error) {
	for {
		id, err := d.store.Load()
		if errors.Is(err, identity.ErrNotEnrolled) {
			id, err = d.register(ctx)
		}
		if err == nil {
			d.id = id
			d.backoff = 0
			return id.PollAfter, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		wait := d.nextBackoff()
		d.cfg.Logf("enrolment failed, trying again in %s: %v", wait.Round(time.Second), err)
		if err := d.cfg.Sleep(ctx, wait); err != nil {
			return 0, err
		}
	}
}

func (d *daemon) register(ctx context.Context) (*identity.Identity, error) {
	token, err := d.cfg.EnrolToken()
	if err != nil {
		return nil, fmt.Errorf("reading the enrolment token: %w", err)
	}
	st, err := d.cfg.Engine.State()
	if err != nil {
		return nil, err
	}
	id, err := d.store.Enrol(ctx, d.cfg.HTTP, d.cfg.Server, token, d.cfg.Serial, d.cfg.HardwareRevision, st.Installed)
	if err == nil {
		d.cfg.Logf("enrolled as device %s", id.DeviceID)
	}
	return id, err
}

// checkIn reports the device's state; override, if set, replaces the
// state (for "restarting").
func (d *daemon) checkIn(ctx context.Context, override string) (deviceapi.CheckInResponse, error) {
	var resp deviceapi.CheckInResponse
	st, err := d.cfg.Engine.State()
	if err != nil {
		return resp, err
	}
	held, _ := d.held()
	r := report(st, d.failed)
	r.AutoUpdate = held == ""
	if override != "" {
		r.State, r.Error = override, ""
	}
	if d.cfg.Health != nil {
		r.Health = d.cfg.Health(ctx)
	}
	// The configured server, not the one enrolled with: firmware may move
	// the device to a new address of the same server.
	err = d.id.Do(ctx, d.cfg.HTTP, http.MethodPost, strings.TrimSuffix(d.cfg.Server, "/")+deviceapi.CheckInPath, r, &resp)
	return resp, err
}

// report maps the engine's state to what a check-in reports.
func report(st state.State, failed *failure) deviceapi.CheckInRequest {
	r := deviceapi.CheckInRequest{InstalledVersion: st.Installed, State: deviceapi.StateIdle}
	if st.Update != nil {
		r.Target = st.Update.Target
	}
	switch st.Phase {
	case state.Idle:
		switch {
		case failed != nil:
			r.State, r.Target, r.Error = deviceapi.StateFailed, failed.target, failed.err
		case st.LastError != "":
			r.State, r.Error = deviceapi.StateFailed, st.LastError
			if n := len(st.Failed); n > 0 {
				r.Target = st.Failed[n-1]
			}
		}
	case state.Downloading, state.Downloaded:
		r.State = deviceapi.StateDownloading
	case state.Installing, state.Installed:
		r.State = deviceapi.StateInstalling
	case state.Trial:
		r.State = deviceapi.StateTrial
	case state.RollingBack:
		r.State, r.Error = deviceapi.StateFailed, st.LastError
	}
	return r
}

// held reads the owner's settings: why automatic installs are held, or "".
func (d *daemon) held() (string, error) {
	s, err := LoadSettings(d.cfg.StateDir)
	if err != nil {
		// Fail closed: the owner wanted something we cannot read.
		return "the update settings cannot be read", err
	}
	return s.Held(d.cfg.Now(), d.cfg.AutoUpdate == nil || *d.cfg.AutoUpdate), nil
}

// consider installs an offered release if nothing holds it back. tried
// says whether it tried, so the outcome is reported at once.
func (d *daemon) consider(ctx context.Context, o *deviceapi.Offer) (tried bool, err error) {
	st, err := d.cfg.Engine.State()
	if err != nil {
		return false, err
	}
	if o.Target == "" || o.Version == st.Installed || slices.Contains(st.Failed, o.Target) || d.attempts[o.Target] >= d.cfg.MaxAttempts {
		return false, nil
	}
	why, err := d.held()
	if err != nil {
		d.cfg.Logf("%v", err)
	}
	if why != "" {
		d.notifyHeld(o, why)
		return false, nil
	}
	if o.NotBefore != nil && d.cfg.Now().Before(*o.NotBefore) {
		return false, nil
	}
	d.cfg.Logf("installing %s (%s)", o.Version, o.Target)
	err = d.cfg.Engine.Apply(ctx, o.Target)
	switch {
	case errors.Is(err, engine.ErrRestartRequired):
		return true, d.restart(ctx)
	case err == nil:
		d.failed = nil
		clear(d.attempts)
		return true, nil
	case errors.Is(err, engine.ErrBusy) || ctx.Err() != nil:
		return false, nil
	}
	d.attempts[o.Target]++
	d.cfg.Logf("installing %s failed (attempt %d of %d): %v", o.Version, d.attempts[o.Target], d.cfg.MaxAttempts, err)
	if d.attempts[o.Target] >= d.cfg.MaxAttempts {
		d.failed = &failure{target: o.Target, err: err.Error()}
	}
	return true, nil
}

// notifyHeld tells the owner, once per release and reason, that an update
// is waiting for them.
func (d *daemon) notifyHeld(o *deviceapi.Offer, why string) {
	key := o.Target + "\x00" + why
	if d.notified[key] {
		return
	}
	d.notified[key] = true
	kind := "update"
	if o.SecurityUpdate {
		kind = "security update"
	}
	d.cfg.Notify(engine.Event{Kind: "update_available", Version: o.Version,
		Detail: fmt.Sprintf("%s %s (%s) is not installed: %s; install it with: lifeline-agent install %s", kind, o.Version, o.Target, why, o.Target)})
}

// restart reports "restarting" at once, then restarts the device with the
// Restart hook or returns engine.ErrRestartRequired for the init system.
func (d *daemon) restart(ctx context.Context) error {
	if d.id == nil {
		if id, err := d.store.Load(); err == nil {
			d.id = id
		}
	}
	if d.id != nil {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := d.checkIn(rctx, deviceapi.StateRestarting)
		cancel()
		if err != nil {
			d.cfg.Logf("reporting the restart: %v", err)
		}
	}
	if d.cfg.Restart == nil {
		return engine.ErrRestartRequired
	}
	d.cfg.Logf("restarting the device to run the new image")
	if err := d.cfg.Restart(ctx); err != nil {
		return errors.Join(engine.ErrRestartRequired, fmt.Errorf("the restart command failed: %w", err))
	}
	// The restart is under way: wait to be stopped, but not for ever.
	if err := d.cfg.Sleep(ctx, restartWait); err != nil {
		return err
	}
	return engine.ErrRestartRequired
}

// pollWait is how long to wait before the next check-in: what the server
// asked, ±10%, capped; sooner if an offer's maintenance window opens first.
func (d *daemon) pollWait(resp deviceapi.CheckInResponse) time.Duration {
	w := time.Duration(resp.PollAfter) * time.Second
	if w <= 0 {
		w = DefaultPoll
	}
	w = min(d.jitter(w), d.cfg.PollMax)
	if o := resp.Offer; o != nil && o.NotBefore != nil {
		if until := o.NotBefore.Sub(d.cfg.Now()); until > 0 && until < w {
			w = until
		}
	}
	return max(w, time.Second)
}

// nextBackoff doubles the wait after each failure, from MinBackoff up to
// the cap.
func (d *daemon) nextBackoff() time.Duration {
	if d.backoff == 0 {
		d.backoff = MinBackoff
	} else {
		d.backoff = min(2*d.backoff, d.cfg.PollMax)
	}
	return min(d.jitter(d.backoff), d.cfg.PollMax)
}

// jitter spreads w by ±10% so devices do not check in in step.
func (d *daemon) jitter(w time.Duration) time.Duration {
	return time.Duration(float64(w) * (0.9 + 0.2*d.cfg.Rand()))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
