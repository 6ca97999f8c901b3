package webui

import (
	"net/http"
	"time"

	"github.com/lifeline-iot/lifeline/internal/registry"
)

// addHardware adds a hardware revision to a product.
func (u *UI) addHardware(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("hardware", formValues(r, hardwareFields...), hardwareFields...)
	key := r.PathValue("product")
	if _, err := u.svc.CreateHardwareRevision(r.Context(), m.P, key, registry.HardwareRevision{Name: f.Get("name"), Notes: f.Get("notes")}); err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.showProduct(w, r, m, status, func(v *productView) { v.HardwareForm = f })
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#hardware", "hardware_added")
}

// deleteHardware removes a hardware revision no device uses.
func (u *UI) deleteHardware(w http.ResponseWriter, r *http.Request, m *member) {
	key := r.PathValue("product")
	if err := u.svc.DeleteHardwareRevision(r.Context(), m.P, key, r.PostForm.Get("name")); err != nil {
		u.productProblem(w, r, m, err)
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#hardware", "hardware_deleted")
}

// addRelease records a firmware release of a product.
func (u *UI) addRelease(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("release", formValues(r, releaseFields...), releaseFields...)
	key := r.PathValue("product")
	showForm := func(status int) {
		u.showProduct(w, r, m, status, func(v *productView) { v.ReleaseForm = f })
	}
	var released time.Time
	if s := f.Get("released_at"); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			f.setError("released_at", "must be a date such as 2026-03-31")
			f.Problem = "Please correct the fields marked below."
			showForm(http.StatusBadRequest)
			return
		}
		released = t
	}
	in := registry.Release{Version: f.Get("version"), ReleasedAt: released, Notes: f.Get("notes"),
		HardwareRevisions: f.Values["hardware_revisions"], SecurityUpdate: f.Get("security_update") != ""}
	if _, err := u.svc.CreateRelease(r.Context(), m.P, key, in); err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#releases", "release_added")
}
