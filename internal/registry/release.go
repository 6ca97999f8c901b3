package registry

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Release is a firmware version published for a product.
type Release struct {
	ID         string    `json:"id"`
	ProductID  string    `json:"product_id"`
	Version    string    `json:"version"`
	ReleasedAt time.Time `json:"released_at"`
	Notes      string    `json:"notes,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaxVersionLen bounds a version string.
const MaxVersionLen = 64

// ValidVersion reports whether v can name a release: printable, no spaces or
// slashes, so it can appear in a URL path segment.
func ValidVersion(v string) bool {
	if v == "" || len(v) > MaxVersionLen {
		return false
	}
	for _, r := range v {
		if r <= ' ' || r == '/' || r == '\\' || r == '?' || r == '#' || r == '%' || r == 0x7f {
			return false
		}
	}
	return true
}

// Validate checks the release's fields.
func (r *Release) Validate() error {
	r.Version = strings.TrimSpace(r.Version)
	r.Notes = strings.TrimSpace(r.Notes)
	var f errs.Fields
	f.Check(ValidVersion(r.Version), "version", "is required and must be at most %d characters without spaces, slashes, '?', '#' or '%%'", MaxVersionLen)
	f.Check(!r.ReleasedAt.IsZero(), "released_at", "is required")
	f.Check(r.ReleasedAt.IsZero() || ValidTime(r.ReleasedAt), "released_at", "must be between the years 1970 and 9999 (UTC)")
	f.Check(len(r.Notes) <= 20000, "notes", "must be at most 20000 characters")
	return f.Err()
}

// ReleasePatch changes a release's notes or date.
type ReleasePatch struct {
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	Notes      *string    `json:"notes,omitempty"`
}
