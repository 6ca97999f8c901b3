// Package audit describes the append-only record of every change made in
// Lifeline: who did what, to which thing, when, and from where.
package audit

import (
	"encoding/json"
	"time"
)

// Event is one audit record. Events are never changed or deleted; the
// storage adapters refuse updates and deletes at the database level.
type Event struct {
	ID         string          `json:"id"`
	OrgID      string          `json:"org_id,omitempty"` // empty for site-wide events
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id,omitempty"` // user ID; empty for the system
	ActorLabel string          `json:"actor"`              // email address or "system"
	ActorKind  string          `json:"actor_kind"`         // session, token or system
	TokenID    string          `json:"token_id,omitempty"`
	Source     string          `json:"source"`      // client IP address, or "cli"
	Action     string          `json:"action"`      // e.g. "product.create"
	TargetType string          `json:"target_type"` // e.g. "product"
	TargetID   string          `json:"target_id"`
	Summary    string          `json:"summary"`           // one line for people
	Details    json.RawMessage `json:"details,omitempty"` // what changed, for machines
}

// Filter selects events. Zero fields match everything.
type Filter struct {
	Action     string    // exact action, or a prefix ending in "." such as "product."
	ActorLabel string    // exact actor
	TargetType string    // exact target type
	TargetID   string    // exact target
	Since      time.Time // at or after
	Until      time.Time // before
}
