package httpapi

import (
	"time"

	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// PublicProduct is a published product as the public JSON shows it. It
// holds no personal data: changes say what and when, not who.
type PublicProduct struct {
	Manufacturer     PublicMaker   `json:"manufacturer"`
	Slug             string        `json:"slug"`
	Name             string        `json:"name"`
	ModelDesignation string        `json:"model_designation"`
	Category         string        `json:"category"`
	Description      string        `json:"description,omitempty"`
	Support          PublicSupport `json:"support"`
	URL              string        `json:"url"`
	// UpdateRepository is the base path of the product's TUF update
	// repository (metadata/ and targets/ below it), when it has one.
	UpdateRepository string         `json:"update_repository,omitempty"`
	History          []PublicChange `json:"history,omitempty"`
}

// PublicMaker names a product's manufacturer.
type PublicMaker struct {
	Slug            string `json:"slug"`
	Name            string `json:"name"`
	Website         string `json:"website,omitempty"`
	SecurityContact string `json:"security_contact,omitempty"`
}

// PublicSupport is a product's defined support period in plain terms.
type PublicSupport struct {
	End         *supportperiod.EndDate `json:"end"`      // "2030-06" or "2030-06-30"; null when none is published
	EndText     string                 `json:"end_text"` // "June 2030"
	LastDay     string                 `json:"last_day,omitempty"`
	Status      supportperiod.Status   `json:"status"`
	StatusText  string                 `json:"status_text"`
	Explanation string                 `json:"explanation"`
	// Shortened is true when the manufacturer has ever shortened the period
	// after publishing it.
	Shortened bool `json:"shortened"`
}

// PublicChange is one published change to a support period.
type PublicChange struct {
	Kind        supportperiod.ChangeKind `json:"kind"`
	PreviousEnd *supportperiod.EndDate   `json:"previous_end,omitempty"`
	End         supportperiod.EndDate    `json:"end"`
	Reason      string                   `json:"reason,omitempty"`
	At          time.Time                `json:"at"`
}

// PublicManufacturer is a manufacturer with published products.
type PublicManufacturer struct {
	PublicMaker
	PublishedProducts int    `json:"published_products"`
	URL               string `json:"url"`
}

// ProductURL is the public page of a product.
func ProductURL(orgSlug, productSlug string) string {
	return "/public/products/" + orgSlug + "/" + productSlug
}

// ManufacturerURL is the public page of a manufacturer.
func ManufacturerURL(slug string) string { return "/public/manufacturers/" + slug }

// NewPublicSupport describes a support period for the public.
func NewPublicSupport(end *supportperiod.EndDate, status supportperiod.Status, shortened bool) PublicSupport {
	ps := PublicSupport{End: end, Status: status, StatusText: status.Label(), Explanation: supportperiod.Explain(status, end), Shortened: shortened}
	if end != nil {
		ps.EndText = end.Human()
		ps.LastDay = end.LastDay().Format("2006-01-02")
	}
	return ps
}

// NewPublicProduct converts a service result to its public JSON form.
func NewPublicProduct(pp service.PublicProduct) PublicProduct {
	p, m := pp.Product, pp.Manufacturer
	out := PublicProduct{
		Manufacturer: PublicMaker{Slug: m.Slug, Name: m.Name, Website: m.Website, SecurityContact: m.Contact},
		Slug:         p.Slug, Name: p.Name, ModelDesignation: p.ModelDesignation, Category: p.Category, Description: p.Description,
		Support: NewPublicSupport(p.SupportEnd, pp.Status, p.SupportShortened),
		URL:     ProductURL(m.Slug, p.Slug),
	}
	if pp.UpdateRepository {
		out.UpdateRepository = service.RepositoryPath(m.Slug, p.Slug)
	}
	for _, c := range pp.History {
		out.History = append(out.History, PublicChange{Kind: c.Kind, PreviousEnd: c.PreviousEnd, End: c.End, Reason: publicReason(c), At: c.At})
	}
	return out
}

// publicReason shows the reason for shortenings, which the manufacturer was
// told is public; other reasons stay internal.
func publicReason(c supportperiod.Change) string {
	if c.Kind == supportperiod.Shortened {
		return c.Reason
	}
	return ""
}

// NewPublicManufacturer converts a store record to its public JSON form.
func NewPublicManufacturer(m store.PublicManufacturer) PublicManufacturer {
	return PublicManufacturer{PublicMaker: PublicMaker{Slug: m.Slug, Name: m.Name, Website: m.Website, SecurityContact: m.Contact}, PublishedProducts: m.Products, URL: ManufacturerURL(m.Slug)}
}
