// Package webui is Lifeline's web interface: server-rendered HTML pages for
// signed-in members, and the public pages anyone can read.
package webui

import (
	"log/slog"
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/service"
)

// Config configures the web UI.
type Config struct {
	// InsecureCookies drops the Secure attribute and __Host- prefix from
	// cookies, for plain-HTTP deployments that are not on localhost.
	InsecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// MaxImportBytes bounds a device import upload.
	MaxImportBytes int64
}

// New returns the web UI handler.
func New(svc *service.Service, log *slog.Logger, cfg Config) (http.Handler, error) {
	return http.NotFoundHandler(), nil
}
