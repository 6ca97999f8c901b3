package tufrepo

import (
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// The four top-level roles.
const (
	Root      = metadata.ROOT
	Targets   = metadata.TARGETS
	Snapshot  = metadata.SNAPSHOT
	Timestamp = metadata.TIMESTAMP
)

// OnlineRoles are the roles the server signs for. Root never is.
var OnlineRoles = []string{Targets, Snapshot, Timestamp}

// IsOnlineRole reports whether role is one the server holds keys for.
func IsOnlineRole(role string) bool {
	return role == Targets || role == Snapshot || role == Timestamp
}

// Policy says how long each role's metadata stays valid. Short lives limit
// freeze attacks (a mirror serving stale metadata); the server re-signs a
// role once less than half its life is left, so a client never sees metadata
// that is about to expire.
type Policy struct {
	Targets   time.Duration
	Snapshot  time.Duration
	Timestamp time.Duration
}

// DefaultPolicy: targets a year, snapshot a week, timestamp a day.
var DefaultPolicy = Policy{
	Targets:   365 * 24 * time.Hour,
	Snapshot:  7 * 24 * time.Hour,
	Timestamp: 24 * time.Hour,
}

// DefaultRootExpiry is how long a root made by `lifeline keys` lasts unless told.
const DefaultRootExpiry = 365 * 24 * time.Hour

// Life returns the validity period of an online role.
func (p Policy) Life(role string) time.Duration {
	switch role {
	case Targets:
		return p.Targets
	case Snapshot:
		return p.Snapshot
	default:
		return p.Timestamp
	}
}

// Validate checks that every period is positive and that a timestamp lives no
// longer than a snapshot, and a snapshot no longer than targets.
func (p Policy) Validate() error {
	if p.Timestamp <= 0 || p.Snapshot <= 0 || p.Targets <= 0 {
		return errPolicy("every expiry period must be positive")
	}
	if p.Timestamp > p.Snapshot || p.Snapshot > p.Targets {
		return errPolicy("expiry periods must grow from timestamp to snapshot to targets")
	}
	return nil
}

// dueForRefresh reports whether metadata expiring at expires, with the
// given life, should be re-signed at now.
func dueForRefresh(expires, now time.Time, life time.Duration) bool {
	return expires.Sub(now) < life/2
}
