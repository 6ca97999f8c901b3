package webui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// productRow is a product in the member's product list.
type productRow struct {
	P       registry.Product
	Support httpapi.PublicSupport
}

// memberProductsView is the data of the member's product list.
type memberProductsView struct {
	Filter *form
	Rows   []productRow
	Pager  pager
}

// products lists the organisation's products, with a search.
func (u *UI) products(w http.ResponseWriter, r *http.Request, m *member) {
	q := r.URL.Query()
	filter := newForm("filter", url.Values{"q": {q.Get("q")}, "published": {q.Get("published")}}, "q", "published")
	f := store.ProductFilter{Query: q.Get("q")}
	switch q.Get("published") {
	case "yes", "no":
		published := q.Get("published") == "yes"
		f.Published = &published
	}
	l, err := u.svc.Products(r.Context(), m.P, f, listPage(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := memberProductsView{Filter: filter, Pager: newPager(r, l.Next)}
	now := u.svc.Now()
	for _, p := range l.Items {
		v.Rows = append(v.Rows, productRow{P: p, Support: httpapi.NewPublicSupport(p.SupportEnd, p.SupportStatus(now), p.SupportShortened)})
	}
	u.render(w, r, http.StatusOK, "products.html", m.page("Products", "products", v))
}

var productFields = []string{"name", "slug", "model_designation", "category", "description"}

// productFormView is the data of the new-product and edit-product forms.
type productFormView struct {
	Form       *form
	Edit       bool
	Product    registry.Product // the product being edited
	Categories []string
}

// newProduct shows the form to register a product.
func (u *UI) newProduct(w http.ResponseWriter, r *http.Request, m *member) {
	u.render(w, r, http.StatusOK, "product_form.html", m.page("New product", "products",
		productFormView{Form: newForm("product", nil, productFields...), Categories: registry.Categories}))
}

// createProduct registers a product.
func (u *UI) createProduct(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("product", formValues(r, productFields...), productFields...)
	in := registry.Product{Name: f.Get("name"), Slug: f.Get("slug"), ModelDesignation: f.Get("model_designation"), Category: f.Get("category"), Description: f.Get("description")}
	p, err := u.svc.CreateProduct(r.Context(), m.P, in)
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.render(w, r, status, "product_form.html", m.page("New product", "products", productFormView{Form: f, Categories: registry.Categories}))
		return
	}
	redirectDone(w, r, productPath(p), "product_created")
}

// editProductForm shows a product's descriptive fields for editing.
func (u *UI) editProductForm(w http.ResponseWriter, r *http.Request, m *member) {
	p, err := u.svc.Product(r.Context(), m.P, r.PathValue("product"))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	f := newForm("product", url.Values{"name": {p.Name}, "model_designation": {p.ModelDesignation}, "category": {p.Category}, "description": {p.Description}}, productFields...)
	u.render(w, r, http.StatusOK, "product_form.html", m.page("Edit "+p.Name, "products", productFormView{Form: f, Edit: true, Product: p, Categories: registry.Categories}))
}

// editProduct changes a product's descriptive fields.
func (u *UI) editProduct(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("product", formValues(r, productFields...), productFields...)
	name, model, category, description := f.Get("name"), f.Get("model_designation"), f.Get("category"), f.Get("description")
	patch := registry.ProductPatch{Name: &name, ModelDesignation: &model, Category: &category, Description: &description}
	p, err := u.svc.UpdateProduct(r.Context(), m.P, r.PathValue("product"), patch)
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		// Show the stored product's name and slug in the heading, not the
		// rejected input.
		if stored, err := u.svc.Product(r.Context(), m.P, r.PathValue("product")); err == nil {
			p = stored
		}
		u.render(w, r, status, "product_form.html", m.page("Edit "+p.Name, "products", productFormView{Form: f, Edit: true, Product: p, Categories: registry.Categories}))
		return
	}
	redirectDone(w, r, productPath(p), "product_updated")
}

// publishProduct shows or hides a product on the public pages.
func (u *UI) publishProduct(w http.ResponseWriter, r *http.Request, m *member) {
	published := r.PostForm.Get("published") == "true"
	p, err := u.svc.UpdateProduct(r.Context(), m.P, r.PathValue("product"), registry.ProductPatch{Published: &published})
	if err != nil {
		u.productProblem(w, r, m, err)
		return
	}
	done := "unpublished"
	if p.Published {
		done = "published"
	}
	redirectDone(w, r, productPath(p), done)
}

// deleteProduct deletes a product that was never published. The service
// refuses published ones; its reason is shown on the product's page.
func (u *UI) deleteProduct(w http.ResponseWriter, r *http.Request, m *member) {
	if err := u.svc.DeleteProduct(r.Context(), m.P, r.PathValue("product")); err != nil {
		u.productProblem(w, r, m, err)
		return
	}
	redirectDone(w, r, "/ui/products", "product_deleted")
}

// productView is the data of a product's page.
type productView struct {
	P         registry.Product
	Support   httpapi.PublicSupport
	History   []supportperiod.Change // newest first
	Hardware  []registry.HardwareRevision
	Releases  []releaseRow // newest first
	Older     string       // link to older releases
	Devices   int
	PublicURL string // the public page, once published
	// Problem explains why a button on the page (publish, delete, remove a
	// revision) did not work.
	Problem string

	SupportForm, HardwareForm, ReleaseForm *form
	// Repo is the product's update repository.
	Repo *repositoryView
	// MaxImage is the largest firmware image the upload form accepts.
	MaxImage string
	// MaxSBOM is the largest SBOM the attach form accepts.
	MaxSBOM string
	// Rollouts is the product's rollouts, with the form to start one.
	Rollouts *productRollouts
	// Enrolment is the product's enrolment tokens, with their forms.
	Enrolment *enrolmentView
}

// releaseRow is a release on its product's page, with its forms.
type releaseRow struct {
	registry.Release
	Path    string // the release's address, under which its forms post
	Upload  *form  // the image upload form
	Problem string // why the last action on the release did not work
	// SBOM is the summary of the release's SBOM, nil when it has none;
	// SBOMForm is the form to attach one.
	SBOM     *store.ReleaseSBOM
	SBOMForm *form
}

// releasesPerPage is how many releases a product page lists at a time.
const releasesPerPage = 20

var (
	supportFields  = []string{"end_month", "end_day", "reason", "force"}
	hardwareFields = []string{"name", "notes"}
	releaseFields  = []string{"version", "released_at", "hardware_revisions", "security_update", "notes"}
)

// product shows one product with its support period, hardware revisions and releases.
func (u *UI) product(w http.ResponseWriter, r *http.Request, m *member) {
	u.showProduct(w, r, m, http.StatusOK, nil)
}

// showProduct renders a product's page with status; change, when not nil,
// puts a failed form or a problem on the page before it is drawn.
func (u *UI) showProduct(w http.ResponseWriter, r *http.Request, m *member, status int, change func(*productView)) {
	ctx := r.Context()
	key := r.PathValue("product")
	p, err := u.svc.Product(ctx, m.P, key)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	history, err := u.svc.SupportHistory(ctx, m.P, p.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	slices.Reverse(history)
	hw, err := u.svc.HardwareRevisions(ctx, m.P, p.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	rels, err := u.svc.Releases(ctx, m.P, p.ID, store.Page{Limit: releasesPerPage, Cursor: r.URL.Query().Get("releases_cursor")})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	devices, err := u.svc.CountDevices(ctx, m.P, service.DeviceQuery{Product: p.ID})
	if err != nil {
		u.fail(w, r, err)
		return
	}
	repo, err := u.svc.UpdateRepository(ctx, m.P, p.ID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	now := u.svc.Now()
	rollouts, err := u.loadProductRollouts(r, m, p, hw, now)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	enrolment, err := u.loadEnrolment(r, m, p)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := productView{P: p, Support: httpapi.NewPublicSupport(p.SupportEnd, p.SupportStatus(now), p.SupportShortened),
		History: history, Hardware: hw, Devices: devices,
		SupportForm:  newForm("support", nil, supportFields...),
		HardwareForm: newForm("hardware", nil, hardwareFields...),
		ReleaseForm:  newForm("release", url.Values{"released_at": {now.Format("2006-01-02")}}, releaseFields...),
		Repo:         newRepositoryView(repo, u.absoluteURL(r, repo.Path), now),
		MaxImage:     humanBytes(u.cfg.MaxImageBytes),
		MaxSBOM:      humanBytes(maxSBOMBytes),
		Rollouts:     rollouts,
		Enrolment:    enrolment,
	}
	for i, rel := range rels.Items {
		sb, err := u.releaseSBOM(r, m, p.ID, rel.Version)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		v.Releases = append(v.Releases, releaseRow{Release: rel, Path: productPath(p) + "/releases/" + url.PathEscape(rel.Version),
			Upload: newForm("image-"+strconv.Itoa(i), nil, fileFields...), SBOM: sb, SBOMForm: newForm("sbom-"+strconv.Itoa(i), nil, fileFields...)})
	}
	if rels.Next != "" {
		v.Older = productPath(p) + "?" + url.Values{"releases_cursor": {rels.Next}}.Encode() + "#releases"
	}
	if p.Published {
		v.PublicURL = httpapi.ProductURL(m.Org.Slug, p.Slug)
	}
	if change != nil {
		change(&v)
	}
	pg := m.page(p.Name, "products", v)
	pg.Live = v.Rollouts.live()
	u.render(w, r, status, "product.html", pg)
}

// productProblem shows why a button on a product's page did not work, on
// that page; errors that are not about the request get the error page.
func (u *UI) productProblem(w http.ResponseWriter, r *http.Request, m *member, err error) {
	f := newForm("problem", nil)
	status, shown := f.fail(err, nil)
	if !shown {
		u.fail(w, r, err)
		return
	}
	msg := f.Problem
	if pub := errs.Public(err); len(pub.Fields) == 1 {
		// A single-field message such as "invalid published: declare the
		// support period first" reads better without the field name.
		msg = sentence(pub.Fields[0].Message) + "."
	}
	u.showProduct(w, r, m, status, func(v *productView) { v.Problem = msg })
}
