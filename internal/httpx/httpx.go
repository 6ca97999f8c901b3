// Package httpx holds what the JSON API and the web UI share about HTTP: the
// one mapping from error kinds to status codes, the principal carried in a
// request's context, request IDs and the client address used in audit
// records.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Status maps an error to an HTTP status and the error as callers may see it.
// This is the only place in Lifeline that makes that mapping.
func Status(err error) (int, *errs.Error) {
	pub := errs.Public(err)
	switch pub.Kind {
	case errs.Invalid:
		return http.StatusBadRequest, pub
	case errs.NotFound:
		return http.StatusNotFound, pub
	case errs.Conflict:
		return http.StatusConflict, pub
	case errs.Unauthenticated:
		return http.StatusUnauthorized, pub
	case errs.PermissionDenied:
		return http.StatusForbidden, pub
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge, pub
	case errs.Unavailable:
		return http.StatusServiceUnavailable, pub
	}
	return http.StatusInternalServerError, pub
}

type ctxKey int

const (
	principalKey ctxKey = iota
	requestIDKey
)

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p access.Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (access.Principal, bool) {
	p, ok := ctx.Value(principalKey).(access.Principal)
	return p, ok
}

// RequestID returns the request's ID, set by WithRequestID.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// WithRequestID gives every request an ID, echoed in the X-Request-Id
// response header and in error bodies so users can quote it to operators.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// ClientIP returns the address a request came from. With trustProxy, the
// last address in X-Forwarded-For (the one the trusted proxy added) is used.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SessionCookie is the web session cookie's name. The __Host- prefix makes
// browsers refuse it unless it is Secure, host-only and for path /.
const SessionCookie = "__Host-lifeline_session"

// InsecureSessionCookie is the cookie's name when the operator has turned on
// --unsafe-http-cookies for plain-HTTP deployments.
const InsecureSessionCookie = "lifeline_session"
