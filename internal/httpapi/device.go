package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/deviceapi"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
)

type (
	deviceKey     struct{}
	viaSessionKey struct{}
)

// authenticateDevice reads the body (the signature covers it) and checks
// the device's signature; the identity and the body travel on in the
// returned request.
func (a *API) authenticateDevice(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, deviceapi.MaxBody))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return r, errs.E(errs.TooLarge, "device requests are at most %d bytes", deviceapi.MaxBody).WithCode("body_too_large")
	}
	if err != nil {
		return r, errs.Wrap(errs.Invalid, err, "could not read the request body")
	}
	ident, err := a.svc.AuthenticateDevice(r.Context(), r.Header.Get("Authorization"), r.Method, r.URL.Path, body)
	if err != nil {
		return r, err
	}
	ctx := context.WithValue(r.Context(), deviceKey{}, ident)
	ctx = context.WithValue(ctx, viaSessionKey{}, strings.HasPrefix(r.Header.Get("Authorization"), deviceapi.SessionScheme+" "))
	r = r.WithContext(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r, nil
}

func deviceFrom(r *http.Request) registry.DeviceIdentity {
	id, _ := r.Context().Value(deviceKey{}).(registry.DeviceIdentity)
	return id
}

func (a *API) enrol(r *http.Request, _ access.Principal) (any, error) {
	body, err := io.ReadAll(http.MaxBytesReader(discardWriter{}, r.Body, deviceapi.MaxBody))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, errs.E(errs.TooLarge, "device requests are at most %d bytes", deviceapi.MaxBody).WithCode("body_too_large")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "could not read the request body")
	}
	var req deviceapi.EnrolRequest
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	proof := service.Proof{Authorization: r.Header.Get("Authorization"), Method: r.Method, Path: r.URL.Path, Body: body}
	return a.svc.Enrol(r.Context(), req, proof, "device "+httpx.ClientIP(r, a.cfg.TrustProxy))
}

func (a *API) newSession(r *http.Request, _ access.Principal) (any, error) {
	if via, _ := r.Context().Value(viaSessionKey{}).(bool); via {
		return nil, errs.E(errs.PermissionDenied, "open a session with a request signed by the device key, not from another session").WithCode("session_from_session")
	}
	signed, err := deviceapi.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, errs.E(errs.Unauthenticated, "sign the session request with the device key").WithCode("bad_device_signature")
	}
	return a.svc.NewDeviceSession(r.Context(), deviceFrom(r), signed.Timestamp)
}

func (a *API) checkIn(r *http.Request, _ access.Principal) (any, error) {
	body, _ := io.ReadAll(r.Body) // already read and bounded by authenticateDevice
	return a.svc.CheckIn(r.Context(), deviceFrom(r), body)
}
