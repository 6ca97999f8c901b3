package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func testDeviceUpsert(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	p := mustProduct(t, os, "cam")
	mustRevision(t, os, p.ID, "A")
	mustRevision(t, os, p.ID, "B")
	mustRelease(t, os, p.ID, "1.0", t0)
	mustRelease(t, os, p.ID, "1.1", t0)

	first, last := t0, t0.Add(time.Hour)
	d := registry.Device{ProductID: p.ID, Serial: "SN-1", HardwareRevision: "A", InstalledVersion: "1.0", FirstSeen: &first, LastSeen: &last, UpdatedAt: t0}
	created, err := os.UpsertDevice(ctx(), &d)
	must(t, err, "UpsertDevice create")
	if !created || d.ID == "" || d.Product != "cam" || d.HardwareRevision != "A" || d.InstalledVersion != "1.0" || !d.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
		t.Fatalf("created = %v, device = %+v", created, d)
	}
	id := d.ID

	// A later report: newer version, later last_seen, earlier first_seen, no revision given.
	earlier, later := t0.Add(-time.Hour), t0.Add(2*time.Hour)
	u := registry.Device{ProductID: p.ID, Serial: "SN-1", InstalledVersion: "1.1", FirstSeen: &earlier, LastSeen: &later, UpdatedAt: t0.Add(time.Minute)}
	created, err = os.UpsertDevice(ctx(), &u)
	must(t, err, "UpsertDevice update")
	if created || u.ID != id || u.HardwareRevision != "A" || u.InstalledVersion != "1.1" || !u.FirstSeen.Equal(earlier) || !u.LastSeen.Equal(later) || !u.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
		t.Fatalf("after update: created=%v %+v", created, u)
	}
	// An older report must not move first/last seen inward.
	mid := t0.Add(30 * time.Minute)
	o := registry.Device{ProductID: p.ID, Serial: "SN-1", FirstSeen: &mid, LastSeen: &mid, UpdatedAt: t0.Add(2 * time.Minute)}
	_, err = os.UpsertDevice(ctx(), &o)
	must(t, err, "UpsertDevice stale")
	if !o.FirstSeen.Equal(earlier) || !o.LastSeen.Equal(later) || o.InstalledVersion != "1.1" {
		t.Fatalf("stale report narrowed the device: %+v", o)
	}

	bad := registry.Device{ProductID: p.ID, Serial: "SN-2", HardwareRevision: "Z", UpdatedAt: t0}
	wantKind(t, errOnly(os.UpsertDevice(ctx(), &bad)), errs.Invalid, "unknown hardware revision")
	bad = registry.Device{ProductID: p.ID, Serial: "SN-2", InstalledVersion: "9.9", UpdatedAt: t0}
	wantKind(t, errOnly(os.UpsertDevice(ctx(), &bad)), errs.Invalid, "unknown version")
	bad = registry.Device{ProductID: ids.New(), Serial: "SN-2", UpdatedAt: t0}
	wantKind(t, errOnly(os.UpsertDevice(ctx(), &bad)), errs.NotFound, "unknown product")

	_, err = os.Device(ctx(), p.ID, "SN-2")
	wantKind(t, err, errs.NotFound, "device never created")
	must(t, os.DeleteDevice(ctx(), p.ID, "SN-1"), "DeleteDevice")
	wantKind(t, os.DeleteDevice(ctx(), p.ID, "SN-1"), errs.NotFound, "delete twice")
}

func errOnly(_ bool, err error) error { return err }

func testDeviceList(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	cam := mustProduct(t, os, "cam")
	plug := mustProduct(t, os, "plug")
	mustRevision(t, os, cam.ID, "A")
	mustRevision(t, os, cam.ID, "B")
	mustRelease(t, os, cam.ID, "1.0", t0)
	mustRelease(t, os, cam.ID, "2.0", t0)
	for i := 0; i < 30; i++ {
		rev, ver := "A", "1.0"
		if i%3 == 0 {
			rev, ver = "B", "2.0"
		}
		seen := t0.Add(time.Duration(i) * time.Hour)
		_, err := os.UpsertDevice(ctx(), &registry.Device{ProductID: cam.ID, Serial: fmt.Sprintf("CAM-%03d", i), HardwareRevision: rev, InstalledVersion: ver, LastSeen: &seen, UpdatedAt: t0})
		must(t, err, "UpsertDevice")
	}
	for i := 0; i < 5; i++ {
		_, err := os.UpsertDevice(ctx(), &registry.Device{ProductID: plug.ID, Serial: fmt.Sprintf("PLUG_%d", i), UpdatedAt: t0})
		must(t, err, "UpsertDevice plug")
	}
	count := func(f store.DeviceFilter) int {
		n, err := os.CountDevices(ctx(), f)
		must(t, err, "CountDevices")
		l, err := os.Devices(ctx(), f, store.Page{Limit: 1000})
		must(t, err, "Devices")
		if len(l.Items) != n {
			t.Fatalf("filter %+v: Devices listed %d, CountDevices said %d", f, len(l.Items), n)
		}
		return n
	}
	cases := []struct {
		name string
		f    store.DeviceFilter
		want int
	}{
		{"all", store.DeviceFilter{}, 35},
		{"product", store.DeviceFilter{ProductID: cam.ID}, 30},
		{"revision", store.DeviceFilter{ProductID: cam.ID, HardwareRevision: "B"}, 10},
		{"version", store.DeviceFilter{InstalledVersion: "1.0"}, 20},
		{"prefix", store.DeviceFilter{SerialPrefix: "CAM-00"}, 10},
		{"prefix_is_case_sensitive", store.DeviceFilter{SerialPrefix: "cam-"}, 0},
		{"prefix_escapes_underscore", store.DeviceFilter{SerialPrefix: "PLUG_"}, 5},
		{"underscore_is_not_a_wildcard", store.DeviceFilter{SerialPrefix: "CAM_"}, 0},
		{"seen_since", store.DeviceFilter{SeenSince: t0.Add(25 * time.Hour)}, 5},
	}
	for _, tc := range cases {
		if got := count(tc.f); got != tc.want {
			t.Errorf("%s: %d devices, want %d", tc.name, got, tc.want)
		}
	}
	var serials []string
	pg := store.Page{Limit: 7}
	for {
		l, err := os.Devices(ctx(), store.DeviceFilter{ProductID: cam.ID}, pg)
		must(t, err, "Devices page")
		for _, d := range l.Items {
			serials = append(serials, d.Serial)
		}
		if l.Next == "" {
			break
		}
		pg.Cursor = l.Next
	}
	if len(serials) != 30 || serials[0] != "CAM-000" || serials[29] != "CAM-029" {
		t.Fatalf("paged serials = %v", serials)
	}
}

func testDeviceImport(t *testing.T, s store.Store) {
	a := mustOrg(t, s, "acme")
	os := s.Org(a.ID)
	p := mustProduct(t, os, "cam")
	mustRevision(t, os, p.ID, "A")
	mustRelease(t, os, p.ID, "1.0", t0)
	mustRelease(t, os, p.ID, "1.1", t0)
	_, err := os.UpsertDevice(ctx(), &registry.Device{ProductID: p.ID, Serial: "D00007", HardwareRevision: "A", InstalledVersion: "1.0", UpdatedAt: t0})
	must(t, err, "UpsertDevice")

	const n = 1234 // more than two full batches
	devs := make([]registry.Device, n)
	seen := t0.Add(time.Hour)
	for i := range devs {
		devs[i] = registry.Device{Serial: fmt.Sprintf("D%05d", i), InstalledVersion: "1.1", LastSeen: &seen}
	}
	created, updated, err := os.ImportDevices(ctx(), p.ID, devs, t0.Add(time.Minute))
	must(t, err, "ImportDevices")
	if created != n-1 || updated != 1 {
		t.Fatalf("ImportDevices created %d updated %d, want %d and 1", created, updated, n-1)
	}
	if got, _ := os.CountDevices(ctx(), store.DeviceFilter{ProductID: p.ID}); got != n {
		t.Fatalf("%d devices after import, want %d", got, n)
	}
	d, err := os.Device(ctx(), p.ID, "D00007")
	must(t, err, "Device")
	if d.HardwareRevision != "A" || d.InstalledVersion != "1.1" || d.LastSeen == nil || !d.LastSeen.Equal(seen) {
		t.Fatalf("updated device = %+v", d)
	}
	created, updated, err = os.ImportDevices(ctx(), p.ID, devs[:10], t0.Add(2*time.Minute))
	must(t, err, "ImportDevices again")
	if created != 0 || updated != 10 {
		t.Fatalf("re-import created %d updated %d, want 0 and 10", created, updated)
	}
	bad := []registry.Device{{Serial: "NEW-1"}, {Serial: "NEW-2", InstalledVersion: "7.7"}}
	wantKind(t, errOnly2(os.ImportDevices(ctx(), p.ID, bad, t0)), errs.Invalid, "import with unknown version")
	_, _, err = os.ImportDevices(ctx(), ids.New(), devs[:1], t0)
	wantKind(t, err, errs.NotFound, "import into unknown product")
}

func errOnly2(_, _ int, err error) error { return err }

func deviceOf(productID, serial string) registry.Device {
	return registry.Device{ProductID: productID, Serial: serial, UpdatedAt: t0}
}
