package exposure_test

import (
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/exposure"
)

func day(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }

func TestSummarise(t *testing.T) {
	products := []exposure.Product{
		{ID: "cam", Name: "Camera", Slug: "cam", InSupport: true},
		{ID: "old", Name: "Old router", Slug: "old", InSupport: false},
	}
	releases := []exposure.Release{
		{ID: "c1", ProductID: "cam", Version: "1.0", ReleasedAt: day(1), HasSBOM: true, Devices: 50},
		{ID: "c2", ProductID: "cam", Version: "1.1", ReleasedAt: day(2), HasSBOM: true, Devices: 30},
		{ID: "c3", ProductID: "cam", Version: "1.2", ReleasedAt: day(3), HasSBOM: true, Devices: 20},
		{ID: "o1", ProductID: "old", Version: "3.0", ReleasedAt: day(1), HasSBOM: true, Devices: 7},
	}
	findings := []exposure.Finding{
		{VulnID: "CVE-A", ReleaseID: "c1", Score: 9.8, Open: true},
		{VulnID: "CVE-A", ReleaseID: "c2", Score: 9.8, Open: true},
		{VulnID: "CVE-A", ReleaseID: "o1", Score: 9.8, Open: true},
		{VulnID: "CVE-B", ReleaseID: "c3", Score: 5.0, Exploited: true, Open: true},
		{VulnID: "CVE-C", ReleaseID: "o1", Score: 10, Open: false},  // triaged not affected
		{VulnID: "CVE-D", ReleaseID: "o1", Score: 7.5, Open: true},  // only out of support
		{VulnID: "CVE-E", ReleaseID: "gone", Score: 10, Open: true}, // unknown release: ignored
	}
	got := exposure.Summarise(findings, releases, products)
	var ids []string
	for _, v := range got {
		ids = append(ids, v.ID)
	}
	// Exploited first; then in-support exposure; then score; resolved last.
	want := []string{"CVE-B", "CVE-A", "CVE-D", "CVE-C"}
	if len(ids) != len(want) {
		t.Fatalf("order = %v, want %v", ids, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("order = %v, want %v", ids, want)
		}
	}
	a := got[1]
	if a.Devices != 87 || a.DevicesInSupport != 80 || a.DevicesOutOfSupport != 7 {
		t.Fatalf("CVE-A devices = %+v", a)
	}
	cam := a.Products[0]
	if cam.ProductID != "cam" || cam.FixedIn != "1.2" || cam.OnFixed != 20 || cam.FleetDevices != 100 || len(cam.Releases) != 2 || cam.Releases[0] != "1.1" {
		t.Fatalf("camera exposure = %+v", cam)
	}
	if old := a.Products[1]; old.FixedIn != "" || old.InSupport {
		t.Fatalf("old router exposure = %+v", old)
	}
	if b := got[0]; b.Products[0].FixedIn != "" || b.Devices != 20 {
		t.Fatalf("CVE-B = %+v", b)
	}
	if c := got[3]; c.Open || len(c.Products) != 0 {
		t.Fatalf("a resolved vulnerability exposes nothing: %+v", c)
	}
}

func TestFixedReleaseNeedsAnSBOM(t *testing.T) {
	releases := []exposure.Release{
		{ID: "r1", ProductID: "p", Version: "1", ReleasedAt: day(1), HasSBOM: true, Devices: 1},
		{ID: "r2", ProductID: "p", Version: "2", ReleasedAt: day(2), HasSBOM: false, Devices: 1},
	}
	got := exposure.Summarise([]exposure.Finding{{VulnID: "V", ReleaseID: "r1", Open: true}}, releases, []exposure.Product{{ID: "p", InSupport: true}})
	if got[0].Products[0].FixedIn != "" {
		t.Fatal("a release without an SBOM cannot be known to fix anything")
	}
}

func TestTotals(t *testing.T) {
	products := []exposure.Product{{ID: "cam", InSupport: true}, {ID: "old"}}
	releases := []exposure.Release{
		{ID: "c1", ProductID: "cam", Devices: 50}, {ID: "c2", ProductID: "cam", Devices: 30}, {ID: "o1", ProductID: "old", Devices: 7},
	}
	findings := []exposure.Finding{
		{VulnID: "A", ReleaseID: "c1", Open: true}, {VulnID: "B", ReleaseID: "c1", Open: true}, // one release, two vulnerabilities
		{VulnID: "A", ReleaseID: "c2", Open: false},
		{VulnID: "A", ReleaseID: "o1", Open: true},
	}
	in, out := exposure.Totals(findings, releases, products)
	if in != 50 || out != 7 {
		t.Fatalf("Totals = %d, %d; want 50, 7", in, out)
	}
}
