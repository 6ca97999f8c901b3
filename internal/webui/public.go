package webui

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// The public pages show exactly what the public JSON API shows, built with
// the same httpapi conversions, so the two cannot drift apart. They read
// no session and set no cookie, so they can be cached and carry no
// personal data.

// landing is the home page: the consumer lookup.
func (u *UI) landing(w http.ResponseWriter, r *http.Request) {
	u.render(w, r, http.StatusOK, "landing.html", page{Title: "Is my device still getting security updates?", Section: "home", Public: true,
		Data: lookupView{Form: newForm("lookup", nil, "q")}})
}

// lookupView is the data of the lookup page.
type lookupView struct {
	Form     *form
	Query    string
	Searched bool
	Results  []httpapi.PublicProduct
	Pager    pager
}

// lookup finds published products by model designation or name.
func (u *UI) lookup(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	f := newForm("lookup", r.URL.Query(), "q")
	v := lookupView{Form: f, Query: q}
	if q == "" {
		u.render(w, r, http.StatusOK, "lookup.html", page{Title: "Look up a device", Section: "home", Public: true, Data: v})
		return
	}
	l, err := u.svc.PublicProducts(r.Context(), store.PublicFilter{Query: q}, listPage(r))
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.render(w, r, status, "lookup.html", page{Title: "Look up a device", Section: "home", Data: v})
		return
	}
	v.Searched = true
	v.Results = publicProducts(l.Items)
	v.Pager = newPager(r, l.Next)
	u.render(w, r, http.StatusOK, "lookup.html", page{Title: "Results for " + q, Section: "home", Public: true, Data: v})
}

func publicProducts(items []service.PublicProduct) []httpapi.PublicProduct {
	out := make([]httpapi.PublicProduct, len(items))
	for i, pp := range items {
		out[i] = httpapi.NewPublicProduct(pp)
	}
	return out
}

// productsView is the data of the public product list.
type productsView struct {
	Manufacturer  string
	Manufacturers []option
	Products      []httpapi.PublicProduct
	Pager         pager
}

// publicProducts lists every published product, optionally of one manufacturer.
func (u *UI) publicProducts(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	maker := r.URL.Query().Get("manufacturer")
	l, err := u.svc.PublicProducts(ctx, store.PublicFilter{OrgSlug: maker}, listPage(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	ms, err := u.svc.Manufacturers(ctx)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	opts := []option{{Value: "", Label: "All manufacturers"}}
	for _, m := range ms {
		opts = append(opts, option{Value: m.Slug, Label: m.Name, Selected: m.Slug == maker})
	}
	u.render(w, r, http.StatusOK, "public_products.html", page{Title: "Products and their support periods", Section: "products", Public: true,
		Data: productsView{Manufacturer: maker, Manufacturers: opts, Products: publicProducts(l.Items), Pager: newPager(r, l.Next)}})
}

// publicProductView is the data of a public product page.
type publicProductView struct {
	P       httpapi.PublicProduct
	Contact string // link to the security contact; empty to show it as text
	// Latest is the newest update devices can fetch from the product's
	// update repository, if any.
	Latest *tufrepo.Custom
}

// publicProduct shows one published product's support period.
func (u *UI) publicProduct(w http.ResponseWriter, r *http.Request) {
	pp, err := u.svc.PublicProduct(r.Context(), r.PathValue("manufacturer"), r.PathValue("product"))
	if err != nil {
		u.fail(w, r, notFoundPublic(err))
		return
	}
	p := httpapi.NewPublicProduct(pp)
	v := publicProductView{P: p, Contact: contactURL(p.Manufacturer.SecurityContact)}
	if pp.UpdateRepository {
		// The line about the latest update is a courtesy: the page is
		// still right without it.
		if v.Latest, err = u.latestUpdate(r.Context(), p.Manufacturer.Slug, p.Slug); err != nil {
			u.log.Warn("reading the latest signed update", "product", p.Manufacturer.Slug+"/"+p.Slug, "err", err)
		}
	}
	u.render(w, r, http.StatusOK, "public_product.html", page{Title: p.Name + " (" + p.ModelDesignation + ")", Section: "products", Public: true, Data: v})
}

// latestUpdate returns the newest release signed into a product's update
// repository, as devices see it: it follows the repository's public
// metadata from the timestamp to the snapshot to the targets, and picks the
// target with the latest release date. It returns nil when no release is
// signed, and when the targets are spread over hash bins, which only a
// repository of thousands of releases does; reading every bin for one
// line is not worth it.
func (u *UI) latestUpdate(ctx context.Context, orgSlug, productSlug string) (*tufrepo.Custom, error) {
	read := func(name string) ([]byte, error) {
		m, err := u.svc.RepositoryMetadata(ctx, orgSlug, productSlug, name)
		return m.Body, err
	}
	b, err := read("timestamp.json")
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ts, err := metadata.Timestamp().FromBytes(b)
	if err != nil {
		return nil, err
	}
	snapMeta := ts.Signed.Meta[tufrepo.Snapshot+".json"]
	if snapMeta == nil {
		return nil, errors.New("timestamp names no snapshot")
	}
	if b, err = read(tufrepo.MetadataName(tufrepo.Snapshot, snapMeta.Version)); err != nil {
		return nil, err
	}
	snap, err := metadata.Snapshot().FromBytes(b)
	if err != nil {
		return nil, err
	}
	targetsMeta := snap.Signed.Meta[tufrepo.Targets+".json"]
	if targetsMeta == nil {
		return nil, errors.New("snapshot names no targets")
	}
	if b, err = read(tufrepo.MetadataName(tufrepo.Targets, targetsMeta.Version)); err != nil {
		return nil, err
	}
	targets, err := metadata.Targets().FromBytes(b)
	if err != nil {
		return nil, err
	}
	var latest *tufrepo.Custom
	for _, t := range targets.Signed.Targets {
		if t.Custom == nil {
			continue
		}
		c, err := tufrepo.ParseCustom(*t.Custom)
		if err != nil {
			continue
		}
		if latest == nil || c.ReleasedAt.After(latest.ReleasedAt) || (c.ReleasedAt.Equal(latest.ReleasedAt) && c.Version > latest.Version) {
			latest = &c
		}
	}
	return latest, nil
}

// notFoundPublic words a missing public page for a consumer.
func notFoundPublic(err error) error {
	if errs.Is(err, errs.NotFound) {
		return errs.Wrap(errs.NotFound, err, "We could not find that product or manufacturer. It may not be published, or the address may be wrong. Try the search on the home page.").WithCode("not_found")
	}
	return err
}

// manufacturersView is the data of the public manufacturer list.
type manufacturersView struct {
	Manufacturers []httpapi.PublicManufacturer
}

// publicManufacturers lists manufacturers with published products.
func (u *UI) publicManufacturers(w http.ResponseWriter, r *http.Request) {
	ms, err := u.svc.Manufacturers(r.Context())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := manufacturersView{Manufacturers: make([]httpapi.PublicManufacturer, len(ms))}
	for i, m := range ms {
		v.Manufacturers[i] = httpapi.NewPublicManufacturer(m)
	}
	u.render(w, r, http.StatusOK, "public_manufacturers.html", page{Title: "Manufacturers", Section: "manufacturers", Public: true, Data: v})
}

// manufacturerView is the data of a public manufacturer page.
type manufacturerView struct {
	M        httpapi.PublicManufacturer
	Contact  string
	Products []httpapi.PublicProduct
	Pager    pager
}

// publicManufacturer shows a manufacturer and its published products.
func (u *UI) publicManufacturer(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	m, err := u.svc.Manufacturer(ctx, r.PathValue("manufacturer"))
	if err != nil {
		u.fail(w, r, notFoundPublic(err))
		return
	}
	l, err := u.svc.PublicProducts(ctx, store.PublicFilter{OrgSlug: m.Slug}, listPage(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	pm := httpapi.NewPublicManufacturer(m)
	u.render(w, r, http.StatusOK, "public_manufacturer.html", page{Title: pm.Name, Section: "manufacturers", Public: true,
		Data: manufacturerView{M: pm, Contact: contactURL(pm.SecurityContact), Products: publicProducts(l.Items), Pager: newPager(r, l.Next)}})
}
