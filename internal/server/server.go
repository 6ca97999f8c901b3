// Package server assembles Lifeline's HTTP server: the JSON API, the web UI
// and the public pages (HTML or JSON, chosen by the Accept header), health
// checks, Prometheus metrics, access logs, and graceful shutdown.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/httpx"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/tufhttp"
)

// Config configures the server.
type Config struct {
	Addr            string
	TrustProxy      bool
	InsecureCookies bool
	MaxImportBytes  int64
	ShutdownTimeout time.Duration
	LogRequests     bool
	Version         string
}

// Server is Lifeline's HTTP server.
type Server struct {
	cfg     Config
	log     *slog.Logger
	svc     *service.Service
	API     *httpapi.API
	handler http.Handler
	http    *http.Server
	ln      net.Listener
}

// New builds the server. web serves the browser pages; it receives every
// request that is not for the API, health checks or metrics, and public
// requests that do not ask for JSON.
func New(cfg Config, svc *service.Service, log *slog.Logger, web http.Handler) *Server {
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 15 * time.Second
	}
	api := httpapi.New(svc, log, httpapi.Config{TrustProxy: cfg.TrustProxy, MaxImportBytes: cfg.MaxImportBytes, InsecureCookies: cfg.InsecureCookies})
	s := &Server{cfg: cfg, log: log, svc: svc, API: api}
	m := newMetrics(svc)

	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", m.handler())
	mux.Handle("/public/", negotiate(api, web))
	mux.Handle(tufhttp.Prefix, tufhttp.New(svc, log))
	mux.Handle("/", web)

	var h http.Handler = mux
	h = m.instrument(h)
	if cfg.LogRequests {
		h = accessLog(log, h)
	}
	h = recoverPanics(log, h)
	h = baseHeaders(h)
	h = httpx.WithRequestID(h)
	s.handler = h
	return s
}

// Handler returns the server's root handler, for tests.
func (s *Server) Handler() http.Handler { return s.handler }

// Listen binds the address. It is separate from Serve so callers can learn
// the real address (for --addr 127.0.0.1:0) before serving.
func (s *Server) Listen() (net.Addr, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, err
	}
	s.ln = ln
	return ln.Addr(), nil
}

// Serve serves until ctx ends, then shuts down gracefully: it stops
// accepting connections and waits up to ShutdownTimeout for requests in flight.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // large device imports upload slowly
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.http.Shutdown(sctx)
	if errors.Is(<-errc, http.ErrServerClosed) {
		return err
	}
	return err
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.svc.Store().Ping(ctx); err != nil {
		s.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// negotiate sends requests that prefer JSON to the API and the rest to the web pages.
func negotiate(api, web http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		if wantsJSON(r) {
			api.ServeHTTP(w, r)
			return
		}
		web.ServeHTTP(w, r)
	})
}

// wantsJSON reports whether the Accept header prefers application/json to
// text/html, or the query asks for format=json.
func wantsJSON(r *http.Request) bool {
	if r.URL.Query().Get("format") == "json" {
		return true
	}
	accept := r.Header.Get("Accept")
	jsonQ, htmlQ := -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if n, err := parseQ(v); err == nil {
				q = n
			}
		}
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "application/json":
			jsonQ = max(jsonQ, q)
		case "text/html":
			htmlQ = max(htmlQ, q)
		}
	}
	return jsonQ > 0 && jsonQ > htmlQ
}
