package storetest

import (
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func testEnrolment(t *testing.T, s store.Store) {
	org := mustOrg(t, s, "acme")
	os := s.Org(org.ID)
	p := mustProduct(t, os, "plug")
	mustRevision(t, os, p.ID, "A")
	mustRelease(t, os, p.ID, "1.0", t0)

	tok := registry.EnrolmentToken{ID: ids.New(), ProductID: p.ID, Name: "factory run 7", SecretHash: []byte("hash"), CreatedAt: t0, ExpiresAt: t0.AddDate(1, 0, 0)}
	must(t, os.CreateEnrolmentToken(ctx(), &tok), "CreateEnrolmentToken")
	got, orgID, err := s.Directory().EnrolmentToken(ctx(), tok.ID)
	must(t, err, "Directory.EnrolmentToken")
	if orgID != org.ID || got.Name != "factory run 7" || string(got.SecretHash) != "hash" || !got.Usable(t0) {
		t.Fatalf("token = %+v in %s", got, orgID)
	}
	_, _, err = s.Directory().EnrolmentToken(ctx(), ids.New())
	wantKind(t, err, errs.NotFound, "unknown enrolment token")

	key := make([]byte, 32)
	key[0] = 1
	id, err := os.EnrolDevice(ctx(), registry.Device{ProductID: p.ID, Serial: "SN-1", HardwareRevision: "A", InstalledVersion: "0.9-factory"}, key, t0)
	must(t, err, "EnrolDevice")
	must(t, os.UseEnrolmentToken(ctx(), tok.ID, t0), "UseEnrolmentToken")
	again, err := os.EnrolDevice(ctx(), registry.Device{ProductID: p.ID, Serial: "SN-1"}, key, t0.Add(time.Minute))
	must(t, err, "EnrolDevice again with the same key")
	if again != id {
		t.Fatalf("re-enrolment made a new device")
	}
	other := make([]byte, 32)
	_, err = os.EnrolDevice(ctx(), registry.Device{ProductID: p.ID, Serial: "SN-1"}, other, t0)
	wantKind(t, err, errs.Conflict, "enrolment with another key")
	_, err = os.EnrolDevice(ctx(), registry.Device{ProductID: p.ID, Serial: "SN-2", HardwareRevision: "Z"}, other, t0)
	wantKind(t, err, errs.Invalid, "unknown hardware revision")

	for _, c := range []struct {
		ts   int64
		want bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		ok, err := s.Directory().ClaimSessionRequest(ctx(), id, c.ts)
		must(t, err, "ClaimSessionRequest")
		if ok != c.want {
			t.Fatalf("ClaimSessionRequest(%d) = %v, want %v", c.ts, ok, c.want)
		}
	}
	ident, err := s.Directory().DeviceIdentity(ctx(), id)
	must(t, err, "DeviceIdentity")
	if ident.OrgID != org.ID || ident.ProductSlug != "plug" || ident.HardwareRevision != "A" || ident.InstalledVersion != "" || ident.PublicKey[0] != 1 {
		t.Fatalf("identity = %+v", ident)
	}
	must(t, os.ResetDeviceKey(ctx(), p.ID, "SN-1"), "ResetDeviceKey")
	_, err = s.Directory().DeviceIdentity(ctx(), id)
	wantKind(t, err, errs.Unauthenticated, "identity after a key reset")
	if _, err := os.EnrolDevice(ctx(), registry.Device{ProductID: p.ID, Serial: "SN-1"}, other, t0); err != nil {
		t.Fatalf("enrolment after a reset: %v", err)
	}

	toks, err := os.EnrolmentTokens(ctx(), p.ID)
	must(t, err, "EnrolmentTokens")
	if len(toks) != 1 || toks[0].Enrolled != 1 || toks[0].LastUsedAt == nil {
		t.Fatalf("tokens = %+v", toks)
	}
	rev, err := os.RevokeEnrolmentToken(ctx(), p.ID, tok.ID, t0.Add(time.Hour))
	must(t, err, "RevokeEnrolmentToken")
	if rev.RevokedAt == nil || rev.Usable(t0.Add(2*time.Hour)) {
		t.Fatalf("revoked token = %+v", rev)
	}
	must(t, os.SetDeviceGroup(ctx(), p.ID, "SN-1", "beta"), "SetDeviceGroup")
	wantKind(t, os.SetDeviceGroup(ctx(), p.ID, "nope", "beta"), errs.NotFound, "group of a missing device")
	if ident, _ := s.Directory().DeviceIdentity(ctx(), id); len(ident.Groups) != 1 || ident.Groups[0] != "beta" {
		t.Fatalf("groups = %v", ident.Groups)
	}
}

func testRollouts(t *testing.T, s store.Store) {
	org := mustOrg(t, s, "acme")
	os := s.Org(org.ID)
	p := mustProduct(t, os, "plug")
	mustRevision(t, os, p.ID, "A")
	mustRevision(t, os, p.ID, "B")
	mustRelease(t, os, p.ID, "1.0", t0)
	rel := mustRelease(t, os, p.ID, "2.0", t0.Add(time.Hour))

	r := rollout.Rollout{ProductID: p.ID, ReleaseID: rel.ID, Version: "2.0", Target: "2.0/fw.bin", Scope: rollout.HardwareRevision, ScopeValue: "A",
		Phases: []float64{10, 100}, Soak: rollout.Duration(time.Hour), State: rollout.Active, PhaseStartedAt: t0, CreatedAt: t0, UpdatedAt: t0, CreatedBy: "x"}
	must(t, r.Validate(), "Validate")
	must(t, os.CreateRollout(ctx(), &r), "CreateRollout")
	got, err := os.Rollout(ctx(), r.ID)
	must(t, err, "Rollout")
	if got.Target != "2.0/fw.bin" || got.Scope != rollout.HardwareRevision || time.Duration(got.Soak) != time.Hour || len(got.Phases) != 2 || got.State != rollout.Active {
		t.Fatalf("rollout = %+v", got)
	}
	act, err := s.Directory().ActiveRollouts(ctx())
	must(t, err, "ActiveRollouts")
	if len(act) != 1 || act[0].OrgID != org.ID || act[0].Rollout.ID != r.ID {
		t.Fatalf("active = %+v", act)
	}

	// Devices: three on revision A (in scope), one on B.
	key := func(b byte) []byte { k := make([]byte, 32); k[0] = b; return k }
	var devs []string
	for i, rev := range []string{"A", "A", "A", "B"} {
		id, err := os.EnrolDevice(ctx(), registry.Device{ProductID: p.ID, Serial: "SN-" + string(rune('1'+i)), HardwareRevision: rev, InstalledVersion: "1.0"}, key(byte(i+1)), t0)
		must(t, err, "EnrolDevice")
		devs = append(devs, id)
	}
	at := t0.Add(time.Minute)
	// Device 0 and 1 are offered; 0 installs, 1 fails; 2 is not offered yet.
	must(t, s.Directory().RecordCheckIns(ctx(), []registry.CheckIn{
		{DeviceID: devs[0], InstalledVersion: "1.0", State: "idle", AutoUpdate: true, At: at},
		{DeviceID: devs[1], InstalledVersion: "1.0", State: "idle", AutoUpdate: true, At: at},
		{DeviceID: devs[2], InstalledVersion: "0.5-unknown", State: "idle", AutoUpdate: false, At: at},
	}, map[string]string{devs[0]: r.ID, devs[1]: r.ID}), "RecordCheckIns")
	must(t, s.Directory().RecordCheckIns(ctx(), []registry.CheckIn{
		{DeviceID: devs[0], InstalledVersion: "2.0", State: "idle", AutoUpdate: true, At: at.Add(time.Minute)},
		{DeviceID: devs[1], InstalledVersion: "1.0", State: "failed", Target: "2.0/fw.bin", Error: "flash write failed", AutoUpdate: true, At: at.Add(time.Minute)},
	}, nil), "RecordCheckIns 2")
	st, err := os.RolloutStats(ctx(), got)
	must(t, err, "RolloutStats")
	if st != (rollout.Stats{Targeted: 3, Offered: 2, Succeeded: 1, Failed: 1, Pending: 0}) {
		t.Fatalf("stats = %+v", st)
	}
	d, err := os.Device(ctx(), p.ID, "SN-2")
	must(t, err, "Device")
	if d.Update == nil || d.Update.State != "failed" || d.Update.Error != "flash write failed" || d.Update.RolloutID != r.ID || d.InstalledVersion != "1.0" {
		t.Fatalf("device = %+v %+v", d, d.Update)
	}
	if d, _ := os.Device(ctx(), p.ID, "SN-3"); d.InstalledVersion != "1.0" || d.Update.AutoUpdate {
		t.Fatalf("an unknown reported version changed the recorded one: %+v", d)
	}

	got.State, got.Reason, got.UpdatedAt = rollout.Paused, "operator", at
	must(t, os.UpdateRollout(ctx(), got), "UpdateRollout")
	if act, _ := s.Directory().ActiveRollouts(ctx()); len(act) != 0 {
		t.Fatal("a paused rollout is listed as active")
	}
	list, err := os.Rollouts(ctx(), p.ID)
	must(t, err, "Rollouts")
	if len(list) != 1 || list[0].State != rollout.Paused || list[0].Reason != "operator" {
		t.Fatalf("rollouts = %+v", list)
	}
}
