package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

func (a *API) uploadImage(r *http.Request, p access.Principal) (any, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/octet-stream" {
		return nil, errs.E(errs.Invalid, "send the image as application/octet-stream").WithCode("unsupported_media_type")
	}
	name, err := stringParam(r, "file_name", 200)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errs.Invalidf("file_name", "is required")
	}
	return a.svc.UploadImage(r.Context(), p, r.PathValue("product"), r.PathValue("version"), name, r.Body)
}

func (a *API) signRelease(r *http.Request, p access.Principal) (any, error) {
	return a.svc.SignRelease(r.Context(), p, r.PathValue("product"), r.PathValue("version"))
}

func (a *API) getRepository(r *http.Request, p access.Principal) (any, error) {
	return a.svc.UpdateRepository(r.Context(), p, r.PathValue("product"))
}

func (a *API) createOnlineKeys(r *http.Request, p access.Principal) (any, error) {
	var req OnlineKeysRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.CreateOnlineKeys(r.Context(), p, r.PathValue("product"), req.Roles)
}

func (a *API) installRoot(r *http.Request, p access.Principal) (any, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, errs.E(errs.Invalid, "send the root metadata as application/json").WithCode("unsupported_media_type")
	}
	body, err := io.ReadAll(http.MaxBytesReader(discardWriter{}, r.Body, tufrepo.MaxRootSize))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, errs.E(errs.TooLarge, "root metadata is larger than %d bytes", tufrepo.MaxRootSize).WithCode("root_too_large")
	}
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "could not read the request body")
	}
	return a.svc.InstallRoot(r.Context(), p, r.PathValue("product"), body)
}
