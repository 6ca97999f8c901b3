package webui

import (
	"net/http"
	"net/url"

	"github.com/lifeline-iot/lifeline/internal/access"
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
