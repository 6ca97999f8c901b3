package engine

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/blob/filesystem"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/secretbox"
	"github.com/lifeline-iot/lifeline/internal/server"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
	"github.com/lifeline-iot/lifeline/internal/webui"
)

// newEnvWithSealingKey starts a server the way testenv.NewSQLite does, but
// keeps the box that seals the online signing keys, so that a test can
// play an attacker who has stolen the server's secret key and its database
// and so holds an online key (see TestCompromisedTimestampKey).
func newEnvWithSealingKey(t *testing.T) (*testenv.Env, *secretbox.Box) {
	t.Helper()
	st := testenv.OpenStore(t, "sqlite")
	clk := clock.NewFake(testenv.Start)
	log := slog.New(slog.DiscardHandler)
	blobs, err := filesystem.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key, err := secretbox.ParseKey(secretbox.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(st, clk, log, service.Limits{}).WithUpdates(service.Updates{Blobs: blobs, Secrets: box})
	web, err := webui.New(svc, log, webui.Config{})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{}, svc, log, web)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &testenv.Env{URL: hs.URL, Store: st, Service: svc, Clock: clk, Server: srv}, box
}

// newRepoOn is newRepo on a server the test started: organisation acme,
// product smart-plug.
func newRepoOn(t *testing.T, env *testenv.Env) *repo {
	t.Helper()
	org, err := env.Service.CreateOrganisation(context.Background(), access.System("test"), access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		t.Fatal(err)
	}
	return newProductRepo(t, env, access.System("test").InOrg(org.ID), "smart-plug")
}

// addProduct creates another product of r's manufacturer on r's server,
// with its own root keys, online keys and repository.
func (r *repo) addProduct(slug string) *repo {
	r.t.Helper()
	return newProductRepo(r.t, r.env, r.p, slug)
}

// newProductRepo creates a product of organisation acme with hardware
// revisions rev-a and rev-b and installs root version 1 of its repository,
// as newRepo does.
func newProductRepo(t *testing.T, env *testenv.Env, p access.Principal, slug string) *repo {
	t.Helper()
	ctx := context.Background()
	r := &repo{t: t, env: env, p: p, product: slug}
	if _, err := env.Service.CreateProduct(ctx, p, registry.Product{Name: slug, Slug: slug, ModelDesignation: strings.ToUpper(slug), Category: "Home"}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"rev-a", "rev-b"} {
		if _, err := env.Service.CreateHardwareRevision(ctx, p, slug, registry.HardwareRevision{Name: h}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		k, _ := tufrepo.GenerateKey(rand.Reader)
		r.rootKeys = append(r.rootKeys, k)
	}
	if _, err := env.Service.CreateOnlineKeys(ctx, p, slug, nil); err != nil {
		t.Fatal(err)
	}
	r.root = r.installRoot(1)
	r.url = env.URL + service.RepositoryPath("acme", slug)
	return r
}

// onlineKey returns the ID of r's online key for role in the given state.
func (r *repo) onlineKey(role, state string) string {
	r.t.Helper()
	st, err := r.env.Service.UpdateRepository(context.Background(), r.p, r.product)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, k := range st.Keys {
		if k.Role == role && k.State == state {
			return k.KeyID
		}
	}
	r.t.Fatalf("no %s %s key", state, role)
	return ""
}

// stealKey is the attacker who has the server's database and its sealing
// key: it opens the sealed private half of the online key keyID. The
// additional data is the service's (service.keyAD, unexported): if that
// changes, opening fails and so does the test.
func (r *repo) stealKey(box *secretbox.Box, keyID string) tufrepo.KeyPair {
	r.t.Helper()
	ctx := context.Background()
	prod, err := r.env.Service.Product(ctx, r.p, r.product)
	if err != nil {
		r.t.Fatal(err)
	}
	keys, err := r.env.Store.Org(r.p.OrgID).TUFKeys(ctx, prod.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, k := range keys {
		if k.KeyID != keyID {
			continue
		}
		priv, err := box.Open(k.Sealed, []byte("lifeline tuf key\x00"+prod.ID+"\x00"+k.Role+"\x00"+k.KeyID))
		if err != nil {
			r.t.Fatalf("open the sealed key %s: %v", keyID, err)
		}
		kp, err := tufrepo.KeyPairFromPrivate(ed25519.PrivateKey(priv))
		if err != nil || kp.ID != keyID {
			r.t.Fatalf("the sealed key %s opened to key %s: %v", keyID, kp.ID, err)
		}
		return kp
	}
	r.t.Fatalf("no key %s in the store", keyID)
	return tufrepo.KeyPair{}
}
