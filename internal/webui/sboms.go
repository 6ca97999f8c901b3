package webui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/sbom"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// A release's software bill of materials: its summary on the release's
// card, the form to attach one, and a page listing its components.

// maxSBOMBytes is the largest SBOM the attach form accepts: the service's
// own limit.
const maxSBOMBytes = service.MaxSBOMSize

// sbomView is the data of a release's SBOM page.
type sbomView struct {
	P       registry.Product
	Release registry.Release
	SBOM    store.ReleaseSBOM
	Doc     *sbom.Document
	// Findings are the vulnerabilities found in the release's components.
	Findings []findingRow
}

// releaseSBOM returns the summary of a release's SBOM, or nil when it has none.
func (u *UI) releaseSBOM(r *http.Request, m *member, product, version string) (*store.ReleaseSBOM, error) {
	b, err := u.svc.ReleaseSBOMSummary(r.Context(), m.P, product, version)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// attachSBOM streams a release's SBOM from the attach form to the service,
// which reads and checks it; a file that is not a readable SBOM is refused
// and changes nothing. The form token comes before the file in the form
// and is checked before the file is read.
func (u *UI) attachSBOM(w http.ResponseWriter, r *http.Request, m *member) {
	key, version := r.PathValue("product"), r.PathValue("version")
	const limit = maxSBOMBytes
	tooLarge := func(err error) error {
		return errs.Wrap(errs.TooLarge, err, "The SBOM is larger than %s, the most this server accepts.", humanBytes(limit)).WithCode("sbom_too_large")
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxUploadOverhead)
	f := newForm("sbom", url.Values{}, fileFields...)
	showForm := func(status int) {
		u.showProduct(w, r, m, status, func(v *productView) { v.sbomForm(version, f) })
	}
	part := u.filePart(w, r, m, f, tooLarge, "choose the SBOM file to attach", showForm)
	if part == nil {
		return
	}
	file := &capReader{r: part, left: limit}
	_, err := u.svc.AttachSBOM(r.Context(), m.P, key, version, file)
	if showRefusedFile(f, file, err, limit, "sbom: ", "an SBOM", showForm) {
		return
	}
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#releases", "sbom_attached")
}

// sbomPage lists the components of a release's SBOM.
func (u *UI) sbomPage(w http.ResponseWriter, r *http.Request, m *member) {
	ctx := r.Context()
	key, version := r.PathValue("product"), r.PathValue("version")
	p, err := u.svc.Product(ctx, m.P, key)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	rel, err := u.svc.Release(ctx, m.P, key, version)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	b, doc, err := u.svc.ReleaseSBOM(ctx, m.P, key, version)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	findings, err := u.releaseFindings(r, m, p.ID, rel.Version)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	u.render(w, r, http.StatusOK, "sbom.html", m.page("SBOM of "+p.Name+" "+rel.Version, "products", sbomView{P: p, Release: rel, SBOM: b, Doc: doc, Findings: findings}))
}

// sbomForm shows a failed attach form on its release, or, when the release
// is not listed on the page, its problem at the top.
func (v *productView) sbomForm(version string, f *form) {
	row := v.releaseRow(version)
	if row == nil {
		msg := "The SBOM was not attached. " + f.Problem
		if len(f.Errors) > 0 {
			msg = "The SBOM was not attached: it " + strings.Join(mapValues(f.Errors), "; ") + "."
		}
		v.releaseProblem(version, msg)
		return
	}
	f.ID = row.SBOMForm.ID
	row.SBOMForm = f
}
