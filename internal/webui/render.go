package webui

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/httpx"
)

//go:embed templates/*.html static/style.css static/live.js
var assets embed.FS

// sharedTemplates are parsed into every page: the layout and the partials
// pages call.
var sharedTemplates = []string{"templates/layout.html", "templates/partials.html", "templates/rollout_parts.html", "templates/vuln_parts.html"}

// parseTemplates parses each page together with the shared templates, so
// that every page can define its own "content" block.
func parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("layout").Funcs(templateFuncs).ParseFS(assets, sharedTemplates...)
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		if isShared(name) {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(assets, name); err != nil {
			return nil, err
		}
		pages[path.Base(name)] = t
	}
	return pages, nil
}

func isShared(name string) bool {
	for _, s := range sharedTemplates {
		if s == name {
			return true
		}
	}
	return false
}

// staticHandler serves the style sheet and the one script, and returns
// their addresses. Each address carries a hash of the file's content, so
// browsers may cache it for long and still get a new version after an
// upgrade.
func staticHandler() (h http.Handler, cssURL, jsURL string, err error) {
	versioned := func(name string) (string, error) {
		b, err := assets.ReadFile("static/" + name)
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(b)
		return "/static/" + name + "?v=" + hex.EncodeToString(sum[:6]), nil
	}
	if cssURL, err = versioned("style.css"); err != nil {
		return nil, "", "", err
	}
	if jsURL, err = versioned("live.js"); err != nil {
		return nil, "", "", err
	}
	sub, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, "", "", err
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r)
	})
	return h, cssURL, jsURL, nil
}

// page is what every template receives.
type page struct {
	Title   string
	Section string  // the navigation entry to mark as current
	M       *member // the signed-in member; nil on public and sign-in pages
	CSRF    string  // the form token for this page's forms
	Flash   string  // a confirmation of what the last form did
	Data    any     // the page's own data
	// Public pages are the same for everyone and may be cached.
	Public bool
	// NoReferrer keeps a secret in the page's address (the setup link) out
	// of Referer headers.
	NoReferrer bool

	// Refresh makes the page reload itself every two seconds, while
	// something it shows is in progress (a feed import). It needs no script.
	Refresh bool

	// Live pages load the script that refreshes rollout progress from
	// the API; every other page runs no script at all.
	Live bool

	RequestID string
	CSSURL    string
	ScriptURL string // the live script's address, on live pages
	Nonce     string // the live script's CSP nonce, on live pages
}

// render writes a page. The page is executed into a buffer first, so a
// template failure becomes an error page instead of half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, pg page) {
	pg.RequestID = httpx.RequestID(r.Context())
	pg.CSSURL = u.cssURL
	if pg.Live {
		pg.ScriptURL, pg.Nonce = u.jsURL, newNonce()
	}
	if pg.Flash == "" {
		pg.Flash = flashes[r.URL.Query().Get("done")]
	}
	t, ok := u.pages[name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = errs.E(errs.Internal, "no template %s", name)
	} else {
		err = t.ExecuteTemplate(&buf, "layout", pg)
	}
	if err != nil {
		u.log.Error("rendering page", "template", name, "request_id", pg.RequestID, "err", err)
		writeBareError(w, pg.RequestID)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if pg.Live {
		h.Set("Content-Security-Policy", liveContentSecurityPolicy(pg.Nonce))
	}
	if pg.Public && status < 300 {
		// Published data changes rarely and is the same for everyone.
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	if pg.NoReferrer {
		h.Set("Referrer-Policy", "no-referrer")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// newNonce returns a fresh CSP nonce: 128 random bits.
func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// writeBareError is the last resort when even the error page cannot be
// rendered: a fixed page with no template.
func writeBareError(w http.ResponseWriter, requestID string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Something went wrong</title><h1>Something went wrong</h1><p>Request ID: ` +
		template.HTMLEscapeString(requestID) + `</p></html>`))
}

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Heading string
	Message string
	Fields  []errs.FieldError
	SignIn  bool // offer a sign-in link
}

// fail renders the error page for err. It is the one place the web UI
// turns errors into pages: the status comes from httpx.Status, internal
// errors are logged and shown only as "Something went wrong" with the
// request ID, and other errors show their public message.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, pub := httpx.Status(err)
	v := errorView{Status: status, Heading: statusHeading(status), Message: pub.Message, Fields: pub.Fields, SignIn: status == http.StatusUnauthorized}
	if status >= 500 {
		u.log.Error("page failed", "request_id", httpx.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		if status == http.StatusInternalServerError {
			v.Message = "Something went wrong on our side. Please try again later. If it keeps happening, give the request ID below to whoever runs this Lifeline."
		}
	}
	u.render(w, r, status, "error.html", errorPageData(r, v))
}

// errorPage renders the error page for a status that has no error kind,
// such as 405 Method Not Allowed.
func (u *UI) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	u.render(w, r, status, "error.html", errorPageData(r, errorView{Status: status, Heading: heading, Message: message}))
}

// errorPageData keeps a signed-in member's navigation on an error page.
func errorPageData(r *http.Request, v errorView) page {
	if m := memberFrom(r); m != nil {
		return m.page(v.Heading, "", v)
	}
	return page{Title: v.Heading, Data: v}
}

func statusHeading(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Please check what you sent"
	case http.StatusUnauthorized:
		return "Please sign in"
	case http.StatusForbidden:
		return "You are not allowed to do this"
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusConflict:
		return "That could not be done"
	case http.StatusRequestEntityTooLarge:
		return "Too large"
	case http.StatusServiceUnavailable:
		return "Lifeline is unavailable"
	}
	return "Something went wrong"
}

// flashes are the confirmations a page shows after a form redirected to
// it with ?done=key. Only these fixed texts are ever shown, so the query
// cannot put words on the page.
var flashes = map[string]string{
	"product_created":     "The product was created.",
	"product_updated":     "The product was updated.",
	"product_deleted":     "The product was deleted.",
	"published":           "The product is now published on the public pages.",
	"unpublished":         "The product is no longer on the public pages.",
	"support_declared":    "The support period was declared.",
	"support_extended":    "The support period was extended. The new end date is public at once if the product is published.",
	"support_shortened":   "The support period was shortened. The public page now shows that it was shortened.",
	"support_corrected":   "The support period was corrected.",
	"hardware_added":      "The hardware revision was added.",
	"hardware_deleted":    "The hardware revision was removed.",
	"release_added":       "The release was recorded.",
	"image_uploaded":      "The firmware image was uploaded. Check its size and SHA-256 hash against your build, then sign it for devices.",
	"sbom_attached":       "The SBOM was attached to the release.",
	"release_signed":      "The release was signed into the update repository. Devices can now fetch it and verify it.",
	"keys_created":        "New online signing keys were created. They are pending until you install root metadata that lists them.",
	"keys_exist":          "Every online role already has a signing key, so no key was created.",
	"root_installed":      "The root metadata was installed. The update repository is signed and served.",
	"token_revoked":       "The token was revoked. It can no longer be used.",
	"rollout_started":     "The rollout started. Devices in its first phase are offered the release when they next check in.",
	"rollout_paused":      "The rollout was paused. No more devices are offered the release until it is resumed.",
	"rollout_resumed":     "The rollout was resumed.",
	"rollout_aborted":     "The rollout was aborted. No device is offered the release any more.",
	"enrolment_revoked":   "The enrolment token was revoked. Devices that enrolled with it keep working; no new device can enrol with it.",
	"device_group":        "The device's group was saved.",
	"device_key_reset":    "The device's key was reset. The device must enrol again before Lifeline accepts its check-ins.",
	"member_role":         "The member's role was changed.",
	"member_removed":      "The member was removed and their tokens in this organisation revoked.",
	"member_added":        "The member was added.",
	"org_switched":        "You switched organisation.",
	"org_updated":         "The organisation's profile was updated.",
	"password_changed":    "Your password was changed. Your other sessions were signed out.",
	"signed_out":          "You have signed out.",
	"password_signin":     "Your password was changed. Please sign in with the new password.",
	"setup_complete":      "Lifeline is set up. Welcome!",
	"import_applied":      "The devices were imported.",
	"triaged":             "The decision was recorded. It applies to the same component in every release of the product that carries it.",
	"vex_uploaded":        "The VEX document was uploaded and its statements applied to your findings.",
	"feed_import_started": "The import started. This page shows its progress and reloads itself until it finishes.",
	"target_added":        "The email address was added. Lifeline sends it notifications from now on.",
	"target_tested":       "A test notification was queued. Lifeline sends it shortly: reload this page to see whether it was delivered.",
	"target_removed":      "The notification target was removed. Notifications waiting to be sent to it were dropped.",
	"session_ended":       "Your session has ended. Please sign in again.",
	"already_signed_out":  "You were already signed out.",
}

// redirectDone redirects after a successful form post (303, so the browser
// follows with GET and a reload does not post again), naming one of the
// fixed confirmations in flashes.
func redirectDone(w http.ResponseWriter, r *http.Request, to, done string) {
	path, fragment, hasFragment := strings.Cut(to, "#")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	to = path + sep + "done=" + url.QueryEscape(done)
	if hasFragment {
		to += "#" + fragment
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
