// Package testenv builds real Lifeline servers for tests: a real database
// (SQLite in a temporary directory, or a throwaway PostgreSQL), the real
// service and HTTP stack, served on 127.0.0.1, and organisations with
// members and API tokens to call it with.
package testenv

import (
	"context"
	"github.com/lifeline-iot/lifeline/internal/blob/filesystem"
	"github.com/lifeline-iot/lifeline/internal/secretbox"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/postgres"
	"github.com/lifeline-iot/lifeline/internal/postgres/pgtest"
	"github.com/lifeline-iot/lifeline/internal/server"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/sqlite"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// Start is the time the fake clock of every test environment starts at.
var Start = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// Env is a running Lifeline.
type Env struct {
	URL     string
	Store   store.Store
	Service *service.Service
	Clock   *clock.Fake
	Server  *server.Server
}

// OpenStore opens an empty store of the named backend ("sqlite" or "postgres").
// PostgreSQL tests need pgtest.Main in their package's TestMain.
func OpenStore(t testing.TB, backend string) store.Store {
	t.Helper()
	ctx := context.Background()
	var st store.Store
	var err error
	switch backend {
	case "sqlite":
		st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "lifeline.db"))
	case "postgres":
		st, err = postgres.Open(ctx, pgtest.DSN(t), postgres.Options{MaxConns: 8})
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// New starts a server over st on 127.0.0.1 and stops it when the test ends.
func New(t testing.TB, st store.Store) *Env {
	t.Helper()
	clk := clock.NewFake(Start)
	log := slog.New(slog.DiscardHandler)
	svc := service.New(st, clk, log, service.Limits{}).WithUpdates(TestUpdates(t))
	web, err := webui.New(svc, log, webui.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{}, svc, log, web)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &Env{URL: hs.URL, Store: st, Service: svc, Clock: clk, Server: srv}
}

// NewSQLite starts a server on a new SQLite database.
func NewSQLite(t testing.TB) *Env { return New(t, OpenStore(t, "sqlite")) }

// Org is an organisation made for a test, with one member per role and a
// token for each holding every scope the role allows.
type Org struct {
	access.Organisation
	Tokens    map[access.Role]string
	Passwords map[access.Role]string
	Emails    map[access.Role]string
}

// Org creates an organisation of the given kind with an owner, a maintainer
// and a viewer.
func (e *Env) Org(t testing.TB, slug string, kind access.OrgKind) Org {
	t.Helper()
	ctx := context.Background()
	sys := access.System("test")
	o, err := e.Service.CreateOrganisation(ctx, sys, access.Organisation{Slug: slug, Name: "Org " + slug, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	p := sys.InOrg(o.ID)
	org := Org{Organisation: o, Tokens: map[access.Role]string{}, Passwords: map[access.Role]string{}, Emails: map[access.Role]string{}}
	for _, role := range access.Roles {
		email := string(role) + "@" + slug + ".example"
		pw := "correct horse " + slug + " " + string(role)
		m, _, err := e.Service.AddMember(ctx, p, service.NewMember{Email: email, Name: string(role), Role: role, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		_, tok, err := e.Service.CreateTokenFor(ctx, p, m.User.ID, service.NewToken{Name: "test", Scopes: role.MaxScopes(), Lifetime: 30 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		org.Tokens[role], org.Passwords[role], org.Emails[role] = tok, pw, email
	}
	return org
}

// Client returns an HTTP client that does not follow redirects.
func Client() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestUpdates configures firmware delivery for a test: images in a
// temporary directory, a random secret key, and the default expiry policy.
func TestUpdates(t testing.TB) service.Updates {
	t.Helper()
	blobs, err := filesystem.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secretbox.ParseKey(secretbox.GenerateKey())
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return service.Updates{Blobs: blobs, Secrets: box}
}
