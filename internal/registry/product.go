package registry

import (
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/slug"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// Categories are the product categories offered in forms. Others are allowed.
var Categories = []string{
	"Smart speaker", "Smart TV", "Camera", "Doorbell", "Smart plug", "Smart lighting",
	"Thermostat", "Smoke or CO alarm", "Door lock", "Router", "Wearable", "Baby monitor",
	"Home hub", "Appliance", "Toy", "Other",
}

// Product is a product model a manufacturer sells.
type Product struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Slug  string `json:"slug"`
	Name  string `json:"name"`
	// ModelDesignation is the designation printed on the product, by which a
	// consumer can recognise it (EN 303 645 provision 5.3-16).
	ModelDesignation string `json:"model_designation"`
	Category         string `json:"category"`
	Description      string `json:"description,omitempty"`
	// Published products appear on the public pages.
	Published bool `json:"published"`
	// SupportEnd is the end of the declared support period, if any.
	SupportEnd *supportperiod.EndDate `json:"support_end,omitempty"`
	// SupportShortened is set for good once a published period has been
	// shortened, and is shown publicly.
	SupportShortened bool      `json:"support_shortened"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Limits on product fields.
const (
	maxNameLen        = 200
	maxDesignationLen = 100
	maxCategoryLen    = 100
	maxDescriptionLen = 5000
)

// Normalize trims text fields and derives a missing slug from the name.
func (p *Product) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Slug = strings.TrimSpace(p.Slug)
	p.ModelDesignation = strings.TrimSpace(p.ModelDesignation)
	p.Category = strings.TrimSpace(p.Category)
	p.Description = strings.TrimSpace(p.Description)
	if p.Slug == "" {
		p.Slug = slug.Make(p.Name)
	}
}

// Validate checks the product's fields.
func (p *Product) Validate() error {
	var f errs.Fields
	f.Check(p.Name != "", "name", "is required")
	f.Check(len(p.Name) <= maxNameLen, "name", "must be at most %d characters", maxNameLen)
	f.Check(slug.Valid(p.Slug), "slug", "must be 1-63 lower-case letters, digits or hyphens")
	f.Check(p.ModelDesignation != "", "model_designation", "is required: it is how a buyer recognises the product (EN 303 645 5.3-16)")
	f.Check(len(p.ModelDesignation) <= maxDesignationLen, "model_designation", "must be at most %d characters", maxDesignationLen)
	f.Check(printable(p.ModelDesignation), "model_designation", "must not contain control characters")
	f.Check(p.Category != "", "category", "is required")
	f.Check(len(p.Category) <= maxCategoryLen, "category", "must be at most %d characters", maxCategoryLen)
	f.Check(len(p.Description) <= maxDescriptionLen, "description", "must be at most %d characters", maxDescriptionLen)
	return f.Err()
}

// SupportStatus returns the product's support status at time now.
func (p *Product) SupportStatus(now time.Time) supportperiod.Status {
	return supportperiod.StatusAt(p.SupportEnd, now)
}

// ProductPatch changes some of a product's fields; nil fields stay as they are.
type ProductPatch struct {
	Name             *string `json:"name,omitempty"`
	ModelDesignation *string `json:"model_designation,omitempty"`
	Category         *string `json:"category,omitempty"`
	Description      *string `json:"description,omitempty"`
	Published        *bool   `json:"published,omitempty"`
}

// Apply returns p with the patch applied.
func (pt ProductPatch) Apply(p Product) Product {
	if pt.Name != nil {
		p.Name = *pt.Name
	}
	if pt.ModelDesignation != nil {
		p.ModelDesignation = *pt.ModelDesignation
	}
	if pt.Category != nil {
		p.Category = *pt.Category
	}
	if pt.Description != nil {
		p.Description = *pt.Description
	}
	if pt.Published != nil {
		p.Published = *pt.Published
	}
	return p
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
