// Package webui is Lifeline's web interface: server-rendered HTML pages for
// signed-in members under /ui/, the sign-in and first-run setup pages, and
// the public pages anyone can read (the consumer lookup, published products
// and manufacturers).
//
// The pages are html/template files, one style sheet and one small script,
// embedded in the binary. They work without JavaScript and carry a strict
// Content-Security-Policy that allows no inline scripts or styles. Only
// the pages showing rollouts in progress load the script (live.js, by its
// address and a per-response nonce): it polls the JSON API for the
// rollouts' numbers and updates them in place. Without it those pages
// offer a link to reload them. The advisory feeds page, while an import
// runs, reloads itself with a refresh meta element instead.
// Every form is protected twice against cross-site request forgery: Go's
// http.CrossOriginProtection checks Sec-Fetch-Site and Origin, and each form
// carries a token the server checks (an HMAC of the session's CSRF key once
// signed in, a double-submit cookie before). Upload forms (device lists,
// firmware images, root metadata) are read as multipart streams: the form
// token comes first in the form and is checked before the file is read,
// and a firmware image goes to the service without being held in memory.
//
// The package holds no business rules: every page calls package service
// with the signed-in member's principal, and errors become pages through one
// function, UI.fail, which uses httpx.Status for the status code.
package webui

import (
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// DefaultMaxImportBytes bounds a device import upload when Config leaves it unset.
const DefaultMaxImportBytes = 64 << 20

// DefaultMaxImageBytes bounds a firmware image upload when Config leaves it
// unset: the service's own default limit.
const DefaultMaxImageBytes = service.DefaultMaxImageSize

// Config configures the web UI.
type Config struct {
	// InsecureCookies drops the Secure attribute and __Host- prefix from
	// cookies, for plain-HTTP deployments that are not on localhost.
	InsecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// MaxImportBytes bounds a device import upload (default DefaultMaxImportBytes).
	MaxImportBytes int64
	// MaxImageBytes bounds a firmware image uploaded through the release
	// form (default DefaultMaxImageBytes). The service's own limit applies
	// as well.
	MaxImageBytes int64
}

// contentSecurityPolicy allows the pages only their own style sheet and
// images: no scripts at all, no inline styles, no framing, and forms that
// post only to Lifeline.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// liveContentSecurityPolicy is the policy of a live page: the strict one,
// plus the live script, only as the script element carrying this
// response's nonce, and requests from it to Lifeline itself.
func liveContentSecurityPolicy(nonce string) string {
	return contentSecurityPolicy + "; script-src 'nonce-" + nonce + "'; connect-src 'self'"
}

// UI serves the browser pages. It is safe for concurrent use; it holds no
// mutable state after New.
type UI struct {
	svc     *service.Service
	log     *slog.Logger
	cfg     Config
	pages   map[string]*template.Template
	cssURL  string
	jsURL   string
	mux     *http.ServeMux
	handler http.Handler
}

// New returns the web UI handler. It parses every template once, so a
// broken template fails here rather than on a request.
func New(svc *service.Service, log *slog.Logger, cfg Config) (http.Handler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = DefaultMaxImportBytes
	}
	if cfg.MaxImageBytes <= 0 {
		cfg.MaxImageBytes = DefaultMaxImageBytes
	}
	u := &UI{svc: svc, log: log, cfg: cfg, mux: http.NewServeMux()}
	var err error
	if u.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	static, cssURL, jsURL, err := staticHandler()
	if err != nil {
		return nil, err
	}
	u.cssURL, u.jsURL = cssURL, jsURL
	u.mux.Handle("GET /static/", static)
	u.routes()

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.fail(w, r, errCrossOrigin)
	}))
	u.handler = cop.Handler(u.mux)
	return u, nil
}

var (
	errCrossOrigin = errs.E(errs.PermissionDenied, "This form was sent from another website, so it was refused. Open the page in Lifeline and send the form again.").WithCode("cross_origin")
	errNoPage      = errs.E(errs.NotFound, "There is no page at this address. Check the address, or start again from the home page.").WithCode("page_not_found")
)

// routes registers every page. Member pages are wrapped by member (reads)
// or memberForm (form posts), which sign the visitor in and check the form
// token; the service checks what the member's role allows.
func (u *UI) routes() {
	m := u.mux
	// Public pages: no session is read and no cookie is set.
	m.HandleFunc("GET /{$}", u.landing)
	m.HandleFunc("GET /public/lookup", u.lookup)
	m.HandleFunc("GET /public/products", u.publicProducts)
	m.HandleFunc("GET /public/products/{manufacturer}/{product}", u.publicProduct)
	m.HandleFunc("GET /public/manufacturers", u.publicManufacturers)
	m.HandleFunc("GET /public/manufacturers/{manufacturer}", u.publicManufacturer)

	// Signing in and setting up.
	m.HandleFunc("GET /login", u.loginForm)
	m.HandleFunc("POST /login", u.login)
	m.HandleFunc("POST /logout", u.logout)
	m.HandleFunc("GET /setup", u.setupForm)
	m.HandleFunc("POST /setup", u.setup)

	// Member pages.
	m.Handle("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently))
	m.Handle("GET /ui/{$}", u.member(u.dashboard))
	m.Handle("POST /ui/switch-org", u.memberForm(u.switchOrg))

	m.Handle("GET /ui/products", u.member(u.products))
	m.Handle("POST /ui/products", u.memberForm(u.createProduct))
	m.Handle("GET /ui/products/new", u.member(u.newProduct))
	m.Handle("GET /ui/products/{product}", u.member(u.product))
	m.Handle("GET /ui/products/{product}/edit", u.member(u.editProductForm))
	m.Handle("POST /ui/products/{product}/edit", u.memberForm(u.editProduct))
	m.Handle("POST /ui/products/{product}/publish", u.memberForm(u.publishProduct))
	m.Handle("POST /ui/products/{product}/delete", u.memberForm(u.deleteProduct))
	m.Handle("POST /ui/products/{product}/support", u.memberForm(u.setSupportPeriod))
	m.Handle("POST /ui/products/{product}/hardware", u.memberForm(u.addHardware))
	m.Handle("POST /ui/products/{product}/hardware/delete", u.memberForm(u.deleteHardware))
	m.Handle("POST /ui/products/{product}/releases", u.memberForm(u.addRelease))
	// Uploads read their multipart bodies as streams and check the form
	// token themselves, so they are wrapped by member, not memberForm.
	m.Handle("POST /ui/products/{product}/releases/{version}/image", u.member(u.uploadImage))
	m.Handle("POST /ui/products/{product}/releases/{version}/sign", u.memberForm(u.signRelease))
	m.Handle("POST /ui/products/{product}/releases/{version}/sbom", u.member(u.attachSBOM))
	m.Handle("GET /ui/products/{product}/releases/{version}/sbom", u.member(u.sbomPage))
	m.Handle("POST /ui/products/{product}/repository/keys", u.memberForm(u.createOnlineKeys))
	m.Handle("POST /ui/products/{product}/repository/root", u.member(u.installRoot))
	m.Handle("POST /ui/products/{product}/rollouts", u.memberForm(u.createRollout))
	m.Handle("POST /ui/products/{product}/enrolment-tokens", u.memberForm(u.createEnrolmentToken))
	m.Handle("POST /ui/products/{product}/enrolment-tokens/{token}/revoke", u.memberForm(u.revokeEnrolmentToken))

	m.Handle("GET /ui/rollouts", u.member(u.rollouts))
	m.Handle("GET /ui/rollouts/{rollout}", u.member(u.rolloutPage))
	m.Handle("POST /ui/rollouts/{rollout}/change", u.memberForm(u.changeRollout))

	m.Handle("GET /ui/devices", u.member(u.devices))
	m.Handle("GET /ui/devices/import", u.member(u.importForm))
	// The import reads its multipart body as a stream and checks the form
	// token itself, so it is wrapped by member, not memberForm.
	m.Handle("POST /ui/devices/import", u.member(u.importDevices))
	m.Handle("GET /ui/devices/{product}/{serial}", u.member(u.device))
	m.Handle("POST /ui/devices/{product}/{serial}/group", u.memberForm(u.setDeviceGroup))
	m.Handle("GET /ui/devices/{product}/{serial}/reset-key", u.member(u.resetKeyForm))
	m.Handle("POST /ui/devices/{product}/{serial}/reset-key", u.memberForm(u.resetDeviceKey))

	m.Handle("GET /ui/vulnerabilities", u.member(u.vulnerabilities))
	m.Handle("GET /ui/vulnerabilities/vex", u.member(u.vexPage))
	// The VEX upload reads its multipart body as a stream and checks the
	// form token itself, so it is wrapped by member, not memberForm.
	m.Handle("POST /ui/vulnerabilities/vex", u.member(u.uploadVEX))
	m.Handle("GET /ui/vulnerabilities/{id}", u.member(u.vulnerability))
	m.Handle("POST /ui/vulnerabilities/{id}/triage", u.memberForm(u.triage))
	m.Handle("GET /ui/feeds", u.member(u.feeds))
	m.Handle("POST /ui/feeds/import", u.memberForm(u.importFeed))
	m.Handle("GET /ui/notifications", u.member(u.notifications))
	m.Handle("POST /ui/notifications", u.memberForm(u.createNotificationTarget))
	m.Handle("POST /ui/notifications/{target}/test", u.memberForm(u.testNotificationTarget))
	m.Handle("POST /ui/notifications/{target}/delete", u.memberForm(u.deleteNotificationTarget))

	m.Handle("GET /ui/audit", u.member(u.audit))

	m.Handle("GET /ui/tokens", u.member(u.tokens))
	m.Handle("POST /ui/tokens", u.memberForm(u.createToken))
	m.Handle("POST /ui/tokens/{token}/revoke", u.memberForm(u.revokeToken))

	m.Handle("GET /ui/members", u.member(u.members))
	m.Handle("POST /ui/members", u.memberForm(u.addMember))
	m.Handle("POST /ui/members/{user}/role", u.memberForm(u.setMemberRole))
	m.Handle("POST /ui/members/{user}/remove", u.memberForm(u.removeMember))

	m.Handle("GET /ui/organisation", u.member(u.organisation))
	m.Handle("POST /ui/organisation", u.memberForm(u.updateOrganisation))

	m.Handle("GET /ui/account", u.member(u.account))
	m.Handle("POST /ui/account/password", u.memberForm(u.changePassword))
}

// ServeHTTP sets the headers every browser response carries, refuses
// methods forms never use, answers unknown addresses with HTML error pages,
// and passes the rest through the cross-origin check to the page.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		u.methodNotAllowed(w, r, u.allowed(r))
		return
	}
	if _, pattern := u.mux.Handler(r); pattern == "" {
		if allowed := u.allowed(r); len(allowed) > 0 {
			u.methodNotAllowed(w, r, allowed)
			return
		}
		u.fail(w, r, errNoPage)
		return
	}
	u.handler.ServeHTTP(w, r)
}

// allowed lists the methods the request's path answers to.
func (u *UI) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := u.mux.Handler(probe); pattern != "" {
			out = append(out, m)
		}
	}
	return out
}

func (u *UI) methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed []string) {
	if len(allowed) == 0 {
		u.fail(w, r, errNoPage)
		return
	}
	if len(allowed) == 1 && allowed[0] == http.MethodGet {
		allowed = append(allowed, http.MethodHead)
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	u.errorPage(w, r, http.StatusMethodNotAllowed, "This page cannot do that", "This address does not accept that kind of request. Go back and use the page's links and buttons.")
}
