package benchmarks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/clock"
	"github.com/lifeline-iot/lifeline/internal/deviceimport"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// vulnFixture is one organisation's portfolio of 1,000 releases with 500
// components each, matched against 300,000 advisories (vulndata_test.go).
type vulnFixture struct {
	svc      *service.Service
	st       store.Store
	clk      *clock.Fake
	p        access.Principal
	orgID    string
	data     *vulnData
	findings int // after the first full rematch
	// setup holds the set-up phases' times and counts, reported with the
	// benchmark's results (b.Loop clears metrics reported before it).
	setup map[string]float64
}

func (f *vulnFixture) report(b *testing.B) {
	for unit, v := range f.setup {
		b.ReportMetric(v, unit)
	}
}

// skipUnlessLong skips the vulnerability benchmarks in -short mode: their
// set-up writes 300,000 advisories and 500,000 components.
func skipUnlessLong(b *testing.B) {
	if testing.Short() {
		b.Skip("\n*** SKIPPING: the vulnerability benchmarks set up 300,000 advisories and 1,000 releases × 500 components (minutes); run without -short ***")
	}
}

// newVulnFixture builds the portfolio and the advisory store and runs a
// first full rematch, reporting each phase's time as a metric.
func newVulnFixture(b *testing.B, backend string) *vulnFixture {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	st := testenv.OpenStore(b, backend)
	clk := clock.NewFake(testenv.Start)
	svc := service.New(st, clk, nil, service.Limits{})
	sys := access.System("bench")
	o, err := svc.CreateOrganisation(ctx, sys, access.Organisation{Slug: "acme", Name: "Acme", Kind: access.Manufacturer})
	if err != nil {
		b.Fatal(err)
	}
	f := &vulnFixture{svc: svc, st: st, clk: clk, p: sys.InOrg(o.ID), orgID: o.ID, data: newVulnData(), setup: map[string]float64{}}

	// Products, releases (a week apart) and devices spread over releases,
	// most on recent ones.
	t0 := time.Now()
	relIDs := make([][]string, vulnProducts)
	prodIDs := make([]string, vulnProducts)
	for p := range vulnProducts {
		slug := fmt.Sprintf("%s-%02d", flavourNames[p%flavours], p)
		prod, err := svc.CreateProduct(ctx, f.p, registry.Product{Slug: slug, Name: slug, ModelDesignation: strings.ToUpper(slug), Category: "Gateway"})
		if err != nil {
			b.Fatal(err)
		}
		prodIDs[p] = prod.ID
		if _, err := svc.CreateHardwareRevision(ctx, f.p, slug, registry.HardwareRevision{Name: "A"}); err != nil {
			b.Fatal(err)
		}
		for r := range vulnReleasesPerProd {
			rel, err := svc.CreateRelease(ctx, f.p, slug, registry.Release{Version: fmt.Sprintf("1.%d.0", r), ReleasedAt: testenv.Start.AddDate(0, 0, 7*(r-vulnReleasesPerProd))})
			if err != nil {
				b.Fatal(err)
			}
			relIDs[p] = append(relIDs[p], rel.ID)
		}
		var csv bytes.Buffer
		csv.WriteString("serial,hardware_revision,installed_version,first_seen,last_seen\n")
		for i := range vulnDevicesPerProd {
			r := vulnReleasesPerProd - 1 - min(vulnReleasesPerProd-1, (i*i)%(vulnReleasesPerProd*3)/3)
			fmt.Fprintf(&csv, "%s-%06d,A,1.%d.0,2026-01-02T03:04:05Z,2026-05-06T07:08:09Z\n", slug, i, r)
		}
		if _, err := svc.ImportDevices(ctx, f.p, slug, &csv, deviceimport.CSV, false); err != nil {
			b.Fatal(err)
		}
	}
	f.setup["setup-registry-s"] = time.Since(t0).Seconds()

	// Components, ten releases per transaction.
	t0 = time.Now()
	keyCache := map[[2]int][]string{}
	for p := range vulnProducts {
		for r0 := 0; r0 < vulnReleasesPerProd; r0 += 10 {
			if err := st.Tx(ctx, func(q store.Queries) error {
				for r := r0; r < min(r0+10, vulnReleasesPerProd); r++ {
					if err := q.Org(f.orgID).SetReleaseComponents(ctx, prodIDs[p], relIDs[p][r], f.data.releaseComponents(p, r, keyCache)); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
	f.setup["setup-components-s"] = time.Since(t0).Seconds()

	// Advisories, 2,000 per transaction.
	t0 = time.Now()
	var batch []store.AdvisoryRecord
	flush := func() error {
		err := st.Tx(ctx, func(q store.Queries) error { _, err := q.Advisories().PutAdvisories(ctx, batch); return err })
		batch = batch[:0]
		return err
	}
	nPortfolio, err := f.data.advisories(vulnAdvisories, func(a *advisory.Advisory) error {
		batch = append(batch, record(a))
		if len(batch) == 2000 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = st.Advisories().RefreshStatistics(ctx) // as ImportFeed does after a large import
	}
	if err != nil {
		b.Fatal(err)
	}
	f.setup["setup-advisories-s"] = time.Since(t0).Seconds()
	f.setup["portfolio-records"] = float64(nPortfolio)

	t0 = time.Now()
	_, f.findings, err = svc.RematchAll(ctx, f.orgID)
	if err != nil {
		b.Fatal(err)
	}
	f.setup["first-rematch-s"] = time.Since(t0).Seconds()
	f.setup["setup-total-s"] = time.Since(start).Seconds()
	b.Logf("%s: set up in %v: %d releases × %d components, %d advisories (%d about the portfolio), %d findings",
		backend, time.Since(start).Round(time.Second), vulnProducts*vulnReleasesPerProd, vulnComponentsPerRel, vulnAdvisories, nPortfolio, f.findings)
	return f
}

// heapSampler records the peak of the Go heap in use (objects, unused
// spans and goroutine stacks) every 2 ms.
type heapSampler struct {
	stop, done chan struct{}
	peak       uint64
}

var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes", "/memory/classes/heap/stacks:bytes"}

func heapNow(s []metrics.Sample) uint64 {
	metrics.Read(s)
	var n uint64
	for _, m := range s {
		n += m.Value.Uint64()
	}
	return n
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	s := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	h.peak = heapNow(s)
	go func() {
		defer close(h.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			h.peak = max(h.peak, heapNow(s))
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

// Stop ends sampling and returns the peak in bytes.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak
}

// procStatus reads a "kB" field of /proc/self/status, in bytes.
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}

// resetPeakRSS returns freed memory to the OS and resets the process's
// peak resident set (VmHWM) to its current size (Linux clear_refs 5). It
// returns the resident size then, or -1 when the peak cannot be reset.
func resetPeakRSS() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return -1
	}
	return procStatus("VmRSS")
}

// BenchmarkFullRematch measures RematchAll over a portfolio of 1,000
// releases × 500 components against 300,000 advisories, on both backends:
// time, findings, peak Go heap and the peak growth of the process's
// resident memory. Goal: under 10 s and under 1 GiB.
func BenchmarkFullRematch(b *testing.B) {
	skipUnlessLong(b)
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			f := newVulnFixture(b, backend)
			ctx := context.Background()
			var findings int
			var peakHeap, baseHeap uint64
			var peakRSS, baseRSS int64 = -1, -1
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				rss := resetPeakRSS()
				s := make([]metrics.Sample, len(heapMetrics))
				for i, name := range heapMetrics {
					s[i].Name = name
				}
				baseHeap = heapNow(s)
				h := startHeapSampler()
				b.StartTimer()
				_, n, err := f.svc.RematchAll(ctx, f.orgID)
				b.StopTimer()
				peakHeap = max(peakHeap, h.Stop())
				if err != nil {
					b.Fatal(err)
				}
				if rss >= 0 {
					hwm := procStatus("VmHWM")
					if hwm-rss > peakRSS-baseRSS {
						peakRSS, baseRSS = hwm, rss
					}
				}
				findings = n
				b.StartTimer()
			}
			f.report(b)
			b.ReportMetric(float64(findings), "findings")
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peakHeap-min(peakHeap, baseHeap))/(1<<20), "heap-growth-MiB")
			if peakRSS >= 0 {
				b.ReportMetric(float64(peakRSS)/(1<<20), "peak-RSS-MiB")
				b.ReportMetric(float64(peakRSS-baseRSS)/(1<<20), "RSS-growth-MiB")
			}
		})
	}
}

// newAdvisoryFeed writes a one-record NVD CVE API 2.0 response: a CPE
// criterion on the Buildroot products' project at pool index j, affecting
// versions before fixed.
func newAdvisoryFeed(path, id string, modified time.Time, u upstream, fixed string) error {
	body := fmt.Sprintf(`{"format":"NVD_CVE","version":"2.0","resultsPerPage":1,"startIndex":0,"totalResults":1,"vulnerabilities":[{"cve":{
"id":%q,"sourceIdentifier":"cve@mitre.org","published":"2026-11-20T10:00:00.000","lastModified":%q,"vulnStatus":"Analyzed",
"descriptions":[{"lang":"en","value":"A heap overflow in %s allows remote attackers to execute code (benchmark record)."}],
"metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":9.8}}]},
"configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:%s:%s:*:*:*:*:*:*:*:*","versionEndExcluding":%q,"matchCriteriaId":"00000000-0000-0000-0000-000000000000"}]}]}],
"references":[{"url":"https://example.org/advisories/%s"}]}}]}`,
		id, modified.Format("2006-01-02T15:04:05.000"), u.name, u.vendor, u.product, fixed, id)
	return os.WriteFile(path, []byte(body), 0o644)
}

// BenchmarkNewAdvisory measures one new advisory, from import to updated
// exposure: ImportFeed of a one-record NVD file whose CPE criterion hits
// 39 of the 250 Buildroot releases (import, store, rematch of that
// vulnerability in every organisation), then that vulnerability's exposure
// (Vulnerability: products, releases, devices in and out of support,
// fixing release), then the organisation's whole ranked portfolio view
// (Vulnerabilities). Goal: under 100 ms for the first two.
func BenchmarkNewAdvisory(b *testing.B) {
	skipUnlessLong(b)
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			f := newVulnFixture(b, backend)
			ctx := context.Background()
			// A Buildroot-only project (synthetic names are per flavour),
			// with a bound at the 51st-oldest of its versions in the 250
			// Buildroot releases: 39 releases are older (versions repeat).
			d := f.data
			j := len(d.pools[flavourBuildroot]) - 7
			u := d.upstreams[d.pools[flavourBuildroot][j]]
			var ks []int
			for p := flavourBuildroot; p < vulnProducts; p += flavours {
				for r := range vulnReleasesPerProd {
					ks = append(ks, d.state[p][r][j])
				}
			}
			slices.Sort(ks)
			fixed := u.version(ks[50])
			affected := 0
			for _, k := range ks {
				if k < ks[50] {
					affected++
				}
			}
			path := filepath.Join(b.TempDir(), "nvd-one.json")
			var importTime, detailTime, viewTime time.Duration
			var vulns, exposed int
			i := 0
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				i++
				id := fmt.Sprintf("CVE-2026-9%04d", i)
				if err := newAdvisoryFeed(path, id, testenv.Start.Add(time.Duration(i)*time.Minute), u, fixed); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				t0 := time.Now()
				res, err := f.svc.ImportFeed(ctx, f.p, service.FeedSpec{Name: "nvd-bench", Kind: service.FeedNVD, Location: path}, nil)
				t1 := time.Now()
				if err != nil || res.Vulns != 1 {
					b.Fatalf("import: %v, %d vulnerabilities changed", err, res.Vulns)
				}
				det, err := f.svc.Vulnerability(ctx, f.p, id)
				t2 := time.Now()
				if err != nil || det.Exposure.Devices == 0 {
					b.Fatalf("exposure of %s: %+v, %v", id, det.Exposure, err)
				}
				vs, err := f.svc.Vulnerabilities(ctx, f.p, service.VulnFilter{})
				t3 := time.Now()
				if err != nil {
					b.Fatal(err)
				}
				importTime += t1.Sub(t0)
				detailTime += t2.Sub(t1)
				viewTime += t3.Sub(t2)
				vulns = len(vs.Items)
				exposed = 0
				for _, v := range vs.Items {
					if v.ID == id {
						for _, pe := range v.Products {
							exposed += len(pe.Releases)
						}
					}
				}
				if exposed != affected {
					b.Fatalf("%s: %d releases exposed, want %d", id, exposed, affected)
				}
			}
			f.report(b)
			n := float64(i)
			b.ReportMetric(float64(importTime.Microseconds())/1000/n, "import+rematch-ms")
			b.ReportMetric(float64(detailTime.Microseconds())/1000/n, "exposure-ms")
			b.ReportMetric(float64(viewTime.Microseconds())/1000/n, "portfolio-view-ms")
			b.ReportMetric(float64(exposed), "releases-hit")
			b.ReportMetric(float64(vulns), "open-vulns")
		})
	}
}
