package engine

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/agent/state"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

func TestUpdateABSlots(t *testing.T) {
	r := newRepo(t)
	newImg := image("1.1.0", 300_000)
	target := r.publish("1.1.0", newImg, registry.Release{SecurityUpdate: true, HardwareRevisions: []string{"rev-a"}})
	d := newDevice(t, image("1.0.0", 1000))
	var events []string
	e := r.engine(t, d, nil)
	e.cfg.Notify = func(ev Event) { events = append(events, ev.Kind) }

	if err := e.Apply(context.Background(), target); !errors.Is(err, ErrRestartRequired) {
		t.Fatalf("Apply = %v, want a restart request", err)
	}
	if st, _ := e.State(); st.Phase != state.Trial || st.Installed != "1.0.0" {
		t.Fatalf("state before restart: %+v", st)
	}
	if !bytes.Equal(d.runningImage(t), image("1.0.0", 1000)) {
		t.Fatal("the running image changed before the restart")
	}
	if slot := d.restart(t); slot != "b" {
		t.Fatalf("booted slot %s, want the trial slot b", slot)
	}
	e = r.engine(t, d, nil)
	if err := e.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := e.State()
	if st.Phase != state.Idle || st.Installed != "1.1.0" || st.Previous != "1.0.0" {
		t.Fatalf("state after commit: %+v", st)
	}
	if rec, _ := d.slots.Record(); rec.Good != "b" || rec.Trial != "" {
		t.Fatalf("boot record after commit: %+v", rec)
	}
	if !bytes.Equal(d.runningImage(t), newImg) {
		t.Fatal("the device does not run the new image")
	}
	if !slices.Equal(events, []string{"update_available", "downloading", "installing", "restart_required"}) {
		t.Fatalf("events before restart: %v", events)
	}
	// Offering the same release again does nothing.
	if err := e.Apply(context.Background(), target); err != nil {
		t.Fatalf("re-apply: %v", err)
	}
}

func TestFailedHealthCheckRollsBack(t *testing.T) {
	r := newRepo(t)
	target := r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	old := image("1.0.0", 1000)
	d := newDevice(t, old)
	sick := func(context.Context) error { return errors.New("the radio does not come up") }
	if err := r.engine(t, d, sick).Apply(context.Background(), target); !errors.Is(err, ErrRestartRequired) {
		t.Fatal(err)
	}
	d.restart(t)
	e := r.engine(t, d, sick)
	if err := e.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, _ := e.State()
	if st.Installed != "1.0.0" || !strings.Contains(st.LastError, "radio") || !slices.Contains(st.Failed, target) {
		t.Fatalf("state after a failed health check: %+v", st)
	}
	d.restart(t)
	if !bytes.Equal(d.runningImage(t), old) {
		t.Fatal("the device did not return to the old image")
	}
}

func TestTooManyBootsFallBack(t *testing.T) {
	r := newRepo(t)
	target := r.publish("1.1.0", image("1.1.0", 5000), registry.Release{})
	old := image("1.0.0", 1000)
	d := newDevice(t, old)
	if err := r.engine(t, d, nil).Apply(context.Background(), target); !errors.Is(err, ErrRestartRequired) {
		t.Fatal(err)
	}
	// The new image crashes before the agent starts, four times: the
	// bootloader gives up on it and boots the old slot.
	for range 4 {
		d.restart(t)
	}
	if !bytes.Equal(d.runningImage(t), old) {
		t.Fatal("the bootloader did not fall back")
	}
	e := r.engine(t, d, nil)
	if err := e.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.State(); st.Phase != state.Idle || st.Installed != "1.0.0" || st.LastError == "" {
		t.Fatalf("state after fallback: %+v", st)
	}
}

// TestPowerCutAtEveryStep cuts the power right after each state the agent
// saves — before and after the restart into the new image — then restarts
// the device and lets the agent carry on. Whatever the step, the device
// always boots a complete image, and the update ends committed.
func TestPowerCutAtEveryStep(t *testing.T) {
	r := newRepo(t)
	newImg := image("1.1.0", 200_000)
	target := r.publish("1.1.0", newImg, registry.Release{})
	old := image("1.0.0", 1000)
	errPowerCut := errors.New("power cut")

	for cut := 1; ; cut++ {
		d := newDevice(t, old)
		saves := 0
		hook := func(state.State) error {
			saves++
			if saves == cut {
				return errPowerCut
			}
			return nil
		}
		e := r.engine(t, d, nil)
		e.afterSave = hook
		err := e.Apply(context.Background(), target)
		for attempt := 0; ; attempt++ {
			if err != nil && !errors.Is(err, errPowerCut) && !errors.Is(err, ErrRestartRequired) {
				t.Fatalf("cut %d: %v", cut, err)
			}
			if attempt > 10 {
				t.Fatalf("cut %d: the update never completed", cut)
			}
			st, _ := e.State()
			if st.Phase == state.Idle && st.Installed == "1.1.0" {
				break
			}
			// Power returns (or the requested restart happens): the
			// bootloader runs, then the agent.
			d.restart(t)
			if img := d.runningImage(t); !bytes.Equal(img, old) && !bytes.Equal(img, newImg) {
				t.Fatalf("cut %d: the device booted an incomplete image", cut)
			}
			e = r.engine(t, d, nil)
			e.afterSave = hook
			if err = e.Resume(context.Background()); err == nil {
				if st, _ := e.State(); st.Phase == state.Idle && st.Installed != "1.1.0" {
					// Cut before the download was recorded: the agent asks again.
					err = e.Apply(context.Background(), target)
				}
			}
		}
		d.restart(t)
		if !bytes.Equal(d.runningImage(t), newImg) {
			t.Fatalf("cut %d: the device does not run the new image at the end", cut)
		}
		if saves < cut {
			t.Logf("cut the power after each of the %d states an update saves", cut-1)
			return
		}
	}
}
