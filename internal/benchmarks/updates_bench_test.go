package benchmarks

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/testenv"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// repoFixture is a product whose update repository already lists many
// signed releases.
type repoFixture struct {
	svc  *service.Service
	p    access.Principal
	prod registry.Product
	next int
}

// newRepoFixture sets up a repository and signs `existing` releases into it
// (their images are recorded, not stored: signing reads only the hashes).
func newRepoFixture(b *testing.B, backend string, existing int) *repoFixture {
	b.Helper()
	ctx := context.Background()
	st := testenv.OpenStore(b, backend)
	svc := service.New(st, clock.NewFake(testenv.Start), nil, service.Limits{}).WithUpdates(testenv.TestUpdates(b))
	sys := access.System("bench")
	o, err := svc.CreateOrganisation(ctx, sys, access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		b.Fatal(err)
	}
	f := &repoFixture{svc: svc, p: sys.InOrg(o.ID)}
	if f.prod, err = svc.CreateProduct(ctx, f.p, registry.Product{Name: "Plug", ModelDesignation: "P-1", Category: "Plug"}); err != nil {
		b.Fatal(err)
	}
	installDemoRoot(b, svc, f.p, f.prod.Slug)

	versions := make([]string, existing)
	err = st.Tx(ctx, func(q store.Queries) error {
		os := q.Org(o.ID)
		for i := range existing {
			v := fmt.Sprintf("0.%d.%d", i/1000, i%1000)
			versions[i] = v
			r := registry.Release{ID: ids.New(), ProductID: f.prod.ID, Version: v, ReleasedAt: testenv.Start, CreatedAt: testenv.Start, HardwareRevisions: []string{}}
			if err := os.CreateRelease(ctx, &r); err != nil {
				return err
			}
			s256, s512 := sha256.Sum256([]byte(v)), sha512.Sum512([]byte(v))
			img := registry.Image{FileName: "fw.bin", Length: int64(len(v)), SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]), BlobKey: "unused/" + v, UploadedAt: testenv.Start}
			if err := os.SetReleaseImage(ctx, r.ID, img); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if existing > 0 {
		if _, err := svc.SignReleases(ctx, f.p, f.prod.Slug, versions); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// installDemoRoot creates online keys and installs a root signed by a
// throwaway root key.
func installDemoRoot(b testing.TB, svc *service.Service, p access.Principal, product string) {
	b.Helper()
	ctx := context.Background()
	st, err := svc.CreateOnlineKeys(ctx, p, product, nil)
	if err != nil {
		b.Fatal(err)
	}
	roles, err := tufrepo.ChooseOnlineKeys(st.Keys)
	if err != nil {
		b.Fatal(err)
	}
	k, _ := tufrepo.GenerateKey(rand.Reader)
	roles[tufrepo.Root] = tufrepo.RoleKeys{Keys: []*metadata.Key{k.Public}, Threshold: 1}
	md, err := tufrepo.NewRoot(tufrepo.RootSpec{Version: 1, Expires: svc.Now().AddDate(1, 0, 0), Roles: roles})
	if err != nil {
		b.Fatal(err)
	}
	root, _ := md.ToBytes(false)
	if root, err = tufrepo.SignRoot(root, k.Signer()); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.InstallRoot(ctx, p, product, root); err != nil {
		b.Fatal(err)
	}
}

// prepare records n new releases with small uploaded images, ready to sign.
func (f *repoFixture) prepare(b *testing.B, n int) []string {
	ctx := context.Background()
	var out []string
	for range n {
		v := fmt.Sprintf("9.%d.0", f.next)
		f.next++
		if _, err := f.svc.CreateRelease(ctx, f.p, f.prod.Slug, registry.Release{Version: v}); err != nil {
			b.Fatal(err)
		}
		if _, err := f.svc.UploadImage(ctx, f.p, f.prod.Slug, v, "fw.bin", bytes.NewReader([]byte("image "+v))); err != nil {
			b.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// BenchmarkSignRelease: targets added per second to a product that already
// has 100,000, through the service (storage, sealed keys, audit included).
// "one" signs each release on its own (a new bin, snapshot and timestamp
// each time); "batch100" signs 100 releases per publication.
func BenchmarkSignRelease(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			f := newRepoFixture(b, backend, 100_000)
			ctx := context.Background()
			for _, batch := range []int{1, 100} {
				b.Run(fmt.Sprintf("batch%d", batch), func(b *testing.B) {
					signed := 0
					for i := 0; i < b.N; i++ {
						b.StopTimer()
						versions := f.prepare(b, batch)
						b.StartTimer()
						if _, err := f.svc.SignReleases(ctx, f.p, f.prod.Slug, versions); err != nil {
							b.Fatal(err)
						}
						signed += batch
					}
					b.ReportMetric(float64(signed)/b.Elapsed().Seconds(), "targets/s")
				})
			}
		})
	}
}
