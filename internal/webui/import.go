package webui

import (
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
)

var importFields = []string{"product", "file", "dry_run"}

// importView is the data of the device import page.
type importView struct {
	Form     *form
	Products []option
	Columns  []string
	MaxBytes string
	// Report is the outcome of the last upload, if any.
	Report   *deviceimport.Report
	Rejected bool
}

// importForm shows the upload form.
func (u *UI) importForm(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("import", url.Values{"product": {r.URL.Query().Get("product")}}, importFields...)
	u.renderImport(w, r, m, http.StatusOK, f, nil, false)
}

func (u *UI) renderImport(w http.ResponseWriter, r *http.Request, m *member, status int, f *form, rep *deviceimport.Report, rejected bool) {
	products, err := u.productOptions(r, m.P, "Choose a product")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := importView{Form: f, Products: withOptions(fieldView{Value: f.Get("product")}, products).Options, Columns: deviceimport.Columns,
		MaxBytes: humanBytes(u.cfg.MaxImportBytes), Report: rep, Rejected: rejected}
	u.render(w, r, status, "import.html", m.page("Import devices", "devices", v))
}

// importDevices reads the uploaded file as a stream, without holding it in
// memory or on disk, and hands it to the service, which checks every row
// before writing any. The form's ordinary fields (the form token, the
// product, dry run) come before the file in the form, and browsers send
// parts in that order, so they are known by the time the file arrives.
func (u *UI) importDevices(w http.ResponseWriter, r *http.Request, m *member) {
	r.Body = http.MaxBytesReader(w, r.Body, u.cfg.MaxImportBytes)
	f := newForm("import", url.Values{}, importFields...)
	part := u.filePart(w, r, m, f, u.tooLarge, "choose a CSV or JSON file to upload", func(status int) { u.renderImport(w, r, m, status, f, nil, false) })
	if part == nil {
		return
	}
	u.importFile(w, r, m, f, part)
}

// importFile runs the import of one uploaded file and shows its report.
func (u *UI) importFile(w http.ResponseWriter, r *http.Request, m *member, f *form, part *multipart.Part) {
	format, ok := deviceimport.DetectFormat(part.Header.Get("Content-Type"), part.FileName())
	if !ok {
		f.setError("file", "must be a CSV file (.csv) or a JSON file (.json)")
	}
	if f.Get("product") == "" {
		f.setError("product", "choose the product the devices belong to")
	}
	if f.Failed() {
		f.Problem = "Please correct the fields marked below."
		u.renderImport(w, r, m, http.StatusBadRequest, f, nil, false)
		return
	}
	rep, err := u.svc.ImportDevices(r.Context(), m.P, f.Get("product"), part, format, f.Get("dry_run") != "")
	if err != nil {
		err = u.tooLarge(err)
		status, pub := httpx.Status(err)
		if report, ok := pub.Details.(deviceimport.Report); ok {
			f.Problem = sentence(pub.Message) + "."
			u.renderImport(w, r, m, status, f, &report, true)
			return
		}
		if _, shown := f.fail(err, map[string]string{"format": "file"}); shown {
			u.renderImport(w, r, m, status, f, nil, true)
			return
		}
		u.fail(w, r, err)
		return
	}
	u.renderImport(w, r, m, http.StatusOK, f, &rep, false)
}

// tooLarge words an upload that went over the size limit; other errors
// pass through.
func (u *UI) tooLarge(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errs.Wrap(errs.TooLarge, err, "The file is larger than %s. Split it into smaller files and import them one by one.", humanBytes(u.cfg.MaxImportBytes)).WithCode("import_too_large")
	}
	return err
}

// humanBytes writes a size for people: "64 MiB".
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
