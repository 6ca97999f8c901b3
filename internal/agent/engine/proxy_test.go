package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/state"
)

// mitm is a malicious HTTP proxy between the agent and the real server. It
// forwards every request to the product's real repository, unless an attack
// is set for the file asked for, and records the files asked for. Give the
// agent mitm.URL as its repository URL.
type mitm struct {
	t   *testing.T
	URL string // repository URL for the agent, ending in "/"
	srv *httptest.Server

	mu       sync.Mutex
	upstream string // the real repository, ending in "/"
	attacks  []attack
	asked    []string
}

type attack struct {
	match func(name string) bool
	serve http.HandlerFunc
}

// newMITM starts a proxy in front of the repository at upstream.
func newMITM(t *testing.T, upstream string) *mitm {
	t.Helper()
	m := &mitm{t: t, upstream: upstream}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := repoName(r)
		m.mu.Lock()
		m.asked = append(m.asked, name)
		upstream := m.upstream
		var serve http.HandlerFunc
		for _, a := range m.attacks {
			if a.match(name) {
				serve = a.serve
			}
		}
		m.mu.Unlock()
		if serve != nil {
			serve(w, r)
			return
		}
		rp := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				u, err := url.Parse(upstream + name)
				if err != nil {
					panic(err) // names come from our own URLs
				}
				pr.Out.URL, pr.Out.Host = u, ""
			},
			// The agent hangs up on some responses on purpose.
			ErrorLog: log.New(io.Discard, "", 0),
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(m.srv.Close)
	m.URL = m.srv.URL + "/repo/"
	return m
}

// repoName is the file asked for, relative to the repository URL
// ("metadata/timestamp.json", "targets/1.1.0/<sha256>.fw.bin").
func repoName(r *http.Request) string { return strings.TrimPrefix(r.URL.Path, "/repo/") }

// on starts an attack on the files match selects; later attacks win.
func (m *mitm) on(match func(name string) bool, serve http.HandlerFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attacks = append(m.attacks, attack{match, serve})
}

// forwardTo makes the proxy forward to another repository.
func (m *mitm) forwardTo(upstream string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.upstream = upstream
}

// stop ends every attack: the proxy forwards honestly again.
func (m *mitm) stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.attacks = nil
}

// requests returns the files asked for so far and forgets them.
func (m *mitm) requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	asked := m.asked
	m.asked = nil
	return asked
}

// fetch gets a file from the real repository, bypassing the proxy: what the
// attacker captures to replay later.
func (m *mitm) fetch(name string) []byte {
	m.t.Helper()
	m.mu.Lock()
	upstream := m.upstream
	m.mu.Unlock()
	resp, err := http.Get(upstream + name)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		m.t.Fatalf("GET %s: %s %v", name, resp.Status, err)
	}
	return b
}

// within runs f, failing the test if it has not returned after d or if
// the process allocates more than maxAlloc bytes meanwhile. On failure it cuts the
// proxy's connections so that the stuck call, and the test server's
// shutdown, can end.
func (m *mitm) within(d time.Duration, maxAlloc uint64, f func() error) error {
	m.t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.TotalAlloc
	deadline := time.After(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-deadline:
			m.srv.CloseClientConnections()
			m.t.Fatalf("the agent was still reading after %v", d)
		case <-tick.C:
			if runtime.ReadMemStats(&ms); ms.TotalAlloc > base+maxAlloc {
				m.srv.CloseClientConnections()
				m.t.Fatalf("%d bytes allocated while the agent read", ms.TotalAlloc-base)
			}
		}
	}
}

// Matchers for mitm.on.

func named(name string) func(string) bool { return func(n string) bool { return n == name } }

func suffixed(suffix string) func(string) bool {
	return func(n string) bool { return strings.HasSuffix(n, suffix) }
}

func isImage(n string) bool { return strings.HasPrefix(n, "targets/") }

// Attacks for mitm.on.

// serveBytes answers with b, announcing its length.
func serveBytes(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	}
}

// serveUnannounced answers with b without a Content-Length (chunked), so the
// client learns the length only when the body ends.
func serveUnannounced(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Write(b)
	}
}

// endless is a response body that never ends; sent counts what it wrote.
type endless struct{ sent atomic.Int64 }

func (e *endless) serve(w http.ResponseWriter, r *http.Request) {
	buf := make([]byte, 32<<10)
	for i := range buf {
		buf[i] = "{ \"a\":"[i%6]
	}
	w.WriteHeader(http.StatusOK)
	for r.Context().Err() == nil {
		n, err := w.Write(buf)
		e.sent.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// Device checks.

// slotFiles returns the SHA-256 of every file in the device's slot
// directory (images and boot record).
func (d *device) slotFiles(t *testing.T) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(d.slots.Dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, de := range entries {
		b, err := os.ReadFile(filepath.Join(d.slots.Dir, de.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out[de.Name()] = hex.EncodeToString(sum[:])
	}
	return out
}

// nothingInstalled checks what must hold after a refused attack: the slots
// and boot record are byte for byte as before, the agent still reports the
// old version in the given phase, and no image, complete or partial, is
// left in its state directory.
func nothingInstalled(t *testing.T, e *Engine, d *device, slotsBefore map[string]string, phase state.Phase) {
	t.Helper()
	if got := d.slotFiles(t); !maps.Equal(got, slotsBefore) {
		t.Errorf("the slots changed: %v, were %v", got, slotsBefore)
	}
	st, err := e.State()
	if err != nil {
		t.Fatal(err)
	}
	if st.Phase != phase || st.Installed != "1.0.0" {
		t.Errorf("state after the attack: phase %s, installed %s; want %s, 1.0.0", st.Phase, st.Installed, phase)
	}
	for _, dir := range []string{"downloads", "targets-unused"} {
		entries, err := os.ReadDir(filepath.Join(e.cfg.StateDir, dir))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		for _, de := range entries {
			t.Errorf("%s/%s left behind", dir, de.Name())
		}
	}
}

// noImageRequested checks that the agent asked for no image.
func noImageRequested(t *testing.T, m *mitm) {
	t.Helper()
	if asked := m.requests(); slices.ContainsFunc(asked, isImage) {
		t.Errorf("the agent asked for an image: %v", asked)
	}
}

// engineVia returns the device's engine, talking to the repository through m.
func (r *repo) engineVia(t *testing.T, d *device, m *mitm) *Engine {
	t.Helper()
	e := r.engine(t, d, nil)
	e.cfg.RepositoryURL = m.URL
	return e
}

// applies checks that the agent works again: it installs target and asks
// for the restart into it.
func applies(t *testing.T, e *Engine, target string) {
	t.Helper()
	if err := e.Apply(context.Background(), target); !errors.Is(err, ErrRestartRequired) {
		t.Fatalf("once the attack stopped, Apply = %v, want a restart request", err)
	}
}
