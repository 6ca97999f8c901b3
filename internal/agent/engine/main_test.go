package engine

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/agent/install"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// repo is a live Lifeline server with one product's update repository.
// The server code is in the test binary only: the agent itself never
// links it (see TestAgentDependencies).
type repo struct {
	t        *testing.T
	env      *testenv.Env
	p        access.Principal
	product  string
	root     []byte
	rootKeys []tufrepo.KeyPair
	url      string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	ctx := context.Background()
	env := testenv.NewSQLite(t)
	org, err := env.Service.CreateOrganisation(ctx, access.System("test"), access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		t.Fatal(err)
	}
	r := &repo{t: t, env: env, p: access.System("test").InOrg(org.ID), product: "smart-plug"}
	if _, err := env.Service.CreateProduct(ctx, r.p, registry.Product{Name: "Smart Plug", Slug: r.product, ModelDesignation: "SP-1", Category: "Plug"}); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"rev-a", "rev-b"} {
		if _, err := env.Service.CreateHardwareRevision(ctx, r.p, r.product, registry.HardwareRevision{Name: h}); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		k, _ := tufrepo.GenerateKey(rand.Reader)
		r.rootKeys = append(r.rootKeys, k)
	}
	if _, err := env.Service.CreateOnlineKeys(ctx, r.p, r.product, nil); err != nil {
		t.Fatal(err)
	}
	r.root = r.installRoot(1)
	r.url = env.URL + service.RepositoryPath("acme", r.product)
	return r
}

// installRoot builds, signs (2 of 3 root keys) and installs a root of the
// given version with the server's chosen online keys.
func (r *repo) installRoot(version int64) []byte {
	r.t.Helper()
	ctx := context.Background()
	st, err := r.env.Service.UpdateRepository(ctx, r.p, r.product)
	if err != nil {
		r.t.Fatal(err)
	}
	roles, err := tufrepo.ChooseOnlineKeys(st.Keys)
	if err != nil {
		r.t.Fatal(err)
	}
	var pubs []*metadata.Key
	for _, k := range r.rootKeys {
		pubs = append(pubs, k.Public)
	}
	roles[tufrepo.Root] = tufrepo.RoleKeys{Keys: pubs, Threshold: 2}
	md, err := tufrepo.NewRoot(tufrepo.RootSpec{Version: version, Expires: r.env.Clock.Now().AddDate(1, 0, 0), Roles: roles})
	if err != nil {
		r.t.Fatal(err)
	}
	b, _ := md.ToBytes(true)
	for _, k := range r.rootKeys[:2] {
		if b, err = tufrepo.SignRoot(b, k.Signer()); err != nil {
			r.t.Fatal(err)
		}
	}
	if _, err := r.env.Service.InstallRoot(ctx, r.p, r.product, b); err != nil {
		r.t.Fatal(err)
	}
	return b
}

// publish records, uploads and signs a release.
func (r *repo) publish(version string, image []byte, rel registry.Release) string {
	r.t.Helper()
	ctx := context.Background()
	rel.Version = version
	if _, err := r.env.Service.CreateRelease(ctx, r.p, r.product, rel); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.env.Service.UploadImage(ctx, r.p, r.product, version, "fw.bin", bytes.NewReader(image)); err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.env.Service.SignRelease(ctx, r.p, r.product, version); err != nil {
		r.t.Fatal(err)
	}
	return version + "/fw.bin"
}

// device is a simulated device: A/B slot files, a state directory, a boot
// counter for boot IDs.
type device struct {
	dir   string
	slots *install.ABSlots
	boot  int
}

func newDevice(t *testing.T, oldImage []byte) *device {
	d := &device{dir: t.TempDir()}
	d.slots = &install.ABSlots{Dir: filepath.Join(d.dir, "slots"), MaxBoots: 3}
	if err := os.MkdirAll(d.slots.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.slots.SlotPath("a"), oldImage, 0o600); err != nil {
		t.Fatal(err)
	}
	return d
}

// restart is a power cycle: the bootloader picks a slot, the boot ID changes.
func (d *device) restart(t *testing.T) string {
	t.Helper()
	d.boot++
	slot, err := d.slots.Boot()
	if err != nil {
		t.Fatal(err)
	}
	return slot
}

// runningImage is what the device runs now.
func (d *device) runningImage(t *testing.T) []byte {
	t.Helper()
	rec, err := d.slots.Record()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(d.slots.SlotPath(rec.Running))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (r *repo) engine(t *testing.T, d *device, health func(context.Context) error) *Engine {
	t.Helper()
	e, err := New(Config{
		RepositoryURL: r.url, StateDir: filepath.Join(d.dir, "state"), BootstrapRoot: r.root,
		Device:    Device{Product: "acme/" + r.product, HardwareRevision: "rev-a", Installed: "1.0.0"},
		Installer: d.slots, NeedsRestart: true, HealthCheck: health, HTTP: &http.Client{},
		Now: r.env.Clock.Now, BootID: func() string { return fmt.Sprint(d.boot) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func image(version string, size int) []byte {
	b := bytes.Repeat([]byte(version+" "), size/(len(version)+1)+1)
	return b[:size]
}
