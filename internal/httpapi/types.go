package httpapi

import (
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// The request and response bodies of the management API. Responses that are
// plain domain records (registry.Release, access.Token, audit.Event …) use
// the domain types' own JSON form.

// MeResponse says who the caller is.
type MeResponse struct {
	User         UserInfo             `json:"user"`
	Organisation *access.Organisation `json:"organisation,omitempty"`
	Role         access.Role          `json:"role,omitempty"`
	AuthKind     string               `json:"auth"`             // session or token
	Scopes       []access.Scope       `json:"scopes,omitempty"` // for tokens
	SiteAdmin    bool                 `json:"site_admin"`
}

// UserInfo is a user without secrets.
type UserInfo struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// OrganisationCreateRequest creates an organisation (site administrators).
type OrganisationCreateRequest struct {
	Slug            string         `json:"slug,omitempty"`
	Name            string         `json:"name"`
	Kind            access.OrgKind `json:"kind"`
	Website         string         `json:"website,omitempty"`
	SecurityContact string         `json:"security_contact,omitempty"`
}

// OrganisationPatchRequest changes the organisation's public profile.
type OrganisationPatchRequest struct {
	Name            *string `json:"name,omitempty"`
	Website         *string `json:"website,omitempty"`
	SecurityContact *string `json:"security_contact,omitempty"`
}

// MemberCreateRequest adds a person to the organisation.
type MemberCreateRequest struct {
	Email    string      `json:"email"`
	Name     string      `json:"name,omitempty"`
	Role     access.Role `json:"role"`
	Password string      `json:"password,omitempty"`
}

// MemberCreateResponse is the new membership, with the generated password
// of a new user when none was given. It is shown once.
type MemberCreateResponse struct {
	Member            access.Member `json:"member"`
	GeneratedPassword string        `json:"generated_password,omitempty"`
}

// MemberPatchRequest changes a member's role.
type MemberPatchRequest struct {
	Role access.Role `json:"role"`
}

// TokenCreateRequest asks for an API token.
type TokenCreateRequest struct {
	Name          string         `json:"name"`
	Scopes        []access.Scope `json:"scopes"`
	ExpiresInDays int            `json:"expires_in_days"`
}

// TokenCreateResponse carries the new token's secret, shown this once.
type TokenCreateResponse struct {
	Token  access.Token `json:"token"`
	Secret string       `json:"secret"`
}

// ProductCreateRequest registers a product.
type ProductCreateRequest struct {
	Slug             string `json:"slug,omitempty"`
	Name             string `json:"name"`
	ModelDesignation string `json:"model_designation"`
	Category         string `json:"category"`
	Description      string `json:"description,omitempty"`
}

// ProductResponse is a product with its support status worked out.
type ProductResponse struct {
	registry.Product
	SupportStatus supportperiod.Status `json:"support_status"`
	PublicURL     string               `json:"public_url,omitempty"`
}

// SupportPeriodRequest declares or changes a product's support end date.
type SupportPeriodRequest struct {
	End    supportperiod.EndDate `json:"end"`
	Reason string                `json:"reason,omitempty"`
	Force  bool                  `json:"force,omitempty"`
}

// SupportPeriodResponse is a product's support period with its full history.
type SupportPeriodResponse struct {
	ProductID string                 `json:"product_id"`
	End       *supportperiod.EndDate `json:"end"`
	Status    supportperiod.Status   `json:"status"`
	Shortened bool                   `json:"shortened"`
	History   []supportperiod.Change `json:"history"`
}

// HardwareRevisionRequest adds a hardware revision.
type HardwareRevisionRequest struct {
	Name  string `json:"name"`
	Notes string `json:"notes,omitempty"`
}

// ReleaseCreateRequest records a firmware release.
type ReleaseCreateRequest struct {
	Version    string     `json:"version"`
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	Notes      string     `json:"notes,omitempty"`
	// HardwareRevisions names the revisions the image runs on; empty means all.
	HardwareRevisions []string `json:"hardware_revisions,omitempty"`
	// SecurityUpdate marks a release that fixes vulnerabilities.
	SecurityUpdate bool `json:"security_update,omitempty"`
	// AllowRollback lets devices on newer versions install this release.
	AllowRollback bool `json:"allow_rollback,omitempty"`
}

// OnlineKeysRequest asks for new online signing keys.
type OnlineKeysRequest struct {
	// Roles to make a key for: targets, snapshot, timestamp. Empty: each online role without a key.
	Roles []string `json:"roles,omitempty"`
}

// DevicePutRequest creates or updates a device.
type DevicePutRequest struct {
	HardwareRevision string     `json:"hardware_revision,omitempty"`
	InstalledVersion string     `json:"installed_version,omitempty"`
	FirstSeen        *time.Time `json:"first_seen,omitempty"`
	LastSeen         *time.Time `json:"last_seen,omitempty"`
}

// CountResponse is a count.
type CountResponse struct {
	Count int `json:"count"`
}
