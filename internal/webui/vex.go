package webui

import (
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// VEX documents: the organisation's uploaded statements about which
// components are not affected by which vulnerabilities, and the form to
// upload one.

// maxVEXBytes is the largest VEX document the upload form accepts: the
// service's own limit.
const maxVEXBytes = service.MaxVEXSize

var vexFields = []string{"name", "file"}

// vexView is the data of the VEX page.
type vexView struct {
	Docs   []store.VEXDocument
	Form   *form
	MaxVEX string
}

// vexPage lists the uploaded VEX documents.
func (u *UI) vexPage(w http.ResponseWriter, r *http.Request, m *member) {
	u.showVEX(w, r, m, http.StatusOK, nil)
}

func (u *UI) showVEX(w http.ResponseWriter, r *http.Request, m *member, status int, f *form) {
	docs, err := u.svc.VEXDocuments(r.Context(), m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	if f == nil {
		f = newForm("vex", nil, vexFields...)
	}
	u.render(w, r, status, "vex.html", m.page("VEX documents", "vulnerabilities", vexView{Docs: docs, Form: f, MaxVEX: humanBytes(maxVEXBytes)}))
}

// uploadVEX streams a VEX document from the upload form to the service,
// which reads it, keeps its statements and applies them to the findings.
// The form token comes before the file and is checked before the file is
// read.
func (u *UI) uploadVEX(w http.ResponseWriter, r *http.Request, m *member) {
	const limit = maxVEXBytes
	tooLarge := func(err error) error {
		return errs.Wrap(errs.TooLarge, err, "The VEX document is larger than %s, the most this server accepts.", humanBytes(limit)).WithCode("vex_too_large")
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxUploadOverhead)
	f := newForm("vex", url.Values{}, vexFields...)
	showForm := func(status int) { u.showVEX(w, r, m, status, f) }
	part := u.filePart(w, r, m, f, tooLarge, "choose the VEX document to upload", showForm)
	if part == nil {
		return
	}
	name := strings.TrimSpace(f.Get("name"))
	if name == "" {
		name = path.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
	}
	file := &capReader{r: part, left: limit}
	_, err := u.svc.UploadVEX(r.Context(), m.P, name, file)
	if showRefusedFile(f, file, err, limit, "vex: ", "a VEX document", showForm) {
		return
	}
	if err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/ui/vulnerabilities/vex", "vex_uploaded")
}
