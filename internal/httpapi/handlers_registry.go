package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

// productResponses returns a function that adds the support status and, for
// published products, the public page address.
func (a *API) productResponses(r *http.Request, p access.Principal) func(registry.Product) ProductResponse {
	org, err := a.svc.Organisation(r.Context(), p)
	now := a.svc.Now()
	return func(prod registry.Product) ProductResponse {
		resp := ProductResponse{Product: prod, SupportStatus: prod.SupportStatus(now)}
		if prod.Published && err == nil {
			resp.PublicURL = ProductURL(org.Slug, prod.Slug)
		}
		return resp
	}
}

func (a *API) listProducts(r *http.Request, p access.Principal) (any, error) {
	pg, err := page(r)
	if err != nil {
		return nil, err
	}
	var f store.ProductFilter
	if f.Query, err = stringParam(r, "q", service.MaxQueryLen); err != nil {
		return nil, err
	}
	if f.Published, err = boolParam(r, "published"); err != nil {
		return nil, err
	}
	l, err := a.svc.Products(r.Context(), p, f, pg)
	return mapList(l, a.productResponses(r, p)), err
}

func (a *API) createProduct(r *http.Request, p access.Principal) (any, error) {
	var req ProductCreateRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	prod, err := a.svc.CreateProduct(r.Context(), p, registry.Product{Slug: req.Slug, Name: req.Name, ModelDesignation: req.ModelDesignation, Category: req.Category, Description: req.Description})
	if err != nil {
		return nil, err
	}
	return a.productResponses(r, p)(prod), nil
}

func (a *API) getProduct(r *http.Request, p access.Principal) (any, error) {
	prod, err := a.svc.Product(r.Context(), p, r.PathValue("product"))
	if err != nil {
		return nil, err
	}
	return a.productResponses(r, p)(prod), nil
}

func (a *API) patchProduct(r *http.Request, p access.Principal) (any, error) {
	var req registry.ProductPatch
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	prod, err := a.svc.UpdateProduct(r.Context(), p, r.PathValue("product"), req)
	if err != nil {
		return nil, err
	}
	return a.productResponses(r, p)(prod), nil
}

func (a *API) deleteProduct(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.DeleteProduct(r.Context(), p, r.PathValue("product"))
}

func (a *API) supportPeriod(r *http.Request, p access.Principal, prod registry.Product) (SupportPeriodResponse, error) {
	h, err := a.svc.SupportHistory(r.Context(), p, prod.ID)
	return SupportPeriodResponse{ProductID: prod.ID, End: prod.SupportEnd, Status: prod.SupportStatus(a.svc.Now()), Shortened: prod.SupportShortened, History: h}, err
}

func (a *API) getSupportPeriod(r *http.Request, p access.Principal) (any, error) {
	prod, err := a.svc.Product(r.Context(), p, r.PathValue("product"))
	if err != nil {
		return nil, err
	}
	return a.supportPeriod(r, p, prod)
}

func (a *API) putSupportPeriod(r *http.Request, p access.Principal) (any, error) {
	var req SupportPeriodRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	prod, _, err := a.svc.SetSupportPeriod(r.Context(), p, r.PathValue("product"), supportperiod.Request{End: req.End, Reason: req.Reason, Force: req.Force})
	if err != nil {
		return nil, err
	}
	return a.supportPeriod(r, p, prod)
}

func (a *API) listRevisions(r *http.Request, p access.Principal) (any, error) {
	hs, err := a.svc.HardwareRevisions(r.Context(), p, r.PathValue("product"))
	return listBody(store.List[registry.HardwareRevision]{Items: hs}), err
}

func (a *API) createRevision(r *http.Request, p access.Principal) (any, error) {
	var req HardwareRevisionRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.CreateHardwareRevision(r.Context(), p, r.PathValue("product"), registry.HardwareRevision{Name: req.Name, Notes: req.Notes})
}

func (a *API) deleteRevision(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.DeleteHardwareRevision(r.Context(), p, r.PathValue("product"), r.PathValue("revision"))
}

func (a *API) listReleases(r *http.Request, p access.Principal) (any, error) {
	pg, err := page(r)
	if err != nil {
		return nil, err
	}
	l, err := a.svc.Releases(r.Context(), p, r.PathValue("product"), pg)
	return listBody(l), err
}

func (a *API) createRelease(r *http.Request, p access.Principal) (any, error) {
	var req ReleaseCreateRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	in := registry.Release{Version: req.Version, Notes: req.Notes, HardwareRevisions: req.HardwareRevisions, SecurityUpdate: req.SecurityUpdate, AllowRollback: req.AllowRollback}
	if req.ReleasedAt != nil {
		in.ReleasedAt = *req.ReleasedAt
	}
	return a.svc.CreateRelease(r.Context(), p, r.PathValue("product"), in)
}

func (a *API) getRelease(r *http.Request, p access.Principal) (any, error) {
	return a.svc.Release(r.Context(), p, r.PathValue("product"), r.PathValue("version"))
}

func (a *API) patchRelease(r *http.Request, p access.Principal) (any, error) {
	var req registry.ReleasePatch
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.UpdateRelease(r.Context(), p, r.PathValue("product"), r.PathValue("version"), req)
}

func (a *API) deleteRelease(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.DeleteRelease(r.Context(), p, r.PathValue("product"), r.PathValue("version"))
}

func deviceQuery(r *http.Request) (service.DeviceQuery, error) {
	q := r.URL.Query()
	dq := service.DeviceQuery{Product: q.Get("product"), HardwareRevision: q.Get("hardware_revision"), InstalledVersion: q.Get("installed_version"), SerialPrefix: q.Get("serial_prefix")}
	for name, v := range map[string]string{"product": dq.Product, "hardware_revision": dq.HardwareRevision, "installed_version": dq.InstalledVersion, "serial_prefix": dq.SerialPrefix} {
		if len(v) > 200 {
			return dq, errs.Invalidf(name, "must be at most 200 characters")
		}
	}
	if s := q.Get("seen_since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return dq, errs.Invalidf("seen_since", "must be an RFC 3339 time such as 2026-01-31T00:00:00Z")
		}
		dq.SeenSince = t
	}
	return dq, nil
}

func (a *API) listDevices(r *http.Request, p access.Principal) (any, error) {
	pg, err := page(r)
	if err != nil {
		return nil, err
	}
	dq, err := deviceQuery(r)
	if err != nil {
		return nil, err
	}
	l, err := a.svc.Devices(r.Context(), p, dq, pg)
	return listBody(l), err
}

func (a *API) countDevices(r *http.Request, p access.Principal) (any, error) {
	dq, err := deviceQuery(r)
	if err != nil {
		return nil, err
	}
	n, err := a.svc.CountDevices(r.Context(), p, dq)
	return CountResponse{Count: n}, err
}

func (a *API) getDevice(r *http.Request, p access.Principal) (any, error) {
	return a.svc.Device(r.Context(), p, r.PathValue("product"), r.PathValue("serial"))
}

func (a *API) putDevice(r *http.Request, p access.Principal) (any, error) {
	var req DevicePutRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	d, _, err := a.svc.PutDevice(r.Context(), p, r.PathValue("product"), registry.Device{Serial: r.PathValue("serial"),
		HardwareRevision: req.HardwareRevision, InstalledVersion: req.InstalledVersion, FirstSeen: req.FirstSeen, LastSeen: req.LastSeen})
	return d, err
}

func (a *API) deleteDevice(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.DeleteDevice(r.Context(), p, r.PathValue("product"), r.PathValue("serial"))
}

func (a *API) importDevices(r *http.Request, p access.Principal) (any, error) {
	format, ok := deviceimport.DetectFormat(r.Header.Get("Content-Type"), "")
	if !ok {
		return nil, errs.E(errs.Invalid, "send the device list as text/csv or application/json").WithCode("unsupported_media_type")
	}
	dryRun, err := boolParam(r, "dry_run")
	if err != nil {
		return nil, err
	}
	body := http.MaxBytesReader(discardWriter{}, r.Body, a.cfg.MaxImportBytes)
	rep, err := a.svc.ImportDevices(r.Context(), p, r.PathValue("product"), body, format, dryRun != nil && *dryRun)
	if err != nil && strings.Contains(err.Error(), "http: request body too large") {
		return nil, errs.Wrap(errs.TooLarge, err, "the import is larger than %d bytes; split it into smaller files", a.cfg.MaxImportBytes).WithCode("import_too_large")
	}
	return rep, err
}

func (a *API) listAudit(r *http.Request, p access.Principal) (any, error) {
	pg, err := page(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	f := audit.Filter{Action: q.Get("action"), ActorLabel: q.Get("actor"), TargetType: q.Get("target_type"), TargetID: q.Get("target_id")}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, errs.Invalidf(name, "must be an RFC 3339 time such as 2026-01-31T00:00:00Z")
			}
			*dst = t
		}
	}
	l, err := a.svc.Audit(r.Context(), p, f, pg)
	return listBody(l), err
}
