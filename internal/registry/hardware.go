package registry

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// HardwareRevision is one hardware variant of a product. Firmware may be
// built for some revisions only, and devices report which one they are.
type HardwareRevision struct {
	ID        string    `json:"id"`
	ProductID string    `json:"product_id"`
	Name      string    `json:"name"` // as printed on the board or label, e.g. "rev-B"
	Notes     string    `json:"notes,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the revision's fields.
func (h *HardwareRevision) Validate() error {
	h.Name = strings.TrimSpace(h.Name)
	h.Notes = strings.TrimSpace(h.Notes)
	var f errs.Fields
	f.Check(h.Name != "", "name", "is required")
	f.Check(len(h.Name) <= 64, "name", "must be at most 64 characters")
	f.Check(printable(h.Name) && !strings.Contains(h.Name, "/"), "name", "must not contain control characters or slashes")
	f.Check(len(h.Notes) <= 2000, "notes", "must be at most 2000 characters")
	return f.Err()
}
