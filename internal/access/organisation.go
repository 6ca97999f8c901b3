package access

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/slug"
)

// OrgKind says what an organisation is.
type OrgKind string

// Organisation kinds.
const (
	Manufacturer OrgKind = "manufacturer" // makes products and publishes their support periods
	Agency       OrgKind = "agency"       // regulator or national CERT
	TestLab      OrgKind = "test_lab"     // assesses products for labels and conformance
)

// OrgKinds lists every kind, for forms and validation.
var OrgKinds = []OrgKind{Manufacturer, Agency, TestLab}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Label returns the kind in words.
func (k OrgKind) Label() string {
	switch k {
	case Manufacturer:
		return "Manufacturer"
	case Agency:
		return "Agency"
	case TestLab:
		return "Test lab"
	}
	return string(k)
}

// Organisation is a tenant: every product, device and token belongs to one.
type Organisation struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Kind      OrgKind   `json:"kind"`
	Website   string    `json:"website,omitempty"`
	Contact   string    `json:"security_contact,omitempty"` // where to report vulnerabilities (EN 303 645 5.2-1)
	CreatedAt time.Time `json:"created_at"`
}

// Normalize trims the organisation's text fields and derives a missing slug.
func (o *Organisation) Normalize() {
	o.Name = strings.TrimSpace(o.Name)
	o.Slug = strings.TrimSpace(o.Slug)
	o.Website = strings.TrimSpace(o.Website)
	o.Contact = strings.TrimSpace(o.Contact)
	if o.Slug == "" {
		o.Slug = slug.Make(o.Name)
	}
}

// Validate checks the organisation's fields.
func (o *Organisation) Validate() error {
	var f errs.Fields
	f.Check(o.Name != "", "name", "is required")
	f.Check(len(o.Name) <= 200, "name", "must be at most 200 characters")
	f.Check(slug.Valid(o.Slug), "slug", "must be 1-63 lower-case letters, digits or hyphens")
	f.Check(o.Kind.Valid(), "kind", "must be one of manufacturer, agency, test_lab")
	f.Check(len(o.Website) <= 500, "website", "must be at most 500 characters")
	f.Check(o.Website == "" || strings.HasPrefix(o.Website, "https://") || strings.HasPrefix(o.Website, "http://"), "website", "must be an http or https address")
	f.Check(len(o.Contact) <= 500, "security_contact", "must be at most 500 characters")
	return f.Err()
}
