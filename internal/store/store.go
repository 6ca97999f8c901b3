// Package store is the storage contract: the interfaces every storage
// backend implements, and nothing else. Lifeline's other packages talk to
// storage only through these interfaces; the sqlite and postgres packages
// implement them, and storetest holds the one contract suite both must pass.
//
// Tenant isolation lives here, in the shape of the contract. Everything that
// belongs to an organisation is reached only through an OrgStore, and an
// OrgStore is bound to one organisation when it is made: its methods take no
// organisation argument and cannot see another organisation's rows. The
// Directory holds what must be looked up before the organisation is known
// (tokens, sessions, users), and Public holds what anyone may read.
package store

import (
	"context"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// Store is a storage backend.
type Store interface {
	Queries
	// Tx runs fn in one transaction: every write it makes lands, or none does.
	// fn must use only the Queries it is given.
	Tx(ctx context.Context, fn func(Queries) error) error
	// Ping checks that the backend answers.
	Ping(ctx context.Context) error
	// Backend names the technology, such as "sqlite" or "postgres".
	Backend() string
	Close() error
}

// Queries reaches the three parts of storage.
type Queries interface {
	// Org returns the part of storage that belongs to one organisation.
	Org(orgID string) OrgStore
	// Directory returns organisations, users, sessions and the token index.
	Directory() Directory
	// Public returns what is published for everyone.
	Public() Public
	// Advisories returns the shared vulnerability data.
	Advisories() Advisories
}

// OrgStore is storage seen from inside one organisation. No method can read or
// change another organisation's data. Lookups of things that do not exist, or
// that belong to another organisation, return an errs.NotFound error.
type OrgStore interface {
	// Organisation returns the organisation itself.
	Organisation(ctx context.Context) (access.Organisation, error)
	UpdateOrganisation(ctx context.Context, o access.Organisation) error

	// Members lists the organisation's members.
	Members(ctx context.Context) ([]access.Member, error)
	// Member returns one member's membership.
	Member(ctx context.Context, userID string) (access.Member, error)
	// PutMember adds a user or changes their role.
	PutMember(ctx context.Context, userID string, role access.Role, at time.Time) error
	// RemoveMember ends a membership and revokes the user's tokens in this organisation.
	RemoveMember(ctx context.Context, userID string, at time.Time) error

	// CreateToken stores a new API token for a member.
	CreateToken(ctx context.Context, t *access.Token) error
	// Tokens lists tokens, of one user when userID is not empty.
	Tokens(ctx context.Context, userID string) ([]access.Token, error)
	// RevokeToken revokes a token; revoking a revoked token is not an error.
	RevokeToken(ctx context.Context, id string, at time.Time) (access.Token, error)

	CreateProduct(ctx context.Context, p *registry.Product) error
	// Product finds a product by slug or ID.
	Product(ctx context.Context, slugOrID string) (registry.Product, error)
	Products(ctx context.Context, f ProductFilter, pg Page) (List[registry.Product], error)
	UpdateProduct(ctx context.Context, p registry.Product) error
	// DeleteProduct removes a product that was never published, with its
	// revisions, releases and devices.
	DeleteProduct(ctx context.Context, id string) error
	// RecordSupportChange sets the product's support end to c.End, marks it
	// shortened when c.Kind is Shortened, and appends c to its history.
	RecordSupportChange(ctx context.Context, c *supportperiod.Change) error
	// SupportHistory returns a product's support-period changes, oldest first.
	SupportHistory(ctx context.Context, productID string) ([]supportperiod.Change, error)

	CreateHardwareRevision(ctx context.Context, h *registry.HardwareRevision) error
	HardwareRevisions(ctx context.Context, productID string) ([]registry.HardwareRevision, error)
	// DeleteHardwareRevision fails with errs.Conflict while devices use it.
	DeleteHardwareRevision(ctx context.Context, productID, name string) error

	CreateRelease(ctx context.Context, r *registry.Release) error
	Release(ctx context.Context, productID, version string) (registry.Release, error)
	// Releases lists a product's releases, newest release date first.
	Releases(ctx context.Context, productID string, pg Page) (List[registry.Release], error)
	UpdateRelease(ctx context.Context, r registry.Release) error
	// DeleteRelease fails with errs.Conflict while devices run it.
	DeleteRelease(ctx context.Context, productID, version string) error
	// SetReleaseImage records a release's uploaded firmware file.
	SetReleaseImage(ctx context.Context, releaseID string, img registry.Image) error
	// SetReleaseSigned records when a release was signed into the product's
	// targets metadata and the custom facts signed with it, or clears both
	// with a nil time.
	SetReleaseSigned(ctx context.Context, releaseID string, at *time.Time, custom []byte) error
	// SignedReleases lists a product's releases that are signed into its
	// targets metadata, oldest first.
	SignedReleases(ctx context.Context, productID string) ([]registry.Release, error)

	// SetReleaseSBOM attaches an SBOM to a release, replacing any before it.
	SetReleaseSBOM(ctx context.Context, s ReleaseSBOM) error
	// ReleaseSBOM returns a release's SBOM; errs.NotFound if it has none.
	ReleaseSBOM(ctx context.Context, releaseID string) (ReleaseSBOM, error)

	// TUFRepository returns a product's update repository; errs.NotFound
	// until its first root is accepted.
	TUFRepository(ctx context.Context, productID string) (TUFRepository, error)
	// PutTUFRepository creates or updates a product's repository record.
	PutTUFRepository(ctx context.Context, r TUFRepository) error
	// CreateTUFKey stores an online signing key of a product's repository.
	CreateTUFKey(ctx context.Context, k *TUFKey) error
	// TUFKeys lists a product's online keys, retired ones included, oldest first.
	TUFKeys(ctx context.Context, productID string) ([]TUFKey, error)
	// RetireTUFKey marks a key as no longer used for signing.
	RetireTUFKey(ctx context.Context, productID, keyID string, at time.Time) error
	// AddTUFMetadata stores new metadata versions of a product's repository.
	// A role and version that already exists is errs.Conflict: metadata, once
	// stored, never changes.
	AddTUFMetadata(ctx context.Context, productID string, files []TUFMetadata) error
	// TUFMetadata returns one version of a role's metadata; version 0 means the newest.
	TUFMetadata(ctx context.Context, productID, role string, version int64) (TUFMetadata, error)

	// UpsertDevice creates a device or updates the one with the same product
	// and serial. Empty revision or version fields keep the stored value;
	// first and last seen only ever widen. It fails with errs.Invalid when the
	// named revision or version does not exist for the product.
	UpsertDevice(ctx context.Context, d *registry.Device) (created bool, err error)
	Device(ctx context.Context, productID, serial string) (registry.Device, error)
	Devices(ctx context.Context, f DeviceFilter, pg Page) (List[registry.Device], error)
	CountDevices(ctx context.Context, f DeviceFilter) (int, error)
	DeleteDevice(ctx context.Context, productID, serial string) error
	// ImportDevices upserts many devices of one product, as UpsertDevice does
	// for each. The caller has checked that revisions and versions exist.
	ImportDevices(ctx context.Context, productID string, devs []registry.Device, at time.Time) (created, updated int, err error)

	// SetDeviceGroup puts a device in a group ("" for none).
	SetDeviceGroup(ctx context.Context, productID, serial, group string) error
	// ResetDeviceKey forgets a device's enrolled key, so it can enrol again
	// (after a factory reset or a repair).
	ResetDeviceKey(ctx context.Context, productID, serial string) error
	// EnrolDevice registers a device's key under its serial, creating the
	// device if needed. A device that already has a different key is
	// errs.Conflict. It returns the device ID.
	EnrolDevice(ctx context.Context, d registry.Device, publicKey []byte, at time.Time) (string, error)

	CreateEnrolmentToken(ctx context.Context, t *registry.EnrolmentToken) error
	EnrolmentTokens(ctx context.Context, productID string) ([]registry.EnrolmentToken, error)
	RevokeEnrolmentToken(ctx context.Context, productID, id string, at time.Time) (registry.EnrolmentToken, error)
	// UseEnrolmentToken records that a device enrolled with the token.
	UseEnrolmentToken(ctx context.Context, id string, at time.Time) error

	CreateRollout(ctx context.Context, r *rollout.Rollout) error
	Rollout(ctx context.Context, id string) (rollout.Rollout, error)
	// Rollouts lists a product's rollouts, newest first; all products when productID is empty.
	Rollouts(ctx context.Context, productID string) ([]rollout.Rollout, error)
	// UpdateRollout stores a rollout's state, phase and reason.
	UpdateRollout(ctx context.Context, r rollout.Rollout) error
	// RolloutStats counts device reports for a rollout.
	RolloutStats(ctx context.Context, r rollout.Rollout) (rollout.Stats, error)

	AppendAudit(ctx context.Context, e *audit.Event) error
	// Audit lists events, newest first.
	Audit(ctx context.Context, f audit.Filter, pg Page) (List[audit.Event], error)

	// Summary counts what the organisation has, for its dashboard.
	Summary(ctx context.Context, now time.Time) (OrgSummary, error)

	Vulns
	Notifications
}

// Directory holds identity data that requests need before their organisation
// is known, and the site-wide list of organisations.
type Directory interface {
	CreateOrganisation(ctx context.Context, o *access.Organisation) error
	// Organisation finds an organisation by slug or ID.
	Organisation(ctx context.Context, slugOrID string) (access.Organisation, error)
	Organisations(ctx context.Context, pg Page) (List[access.Organisation], error)

	CreateUser(ctx context.Context, u *access.User) error
	UserByID(ctx context.Context, id string) (access.User, error)
	UserByEmail(ctx context.Context, email string) (access.User, error)
	Users(ctx context.Context, pg Page) (List[access.User], error)
	// UpdateUser stores a user's name, password hash, site-admin flag and disabled time.
	UpdateUser(ctx context.Context, u access.User) error
	CountUsers(ctx context.Context) (int, error)
	// Memberships lists the organisations a user belongs to.
	Memberships(ctx context.Context, userID string) ([]access.Member, error)

	// Token finds an API token by ID, for authentication.
	Token(ctx context.Context, id string) (access.Token, error)
	// TouchToken records a token's use.
	TouchToken(ctx context.Context, id string, at time.Time) error

	CreateSession(ctx context.Context, s access.Session) error
	Session(ctx context.Context, idHash []byte) (access.Session, error)
	// TouchSession records activity and, when orgID is not empty, switches the session's organisation.
	TouchSession(ctx context.Context, idHash []byte, orgID string, at time.Time) error
	DeleteSession(ctx context.Context, idHash []byte) error
	DeleteUserSessions(ctx context.Context, userID string) error
	// DeleteSessionsBefore removes sessions last seen before t or created before created.
	DeleteSessionsBefore(ctx context.Context, lastSeen, created time.Time) (int, error)

	// Setting reads a site setting; a missing key is errs.NotFound.
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
	DeleteSetting(ctx context.Context, key string) error

	// AppendSiteAudit records an event that belongs to no single organisation.
	AppendSiteAudit(ctx context.Context, e *audit.Event) error
	// SiteAudit lists site-wide events, newest first.
	SiteAudit(ctx context.Context, f audit.Filter, pg Page) (List[audit.Event], error)

	// TUFDue lists up to limit update repositories whose online metadata
	// must be re-signed before t, soonest first.
	TUFDue(ctx context.Context, t time.Time, limit int) ([]TUFRepository, error)

	// EnrolmentToken finds an enrolment token by ID, for enrolment.
	EnrolmentToken(ctx context.Context, id string) (registry.EnrolmentToken, string, error) // token, org ID
	// DeviceIdentity finds an enrolled device by ID, for the device API.
	DeviceIdentity(ctx context.Context, deviceID string) (registry.DeviceIdentity, error)
	// RecordCheckIns stores device reports; it runs in batches, each
	// authenticated by the device's own key before it got here. A report
	// naming an installed version that is not a release of the product
	// leaves the recorded version as it was. offered maps device IDs to the
	// rollout that offered them its release.
	RecordCheckIns(ctx context.Context, reports []registry.CheckIn, offered map[string]string) error
	// ClaimSessionRequest records the time of a device's session-open
	// request and reports whether it is later than any before it. Session
	// opens hand out keys, so their replay protection is kept in the
	// database, shared by every server and kept across restarts.
	ClaimSessionRequest(ctx context.Context, deviceID string, ts int64) (bool, error)
	// ActiveRollouts lists every active rollout, for the evaluator.
	ActiveRollouts(ctx context.Context) ([]ActiveRollout, error)

	NotificationOutbox
}

// ActiveRollout is an active rollout with its organisation.
type ActiveRollout struct {
	OrgID   string
	Rollout rollout.Rollout
}

// Public is what anyone may read: published products and their makers.
type Public interface {
	// Manufacturers lists organisations with at least one published product.
	Manufacturers(ctx context.Context) ([]PublicManufacturer, error)
	Manufacturer(ctx context.Context, slug string) (PublicManufacturer, error)
	Products(ctx context.Context, f PublicFilter, pg Page) (List[PublicProduct], error)
	Product(ctx context.Context, orgSlug, productSlug string) (PublicProduct, error)
	// SupportHistory returns the changes made while the product was published, oldest first.
	SupportHistory(ctx context.Context, productID string) ([]supportperiod.Change, error)

	// TUFMetadata returns one version of a role from a product's update
	// repository, found by slugs; version 0 means the newest. Update
	// repositories are public by design: TUF metadata is signed, and clients
	// trust the signatures, not the server.
	TUFMetadata(ctx context.Context, orgSlug, productSlug, role string, version int64) (TUFMetadata, error)
	// TUFTarget returns the release whose signed image is version/fileName
	// in a product's update repository.
	TUFTarget(ctx context.Context, orgSlug, productSlug, version, fileName string) (registry.Release, error)
}

// TUFRepository is a product's update repository record.
type TUFRepository struct {
	OrgID       string    `json:"-"`
	ProductID   string    `json:"product_id"`
	RootVersion int64     `json:"root_version"`
	RootExpires time.Time `json:"root_expires"`
	// RefreshAt is when the first online role is due to be re-signed.
	RefreshAt time.Time `json:"refresh_at"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ReleaseSBOM is the SBOM attached to a release: a summary, the original
// file's place in the blob store, and the normalised document (package
// sbom's model, as JSON).
type ReleaseSBOM struct {
	ReleaseID  string    `json:"release_id"`
	ProductID  string    `json:"product_id"`
	Format     string    `json:"format"`
	Name       string    `json:"name,omitempty"`
	Components int       `json:"components"`
	VEX        int       `json:"vex_statements"`
	SHA256     string    `json:"sha256"` // of the original file
	BlobKey    string    `json:"-"`
	Document   []byte    `json:"-"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// TUFKey is an online signing key of a product's repository. Its private
// half is stored sealed (see package secretbox), never in the clear.
type TUFKey struct {
	ID        string     `json:"id"`
	ProductID string     `json:"product_id"`
	Role      string     `json:"role"`
	KeyID     string     `json:"key_id"`     // TUF key ID
	PublicKey []byte     `json:"public_key"` // TUF key JSON
	Sealed    []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// TUFMetadata is one stored metadata file.
type TUFMetadata struct {
	Role      string
	Version   int64
	Expires   time.Time
	Body      []byte
	CreatedAt time.Time
}

// ProductFilter selects an organisation's products.
type ProductFilter struct {
	Query     string // substring of name or model designation
	Published *bool
}

// DeviceFilter selects devices. Zero fields match everything.
type DeviceFilter struct {
	ProductID        string
	HardwareRevision string // name
	InstalledVersion string
	SerialPrefix     string
	SeenSince        time.Time
}

// PublicFilter selects published products.
type PublicFilter struct {
	OrgSlug string
	Query   string // substring of name or model designation, any case
}

// PublicManufacturer is a manufacturer as the public sees it.
type PublicManufacturer struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	Website  string `json:"website,omitempty"`
	Contact  string `json:"security_contact,omitempty"`
	Products int    `json:"published_products"`
}

// PublicProduct is a published product with its manufacturer.
type PublicProduct struct {
	Product      registry.Product
	Manufacturer PublicManufacturer
	// UpdateRepository reports whether the product has a TUF update repository.
	UpdateRepository bool
}

// OrgSummary counts an organisation's registry for its dashboard.
type OrgSummary struct {
	Products            int                          `json:"products"`
	PublishedProducts   int                          `json:"published_products"`
	Releases            int                          `json:"releases"`
	Devices             int                          `json:"devices"`
	BySupportStatus     map[supportperiod.Status]int `json:"products_by_support_status"`
	DevicesOutOfSupport int                          `json:"devices_out_of_support"`
}
