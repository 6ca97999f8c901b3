// Package fleet simulates a fleet of devices in one process, for
// "lifeline-agent simulate", the server's demo mode and load benchmarks.
// Each virtual device is a goroutine with its own in-memory key and
// identity: it enrols with the server's device API, checks in on the
// server's schedule and, when offered an update, "installs" it — either
// waiting a simulated install time or, with Download, really verifying the
// target against the product's TUF repository and downloading it to a
// temporary directory — and reports success or, at the configured rate, a
// failure.
//
// A virtual device holds a key, its identity and a few strings; an update
// engine exists only while a Download install runs.
package fleet

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/download"
	"github.com/lifeline-iot/lifeline/internal/agent/engine"
	"github.com/lifeline-iot/lifeline/internal/agent/identity"
	"github.com/lifeline-iot/lifeline/internal/agent/install"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/version"
)

// Config describes the fleet.
type Config struct {
	Server  string // Lifeline server base URL
	Token   string // the product's enrolment token
	Product string // "<manufacturer>/<product>", checked against signed release facts with Download
	// HardwareRevision every device reports.
	HardwareRevision string
	Devices          int
	Version          string // installed at the start
	// FailRate is the probability that an install fails (0 to 1).
	FailRate float64
	// Download really verifies and downloads each offered target.
	Download bool
	// Root is the bootstrap root metadata for Download. When nil the fleet
	// trusts the repository's 1.root.json on first use — acceptable for a
	// simulator, never for a device.
	Root []byte
	// Interval caps the wait between check-ins, whatever the server asks
	// (default 10s).
	Interval time.Duration
	// InstallTime is the simulated install time without Download (default
	// 2s, varied ±50%).
	InstallTime time.Duration
	// Ramp spreads the devices' first enrolment over this time.
	Ramp time.Duration
	// Duration ends the run after this long (0: when ctx ends).
	Duration time.Duration
	// SerialPrefix starts every device's serial (default "sim-" and a
	// random word, so runs do not collide).
	SerialPrefix string
	// KeySeed, when set, derives each device's key from the seed and its
	// serial, so a fleet restarted with the same seed and serial prefix
	// enrols as the same devices again (for the demo). Without it every
	// device gets a fresh random key.
	KeySeed []byte
	// TempDir holds Download's temporary directories (default os.TempDir).
	TempDir string
	HTTP    *http.Client
}

// Stats is a snapshot of the fleet.
type Stats struct {
	Devices    int
	Enrolled   int
	CheckIns   int64
	Errors     int64 // failed requests (enrolments and check-ins)
	Installing int   // devices installing now
	Installs   int64 // successful installs
	Failures   int64 // failed installs
	// Installed counts the enrolled devices by installed version.
	Installed map[string]int
	Elapsed   time.Duration
	LastError string
}

// String is a one-line progress report.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s enrolled %d/%d, %d check-ins (%.1f/s), installing %d, installed:",
		s.Elapsed.Round(time.Second), s.Enrolled, s.Devices, s.CheckIns, float64(s.CheckIns)/max(s.Elapsed.Seconds(), 0.001), s.Installing)
	for _, v := range sortedKeys(s.Installed) {
		fmt.Fprintf(&b, " %s=%d", v, s.Installed[v])
	}
	fmt.Fprintf(&b, ", failures %d, errors %d", s.Failures, s.Errors)
	return b.String()
}

// Fleet is a running simulation.
type Fleet struct {
	cfg   Config
	start time.Time

	enrolled, installing atomic.Int64
	checkIns, errs       atomic.Int64
	installs, failures   atomic.Int64
	mu                   sync.Mutex
	installed            map[string]int
	lastErr              string
	roots                map[string][]byte // repository → trusted root, for Download
}

// New checks cfg and returns a fleet ready to Run.
func New(cfg Config) (*Fleet, error) {
	switch {
	case cfg.Server == "" || cfg.Token == "":
		return nil, errors.New("fleet: a server and an enrolment token are required")
	case cfg.Devices <= 0:
		return nil, errors.New("fleet: at least one device is required")
	case cfg.Version == "":
		return nil, errors.New("fleet: the installed version is required")
	case cfg.FailRate < 0 || cfg.FailRate > 1:
		return nil, errors.New("fleet: the fail rate must be between 0 and 1")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Second
	}
	if cfg.InstallTime <= 0 {
		cfg.InstallTime = 2 * time.Second
	}
	if cfg.SerialPrefix == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		cfg.SerialPrefix = "sim-" + hex.EncodeToString(b[:])
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: time.Minute, Transport: &http.Transport{
			Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: min(cfg.Devices, 256), IdleConnTimeout: 90 * time.Second,
		}}
	}
	f := &Fleet{cfg: cfg, installed: map[string]int{}, roots: map[string][]byte{}}
	if cfg.Root != nil {
		f.roots[""] = cfg.Root
	}
	return f, nil
}

// Run runs a fleet until ctx ends or cfg.Duration passes and returns the
// final statistics.
func Run(ctx context.Context, cfg Config) (Stats, error) {
	f, err := New(cfg)
	if err != nil {
		return Stats{}, err
	}
	return f.Run(ctx)
}

// Run runs the devices until ctx ends or the configured duration passes.
func (f *Fleet) Run(ctx context.Context) (Stats, error) {
	if f.cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.cfg.Duration)
		defer cancel()
	}
	f.mu.Lock()
	f.start = time.Now()
	f.mu.Unlock()
	var wg sync.WaitGroup
	for i := range f.cfg.Devices {
		wg.Go(func() { f.device(ctx, i) })
	}
	wg.Wait()
	st := f.Stats()
	if st.Enrolled == 0 {
		return st, fmt.Errorf("no device enrolled: %s", st.LastError)
	}
	return st, nil
}

// Stats returns a snapshot; it is safe to call while Run runs.
func (f *Fleet) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := Stats{
		Devices: f.cfg.Devices, Enrolled: int(f.enrolled.Load()), CheckIns: f.checkIns.Load(), Errors: f.errs.Load(),
		Installing: int(f.installing.Load()), Installs: f.installs.Load(), Failures: f.failures.Load(),
		Installed: make(map[string]int, len(f.installed)), LastError: f.lastErr,
	}
	if !f.start.IsZero() {
		s.Elapsed = time.Since(f.start)
	}
	for v, n := range f.installed {
		if n > 0 {
			s.Installed[v] = n
		}
	}
	return s
}

func (f *Fleet) fail(err error) {
	f.errs.Add(1)
	f.mu.Lock()
	f.lastErr = err.Error()
	f.mu.Unlock()
}

func (f *Fleet) move(from, to string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if from != "" {
		f.installed[from]--
	}
	f.installed[to]++
}

// vdev is one virtual device.
type vdev struct {
	serial    string
	id        *identity.Identity
	installed string
	state     string // a deviceapi state
	target    string // the release the state refers to
	err       string
	failed    []string // targets that failed here, never retried
	backoff   time.Duration
}

func (f *Fleet) device(ctx context.Context, i int) {
	d := &vdev{serial: fmt.Sprintf("%s-%06d", f.cfg.SerialPrefix, i+1), installed: f.cfg.Version, state: deviceapi.StateIdle}
	if f.cfg.Ramp > 0 && sleep(ctx, time.Duration(mrand.Int64N(int64(f.cfg.Ramp)))) != nil {
		return
	}
	key, err := f.deviceKey(d.serial)
	if err != nil {
		f.fail(err)
		return
	}
	for d.id == nil {
		d.id, err = identity.Register(ctx, f.cfg.HTTP, key, f.cfg.Server, f.cfg.Token, d.serial, f.cfg.HardwareRevision, d.installed)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			f.fail(err)
			if sleep(ctx, f.nextBackoff(d)) != nil {
				return
			}
		}
	}
	d.backoff = 0
	f.enrolled.Add(1)
	f.move("", d.installed)
	if sleep(ctx, f.wait(int(d.id.PollAfter/time.Second))) != nil {
		return
	}
	reportOnly := false
	for {
		var resp deviceapi.CheckInResponse
		req := deviceapi.CheckInRequest{InstalledVersion: d.installed, State: d.state, Target: d.target, Error: d.err, Health: "ok", AutoUpdate: true}
		if err := d.id.Do(ctx, f.cfg.HTTP, http.MethodPost, d.id.URL(deviceapi.CheckInPath), req, &resp); err != nil {
			if ctx.Err() != nil {
				return
			}
			f.fail(err)
			if sleep(ctx, f.nextBackoff(d)) != nil {
				return
			}
			continue
		}
		f.checkIns.Add(1)
		d.backoff = 0
		if o := resp.Offer; o != nil && !reportOnly && f.wants(d, o) {
			f.install(ctx, d, o)
			if ctx.Err() != nil {
				return
			}
			reportOnly = true // report the outcome at once, as the agent does
			continue
		}
		reportOnly = false
		if sleep(ctx, f.wait(resp.PollAfter)) != nil {
			return
		}
	}
}

func (f *Fleet) wants(d *vdev, o *deviceapi.Offer) bool {
	if o.Target == "" || o.Version == d.installed || (o.NotBefore != nil && time.Now().Before(*o.NotBefore)) {
		return false
	}
	return !slices.Contains(d.failed, o.Target)
}

// install simulates or performs an install and records the outcome in d.
func (f *Fleet) install(ctx context.Context, d *vdev, o *deviceapi.Offer) {
	f.installing.Add(1)
	defer f.installing.Add(-1)
	var err error
	if f.cfg.Download {
		err = f.download(ctx, d, o.Target)
	} else {
		err = sleep(ctx, time.Duration(float64(f.cfg.InstallTime)*(0.5+mrand.Float64())))
	}
	if ctx.Err() != nil {
		return
	}
	if err == nil && f.cfg.FailRate > 0 && mrand.Float64() < f.cfg.FailRate {
		err = errors.New("simulated failure: the new image did not pass its health check and was rolled back")
	}
	if err != nil {
		f.failures.Add(1)
		f.mu.Lock()
		f.lastErr = err.Error()
		f.mu.Unlock()
		d.state, d.target, d.err = deviceapi.StateFailed, o.Target, err.Error()
		d.failed = append(d.failed, o.Target)
		return
	}
	f.installs.Add(1)
	f.move(d.installed, o.Version)
	d.installed, d.state, d.target, d.err = o.Version, deviceapi.StateIdle, "", ""
}

// download verifies target against the repository with the update
// engine, downloads it into a temporary directory and deletes it again.
func (f *Fleet) download(ctx context.Context, d *vdev, target string) error {
	repo := d.id.Repository
	if repo == "" {
		return errors.New("the server named no repository at enrolment")
	}
	root, err := f.root(ctx, repo)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(f.cfg.TempDir, "lifeline-sim-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	e, err := engine.New(engine.Config{RepositoryURL: repo, StateDir: dir, BootstrapRoot: root, Installer: nopInstaller{}, HTTP: f.cfg.HTTP,
		Device: engine.Device{Product: f.cfg.Product, HardwareRevision: f.cfg.HardwareRevision, Installed: d.installed}})
	if err != nil {
		return err
	}
	tf, facts, err := e.Verify(ctx, target)
	if err != nil {
		return err
	}
	if f.cfg.Product != "" {
		if _, err := engine.Decide(facts, engine.Device{Product: f.cfg.Product, HardwareRevision: f.cfg.HardwareRevision, Installed: d.installed}); err != nil {
			return err
		}
	}
	// The repository uses consistent snapshots: targets/<dir>/<sha256>.<name>.
	tdir, base := path.Split(target)
	url := repo + "targets/" + tdir + hex.EncodeToString(tf.Hashes["sha256"]) + "." + base
	_, err = download.Fetch(ctx, f.cfg.HTTP, url, tf, filepath.Join(dir, "image"), download.Options{})
	return err
}

// root returns the root metadata the fleet trusts for repo.
func (f *Fleet) root(ctx context.Context, repo string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.roots[""]; r != nil {
		return r, nil
	}
	if r := f.roots[repo]; r != nil {
		return r, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, repo+"metadata/1.root.json", nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.cfg.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the repository's first root: %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	f.roots[repo] = b
	return b, nil
}

// wait is the server's poll interval (seconds), capped by the fleet's
// interval, ±10%.
func (f *Fleet) wait(seconds int) time.Duration {
	w := time.Duration(seconds) * time.Second
	if w <= 0 || w > f.cfg.Interval {
		w = f.cfg.Interval
	}
	return time.Duration(float64(w) * (0.9 + 0.2*mrand.Float64()))
}

func (f *Fleet) nextBackoff(d *vdev) time.Duration {
	d.backoff = min(max(2*d.backoff, 500*time.Millisecond), f.cfg.Interval)
	return time.Duration(float64(d.backoff) * (0.9 + 0.2*mrand.Float64()))
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

// sortedKeys returns the versions in m in version order.
func sortedKeys(m map[string]int) []string {
	return slices.SortedFunc(maps.Keys(m), version.Compare)
}

// nopInstaller lets a Download device use the engine's verification
// without installing anything.
type nopInstaller struct{}

func (nopInstaller) Install(context.Context, install.Image) error { return nil }
func (nopInstaller) Activate(context.Context) error               { return nil }
func (nopInstaller) TrialRunning(context.Context) (bool, error)   { return true, nil }
func (nopInstaller) Commit(context.Context) error                 { return nil }
func (nopInstaller) Rollback(context.Context) error               { return nil }

// deviceKey is a device's key: from KeySeed when set, else random.
func (f *Fleet) deviceKey(serial string) (ed25519.PrivateKey, error) {
	if len(f.cfg.KeySeed) > 0 {
		seed := sha256.Sum256(append(append([]byte("lifeline fleet device key\x00"), f.cfg.KeySeed...), serial...))
		return ed25519.NewKeyFromSeed(seed[:]), nil
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	return key, err
}
