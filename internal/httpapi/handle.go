package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// MaxJSONBody is the largest JSON request body accepted, except for device imports.
const MaxJSONBody = 1 << 20

// ErrorBody is the shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail describes what went wrong.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    []errs.FieldError `json:"fields,omitempty"`
	Details   any               `json:"details,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// WriteError writes err in the API's error shape. Internal errors are logged
// with the request ID and shown only as "internal error".
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, pub := httpx.Status(err)
	reqID := httpx.RequestID(r.Context())
	if status >= 500 {
		log.Error("request failed", "request_id", reqID, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="lifeline"`)
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: pub.PublicCode(), Message: pub.Message, Fields: pub.Fields, Details: pub.Details, RequestID: reqID}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// decode reads a JSON request body into v: the body must be JSON (forms are
// refused, which also stops cross-site form posts), at most MaxJSONBody
// bytes, one value, and hold no fields v does not know.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return errs.E(errs.Invalid, "the request body must be JSON, with Content-Type: application/json").WithCode("unsupported_media_type")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errs.E(errs.Invalid, "the request body must hold exactly one JSON value").WithCode("malformed_json")
	}
	return nil
}

// jsonError explains a decoding failure, naming the field where possible.
func jsonError(err error) error {
	var maxErr *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return errs.E(errs.TooLarge, "the request body is larger than %d bytes", maxErr.Limit).WithCode("body_too_large")
	case errors.As(err, &syntax):
		return errs.E(errs.Invalid, "the request body is not valid JSON (at byte %d)", syntax.Offset).WithCode("malformed_json")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return errs.E(errs.Invalid, "the request body must be a JSON object").WithCode("malformed_json")
		}
		return errs.Invalidf(field, "must be %s", jsonTypeName(typeErr.Type.Kind().String()))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Invalid, "the request body is empty or cut short").WithCode("malformed_json")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Invalidf(name, "is not a field of this request")
	}
	var e *errs.Error
	if errors.As(err, &e) { // from an UnmarshalText method, such as a bad end date
		return e
	}
	return errs.Wrap(errs.Invalid, err, "the request body could not be read: %v", err).WithCode("malformed_json")
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a number"
}

// ListBody is the shape of every paginated list response.
type ListBody[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func listBody[T any](l store.List[T]) ListBody[T] {
	if l.Items == nil {
		l.Items = []T{}
	}
	return ListBody[T]{Items: l.Items, NextCursor: l.Next}
}

func mapList[T, U any](l store.List[T], f func(T) U) ListBody[U] {
	out := ListBody[U]{Items: make([]U, len(l.Items)), NextCursor: l.Next}
	for i, v := range l.Items {
		out.Items[i] = f(v)
	}
	return out
}

// page reads the limit and cursor query parameters.
func page(r *http.Request) (store.Page, error) {
	var pg store.Page
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxLimit {
			return pg, errs.Invalidf("limit", "must be a whole number from 1 to %d", store.MaxLimit)
		}
		pg.Limit = n
	}
	pg.Cursor = q.Get("cursor")
	if len(pg.Cursor) > 1500 {
		return pg, errs.Invalidf("cursor", "is not a cursor returned by this list")
	}
	return pg, nil
}

func boolParam(r *http.Request, name string) (*bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, errs.Invalidf(name, "must be true or false")
	}
	return &b, nil
}

func stringParam(r *http.Request, name string, max int) (string, error) {
	s := r.URL.Query().Get(name)
	if len(s) > max {
		return "", errs.Invalidf(name, "must be at most %d characters", max)
	}
	return s, nil
}

var errNoRoute = errs.E(errs.NotFound, "no such API endpoint; see /api/openapi.json").WithCode("no_such_endpoint")
