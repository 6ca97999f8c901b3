package vulnmatch

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/advisory"
)

// The synthetic portfolio of the benchmarks: 300,000 advisories, 80% for
// ecosystem packages over about 50,000 names, 20% NVD criteria over about
// 20,000 vendor:product pairs, and 300 kernel records with many ranges;
// and 500 firmware and container components.
const (
	benchAdvisories = 300_000
	benchNames      = 50_000
	benchProducts   = 20_000
	benchKernel     = 300
	benchComponents = 500
)

var benchEcosystems = []struct{ eco, purlType, ns string }{
	{"Debian:12", "deb", "debian"}, {"Debian:11", "deb", "debian"}, {"Alpine:v3.19", "apk", "alpine"},
	{"PyPI", "pypi", ""}, {"npm", "npm", ""}, {"Go", "golang", "github.com/acme"}, {"Maven", "maven", "org.acme"},
}

func benchVersion(r *rand.Rand, eco string) string {
	v := fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(30))
	switch eco {
	case "Debian:12", "Debian:11":
		return v + fmt.Sprintf("-%d", 1+r.IntN(3))
	case "Alpine:v3.19":
		return v + fmt.Sprintf("-r%d", r.IntN(5))
	}
	return v
}

func benchAdvisoryList() []*advisory.Advisory {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]*advisory.Advisory, 0, benchAdvisories)
	nCPE := benchAdvisories / 5
	for i := range benchAdvisories - nCPE - benchKernel {
		e := benchEcosystems[r.IntN(len(benchEcosystems))]
		a := &advisory.Advisory{ID: fmt.Sprintf("OSV-%07d", i), Source: advisory.SourceOSV}
		af := advisory.Affected{Package: &advisory.Package{Ecosystem: e.eco, Name: fmt.Sprintf("pkg%05d", r.IntN(benchNames))}}
		for range 1 + r.IntN(2) {
			lo, hi := benchVersion(r, e.eco), benchVersion(r, e.eco)
			af.Ranges = append(af.Ranges, eco("introduced="+lo, "fixed="+hi))
		}
		a.Affected = append(a.Affected, af)
		out = append(out, a)
	}
	for i := range nCPE {
		a := &advisory.Advisory{ID: fmt.Sprintf("CVE-2024-%06d", i), Source: advisory.SourceNVD}
		p := r.IntN(benchProducts)
		for range 1 + r.IntN(3) {
			a.Affected = append(a.Affected, advisory.Affected{CPE: &advisory.CPECriteria{
				Criteria:              fmt.Sprintf("cpe:2.3:a:vendor%05d:product%05d:*:*:*:*:*:*:*:*", p, p),
				VersionStartIncluding: benchVersion(r, ""), VersionEndExcluding: benchVersion(r, ""),
			}})
		}
		out = append(out, a)
	}
	for i := range benchKernel {
		af := advisory.Affected{Package: &advisory.Package{Ecosystem: "Linux", Name: "Kernel"}}
		for _, branch := range []string{"4.19", "5.4", "5.10", "5.15", "6.1", "6.6", "6.12"} {
			af.Ranges = append(af.Ranges, eco("introduced="+branch, fmt.Sprintf("fixed=%s.%d", branch, 1+r.IntN(200))))
		}
		out = append(out, &advisory.Advisory{ID: fmt.Sprintf("CVE-2025-%05d", 40000+i), Source: advisory.SourceOSV, Affected: []advisory.Affected{af}})
	}
	return out
}

func benchPortfolio() []Component {
	r := rand.New(rand.NewPCG(3, 4))
	var out []Component
	for i := range benchComponents {
		switch i % 5 {
		case 0, 1: // distribution and language packages
			e := benchEcosystems[r.IntN(len(benchEcosystems))]
			name, v := fmt.Sprintf("pkg%05d", r.IntN(benchNames)), benchVersion(r, e.eco)
			purl := fmt.Sprintf("pkg:%s/%s/%s@%s", e.purlType, e.ns, name, v)
			if e.ns == "" {
				purl = fmt.Sprintf("pkg:%s/%s@%s", e.purlType, name, v)
			}
			if e.purlType == "deb" {
				purl += "?arch=arm64&distro=debian-12"
			}
			out = append(out, Component{Name: name, Version: v, PURL: purl})
		case 2, 3: // Buildroot/OpenWrt: a vendor CPE
			p, v := r.IntN(benchProducts), benchVersion(r, "")
			out = append(out, Component{Name: fmt.Sprintf("product%05d", p), Version: v,
				PURL: fmt.Sprintf("pkg:generic/product%05d@%s", p, v),
				CPEs: []string{fmt.Sprintf("cpe:2.3:a:vendor%05d:product%05d:%s:*:*:*:*:*:*:*", p, p, v)}})
		default: // Yocto: no vendor
			p, v := r.IntN(benchProducts), benchVersion(r, "")
			out = append(out, Component{Name: fmt.Sprintf("product%05d", p), Version: v,
				PURL: fmt.Sprintf("pkg:yocto/meta/product%05d@%s", p, v),
				CPEs: []string{fmt.Sprintf("cpe:2.3:*:*:product%05d:%s:*:*:*:*:*:*:*", p, v)}})
		}
	}
	// Two kernels: Yocto's and an OpenWrt kernel with modules.
	out[0] = Component{Name: "linux-yocto", Version: "6.1.55", PURL: "pkg:yocto/core/linux-yocto@6.1.55",
		CPEs: []string{"cpe:2.3:*:linux:linux_kernel:6.1.55:*:*:*:*:*:*:*"}}
	out[1] = Component{Name: "kernel", Version: "5.15.137-1", PURL: "pkg:openwrt/kernel@5.15.137-1", CPEs: []string{"cpe:/o:linux:linux_kernel:5.15.137"}}
	out[2] = Component{Name: "kmod-nf-tables", Version: "5.15.137-1", PURL: "pkg:openwrt/kmod-nf-tables@5.15.137-1", CPEs: []string{"cpe:/o:linux:linux_kernel:5.15.137"}}
	return out
}

var benchSetup = sync.OnceValues(func() ([]*advisory.Advisory, *Index) {
	advs := benchAdvisoryList()
	ix := NewIndex()
	for _, a := range advs {
		ix.Add(a)
	}
	return advs, ix
})

func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func BenchmarkMatch(b *testing.B) {
	_, ix := benchSetup()
	portfolio := benchPortfolio()
	matches := 0
	for _, c := range portfolio {
		matches += len(ix.Match(c))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		for _, c := range portfolio {
			ix.Match(c)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N) * benchComponents
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/component")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/component")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/component")
	b.ReportMetric(float64(matches)/benchComponents, "matches/component")
}

// BenchmarkIndexMemory reports the heap the index adds per advisory, on
// top of the advisories themselves.
func BenchmarkIndexMemory(b *testing.B) {
	for range b.N {
		h := heapAfterGC()
		advs := benchAdvisoryList()
		h0 := heapAfterGC()
		b.ReportMetric(float64(h0-h)/float64(len(advs)), "advisory-bytes/advisory")
		ix := NewIndex()
		for _, a := range advs {
			ix.Add(a)
		}
		h1 := heapAfterGC()
		b.ReportMetric(float64(h1-h0)/float64(ix.Len()), "index-bytes/advisory")
		b.ReportMetric(float64(len(ix.buckets)), "keys")
		runtime.KeepAlive(ix)
		runtime.KeepAlive(advs)
	}
}

func BenchmarkIndexAdd(b *testing.B) {
	advs, _ := benchSetup()
	ix := NewIndex()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ix.Add(advs[i%len(advs)])
	}
}
