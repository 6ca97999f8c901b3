package tufrepo

import (
	"encoding/json"
	"time"
)

// Custom is what Lifeline writes into a target's "custom" field, signed with
// the targets metadata, so the device can decide without trusting anything
// else: which product and hardware the image is for, how it orders against
// other versions, whether it is a security update (CRA Annex I: security
// updates separable from feature updates) and the support period promised
// when it shipped.
type Custom struct {
	Product           string    `json:"product"` // "<manufacturer>/<product>" slugs
	Version           string    `json:"version"`
	HardwareRevisions []string  `json:"hardware_revisions,omitempty"` // empty: every revision
	SecurityUpdate    bool      `json:"security_update"`
	AllowRollback     bool      `json:"allow_rollback,omitempty"` // devices may install it over a newer version
	ReleasedAt        time.Time `json:"released_at"`
	Notes             string    `json:"notes,omitempty"`
	SupportEnd        string    `json:"support_end,omitempty"` // "YYYY-MM" or "YYYY-MM-DD"
}

// MarshalCustom encodes c for Target.Custom.
func MarshalCustom(c Custom) json.RawMessage {
	b, _ := json.Marshal(map[string]Custom{"lifeline": c})
	return b
}

// ParseCustom reads Lifeline's facts from a target's custom field.
func ParseCustom(raw []byte) (Custom, error) {
	var wrapper struct {
		Lifeline *Custom `json:"lifeline"`
	}
	if err := json.Unmarshal(raw, &wrapper); err != nil || wrapper.Lifeline == nil {
		return Custom{}, refused("bad_custom", "target carries no Lifeline release facts")
	}
	return *wrapper.Lifeline, nil
}
