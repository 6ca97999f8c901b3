package httpapi

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func (a *API) publicProducts(r *http.Request, _ access.Principal) (any, error) {
	pg, err := page(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	l, err := a.svc.PublicProducts(r.Context(), store.PublicFilter{OrgSlug: q.Get("manufacturer"), Query: q.Get("q")}, pg)
	return mapList(l, NewPublicProduct), err
}

func (a *API) publicProduct(r *http.Request, _ access.Principal) (any, error) {
	pp, err := a.svc.PublicProduct(r.Context(), r.PathValue("manufacturer"), r.PathValue("product"))
	if err != nil {
		return nil, err
	}
	return NewPublicProduct(pp), nil
}

func (a *API) publicManufacturers(r *http.Request, _ access.Principal) (any, error) {
	ms, err := a.svc.Manufacturers(r.Context())
	if err != nil {
		return nil, err
	}
	return mapList(store.List[store.PublicManufacturer]{Items: ms}, NewPublicManufacturer), nil
}

func (a *API) publicManufacturer(r *http.Request, _ access.Principal) (any, error) {
	m, err := a.svc.Manufacturer(r.Context(), r.PathValue("manufacturer"))
	if err != nil {
		return nil, err
	}
	return NewPublicManufacturer(m), nil
}
