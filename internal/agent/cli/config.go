package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/install"
)

// Config is the agent's configuration file (JSON), normally
// /etc/lifeline-agent.json, written when the firmware is built.
type Config struct {
	// Repository is the product's update repository base URL, as the
	// public product page gives it, e.g. https://updates.example.com/tuf/acme/smart-plug/
	Repository string `json:"repository"`
	// RootFile is the bootstrap root metadata shipped with the firmware.
	RootFile string `json:"root_file"`
	// StateDir keeps the agent's state, verified metadata and downloads.
	StateDir string `json:"state_dir"`
	// Product is "<manufacturer>/<product>"; releases for others are refused.
	Product          string `json:"product"`
	HardwareRevision string `json:"hardware_revision"`
	// Version is the version the firmware was built as, until an update
	// records another.
	Version string `json:"version"`
	// Installer is "ab" (A/B slot files), "exec" or "directory".
	Installer string `json:"installer"`
	// SlotsDir is where "ab" keeps slot-a.img, slot-b.img and boot.json.
	SlotsDir string `json:"slots_dir,omitempty"`
	// BundleDir is where "directory" keeps versions and the current link.
	BundleDir string `json:"bundle_dir,omitempty"`
	// Exec commands for the "exec" installer, e.g. ["rauc","install","{image}"].
	ExecInstall  []string `json:"exec_install,omitempty"`
	ExecActivate []string `json:"exec_activate,omitempty"`
	ExecTrial    []string `json:"exec_trial,omitempty"`
	ExecCommit   []string `json:"exec_commit,omitempty"`
	ExecRollback []string `json:"exec_rollback,omitempty"`
	// HealthCheck runs after a restart into a new image; exit 0 is healthy.
	HealthCheck []string `json:"health_check,omitempty"`
	// Notify runs on each update event with LIFELINE_EVENT, LIFELINE_VERSION
	// and LIFELINE_DETAIL set, so the device can tell its user.
	Notify []string `json:"notify,omitempty"`
	// MaxImageSize refuses larger images whatever the metadata says.
	MaxImageSize int64 `json:"max_image_size,omitempty"`
	// MaxBoots is how many restarts a new image gets to pass its health check.
	MaxBoots int `json:"max_boots,omitempty"`
	// Timeout bounds each HTTP request, e.g. "2m".
	Timeout string `json:"timeout,omitempty"`

	// The settings below are for "lifeline-agent run", the daemon that
	// checks in with the server and installs what it offers.

	// Server is the Lifeline server's base URL, e.g. https://lifeline.example.com
	Server string `json:"server,omitempty"`
	// EnrolmentTokenFile holds the product's enrolment token. The agent
	// reads it once, when the device first enrols, and keeps its own key
	// and device ID in the state directory; the file may be deleted after
	// that.
	EnrolmentTokenFile string `json:"enrolment_token_file,omitempty"`
	// Serial is the device's serial number, sent at enrolment.
	Serial string `json:"serial,omitempty"`
	// PollIntervalMax caps the wait between check-ins, e.g. "6h" (default
	// 24h); the server chooses the interval below it.
	PollIntervalMax string `json:"poll_interval_max,omitempty"`
	// AutoUpdate is whether offered updates install automatically until
	// the device's owner chooses otherwise with "lifeline-agent updates
	// on|off" (default true).
	AutoUpdate *bool `json:"auto_update,omitempty"`
	// Restart restarts the device when a new image needs it, e.g.
	// ["systemctl","reboot"]. Without it "run" exits with status 3 and the
	// init system is expected to restart the device (see package cli).
	Restart []string `json:"restart,omitempty"`
}

func loadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, c.validate()
}

func (c *Config) validate() error {
	var problems []string
	need := func(ok bool, msg string) {
		if !ok {
			problems = append(problems, msg)
		}
	}
	need(strings.HasPrefix(c.Repository, "https://") || strings.HasPrefix(c.Repository, "http://"), "repository must be an http(s) URL")
	need(c.RootFile != "", "root_file is required")
	need(c.StateDir != "", "state_dir is required")
	need(c.Product != "" && strings.Count(c.Product, "/") == 1, `product must be "<manufacturer>/<product>"`)
	need(c.Version != "", "version is required")
	switch c.Installer {
	case "ab":
		need(c.SlotsDir != "", "slots_dir is required for the ab installer")
	case "directory":
		need(c.BundleDir != "", "bundle_dir is required for the directory installer")
	case "exec":
		need(len(c.ExecInstall) > 0, "exec_install is required for the exec installer")
	default:
		problems = append(problems, `installer must be "ab", "exec" or "directory"`)
	}
	if c.Timeout != "" {
		if _, err := time.ParseDuration(c.Timeout); err != nil {
			problems = append(problems, "timeout: "+err.Error())
		}
	}
	if c.Server != "" {
		need(strings.HasPrefix(c.Server, "https://") || strings.HasPrefix(c.Server, "http://"), "server must be an http(s) URL")
	}
	if c.PollIntervalMax != "" {
		if d, err := time.ParseDuration(c.PollIntervalMax); err != nil || d < time.Second {
			problems = append(problems, "poll_interval_max must be a duration of at least 1s, e.g. \"6h\"")
		}
	}
	if !strings.HasSuffix(c.Repository, "/") {
		c.Repository += "/"
	}
	if len(problems) > 0 {
		return errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return nil
}

func (c Config) installer() (install.Installer, bool) {
	switch c.Installer {
	case "ab":
		return &install.ABSlots{Dir: c.SlotsDir, MaxBoots: c.MaxBoots}, true
	case "directory":
		return &install.Directory{Dir: c.BundleDir}, false
	default:
		return &install.Exec{InstallCmd: c.ExecInstall, ActivateCmd: c.ExecActivate, TrialCmd: c.ExecTrial, CommitCmd: c.ExecCommit, RollbackCmd: c.ExecRollback}, true
	}
}

// checkRun reports what "run" needs that the configuration lacks.
func (c Config) checkRun() error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"server", c.Server}, {"enrolment_token_file", c.EnrolmentTokenFile}, {"serial", c.Serial}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return errors.New("configuration: run needs " + strings.Join(missing, ", "))
	}
	return nil
}
