// Package agenttest gives agent tests a live Lifeline server with one
// product's update repository, driven through the real service: online
// keys, an offline-style root (two of three root keys), signed releases.
// Only tests import it; the agent binary never links server code.
package agenttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// Product is the product every Repo serves.
const Product = "acme/smart-plug"

// Repo is a running server with a product repository.
type Repo struct {
	T        testing.TB
	Env      *testenv.Env
	P        access.Principal // acts for the manufacturer
	Slug     string
	Root     []byte // newest installed root
	RootKeys []tufrepo.KeyPair
	URL      string // repository base URL, ending in "/"
}

// New starts a server on SQLite and sets up the repository with hardware
// revisions rev-a and rev-b.
func New(t testing.TB) *Repo {
	t.Helper()
	ctx := context.Background()
	env := testenv.NewSQLite(t)
	// The agent binary checks expiry against the real clock, so the server
	// signs as of now rather than at testenv's fixed start.
	env.Clock.Set(time.Now())
	org, err := env.Service.CreateOrganisation(ctx, access.System("test"), access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		t.Fatal(err)
	}
	r := &Repo{T: t, Env: env, P: access.System("test").InOrg(org.ID), Slug: "smart-plug"}
	if _, err := env.Service.CreateProduct(ctx, r.P, registry.Product{Name: "Smart Plug", Slug: r.Slug, ModelDesignation: "SP-1", Category: "Plug"}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"rev-a", "rev-b"} {
		if _, err := env.Service.CreateHardwareRevision(ctx, r.P, r.Slug, registry.HardwareRevision{Name: h}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		k, _ := tufrepo.GenerateKey(rand.Reader)
		r.RootKeys = append(r.RootKeys, k)
	}
	if _, err := env.Service.CreateOnlineKeys(ctx, r.P, r.Slug, nil); err != nil {
		t.Fatal(err)
	}
	r.Root = r.InstallRoot(1)
	r.URL = env.URL + service.RepositoryPath("acme", r.Slug)
	return r
}

// InstallRoot builds, signs (2 of 3 root keys) and installs a root of the
// given version listing the server's chosen online keys.
func (r *Repo) InstallRoot(version int64) []byte {
	r.T.Helper()
	ctx := context.Background()
	st, err := r.Env.Service.UpdateRepository(ctx, r.P, r.Slug)
	if err != nil {
		r.T.Fatal(err)
	}
	roles, err := tufrepo.ChooseOnlineKeys(st.Keys)
	if err != nil {
		r.T.Fatal(err)
	}
	var pubs []*metadata.Key
	for _, k := range r.RootKeys {
		pubs = append(pubs, k.Public)
	}
	roles[tufrepo.Root] = tufrepo.RoleKeys{Keys: pubs, Threshold: 2}
	md, err := tufrepo.NewRoot(tufrepo.RootSpec{Version: version, Expires: r.Env.Clock.Now().AddDate(1, 0, 0), Roles: roles})
	if err != nil {
		r.T.Fatal(err)
	}
	b, _ := md.ToBytes(true)
	for _, k := range r.RootKeys[:2] {
		if b, err = tufrepo.SignRoot(b, k.Signer()); err != nil {
			r.T.Fatal(err)
		}
	}
	if _, err := r.Env.Service.InstallRoot(ctx, r.P, r.Slug, b); err != nil {
		r.T.Fatal(err)
	}
	r.Root = b
	return b
}

// Publish records, uploads and signs a release; it returns the target path.
func (r *Repo) Publish(version string, image []byte, rel registry.Release) string {
	r.T.Helper()
	ctx := context.Background()
	rel.Version = version
	if _, err := r.Env.Service.CreateRelease(ctx, r.P, r.Slug, rel); err != nil {
		r.T.Fatal(err)
	}
	if _, err := r.Env.Service.UploadImage(ctx, r.P, r.Slug, version, "fw.bin", bytes.NewReader(image)); err != nil {
		r.T.Fatal(err)
	}
	if _, err := r.Env.Service.SignRelease(ctx, r.P, r.Slug, version); err != nil {
		r.T.Fatal(err)
	}
	return version + "/fw.bin"
}

// Image is a deterministic stand-in firmware image.
func Image(version string, size int) []byte {
	b := bytes.Repeat([]byte(version+" "), size/(len(version)+1)+1)
	return b[:size]
}
