package rollout

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func active(mut ...func(*Rollout)) Rollout {
	r := Rollout{ID: "r1", Phases: []float64{1, 10, 50, 100}, Soak: Duration(time.Hour), State: Active, PhaseStartedAt: t0,
		Success: Threshold{Percent: 90}, PauseAt: Threshold{Percent: 5}, AbortAt: Threshold{Count: 20}}
	for _, m := range mut {
		m(&r)
	}
	return r
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name  string
		r     Rollout
		s     Stats
		at    time.Time
		state State
		phase int
	}{
		{"soaking", active(), Stats{Offered: 10, Succeeded: 10}, t0.Add(30 * time.Minute), Active, 0},
		{"soaked and successful: advance", active(), Stats{Offered: 10, Succeeded: 9}, t0.Add(time.Hour), Active, 1},
		{"soaked but too few successes", active(), Stats{Offered: 10, Succeeded: 8, Pending: 2}, t0.Add(2 * time.Hour), Active, 0},
		{"urgent skips the soak", active(func(r *Rollout) { r.Urgent = true }), Stats{Offered: 10, Succeeded: 10}, t0, Active, 1},
		{"failures pause", active(), Stats{Offered: 100, Succeeded: 50, Failed: 5}, t0.Add(time.Minute), Paused, 0},
		{"many failures abort", active(), Stats{Offered: 1000, Succeeded: 500, Failed: 20}, t0.Add(time.Minute), Aborted, 0},
		{"last phase completes", active(func(r *Rollout) { r.Phase = 3 }), Stats{Targeted: 100, Offered: 100, Succeeded: 95}, t0.Add(time.Hour), Completed, 3},
		{"nobody offered yet", active(), Stats{}, t0.Add(time.Hour), Active, 0},
		{"paused stays paused", active(func(r *Rollout) { r.State = Paused }), Stats{Offered: 10, Succeeded: 10}, t0.Add(time.Hour), Paused, 0},
		{"count threshold", active(func(r *Rollout) { r.Success = Threshold{Count: 3} }), Stats{Offered: 10, Succeeded: 3}, t0.Add(time.Hour), Active, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Evaluate(tt.r, tt.s, tt.at)
			if d.State != tt.state || d.Phase != tt.phase {
				t.Fatalf("Evaluate = %+v, want %s phase %d", d, tt.state, tt.phase)
			}
			if (d.State != tt.r.State || d.Phase != tt.r.Phase) && d.Reason == "" {
				t.Error("a change without a reason")
			}
		})
	}
}

func TestBucketsAreStableAndSpread(t *testing.T) {
	in := 0
	for i := range 10000 {
		id := fmt.Sprintf("device-%d", i)
		b := Bucket("r1", id)
		if b < 0 || b >= 100 || b != Bucket("r1", id) {
			t.Fatalf("bucket %v", b)
		}
		if b < 10 {
			in++
		}
	}
	if in < 900 || in > 1100 {
		t.Fatalf("%d of 10000 devices in the first 10%%", in)
	}
	// Growing the phase never drops a device.
	r := active()
	for i := range 1000 {
		id := fmt.Sprint(i)
		r.Phase = 1
		was := r.Includes(id)
		r.Phase = 2
		if was && !r.Includes(id) {
			t.Fatalf("device %s left the rollout when it grew", id)
		}
	}
}

func TestCompletedRolloutsKeepOffering(t *testing.T) {
	r := active(func(r *Rollout) { r.State = Completed })
	for i := range 100 {
		if !r.Includes(fmt.Sprint(i)) {
			t.Fatal("a completed rollout stopped offering its release")
		}
	}
	for _, st := range []State{Paused, Aborted} {
		r.State = st
		if r.Includes("1") || r.Offering() {
			t.Fatalf("a %s rollout offers its release", st)
		}
	}
}

func TestValidate(t *testing.T) {
	good := Rollout{}
	if err := good.Validate(); err != nil || len(good.Phases) != 4 || good.Scope != AllDevices || good.Success.Percent != 95 {
		t.Fatalf("defaults: %+v %v", good, err)
	}
	for name, r := range map[string]Rollout{
		"phases not rising":       {Phases: []float64{10, 5, 100}},
		"not ending at 100":       {Phases: []float64{10, 50}},
		"negative soak":           {Soak: Duration(-time.Hour)},
		"revision scope no value": {Scope: HardwareRevision},
		"unknown scope":           {Scope: "planet"},
		"both count and percent":  {PauseAt: Threshold{Count: 1, Percent: 1}},
		"bad window":              {Window: Window{Start: "25:00", End: "01:00"}},
	} {
		if err := r.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestWindowNext(t *testing.T) {
	w := Window{Start: "01:00", End: "05:00"}
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	tests := []struct{ now, want time.Time }{
		{day.Add(2 * time.Hour), day.Add(2 * time.Hour)},
		{day.Add(6 * time.Hour), day.Add(25 * time.Hour)},
		{day.Add(30 * time.Minute), day.Add(time.Hour)},
	}
	for _, tt := range tests {
		if got := w.Next(tt.now); !got.Equal(tt.want) {
			t.Errorf("Next(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
	wrap := Window{Start: "22:00", End: "02:00"}
	if got := wrap.Next(day.Add(23 * time.Hour)); !got.Equal(day.Add(23 * time.Hour)) {
		t.Errorf("inside a window that wraps midnight: %v", got)
	}
	if got := wrap.Next(day.Add(12 * time.Hour)); !got.Equal(day.Add(22 * time.Hour)) {
		t.Errorf("before a wrapping window: %v", got)
	}
}
