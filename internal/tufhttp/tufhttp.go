// Package tufhttp serves products' update repositories to TUF clients, in
// the layout go-tuf, python-tuf and tuf-js expect for consistent snapshots:
//
//	/tuf/{manufacturer}/{product}/metadata/1.root.json, 2.root.json, …
//	/tuf/{manufacturer}/{product}/metadata/timestamp.json
//	/tuf/{manufacturer}/{product}/metadata/N.snapshot.json, N.targets.json
//	/tuf/{manufacturer}/{product}/targets/{version}/{sha256}.{file}
//
// Everything but timestamp.json is immutable, so it is served with a strong
// ETag and a year-long, immutable cache lifetime: a CDN or static mirror can
// hold it forever. timestamp.json must be revalidated on every use. Targets
// answer HTTP Range requests so interrupted downloads resume. The handler
// needs no authentication: clients trust the signatures, not the server.
package tufhttp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/service"
)

// Prefix is where repositories are mounted.
const Prefix = "/tuf/"

// writeIdle is how long one write of an image to a client may take.
const writeIdle = time.Minute

// idleWriter extends the connection's write deadline before every write.
type idleWriter struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (w *idleWriter) Write(b []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(writeIdle))
	return w.ResponseWriter.Write(b)
}

const (
	immutable  = "public, max-age=31536000, immutable"
	revalidate = "public, no-cache"
)

// Handler serves update repositories.
type Handler struct {
	svc *service.Service
	log *slog.Logger
	mux *http.ServeMux
}

// New returns the repository handler.
func New(svc *service.Service, log *slog.Logger) *Handler {
	h := &Handler{svc: svc, log: log, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /tuf/{manufacturer}/{product}/metadata/{file}", h.metadata)
	h.mux.HandleFunc("GET /tuf/{manufacturer}/{product}/targets/{path...}", h.target)
	h.mux.HandleFunc("/tuf/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "not found", http.StatusNotFound)
	})
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) metadata(w http.ResponseWriter, r *http.Request) {
	m, err := h.svc.RepositoryMetadata(r.Context(), r.PathValue("manufacturer"), r.PathValue("product"), r.PathValue("file"))
	if err != nil {
		httpapi.WriteError(w, r, h.log, err)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("ETag", etag(m.Body))
	hdr.Set("Cache-Control", immutable)
	if r.PathValue("file") == "timestamp.json" {
		hdr.Set("Cache-Control", revalidate)
	}
	http.ServeContent(w, r, "", m.CreatedAt, bytes.NewReader(m.Body))
}

func (h *Handler) target(w http.ResponseWriter, r *http.Request) {
	rel, obj, err := h.svc.RepositoryTarget(r.Context(), r.PathValue("manufacturer"), r.PathValue("product"), r.PathValue("path"))
	if err != nil {
		httpapi.WriteError(w, r, h.log, err)
		return
	}
	defer obj.Close()
	// The server's write timeout suits API calls, not a 1 GiB image over a
	// slow link. Instead, each write must finish within writeIdle: a slow
	// device keeps going as long as it keeps reading, a stalled one is
	// dropped within a minute instead of holding the connection for hours.
	w = &idleWriter{ResponseWriter: w, rc: http.NewResponseController(w)}
	hdr := w.Header()
	hdr.Set("Content-Type", "application/octet-stream")
	hdr.Set("ETag", `"sha256-`+rel.Image.SHA256+`"`)
	hdr.Set("Cache-Control", immutable)
	http.ServeContent(w, r, "", rel.Image.UploadedAt, obj)
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"sha256-` + hex.EncodeToString(sum[:]) + `"`
}
