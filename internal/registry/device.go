package registry

import (
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Device is one unit of a product in the field.
type Device struct {
	ID        string `json:"id"`
	ProductID string `json:"product_id"`
	Product   string `json:"product,omitempty"` // the product's slug, filled in on reads
	// Serial is the device's identifier within its product: a serial number or
	// a device ID the manufacturer assigns.
	Serial string `json:"serial"`
	// HardwareRevision and InstalledVersion are names, not IDs, so that API
	// users never need to look IDs up. Empty when unknown.
	HardwareRevision string     `json:"hardware_revision,omitempty"`
	InstalledVersion string     `json:"installed_version,omitempty"`
	FirstSeen        *time.Time `json:"first_seen,omitempty"`
	LastSeen         *time.Time `json:"last_seen,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	// Group places the device in a named group that rollouts can target.
	Group string `json:"group,omitempty"`
	// EnrolledAt is when the device registered its key; nil if it never did.
	EnrolledAt *time.Time `json:"enrolled_at,omitempty"`
	// Update is what the device last reported about updates.
	Update *DeviceUpdate `json:"update,omitempty"`
}

// DeviceUpdate is a device's last check-in report.
type DeviceUpdate struct {
	State       string     `json:"state"`
	Target      string     `json:"target,omitempty"`
	Error       string     `json:"error,omitempty"`
	Health      string     `json:"health,omitempty"`
	AutoUpdate  bool       `json:"auto_update"`
	LastCheckIn *time.Time `json:"last_check_in,omitempty"`
	RolloutID   string     `json:"rollout_id,omitempty"`
}

// MaxGroupLen bounds a device group name.
const MaxGroupLen = 64

// MaxSerialLen bounds a device serial.
const MaxSerialLen = 128

// ValidSerial reports whether s can identify a device: 1 to 128 printable
// characters without spaces or slashes, and not "." or "..", which name
// no path segment (/devices/.. is cleaned to /devices, so such a device could
// never be read, reset or removed).
func ValidSerial(s string) bool {
	if s == "" || len(s) > MaxSerialLen || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == '/' || c == 0x7f || c == '?' || c == '#' || c == '%' {
			return false
		}
	}
	return true
}

// Validate checks the device's own fields. Whether its revision and version
// exist is checked against the product by the caller.
func (d *Device) Validate() error {
	var f errs.Fields
	f.Check(ValidSerial(d.Serial), "serial", "is required and must be 1-%d characters without spaces, slashes, '?', '#' or '%%', and not . or ..", MaxSerialLen)
	f.Check(len(d.HardwareRevision) <= 64, "hardware_revision", "must be at most 64 characters")
	f.Check(len(d.InstalledVersion) <= MaxVersionLen, "installed_version", "must be at most %d characters", MaxVersionLen)
	f.Check(d.FirstSeen == nil || ValidTime(*d.FirstSeen), "first_seen", "must be between the years 1970 and 9999 (UTC)")
	f.Check(d.LastSeen == nil || ValidTime(*d.LastSeen), "last_seen", "must be between the years 1970 and 9999 (UTC)")
	if d.FirstSeen != nil && d.LastSeen != nil {
		f.Check(!d.LastSeen.Before(*d.FirstSeen), "last_seen", "must not be before first_seen")
	}
	return f.Err()
}

// ValidTime reports whether t, in UTC, falls in the years 1970 to 9999:
// the times every backend stores and every client reads back the same way.
func ValidTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1970 && y <= 9999
}
