package webui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// csrfField is the hidden form field carrying the form token.
const csrfField = "csrf_token"

// Cookie names of the double-submit token used before sign-in. The __Host-
// prefix stops a sibling subdomain from planting a known value.
const (
	preLoginCookie         = "__Host-lifeline_csrf"
	insecurePreLoginCookie = "lifeline_csrf"
)

// csrfMessage names the form token for the signed-in token's MAC, so the
// session's key is never used for anything else by accident.
const csrfMessage = "lifeline-csrf"

var errBadCSRF = errs.E(errs.PermissionDenied, "This form has expired or did not come from Lifeline, so it was refused. Go back, reload the page and send the form again.").WithCode("csrf")

// sessionCSRFToken is the form token of a signed-in session: an HMAC of a
// fixed message under the session's own random key. It needs no storage,
// changes with every session, and cannot be computed without the key.
func sessionCSRFToken(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(csrfMessage))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// validSessionCSRF reports whether got is the session's form token.
func validSessionCSRF(key []byte, got string) bool {
	if len(key) == 0 || got == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(sessionCSRFToken(key)))
}

func (u *UI) preLoginCookieName() string {
	if u.cfg.InsecureCookies {
		return insecurePreLoginCookie
	}
	return preLoginCookie
}

// preLoginToken returns the double-submit token for a sign-in or setup
// form, setting its cookie when the browser has none yet. Before sign-in
// there is no session key to derive a token from, so the form proves it
// came from a Lifeline page by echoing a random cookie value that another
// site can neither read nor set.
func (u *UI) preLoginToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(u.preLoginCookieName()); err == nil && wellFormedToken(c.Value) {
		return c.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, u.cookie(u.preLoginCookieName(), v, 0))
	return v
}

// validPreLoginCSRF reports whether the form's token matches the cookie.
func (u *UI) validPreLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(u.preLoginCookieName())
	if err != nil || !wellFormedToken(c.Value) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get(csrfField))) == 1
}

// wellFormedToken accepts the 43 base64url characters of a 32-byte token.
func wellFormedToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// clearPreLoginCookie removes the double-submit cookie once it has served.
func (u *UI) clearPreLoginCookie(w http.ResponseWriter) {
	http.SetCookie(w, u.cookie(u.preLoginCookieName(), "", -1))
}
