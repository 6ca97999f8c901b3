package engine

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/tufrepo"
	"github.com/lifeline-iot/lifeline/internal/version"
)

// FuzzParseFacts reads arbitrary custom fields as a device does, and
// checks two things. The agent's reader agrees with the server's
// (tufrepo.ParseCustom, which the agent cannot import): whatever the
// server reads as release facts, the device reads as the same facts. And
// Decide installs exactly what its rules allow: the right product, hardware
// the release names (or any, if it names none), and never an older version
// unless the signed facts allow a rollback.
func FuzzParseFacts(f *testing.F) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, c := range []tufrepo.Custom{
		{Product: "acme/plug", Version: "2.1.0", HardwareRevisions: []string{"rev-a"}, SecurityUpdate: true, ReleasedAt: at, SupportEnd: "2031-06"},
		{Product: "acme/plug", Version: "1.0.0", AllowRollback: true, ReleasedAt: at},
	} {
		f.Add([]byte(tufrepo.MarshalCustom(c)), "acme/plug", "rev-a", "2.0.0")
	}
	for _, raw := range []string{`{"lifeline":{}}`, `{"lifeline":null}`, `{"LIFELINE":{"Product":"acme/plug","product":"x/y"}}`,
		`{"lifeline":{"product":"acme/plug","version":"v2","hardware_revisions":[]}}`, `{"lifeline":{"version":1}}`, `null`, `[]`, ``} {
		f.Add([]byte(raw), "acme/plug", "", "")
	}
	f.Fuzz(func(t *testing.T, raw []byte, product, hardware, installed string) {
		msg := json.RawMessage(raw)
		facts, err := ParseFacts(&msg)
		if c, cerr := tufrepo.ParseCustom(raw); cerr == nil {
			want := Facts{Product: c.Product, Version: c.Version, HardwareRevisions: c.HardwareRevisions, SecurityUpdate: c.SecurityUpdate,
				AllowRollback: c.AllowRollback, SupportEnd: c.SupportEnd}
			if err != nil || !sameFacts(facts, want) {
				t.Fatalf("%q: the server reads %+v, the device %+v (%v)", raw, want, facts, err)
			}
		}
		if err != nil {
			return
		}
		dev := Device{Product: product, HardwareRevision: hardware, Installed: installed}
		d, err := Decide(facts, dev)
		forDevice := facts.Product == product && (len(facts.HardwareRevisions) == 0 || slices.Contains(facts.HardwareRevisions, hardware))
		order := version.Compare(facts.Version, installed)
		switch {
		case !forDevice || (order < 0 && !facts.AllowRollback):
			if err == nil {
				t.Fatalf("Decide(%+v, %+v) = %v, want a refusal", facts, dev, d)
			}
		case order == 0:
			if err != nil || d != Current {
				t.Fatalf("Decide(%+v, %+v) = %v, %v, want Current", facts, dev, d, err)
			}
		default:
			if err != nil || d != Install {
				t.Fatalf("Decide(%+v, %+v) = %v, %v, want Install", facts, dev, d, err)
			}
		}
	})
}

func sameFacts(a, b Facts) bool {
	return a.Product == b.Product && a.Version == b.Version && slices.Equal(a.HardwareRevisions, b.HardwareRevisions) &&
		a.SecurityUpdate == b.SecurityUpdate && a.AllowRollback == b.AllowRollback && a.SupportEnd == b.SupportEnd
}
