package engine

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/lifeline-iot/lifeline/internal/version"
)

// Facts are what the signed targets metadata says about a release
// (Lifeline's "custom" object; see tufrepo.Custom — the agent reads the
// same JSON without importing server code).
type Facts struct {
	Product           string   `json:"product"`
	Version           string   `json:"version"`
	HardwareRevisions []string `json:"hardware_revisions,omitempty"`
	SecurityUpdate    bool     `json:"security_update"`
	AllowRollback     bool     `json:"allow_rollback,omitempty"`
	SupportEnd        string   `json:"support_end,omitempty"`
}

// ParseFacts reads the facts from a target's custom field.
func ParseFacts(custom *json.RawMessage) (Facts, error) {
	if custom == nil {
		return Facts{}, refusal{"the target carries no release facts"}
	}
	var w struct {
		Lifeline *Facts `json:"lifeline"`
	}
	if err := json.Unmarshal(*custom, &w); err != nil || w.Lifeline == nil {
		return Facts{}, refusal{"the target carries no release facts"}
	}
	return *w.Lifeline, nil
}

// Device is what the agent knows about the device it runs on.
type Device struct {
	Product          string // "<manufacturer>/<product>"
	HardwareRevision string
	Installed        string // version running now
}

// Decision is what to do with an offered release.
type Decision int

// Decisions.
const (
	Install Decision = iota // install it
	Current                 // it is what runs already
)

// refusal is a release the device must not install.
type refusal struct{ why string }

func (r refusal) Error() string { return "refused: " + r.why }

// Decide applies the device's rules to signed release facts: the release
// must be for this product and this hardware, and must not be older than
// what runs unless the targets role marks it as an allowed rollback. It is
// pure: the facts were verified against signed metadata before.
func Decide(f Facts, d Device) (Decision, error) {
	if f.Product != d.Product {
		return 0, refusal{fmt.Sprintf("the release is for %q, not %q", f.Product, d.Product)}
	}
	if len(f.HardwareRevisions) > 0 && !slices.Contains(f.HardwareRevisions, d.HardwareRevision) {
		return 0, refusal{fmt.Sprintf("the release is for hardware %v, not %q", f.HardwareRevisions, d.HardwareRevision)}
	}
	switch c := version.Compare(f.Version, d.Installed); {
	case c == 0:
		return Current, nil
	case c < 0 && !f.AllowRollback:
		return 0, refusal{fmt.Sprintf("version %s is older than the installed %s (rollback)", f.Version, d.Installed)}
	}
	return Install, nil
}
