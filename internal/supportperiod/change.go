package supportperiod

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// ChangeKind says what a change did to the period.
type ChangeKind string

// Change kinds.
const (
	Declared  ChangeKind = "declared"  // first declaration
	Extended  ChangeKind = "extended"  // later end date; published at once
	Shortened ChangeKind = "shortened" // earlier end date on a published product; forced, and flagged publicly
	Corrected ChangeKind = "corrected" // any change before the product was published
)

// MaxReasonLen bounds the reason given for a change.
const MaxReasonLen = 2000

// Change is one entry in a product's support-period history. Entries are
// never edited or removed.
type Change struct {
	ID          string     `json:"id"`
	ProductID   string     `json:"product_id"`
	Kind        ChangeKind `json:"kind"`
	PreviousEnd *EndDate   `json:"previous_end,omitempty"`
	End         EndDate    `json:"end"`
	Reason      string     `json:"reason,omitempty"`
	Forced      bool       `json:"forced"`
	Published   bool       `json:"published"` // whether the product was public when the change was made
	ActorID     string     `json:"actor_id,omitempty"`
	ActorLabel  string     `json:"actor"`
	At          time.Time  `json:"at"`
}

// Request asks to set a product's support end date.
type Request struct {
	End    EndDate
	Reason string
	Force  bool // accept a shortening of a published period
}

// Plan decides what setting the end date to req.End means for a product whose
// current end is current (nil: none) and which is or is not published. It
// returns the change to record, or an error saying why the change is refused.
func Plan(current *EndDate, published bool, req Request) (Change, error) {
	req.Reason = strings.TrimSpace(req.Reason)
	if req.End.IsZero() {
		return Change{}, errs.Invalidf("end", "is required")
	}
	if len(req.Reason) > MaxReasonLen {
		return Change{}, errs.Invalidf("reason", "must be at most %d characters", MaxReasonLen)
	}
	c := Change{End: req.End, Reason: req.Reason, Published: published}
	if current == nil || current.IsZero() {
		c.Kind = Declared
		return c, nil
	}
	prev := *current
	c.PreviousEnd = &prev
	if prev.String() == req.End.String() {
		return Change{}, errs.E(errs.Conflict, "the support period already ends %s", req.End.Human()).WithCode("support_period_unchanged")
	}
	if !published {
		c.Kind = Corrected
		return c, nil
	}
	if req.End.Compare(prev) >= 0 {
		// A later date, or the same last day written more precisely ("2030-06" to "2030-06-30").
		c.Kind = Extended
		return c, nil
	}
	if !req.Force {
		return Change{}, errs.E(errs.Conflict,
			"refusing to shorten the published support period from %s to %s: under UK PSTI a shortened support period no longer meets the requirement, and the shortening will be shown publicly; to do it anyway, force the change and give a reason",
			prev.Human(), req.End.Human()).WithCode("support_period_shortening_refused")
	}
	if req.Reason == "" {
		return Change{}, errs.Invalidf("reason", "is required when forcing a shortening; it is shown publicly")
	}
	c.Kind = Shortened
	c.Forced = true
	return c, nil
}
