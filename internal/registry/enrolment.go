package registry

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// EnrolmentTokenPrefix starts every enrolment token.
const EnrolmentTokenPrefix = "lle_"

// EnrolmentToken lets devices of one product register themselves and their
// keys. It is built into the firmware or provisioning step of a production
// run; its secret is stored hashed and shown once.
type EnrolmentToken struct {
	ID         string     `json:"id"`
	ProductID  string     `json:"product_id"`
	Name       string     `json:"name"`
	SecretHash []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// Enrolled counts devices that enrolled with it.
	Enrolled int `json:"enrolled"`
}

// Usable reports whether the token may enrol a device at now.
func (t EnrolmentToken) Usable(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// Validate checks a new token's fields.
func (t *EnrolmentToken) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	var f errs.Fields
	f.Check(t.Name != "" && len(t.Name) <= 100, "name", "is required, at most 100 characters")
	f.Check(t.ExpiresAt.After(t.CreatedAt), "expires_at", "must be in the future")
	return f.Err()
}

// DeviceIdentity is what the device API needs to authenticate a device:
// where it belongs and the key it enrolled.
type DeviceIdentity struct {
	DeviceID         string
	OrgID            string
	OrgSlug          string
	ProductID        string
	ProductSlug      string
	Serial           string
	HardwareRevision string
	InstalledVersion string
	PublicKey        []byte
	Groups           []string
}

// CheckIn is one device report, as stored.
type CheckIn struct {
	DeviceID         string
	InstalledVersion string // empty: unchanged
	State            string
	Target           string
	Error            string
	Health           string
	AutoUpdate       bool
	At               time.Time
}
