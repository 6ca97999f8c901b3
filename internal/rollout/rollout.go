// Package rollout decides who gets a release when. A rollout offers one
// signed release to a product's devices (all of them, one hardware
// revision, or one device group) in phases — for example 1% → 10% → 50% →
// 100% — each held for a minimum soak time. Device reports move it on: enough
// successes advance it, too many failures pause or abort it, without anyone
// watching. Everything here is pure: the service stores rollouts and counts
// reports; these functions decide.
package rollout

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// State is where a rollout stands.
type State string

// States.
const (
	Active    State = "active"
	Paused    State = "paused"
	Completed State = "completed"
	Aborted   State = "aborted"
)

// Scope says which devices a rollout is for.
type Scope string

// Scopes.
const (
	AllDevices       Scope = "product"
	HardwareRevision Scope = "hardware_revision"
	Group            Scope = "group"
)

// Threshold is a number of devices, or a percentage of those offered the
// release in the current phase when Percent is set.
type Threshold struct {
	Count   int     `json:"count,omitempty"`
	Percent float64 `json:"percent,omitempty"`
}

// Zero reports whether the threshold is unset.
func (t Threshold) Zero() bool { return t.Count == 0 && t.Percent == 0 }

// reached reports whether n of offered devices meets the threshold.
func (t Threshold) reached(n, offered int) bool {
	if t.Percent > 0 {
		return offered > 0 && float64(n)*100 >= t.Percent*float64(offered)
	}
	return t.Count > 0 && n >= t.Count
}

// Rollout is one release rolling out.
type Rollout struct {
	ID        string `json:"id"`
	ProductID string `json:"product_id"`
	ReleaseID string `json:"release_id"`
	Version   string `json:"version"`
	Target    string `json:"target"` // TUF target path
	Security  bool   `json:"security_update"`
	// AllowRollback: the release may replace newer versions on devices.
	AllowRollback bool      `json:"allow_rollback,omitempty"`
	Scope         Scope     `json:"scope"`
	ScopeValue    string    `json:"scope_value,omitempty"` // revision name or group
	Phases        []float64 `json:"phases"`                // cumulative percentages, ending at 100
	Soak          Duration  `json:"soak"`                  // minimum time in each phase
	// Urgent skips soak times: for security fixes that cannot wait.
	Urgent bool `json:"urgent"`
	// Success advances a phase once its soak is over (default: 95% of
	// the devices offered in the phase).
	Success Threshold `json:"success_threshold"`
	// PauseAt and AbortAt stop the rollout on failures.
	PauseAt Threshold `json:"pause_threshold"`
	AbortAt Threshold `json:"abort_threshold"`
	// Window limits installs to a daily maintenance window (UTC); empty means any time.
	Window         Window    `json:"maintenance_window,omitzero"`
	Phase          int       `json:"phase"` // index into Phases
	PhaseStartedAt time.Time `json:"phase_started_at"`
	State          State     `json:"state"`
	Reason         string    `json:"reason,omitempty"` // why it paused, aborted or completed
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	CreatedBy      string    `json:"created_by"`
}

// DefaultPhases is used when a rollout names none.
var DefaultPhases = []float64{1, 10, 50, 100}

// Validate checks a new rollout and fills defaults.
func (r *Rollout) Validate() error {
	var f errs.Fields
	if len(r.Phases) == 0 {
		r.Phases = slices.Clone(DefaultPhases)
	}
	f.Check(len(r.Phases) <= 20, "phases", "at most 20 phases")
	for i, p := range r.Phases {
		f.Check(p > 0 && p <= 100 && (i == 0 || p > r.Phases[i-1]), "phases", "must rise from above 0 to 100")
	}
	f.Check(r.Phases[len(r.Phases)-1] == 100, "phases", "the last phase must be 100")
	f.Check(r.Soak >= 0 && time.Duration(r.Soak) <= 90*24*time.Hour, "soak", "must be between 0 and 90 days")
	switch r.Scope {
	case "":
		r.Scope = AllDevices
	case AllDevices:
	case HardwareRevision, Group:
		f.Check(r.ScopeValue != "", "scope_value", "names the %s", strings.ReplaceAll(string(r.Scope), "_", " "))
	default:
		f.Add("scope", "must be product, hardware_revision or group")
	}
	if r.Success.Zero() {
		r.Success = Threshold{Percent: 95}
	}
	for name, t := range map[string]Threshold{"success_threshold": r.Success, "pause_threshold": r.PauseAt, "abort_threshold": r.AbortAt} {
		f.Check(t.Count >= 0 && t.Percent >= 0 && t.Percent <= 100 && (t.Count == 0 || t.Percent == 0), name, "give a count or a percentage (0-100), not both")
	}
	if err := r.Window.Validate(); err != nil {
		f.Add("maintenance_window", "%s", err.Error())
	}
	return f.Err()
}

// Percent is the share of targeted devices offered the release now.
func (r Rollout) Percent() float64 {
	if r.State == Completed {
		return 100
	}
	return r.Phases[min(r.Phase, len(r.Phases)-1)]
}

// Bucket places a device on the 0–100 scale of a rollout by a hash of the
// rollout and device IDs: stable, so a device never leaves a phase it was
// in, and independent between rollouts, so the same devices are not always
// first.
func Bucket(rolloutID, deviceID string) float64 {
	h := sha256.Sum256([]byte(rolloutID + "\x00" + deviceID))
	return float64(binary.BigEndian.Uint32(h[:4])%10000) / 100
}

// Offering reports whether the rollout offers its release at all: while it
// is active, and once completed — then to every device in scope, so that
// devices that were offline or joined later still get it.
func (r Rollout) Offering() bool { return r.State == Active || r.State == Completed }

// Includes reports whether the rollout offers its release to the device now.
func (r Rollout) Includes(deviceID string) bool {
	return r.Offering() && Bucket(r.ID, deviceID) < r.Percent()
}

// Stats count device reports for a rollout.
type Stats struct {
	Targeted  int `json:"targeted"`  // devices in scope
	Offered   int `json:"offered"`   // in scope and inside the current phase
	Succeeded int `json:"succeeded"` // offered, now running the release
	Failed    int `json:"failed"`    // offered, reported a failure of the release
	Pending   int `json:"pending"`   // offered, neither yet
}

// Decision is what Evaluate says to do.
type Decision struct {
	State  State
	Phase  int
	Reason string
}

// Evaluate decides from a rollout's reports what happens next. Failures
// are checked first: reaching the abort threshold aborts, the pause
// threshold pauses. Otherwise, once the phase has soaked (or at once when
// urgent) and enough offered devices succeeded, it advances; after the
// last phase it completes. It returns the rollout's current state and
// phase when nothing changes.
func Evaluate(r Rollout, s Stats, now time.Time) Decision {
	d := Decision{State: r.State, Phase: r.Phase}
	if r.State != Active {
		return d
	}
	if !r.AbortAt.Zero() && r.AbortAt.reached(s.Failed, s.Offered) {
		return Decision{State: Aborted, Phase: r.Phase, Reason: fmt.Sprintf("%d of %d devices offered the release failed to install it (abort threshold)", s.Failed, s.Offered)}
	}
	if !r.PauseAt.Zero() && r.PauseAt.reached(s.Failed, s.Offered) {
		return Decision{State: Paused, Phase: r.Phase, Reason: fmt.Sprintf("%d of %d devices offered the release failed to install it (pause threshold)", s.Failed, s.Offered)}
	}
	soaked := r.Urgent || !now.Before(r.PhaseStartedAt.Add(time.Duration(r.Soak)))
	if !soaked || s.Offered == 0 || !r.Success.reached(s.Succeeded, s.Offered) {
		return d
	}
	if r.Phase >= len(r.Phases)-1 {
		return Decision{State: Completed, Phase: r.Phase, Reason: fmt.Sprintf("%d of %d targeted devices run the release", s.Succeeded, s.Targeted)}
	}
	return Decision{State: Active, Phase: r.Phase + 1, Reason: fmt.Sprintf("phase %g%% succeeded on %d of %d devices", r.Phases[r.Phase], s.Succeeded, s.Offered)}
}
