package rollout

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// FuzzRolloutJSON reads rollout definitions as the API and the stores do
// (JSON into Rollout), and checks what the rest of the system relies on:
//   - a Duration written back reads as the same duration;
//   - a definition Validate accepts survives the JSON the stores keep it in
//     (a definition that cannot be read back would break every check-in
//     of its product), and validates again;
//   - from a valid definition, Percent, Includes and Evaluate never panic,
//     phases only move forward one at a time and stay in range;
//   - Window.Next is now when now is inside the window, and otherwise the
//     start of the next window, less than a day away.
func FuzzRolloutJSON(f *testing.F) {
	for _, seed := range []string{
		`{"phases":[1,10,50,100],"soak":"24h","success_threshold":{"percent":95},"pause_threshold":{"count":3},"maintenance_window":{"start":"22:00","end":"02:00"}}`,
		`{"phases":[100],"soak":3600,"urgent":true,"abort_threshold":{"percent":10},"maintenance_window":{"start":"01:00","end":"05:00"}}`,
		`{"soak":"-1h"}`, `{"soak":1e300}`, `{"soak":"2562047h47m16.854775807s"}`, `{"soak":0.0000000001}`,
		`{"phases":[50,40,100]}`, `{"phases":[]}`, `{"scope":"group"}`, `{"maintenance_window":{"start":"1:5","end":"24:00"}}`,
		`{"maintenance_window":{"start":"00:00"}}`, `{"success_threshold":{"count":-1}}`,
	} {
		f.Add([]byte(seed), int64(1_795_000_000), uint16(100), uint16(90), uint16(2), "device-1")
	}
	f.Fuzz(func(t *testing.T, spec []byte, nowUnix int64, offered, succeeded, failed uint16, deviceID string) {
		var r Rollout
		if json.Unmarshal(spec, &r) != nil {
			return
		}
		b, err := json.Marshal(r.Soak)
		var soak Duration
		if err != nil || json.Unmarshal(b, &soak) != nil || soak != r.Soak {
			t.Fatalf("soak %d written as %s reads back as %d", r.Soak, b, soak)
		}
		if r.Validate() != nil {
			return
		}
		r.ID, r.State, r.Phase, r.PhaseStartedAt = "r1", Active, 0, t0

		stored, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("a valid rollout does not encode: %v (%+v)", err, r)
		}
		var back Rollout
		if err := json.Unmarshal(stored, &back); err != nil {
			t.Fatalf("a valid rollout does not read back: %v\n%s", err, stored)
		}
		if back.Soak != r.Soak || back.Window != r.Window || !slices.Equal(back.Phases, r.Phases) || back.Success != r.Success ||
			back.PauseAt != r.PauseAt || back.AbortAt != r.AbortAt || back.Scope != r.Scope || back.Validate() != nil {
			t.Fatalf("a valid rollout changed in storage:\n%+v\n%+v", r, back)
		}

		now := time.Unix(0, 0).Add(time.Duration(uint64(nowUnix)%(400*365*24*3600)) * time.Second)
		stats := Stats{Offered: int(offered)}
		stats.Succeeded = min(int(succeeded), stats.Offered)
		stats.Failed = min(int(failed), stats.Offered-stats.Succeeded)
		stats.Pending = stats.Offered - stats.Succeeded - stats.Failed
		stats.Targeted = stats.Offered + 10
		for step := 0; r.State == Active && step <= len(r.Phases); step++ {
			if p := r.Percent(); !(p > 0 && p <= 100) {
				t.Fatalf("phase %d of %v: percent %v", r.Phase, r.Phases, p)
			}
			_ = r.Includes(deviceID)
			d := Evaluate(r, stats, now)
			if d.Phase < r.Phase || d.Phase > r.Phase+1 || d.Phase >= len(r.Phases) {
				t.Fatalf("phase %d of %v moved to %d", r.Phase, r.Phases, d.Phase)
			}
			if d.State != Active && d.State != Paused && d.State != Aborted && d.State != Completed {
				t.Fatalf("state %q", d.State)
			}
			if d.State == r.State && d.Phase == r.Phase {
				break
			}
			r.State, r.Phase, r.PhaseStartedAt = d.State, d.Phase, now
		}
		if r.State == Completed && (r.Percent() != 100 || !r.Offering()) {
			t.Fatalf("a completed rollout offers to %v%%", r.Percent())
		}

		next := r.Window.Next(now)
		if next.Before(now) || !next.Before(now.Add(24*time.Hour)) {
			t.Fatalf("window %+v at %s: next %s", r.Window, now, next)
		}
		if open := inWindow(r.Window, now); open != next.Equal(now) {
			t.Fatalf("window %+v at %s: next %s, but the window is open: %v", r.Window, now, next, open)
		}
		if next.After(now) && (!inWindow(r.Window, next) || inWindow(r.Window, next.Add(-time.Nanosecond))) {
			t.Fatalf("window %+v at %s: next %s is not where the window opens", r.Window, now, next)
		}
	})
}

// inWindow says whether t falls in w, worked out by minutes of the day.
func inWindow(w Window, t time.Time) bool {
	if w.IsZero() {
		return true
	}
	start, _ := time.Parse("15:04", w.Start)
	end, _ := time.Parse("15:04", w.End)
	s, e := start.Hour()*60+start.Minute(), end.Hour()*60+end.Minute()
	t = t.UTC()
	m := t.Hour()*60 + t.Minute()
	if s < e {
		return m >= s && m < e
	}
	return m >= s || m < e
}
