package httpapi

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// NotificationTargetResponse is a new target; a webhook's signing secret
// is shown here once.
type NotificationTargetResponse struct {
	store.NotificationTarget
	Secret string `json:"secret,omitempty"`
}

func (a *API) listTargets(r *http.Request, p access.Principal) (any, error) {
	ts, err := a.svc.NotificationTargets(r.Context(), p)
	return ListBody[store.NotificationTarget]{Items: nonNil(ts)}, err
}

func (a *API) createTarget(r *http.Request, p access.Principal) (any, error) {
	var req service.NewTarget
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	t, secret, err := a.svc.CreateNotificationTarget(r.Context(), p, req)
	return NotificationTargetResponse{NotificationTarget: t, Secret: secret}, err
}

func (a *API) deleteTarget(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.DeleteNotificationTarget(r.Context(), p, r.PathValue("target"))
}

func (a *API) testTarget(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.TestNotificationTarget(r.Context(), p, r.PathValue("target"))
}

func (a *API) targetDeliveries(r *http.Request, p access.Principal) (any, error) {
	ns, err := a.svc.NotificationDeliveries(r.Context(), p, r.PathValue("target"))
	return ListBody[store.Notification]{Items: nonNil(ns)}, err
}
