package webui

import (
	"net/http"
	"net/url"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

var deviceFilterFields = []string{"product", "hardware_revision", "installed_version", "serial_prefix"}

// devicesView is the data of the device list.
type devicesView struct {
	Filter   *form
	Products []option
	Devices  []registry.Device
	Names    map[string]string // product names by slug
	Count    int
	Pager    pager
}

// devices lists the organisation's devices, filtered and paginated.
func (u *UI) devices(w http.ResponseWriter, r *http.Request, m *member) {
	ctx := r.Context()
	q := r.URL.Query()
	filter := newForm("filter", url.Values{}, deviceFilterFields...)
	for _, name := range deviceFilterFields {
		filter.Values.Set(name, q.Get(name))
	}
	dq := service.DeviceQuery{Product: q.Get("product"), HardwareRevision: q.Get("hardware_revision"), InstalledVersion: q.Get("installed_version"), SerialPrefix: q.Get("serial_prefix")}
	l, err := u.svc.Devices(ctx, m.P, dq, listPage(r))
	if err != nil {
		u.fail(w, r, err)
		return
	}
	n, err := u.svc.CountDevices(ctx, m.P, dq)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	products, err := u.productOptions(r, m.P, "All products")
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := devicesView{Filter: filter, Products: products, Devices: l.Items, Names: map[string]string{}, Count: n, Pager: newPager(r, l.Next)}
	for _, o := range products {
		v.Names[o.Value] = o.Label
	}
	u.render(w, r, http.StatusOK, "devices.html", m.page("Devices", "devices", v))
}

// productOptions lists the organisation's products for a select, after a
// first option meaning none. It offers at most store.MaxLimit products;
// more than that do not fit a select anyway.
func (u *UI) productOptions(r *http.Request, p access.Principal, none string) ([]option, error) {
	l, err := u.svc.Products(r.Context(), p, store.ProductFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return nil, err
	}
	opts := []option{{Value: "", Label: none}}
	for _, prod := range l.Items {
		opts = append(opts, option{Value: prod.Slug, Label: prod.Name + " (" + prod.ModelDesignation + ")"})
	}
	return opts, nil
}

// devicePath is a device's page.
func devicePath(d registry.Device) string {
	return "/ui/devices/" + url.PathEscape(d.Product) + "/" + url.PathEscape(d.Serial)
}

// updateStateText words a device's last reported update state.
func updateStateText(u *registry.DeviceUpdate) string {
	if u == nil {
		return "Never checked in"
	}
	switch u.State {
	case deviceapi.StateIdle:
		return "Idle: not installing anything"
	case deviceapi.StateDownloading:
		return "Downloading an update"
	case deviceapi.StateInstalling:
		return "Installing an update"
	case deviceapi.StateRestarting:
		return "Installed, waiting to restart"
	case deviceapi.StateTrial:
		return "Trying the new version"
	case deviceapi.StateFailed:
		return "Update failed and was rolled back"
	}
	return u.State
}

var groupFields = []string{"group"}

// deviceView is the data of a device's page.
type deviceView struct {
	D         registry.Device
	Product   registry.Product
	Path      string
	Rollout   string // the page of the rollout that last offered it an update
	GroupForm *form
	// Findings are the open vulnerabilities of the release it runs.
	Findings []findingRow
}

// device shows one device: its registration, its last check-in, and the
// forms to set its group and reset its key.
func (u *UI) device(w http.ResponseWriter, r *http.Request, m *member) {
	u.showDevice(w, r, m, http.StatusOK, nil)
}

func (u *UI) showDevice(w http.ResponseWriter, r *http.Request, m *member, status int, groupForm *form) {
	v, ok := u.loadDevice(w, r, m)
	if !ok {
		return
	}
	v.GroupForm = groupForm
	var err error
	if v.Findings, err = u.deviceFindings(r, m, v.Product.ID, v.D.Serial); err != nil {
		u.fail(w, r, err)
		return
	}
	if v.GroupForm == nil {
		v.GroupForm = newForm("group", url.Values{"group": {v.D.Group}}, groupFields...)
	}
	u.render(w, r, status, "device.html", m.page("Device "+v.D.Serial, "devices", v))
}

// loadDevice reads the device the request's path names, or answers with
// the error page.
func (u *UI) loadDevice(w http.ResponseWriter, r *http.Request, m *member) (deviceView, bool) {
	ctx := r.Context()
	p, err := u.svc.Product(ctx, m.P, r.PathValue("product"))
	if err != nil {
		u.fail(w, r, err)
		return deviceView{}, false
	}
	d, err := u.svc.Device(ctx, m.P, p.ID, r.PathValue("serial"))
	if err != nil {
		u.fail(w, r, err)
		return deviceView{}, false
	}
	if d.Product == "" {
		d.Product = p.Slug
	}
	v := deviceView{D: d, Product: p, Path: devicePath(d)}
	if d.Update != nil && d.Update.RolloutID != "" {
		v.Rollout = rolloutPath(d.Update.RolloutID)
	}
	return v, true
}

// setDeviceGroup puts a device in a group, or takes it out of its group.
func (u *UI) setDeviceGroup(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("group", formValues(r, groupFields...), groupFields...)
	key, serial := r.PathValue("product"), r.PathValue("serial")
	if err := u.svc.SetDeviceGroup(r.Context(), m.P, key, serial, f.Get("group")); err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.showDevice(w, r, m, status, f)
		return
	}
	redirectDone(w, r, "/ui/devices/"+pathKey(key)+"/"+url.PathEscape(serial), "device_group")
}

// resetKeyForm asks an owner to confirm resetting a device's key.
func (u *UI) resetKeyForm(w http.ResponseWriter, r *http.Request, m *member) {
	v, ok := u.loadDevice(w, r, m)
	if !ok {
		return
	}
	u.render(w, r, http.StatusOK, "device_reset.html", m.page("Reset the key of device "+v.D.Serial, "devices", v))
}

// resetDeviceKey forgets a device's key, once the owner confirmed it on
// the confirmation page; without the confirmation it shows that page.
func (u *UI) resetDeviceKey(w http.ResponseWriter, r *http.Request, m *member) {
	if r.PostForm.Get("confirm") != "yes" {
		u.resetKeyForm(w, r, m)
		return
	}
	key, serial := r.PathValue("product"), r.PathValue("serial")
	if err := u.svc.ResetDeviceKey(r.Context(), m.P, key, serial); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/ui/devices/"+pathKey(key)+"/"+url.PathEscape(serial), "device_key_reset")
}
