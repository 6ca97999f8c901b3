package store

import (
	"context"
	"time"
)

// Advisories is the shared vulnerability data: advisory records read from
// the feeds the operator configured. It is not tenant data: every
// organisation's components are matched against the same records, and
// nothing in it names an organisation.
type Advisories interface {
	// PutAdvisories inserts or replaces records (by source and id) with
	// their ids and matcher keys, leaving alone those stored with the same
	// modification time and document. Callers run it in a transaction.
	PutAdvisories(ctx context.Context, recs []AdvisoryRecord) (PutResult, error)
	// Advisory returns one record.
	Advisory(ctx context.Context, source, id string) (AdvisoryRecord, error)
	// VulnerabilityRecords returns every record of the vulnerability that id
	// names, by its vulnerability id or any id or alias of any of its records.
	VulnerabilityRecords(ctx context.Context, id string) ([]AdvisoryRecord, error)
	// AdvisoriesForKeys calls fn for each record filed under one of keys,
	// once per record, withdrawn records left out.
	AdvisoriesForKeys(ctx context.Context, keys []string, fn func(AdvisoryRecord) error) error
	// AdvisoryKeys returns the matcher keys of the given records.
	AdvisoryKeys(ctx context.Context, refs []AdvisoryRef) ([]string, error)
	// RefreshStatistics brings the query planner's statistics up to date
	// after a large import, where the backend needs it (PostgreSQL plans
	// the next lookups for the tables as they were before).
	RefreshStatistics(ctx context.Context) error
	// CountAdvisories counts records per source.
	CountAdvisories(ctx context.Context) (map[string]int, error)
	// VulnerabilityFacts returns, for each of the vulnerability ids, the
	// highest score and whether any record says it is exploited.
	VulnerabilityFacts(ctx context.Context, vulnIDs []string) (map[string]VulnFacts, error)

	PutFeed(ctx context.Context, f Feed) error
	// ClaimFeed takes the feed's import lease until now+lease, and reports
	// false when another import holds it: servers behind one database
	// import each feed one at a time.
	ClaimFeed(ctx context.Context, name string, now time.Time, lease time.Duration) (bool, error)
	// ReleaseFeed gives the lease up.
	ReleaseFeed(ctx context.Context, name string) error
	Feed(ctx context.Context, name string) (Feed, error)
	Feeds(ctx context.Context) ([]Feed, error)
}

// PutResult is what PutAdvisories changed.
type PutResult struct {
	Written []AdvisoryRef
	// ChangedVulns are the vulnerabilities whose findings may have
	// changed: those of the records written, and those the replaced
	// records belonged to before.
	ChangedVulns []string
}

// AdvisoryRef names one advisory record.
type AdvisoryRef struct {
	Source string `json:"source"`
	ID     string `json:"id"`
}

// AdvisoryRecord is one stored advisory: its facts for queries and its
// document (package advisory's model as JSON) for matching and display.
type AdvisoryRecord struct {
	Source    string
	ID        string
	VulnID    string   // the vulnerability it describes, after alias merging
	IDs       []string // ID and every alias
	Keys      []string // matcher keys
	Modified  time.Time
	Withdrawn bool
	Score     float64
	Exploited bool
	Summary   string
	Document  []byte
}

// VulnFacts are the facts of one vulnerability across its records.
type VulnFacts struct {
	Score     float64
	Exploited bool
}

// Feed is one configured source of advisories and how its last import went.
type Feed struct {
	Name         string     `json:"name"`
	Kind         string     `json:"kind"`     // osv, nvd, csaf, kev
	Location     string     `json:"location"` // file, directory or URL
	MaxModified  *time.Time `json:"max_modified,omitempty"`
	LastStarted  *time.Time `json:"last_started,omitempty"`
	LastFinished *time.Time `json:"last_finished,omitempty"`
	Records      int        `json:"records"`
	ErrorCount   int        `json:"error_count"`
	LastError    string     `json:"last_error,omitempty"`
}

// Vulns is an organisation's side of vulnerability monitoring: the
// components of its releases, the findings on them, triage decisions and
// VEX documents.
type Vulns interface {
	// LockVulns holds, until the transaction ends, the organisation's lock
	// on findings, so that rematches and triage decisions happen one at a
	// time and none overwrites another with what it read before.
	LockVulns(ctx context.Context) error
	// SetReleaseComponents replaces a release's components and their keys.
	SetReleaseComponents(ctx context.Context, productID, releaseID string, comps []ReleaseComponent) error
	// ReleaseComponents lists a release's components in SBOM order.
	ReleaseComponents(ctx context.Context, releaseID string) ([]ReleaseComponent, error)
	// AllComponents lists the components of every release.
	AllComponents(ctx context.Context) ([]ReleaseComponent, error)
	// ComponentsForKeys lists the components, in any release, filed under
	// one of keys.
	ComponentsForKeys(ctx context.Context, keys []string) ([]ReleaseComponent, error)
	// ReleasesWithComponents lists the IDs of releases that have components.
	ReleasesWithComponents(ctx context.Context) ([]string, error)
	// SetReleaseVEX replaces the VEX statements embedded in a release's SBOM
	// (vex.Statement JSON); nil removes them.
	SetReleaseVEX(ctx context.Context, releaseID string, statements []byte) error
	// ReleaseVEX returns the embedded VEX statements of the releases that have any.
	ReleaseVEX(ctx context.Context, releaseIDs []string) (map[string][]byte, error)

	// SyncFindings makes the stored findings within scope equal to fs
	// (which must lie within scope): findings no longer present are removed,
	// new ones are added with first seen at, present ones are updated
	// keeping their first-seen time. It reports what changed.
	SyncFindings(ctx context.Context, scope FindingScope, fs []Finding, at time.Time) (SyncResult, error)
	// Findings lists findings, worst first (exploited, then score).
	Findings(ctx context.Context, f FindingFilter) ([]Finding, error)
	// FindingFacts lists the few facts of findings that exposure counts
	// need, in no particular order: much less to read than Findings.
	FindingFacts(ctx context.Context, f FindingFilter) ([]FindingFact, error)

	// PutTriage records a decision and applies it to every finding of that
	// component identity and vulnerability in any release of the product.
	// The product must be the organisation's.
	PutTriage(ctx context.Context, t Triage) error
	// Triage lists decisions about a vulnerability; all when vulnID is empty.
	Triage(ctx context.Context, vulnID string) ([]Triage, error)

	PutVEXDocument(ctx context.Context, d VEXDocument) error
	VEXDocuments(ctx context.Context) ([]VEXDocument, error)

	// DeviceCountsByRelease counts the organisation's devices by the
	// release they run.
	DeviceCountsByRelease(ctx context.Context) (map[string]int, error)
}

// ReleaseComponent is one component of a release's SBOM.
type ReleaseComponent struct {
	ReleaseID string   `json:"release_id"`
	ProductID string   `json:"product_id"`
	Index     int      `json:"index"`
	Identity  string   `json:"identity"`
	Ref       string   `json:"ref"`
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	PURL      string   `json:"purl,omitempty"`
	CPEs      []string `json:"cpes,omitempty"`
	Keys      []string `json:"-"`
}

// Finding statuses.
const (
	FindingOpen          = "open"
	FindingAffected      = "affected" // triaged: confirmed
	FindingNotAffected   = "not_affected"
	FindingFalsePositive = "false_positive"
	FindingFixed         = "fixed"
)

// Finding is one vulnerability matched on one component of one release.
type Finding struct {
	ReleaseID     string        `json:"release_id"`
	ProductID     string        `json:"product_id"`
	Index         int           `json:"component_index"`
	VulnID        string        `json:"vulnerability"`
	Identity      string        `json:"component_identity"`
	Component     string        `json:"component"`
	Advisories    []AdvisoryRef `json:"advisories"`
	Reason        []byte        `json:"-"` // JSON of the matcher's reasons
	Score         float64       `json:"score"`
	Exploited     bool          `json:"exploited"`
	Status        string        `json:"status"`
	Justification string        `json:"justification,omitempty"`
	DecidedBy     string        `json:"decided_by,omitempty"` // "vex" or "triage"
	FirstSeen     time.Time     `json:"first_seen"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// SyncResult is what a sync changed.
type SyncResult struct {
	Added []Finding // findings that were not there before
	// NewlyExploited lists vulnerabilities that had findings before, none
	// of them marked exploited, and now have findings marked exploited.
	NewlyExploited []string
}

// FindingFact is what exposure counts need of a finding.
type FindingFact struct {
	VulnID    string
	ReleaseID string
	Score     float64
	Exploited bool
	Status    string
}

// FindingScope is the part of an organisation's findings a sync replaces:
// everything of the listed releases, or, when VulnIDs is not empty, only
// those vulnerabilities' findings (in the listed releases, or in every
// release when ReleaseIDs is empty).
type FindingScope struct {
	ReleaseIDs []string
	VulnIDs    []string
}

// FindingFilter selects findings. Zero fields match everything.
type FindingFilter struct {
	ProductID string
	ReleaseID string
	VulnID    string
	Open      bool // only open or confirmed-affected findings
}

// Triage states.
const (
	TriageAffected      = "affected"
	TriageNotAffected   = "not_affected"
	TriageFixed         = "fixed"
	TriageFalsePositive = "false_positive"
)

// Triage is a decision about one vulnerability in one component of one
// product, kept for the component's identity so that it carries over to the
// product's later releases. Another product may build the same component
// differently, so decisions do not cross products.
type Triage struct {
	ProductID     string    `json:"product_id"`
	Identity      string    `json:"component_identity"`
	VulnID        string    `json:"vulnerability"`
	State         string    `json:"state"`
	Justification string    `json:"justification,omitempty"`
	FixedIn       string    `json:"fixed_in,omitempty"`
	Note          string    `json:"note,omitempty"`
	ReleaseID     string    `json:"release_id,omitempty"` // the release it was decided on
	DecidedBy     string    `json:"decided_by"`
	DecidedAt     time.Time `json:"decided_at"`
}

// VEXDocument is an uploaded VEX document: its statements (package vex's
// model, as JSON).
type VEXDocument struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Format     string    `json:"format"`
	Statements int       `json:"statements"`
	Document   []byte    `json:"-"`
	UploadedAt time.Time `json:"uploaded_at"`
}
