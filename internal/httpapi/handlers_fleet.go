package httpapi

import (
	"net/http"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// EnrolmentTokenRequest asks for an enrolment token.
type EnrolmentTokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days"`
}

// EnrolmentTokenResponse shows a new enrolment token's secret, once.
type EnrolmentTokenResponse struct {
	registry.EnrolmentToken
	Token string `json:"token"`
}

// DeviceGroupRequest puts a device in a group.
type DeviceGroupRequest struct {
	Group string `json:"group"`
}

// RolloutRequest starts a rollout.
type RolloutRequest struct {
	Version    string            `json:"version"`
	Scope      rollout.Scope     `json:"scope,omitempty"` // product (default), hardware_revision or group
	ScopeValue string            `json:"scope_value,omitempty"`
	Phases     []float64         `json:"phases,omitempty"` // default 1, 10, 50, 100
	Soak       rollout.Duration  `json:"soak,omitempty"`   // e.g. "24h"
	Urgent     bool              `json:"urgent,omitempty"`
	Success    rollout.Threshold `json:"success_threshold,omitzero"`
	PauseAt    rollout.Threshold `json:"pause_threshold,omitzero"`
	AbortAt    rollout.Threshold `json:"abort_threshold,omitzero"`
	Window     rollout.Window    `json:"maintenance_window,omitzero"`
}

// RolloutActionRequest pauses, resumes or aborts a rollout.
type RolloutActionRequest struct {
	Action string `json:"action"` // pause, resume or abort
	Reason string `json:"reason,omitempty"`
}

func (a *API) createEnrolmentToken(r *http.Request, p access.Principal) (any, error) {
	var req EnrolmentTokenRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	if req.ExpiresInDays <= 0 {
		return nil, errs.Invalidf("expires_in_days", "is required")
	}
	t, secret, err := a.svc.CreateEnrolmentToken(r.Context(), p, r.PathValue("product"), req.Name, time.Duration(req.ExpiresInDays)*24*time.Hour)
	return EnrolmentTokenResponse{EnrolmentToken: t, Token: secret}, err
}

func (a *API) listEnrolmentTokens(r *http.Request, p access.Principal) (any, error) {
	ts, err := a.svc.EnrolmentTokens(r.Context(), p, r.PathValue("product"))
	return ListBody[registry.EnrolmentToken]{Items: ts}, err
}

func (a *API) revokeEnrolmentToken(r *http.Request, p access.Principal) (any, error) {
	return a.svc.RevokeEnrolmentToken(r.Context(), p, r.PathValue("product"), r.PathValue("token"))
}

func (a *API) setDeviceGroup(r *http.Request, p access.Principal) (any, error) {
	var req DeviceGroupRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return nil, a.svc.SetDeviceGroup(r.Context(), p, r.PathValue("product"), r.PathValue("serial"), req.Group)
}

func (a *API) resetDeviceKey(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.ResetDeviceKey(r.Context(), p, r.PathValue("product"), r.PathValue("serial"))
}

func (a *API) createRollout(r *http.Request, p access.Principal) (any, error) {
	var req RolloutRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.CreateRollout(r.Context(), p, r.PathValue("product"), rollout.Rollout{
		Version: req.Version, Scope: req.Scope, ScopeValue: req.ScopeValue, Phases: req.Phases, Soak: req.Soak, Urgent: req.Urgent,
		Success: req.Success, PauseAt: req.PauseAt, AbortAt: req.AbortAt, Window: req.Window,
	})
}

func (a *API) listRollouts(r *http.Request, p access.Principal) (any, error) {
	rs, err := a.svc.Rollouts(r.Context(), p, r.URL.Query().Get("product"))
	return ListBody[service.RolloutView]{Items: rs}, err
}

func (a *API) getRollout(r *http.Request, p access.Principal) (any, error) {
	return a.svc.Rollout(r.Context(), p, r.PathValue("rollout"))
}

func (a *API) changeRollout(r *http.Request, p access.Principal) (any, error) {
	var req RolloutActionRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.ChangeRollout(r.Context(), p, r.PathValue("rollout"), req.Action, req.Reason)
}
