package benchmarks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/postgres/pgtest"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var backends = []string{"sqlite", "postgres"}

// fixture is a registry with products, releases and devices to read.
type fixture struct {
	svc     *service.Service
	st      store.Store
	p       access.Principal
	orgID   string
	product registry.Product
}

const (
	fixtureProducts = 200
	fixtureDevices  = 20_000
)

func newFixture(b testing.TB, backend string) *fixture {
	b.Helper()
	ctx := context.Background()
	st := testenv.OpenStore(b, backend)
	svc := service.New(st, clock.NewFake(testenv.Start), nil, service.Limits{})
	sys := access.System("bench")
	o, err := svc.CreateOrganisation(ctx, sys, access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{svc: svc, st: st, p: sys.InOrg(o.ID), orgID: o.ID}
	for i := 0; i < fixtureProducts; i++ {
		prod, err := svc.CreateProduct(ctx, f.p, registry.Product{Name: fmt.Sprintf("Product %03d", i), ModelDesignation: fmt.Sprintf("M-%03d", i), Category: "Camera"})
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := svc.SetSupportPeriod(ctx, f.p, prod.Slug, supportperiod.Request{End: supportperiod.MustParseEndDate("2030-06")}); err != nil {
			b.Fatal(err)
		}
		pub := true
		if _, err := svc.UpdateProduct(ctx, f.p, prod.Slug, registry.ProductPatch{Published: &pub}); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			f.product = prod
		}
	}
	for _, v := range []string{"1.0", "1.1", "1.2"} {
		if _, err := svc.CreateRelease(ctx, f.p, f.product.Slug, registry.Release{Version: v}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := svc.CreateHardwareRevision(ctx, f.p, f.product.Slug, registry.HardwareRevision{Name: "A"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.ImportDevices(ctx, f.p, f.product.Slug, deviceCSV(fixtureDevices, "D"), deviceimport.CSV, false); err != nil {
		b.Fatal(err)
	}
	return f
}

// deviceCSV returns an import file of n devices.
func deviceCSV(n int, prefix string) *bytes.Buffer {
	var buf bytes.Buffer
	buf.Grow(n * 64)
	buf.WriteString("serial,hardware_revision,installed_version,first_seen,last_seen\n")
	versions := []string{"1.0", "1.1", "1.2"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&buf, "%s%08d,A,%s,2026-01-02T03:04:05Z,2026-05-06T07:08:09Z\n", prefix, i, versions[i%3])
	}
	return &buf
}

func BenchmarkRegistryReads(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			f := newFixture(b, backend)
			ctx := context.Background()
			b.Run("ProductBySlug", func(b *testing.B) {
				for b.Loop() {
					if _, err := f.svc.Product(ctx, f.p, f.product.Slug); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("ProductPage50", func(b *testing.B) {
				for b.Loop() {
					if _, err := f.svc.Products(ctx, f.p, store.ProductFilter{}, store.Page{Limit: 50}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("DevicePage100", func(b *testing.B) {
				for b.Loop() {
					if _, err := f.svc.Devices(ctx, f.p, service.DeviceQuery{Product: f.product.Slug, InstalledVersion: "1.1"}, store.Page{Limit: 100}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("PublicLookup", func(b *testing.B) {
				for b.Loop() {
					l, err := f.svc.PublicProducts(ctx, store.PublicFilter{Query: "m-150"}, store.Page{})
					if err != nil || len(l.Items) != 1 {
						b.Fatal(err, len(l.Items))
					}
				}
			})
			b.Run("PublicProductPage", func(b *testing.B) {
				for b.Loop() {
					if _, err := f.svc.PublicProduct(ctx, "acme", f.product.Slug); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkDeviceUpsert(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			f := newFixture(b, backend)
			ctx := context.Background()
			os := f.st.Org(f.orgID)
			now := testenv.Start
			i := 0
			for b.Loop() {
				// Alternate new devices and updates of existing ones, as check-ins would.
				serial := fmt.Sprintf("D%08d", i%fixtureDevices)
				if i%2 == 1 {
					serial = fmt.Sprintf("U%08d", i)
				}
				seen := now.Add(time.Duration(i) * time.Second)
				d := registry.Device{ProductID: f.product.ID, Serial: serial, InstalledVersion: "1.2", LastSeen: &seen, UpdatedAt: seen}
				if _, err := os.UpsertDevice(ctx, &d); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkImport100k imports 100,000 devices as a manufacturer would: a
// CSV file through the service, parsed, checked and written in one
// transaction. The goal is under 3 s on SQLite on a 2-core machine.
func BenchmarkImport100k(b *testing.B) {
	const n = 100_000
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			st := testenv.OpenStore(b, backend)
			svc := service.New(st, clock.NewFake(testenv.Start), nil, service.Limits{})
			sys := access.System("bench")
			o, err := svc.CreateOrganisation(ctx, sys, access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
			if err != nil {
				b.Fatal(err)
			}
			p := sys.InOrg(o.ID)
			run := 0
			for b.Loop() {
				b.StopTimer()
				slug := fmt.Sprintf("p%d", run)
				run++
				if _, err := svc.CreateProduct(ctx, p, registry.Product{Slug: slug, Name: slug, ModelDesignation: slug, Category: "Camera"}); err != nil {
					b.Fatal(err)
				}
				if _, err := svc.CreateHardwareRevision(ctx, p, slug, registry.HardwareRevision{Name: "A"}); err != nil {
					b.Fatal(err)
				}
				for _, v := range []string{"1.0", "1.1", "1.2"} {
					if _, err := svc.CreateRelease(ctx, p, slug, registry.Release{Version: v}); err != nil {
						b.Fatal(err)
					}
				}
				file := deviceCSV(n, "S")
				b.SetBytes(int64(file.Len()))
				b.StartTimer()
				rep, err := svc.ImportDevices(ctx, p, slug, file, deviceimport.CSV, false)
				if err != nil || rep.Created != n {
					b.Fatal(err, rep.Created)
				}
			}
			b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "devices/s")
		})
	}
}
