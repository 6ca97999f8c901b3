// Package engine is the agent's update cycle: verify what to install
// against the product's TUF repository, download it, install it, try it and
// commit or roll back — each step saved before the next starts, so the
// device can lose power at any moment and carry on where it stopped.
package engine

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/lifeline-iot/lifeline/internal/agent/download"
	"github.com/lifeline-iot/lifeline/internal/agent/install"
	"github.com/lifeline-iot/lifeline/internal/agent/state"
)

// Config configures the engine.
type Config struct {
	// RepositoryURL is the product's repository base URL, ending in "/":
	// metadata/ and targets/ are below it.
	RepositoryURL string
	// StateDir holds the state file, trusted metadata and downloads.
	StateDir string
	// BootstrapRoot is the root metadata the device trusts on first start
	// (shipped in its firmware). Later starts use the newest verified root.
	BootstrapRoot []byte
	Device        Device
	Installer     install.Installer
	// NeedsRestart says the new image runs only after a restart (A/B
	// slots); false for installers that switch in place (Directory).
	NeedsRestart bool
	// HealthCheck decides whether the new image works; nil means healthy.
	HealthCheck func(context.Context) error
	// MaxBoots is how many starts into a trial image are allowed without a
	// commit before the agent rolls back (default 3).
	MaxBoots int
	// MaxImageSize refuses larger images whatever the metadata says.
	MaxImageSize int64
	HTTP         *http.Client
	// Now is the time metadata expiry is checked against (default time.Now).
	Now func() time.Time
	// Notify, if set, hears about each step, for user notifications.
	Notify func(Event)
	// BootID identifies the current boot, to tell whether the device has
	// restarted since the new image was activated (default: Linux's
	// /proc/sys/kernel/random/boot_id).
	BootID func() string
}

// Event is something the device's owner may want to know.
type Event struct {
	Kind    string // update_available, downloading, installing, restart_required, installed, rolled_back, refused
	Version string
	Detail  string
}

// Engine runs updates for one device.
type Engine struct {
	cfg   Config
	store *state.Store
	// afterSave, in tests, simulates a power cut right after a state is saved.
	afterSave func(state.State) error
}

// save stores st and gives tests their chance to cut the power.
func (e *Engine) save(st state.State) error {
	if err := e.store.Save(st); err != nil {
		return err
	}
	if e.afterSave != nil {
		return e.afterSave(st)
	}
	return nil
}

// New returns an engine.
func New(cfg Config) (*Engine, error) {
	if cfg.RepositoryURL == "" || !strings.HasSuffix(cfg.RepositoryURL, "/") {
		return nil, errors.New("the repository URL must end in /")
	}
	if len(cfg.BootstrapRoot) == 0 {
		return nil, errors.New("a bootstrap root is required")
	}
	if cfg.Installer == nil {
		return nil, errors.New("an installer is required")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 2 * time.Minute}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBoots <= 0 {
		cfg.MaxBoots = 3
	}
	if cfg.BootID == nil {
		cfg.BootID = linuxBootID
	}
	st, err := state.Open(cfg.StateDir)
	if err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, store: st}, nil
}

// State returns the saved state.
func (e *Engine) State() (state.State, error) { return e.store.Load(e.cfg.Device.Installed) }

func (e *Engine) notify(kind, version, detail string) {
	if e.cfg.Notify != nil {
		e.cfg.Notify(Event{Kind: kind, Version: version, Detail: detail})
	}
}

// ErrBusy means an update is already in progress.
var ErrBusy = errors.New("an update is already in progress")

// Verify refreshes the trusted metadata and returns the signed description
// of targetPath, refusing anything not in verified targets metadata.
func (e *Engine) Verify(ctx context.Context, targetPath string) (*metadata.TargetFiles, Facts, error) {
	up, err := e.updater()
	if err != nil {
		return nil, Facts{}, err
	}
	if err := up.Refresh(); err != nil {
		return nil, Facts{}, fmt.Errorf("refreshing update metadata: %w", err)
	}
	tf, err := up.GetTargetInfo(targetPath)
	if err != nil {
		return nil, Facts{}, fmt.Errorf("%s is not in the signed metadata: %w", targetPath, err)
	}
	facts, err := ParseFacts(tf.Custom)
	return tf, facts, err
}

// updater is go-tuf's client, trusting the newest root this device has
// verified (go-tuf keeps it as metadata/root.json) or, on first start, the
// bootstrap root.
func (e *Engine) updater() (*updater.Updater, error) {
	dir := filepath.Join(e.cfg.StateDir, "metadata")
	root, err := os.ReadFile(filepath.Join(dir, "root.json"))
	if err != nil {
		root = e.cfg.BootstrapRoot
	}
	cfg, err := config.New(strings.TrimSuffix(e.cfg.RepositoryURL, "/")+"/metadata", root)
	if err != nil {
		return nil, err
	}
	cfg.LocalMetadataDir = dir
	cfg.LocalTargetsDir = filepath.Join(e.cfg.StateDir, "targets-unused")
	cfg.DisableLocalCache = false
	if err := cfg.SetDefaultFetcherHTTPClient(e.cfg.HTTP); err != nil {
		return nil, err
	}
	up, err := updater.New(cfg)
	if err != nil {
		return nil, err
	}
	up.UnsafeSetRefTime(e.cfg.Now())
	return up, nil
}

// Apply installs the release at targetPath if the device's rules allow it.
// It returns once the new image is installed and activated: with
// NeedsRestart the device must restart (and call Resume); otherwise the
// trial, health check and commit happen before it returns.
func (e *Engine) Apply(ctx context.Context, targetPath string) error {
	st, err := e.State()
	if err != nil {
		return err
	}
	if st.Phase != state.Idle {
		if st.Update != nil && st.Update.Target == targetPath {
			return e.Resume(ctx)
		}
		return ErrBusy
	}
	tf, facts, err := e.Verify(ctx, targetPath)
	if err != nil {
		return err
	}
	dev := e.cfg.Device
	dev.Installed = st.Installed
	d, err := Decide(facts, dev)
	if err != nil {
		e.notify("refused", facts.Version, err.Error())
		return err
	}
	if d == Current {
		return nil
	}
	if e.cfg.MaxImageSize > 0 && tf.Length > e.cfg.MaxImageSize {
		return fmt.Errorf("the image is %d bytes, more than this device accepts (%d)", tf.Length, e.cfg.MaxImageSize)
	}
	e.notify("update_available", facts.Version, targetPath)
	st.Phase = state.Downloading
	st.Update = &state.Update{Target: targetPath, Version: facts.Version, SecurityUpdate: facts.SecurityUpdate,
		Length: tf.Length, SHA256: hex.EncodeToString(tf.Hashes["sha256"]), StartedAt: e.cfg.Now().UTC(),
		File: filepath.Join(e.cfg.StateDir, "downloads", path.Base(targetPath))}
	if err := e.save(st); err != nil {
		return err
	}
	if err := e.fetch(ctx, st.Update, tf); err != nil {
		if refusedDownload(err) {
			st.Phase, st.Update, st.LastError = state.Idle, nil, err.Error()
			if serr := e.save(st); serr != nil {
				return serr
			}
		}
		return err
	}
	st.Phase = state.Downloaded
	if err := e.save(st); err != nil {
		return err
	}
	return e.Resume(ctx)
}

// fetch downloads the image, streaming and verifying it against tf; an
// interrupted download resumes where it stopped.
func (e *Engine) fetch(ctx context.Context, u *state.Update, tf *metadata.TargetFiles) error {
	if err := os.MkdirAll(filepath.Dir(u.File), 0o700); err != nil {
		return err
	}
	dir, base := path.Split(u.Target)
	url := e.cfg.RepositoryURL + "targets/" + dir + hex.EncodeToString(tf.Hashes["sha256"]) + "." + base
	e.notify("downloading", u.Version, url)
	if _, err := download.Fetch(ctx, e.cfg.HTTP, url, tf, u.File, download.Options{MaxLength: e.cfg.MaxImageSize}); err != nil {
		return fmt.Errorf("downloading %s: %w", u.Target, err)
	}
	return nil
}

// Resume carries an interrupted update on from its saved phase. The agent
// calls it at every start; it does nothing when idle.
func (e *Engine) Resume(ctx context.Context) error {
	st, err := e.State()
	if err != nil {
		return err
	}
	for {
		if st.Phase == state.Idle {
			return nil
		}
		next, done, err := e.step(ctx, st)
		if serr := e.save(next); serr != nil {
			return serr
		}
		if err != nil {
			return err
		}
		st = next
		if done {
			return nil
		}
	}
}

// ErrRestartRequired means the device must restart to run the new image.
var ErrRestartRequired = errors.New("restart required to run the new image")

// step performs one phase and returns the state after it. done means the
// cycle stops here (idle, or waiting for a restart).
func (e *Engine) step(ctx context.Context, st state.State) (state.State, bool, error) {
	u := st.Update
	img := install.Image{Path: u.File, Version: u.Version, Target: u.Target}
	switch st.Phase {
	case state.Downloading:
		// Interrupted download: verify again and resume it.
		tf, _, err := e.Verify(ctx, u.Target)
		if err != nil {
			return st, true, err
		}
		if hex.EncodeToString(tf.Hashes["sha256"]) != u.SHA256 || tf.Length != u.Length {
			st.Phase, st.Update, st.LastError = state.Idle, nil, "the signed metadata of "+u.Target+" changed during the download"
			return st, true, errors.New(st.LastError)
		}
		if err := e.fetch(ctx, u, tf); err != nil {
			if refusedDownload(err) {
				st.Phase, st.Update, st.LastError = state.Idle, nil, err.Error()
			}
			return st, true, err
		}
		st.Phase = state.Downloaded
		return st, false, nil
	case state.Downloaded:
		// Check the file once more: it sat on disk, maybe across a power cut.
		if err := e.checkFile(u); err != nil {
			_ = os.Remove(u.File)
			st.Phase, st.Update, st.LastError = state.Idle, nil, err.Error()
			return st, true, err
		}
		st.Phase = state.Installing
		return st, false, nil
	case state.Installing:
		e.notify("installing", u.Version, "")
		if err := e.cfg.Installer.Install(ctx, img); err != nil {
			return st, true, fmt.Errorf("installing %s: %w", u.Version, err)
		}
		st.Phase = state.Installed
		return st, false, nil
	case state.Installed:
		if err := e.cfg.Installer.Activate(ctx); err != nil {
			return st, true, fmt.Errorf("activating %s: %w", u.Version, err)
		}
		st.Phase, u.ActivatedBoot = state.Trial, e.cfg.BootID()
		if e.cfg.NeedsRestart {
			e.notify("restart_required", u.Version, "")
			return st, true, ErrRestartRequired
		}
		return st, false, nil
	case state.Trial:
		if e.cfg.NeedsRestart && e.cfg.BootID() == u.ActivatedBoot {
			return st, true, ErrRestartRequired
		}
		running, err := e.cfg.Installer.TrialRunning(ctx)
		if err != nil {
			return st, true, err
		}
		if !running {
			// Restarted, but not into the new image: the bootloader fell back.
			st.Phase, st.LastError = state.RollingBack, "the device did not start the new image"
			return st, false, nil
		}
		u.Boots++
		if u.Boots > e.cfg.MaxBoots {
			st.Phase, st.LastError = state.RollingBack, "the new image restarted too often without passing its health check"
			return st, false, nil
		}
		if err := e.save(st); err != nil { // count the boot before the check can hang
			return st, true, err
		}
		if e.cfg.HealthCheck != nil {
			if err := e.cfg.HealthCheck(ctx); err != nil {
				st.Phase, st.LastError = state.RollingBack, "health check failed: "+err.Error()
				return st, false, nil
			}
		}
		if err := e.cfg.Installer.Commit(ctx); err != nil {
			return st, true, fmt.Errorf("committing %s: %w", u.Version, err)
		}
		e.notify("installed", u.Version, "")
		_ = os.Remove(u.File)
		st.Previous, st.Installed = st.Installed, u.Version
		st.Phase, st.Update, st.LastError = state.Idle, nil, ""
		return st, true, nil
	case state.RollingBack:
		if err := e.cfg.Installer.Rollback(ctx); err != nil {
			return st, true, fmt.Errorf("rolling back %s: %w", u.Version, err)
		}
		e.notify("rolled_back", u.Version, st.LastError)
		_ = os.Remove(u.File)
		st.Failed = append(st.Failed, u.Target)
		st.Phase, st.Update = state.Idle, nil
		return st, e.cfg.NeedsRestart, nil
	}
	return st, true, fmt.Errorf("unknown phase %q", st.Phase)
}

// checkFile verifies a downloaded image against the length and SHA-256 the
// state recorded from signed metadata.
func (e *Engine) checkFile(u *state.Update) error {
	sum, err := hex.DecodeString(u.SHA256)
	if err != nil {
		return err
	}
	return download.VerifyFile(u.File, &metadata.TargetFiles{Length: u.Length, Hashes: metadata.Hashes{"sha256": sum}})
}

func linuxBootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// refusedDownload reports whether a download failed because the bytes were
// wrong (not because the network failed): the update is abandoned rather
// than resumed, so the device is free to take the next offer.
func refusedDownload(err error) bool {
	return errors.Is(err, download.ErrHashMismatch) || errors.Is(err, download.ErrLengthMismatch) ||
		errors.Is(err, download.ErrTooLong) || errors.Is(err, download.ErrBadMetadata)
}
