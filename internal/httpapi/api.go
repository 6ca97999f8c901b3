package httpapi

import (
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// Config configures the API.
type Config struct {
	// TrustProxy takes the client address from X-Forwarded-For. Turn it on
	// only behind a proxy that sets that header.
	TrustProxy bool
	// MaxImportBytes bounds a device import upload.
	MaxImportBytes int64
	// InsecureCookies reads the session cookie under its plain-HTTP name.
	InsecureCookies bool
}

// API serves the JSON API.
type API struct {
	svc    *service.Service
	log    *slog.Logger
	cfg    Config
	routes []Route
	mux    *http.ServeMux
	cop    *http.CrossOriginProtection

	openAPIOnce sync.Once
	openAPIJSON []byte
}

// New returns the API over svc.
func New(svc *service.Service, log *slog.Logger, cfg Config) *API {
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = 64 << 20
	}
	a := &API{svc: svc, log: log, cfg: cfg, mux: http.NewServeMux(), cop: http.NewCrossOriginProtection()}
	a.routes = a.routeTable()
	for _, rt := range a.routes {
		a.mux.Handle(rt.Method+" "+rt.Path, a.wrap(rt))
	}
	a.mux.HandleFunc("GET /api/openapi.json", a.serveOpenAPI)
	return a
}

// Routes returns the route table.
func (a *API) Routes() []Route { return a.routes }

// Auth says who may call a route.
type Auth int

// Auth modes.
const (
	Public Auth = iota // anyone
	Member             // an API token, or a web session, of a member of an organisation
	Device             // an enrolled device, signing with its own key
)

// Route is one API endpoint.
type Route struct {
	Method  string
	Path    string // ServeMux pattern path, with {name} wildcards
	Auth    Auth
	Tag     string
	Summary string
	Query   []Param
	Body    any // request body type; nil for none
	Resp    any // response body type; nil for 204 No Content
	Status  int // success status; default 200
	Handle  func(r *http.Request, p access.Principal) (any, error)
	// RawBody marks routes that read the body themselves (device imports).
	RawBody bool
}

// Param documents a query parameter.
type Param struct {
	Name, Description string
}

// ServeHTTP serves the API, with JSON errors for unknown paths and methods.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := a.mux.Handler(r); pattern == "" {
		if allowed := a.allowedMethods(r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed",
				Message: "this endpoint does not take " + r.Method + "; it takes " + strings.Join(allowed, ", "), RequestID: httpx.RequestID(r.Context())}})
			return
		}
		WriteError(w, r, a.log, errNoRoute)
		return
	}
	a.mux.ServeHTTP(w, r)
}

func (a *API) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := a.mux.Handler(probe); pattern != "" {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// wrap adapts a route's handler: authentication, cross-origin checks for
// cookie sessions, the JSON response and the error shape.
func (a *API) wrap(rt Route) http.Handler {
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p access.Principal
		if rt.Auth == Device {
			var err error
			if r, err = a.authenticateDevice(w, r); err != nil {
				WriteError(w, r, a.log, err)
				return
			}
		}
		if rt.Auth == Member {
			var err error
			if p, err = a.authenticate(r); err != nil {
				WriteError(w, r, a.log, err)
				return
			}
			r = r.WithContext(httpx.WithPrincipal(r.Context(), p))
		}
		if rt.RawBody {
			// Images and imports may take longer to arrive than the server's
			// read timeout allows for ordinary requests.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(time.Hour))
		}
		if !rt.RawBody && rt.Body == nil && r.ContentLength > 0 {
			WriteError(w, r, a.log, errs.E(errs.Invalid, "this endpoint takes no request body").WithCode("unexpected_body"))
			return
		}
		resp, err := rt.Handle(r, p)
		if err != nil {
			WriteError(w, r, a.log, err)
			return
		}
		if rt.Resp == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if rt.Auth == Public && rt.Method == http.MethodGet {
			// Published data changes rarely and is the same for everyone.
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		writeJSON(w, status, resp)
	})
}

// authenticate finds the caller: a Bearer token, or a web session cookie.
// Cookie-authenticated requests that change things must come from
// Lifeline's own pages (checked with Sec-Fetch-Site and Origin).
func (a *API) authenticate(r *http.Request) (access.Principal, error) {
	source := httpx.ClientIP(r, a.cfg.TrustProxy)
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return access.Principal{}, errs.E(errs.Unauthenticated, "use an Authorization: Bearer <token> header").WithCode("bad_authorization")
		}
		return a.svc.AuthenticateToken(r.Context(), strings.TrimSpace(tok), source)
	}
	name := httpx.SessionCookie
	if a.cfg.InsecureCookies {
		name = httpx.InsecureSessionCookie
	}
	c, err := r.Cookie(name)
	if err != nil {
		return access.Principal{}, errs.E(errs.Unauthenticated, "authentication required: send an API token as Authorization: Bearer <token>").WithCode("unauthenticated")
	}
	if err := a.cop.Check(r); err != nil {
		return access.Principal{}, errs.Wrap(errs.PermissionDenied, err, "cross-origin request refused").WithCode("cross_origin")
	}
	p, _, err := a.svc.Session(r.Context(), c.Value, source)
	return p, err
}
