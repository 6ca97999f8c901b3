package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lifeline-iot/lifeline/internal/agent/state"
)

// ABSlots installs into the inactive one of two file-backed slots and
// keeps a small boot record the way U-Boot or GRUB environments do: which
// slot is good, which is on trial, and how many times the trial slot has
// been booted. Boot plays the bootloader's part at power-on.
type ABSlots struct {
	Dir string
	// MaxBoots is how many boots a trial slot gets before the bootloader
	// falls back to the good slot (default 3).
	MaxBoots int
}

// BootRecord is the bootloader's state.
type BootRecord struct {
	Good     string `json:"good"`            // "a" or "b"
	Trial    string `json:"trial,omitempty"` // slot to try, "" for none
	Attempts int    `json:"attempts"`        // boots of the trial slot so far
	Running  string `json:"running"`         // slot booted last
}

func (s *ABSlots) recordPath() string { return filepath.Join(s.Dir, "boot.json") }

// SlotPath is the file holding a slot's image.
func (s *ABSlots) SlotPath(slot string) string { return filepath.Join(s.Dir, "slot-"+slot+".img") }

// Record reads the boot record; a new slot directory starts on slot a.
func (s *ABSlots) Record() (BootRecord, error) {
	b, err := os.ReadFile(s.recordPath())
	if errors.Is(err, fs.ErrNotExist) {
		return BootRecord{Good: "a", Running: "a"}, nil
	}
	if err != nil {
		return BootRecord{}, err
	}
	var r BootRecord
	if err := json.Unmarshal(b, &r); err != nil || (r.Good != "a" && r.Good != "b") {
		return BootRecord{}, fmt.Errorf("boot record %s is damaged", s.recordPath())
	}
	return r, nil
}

func (s *ABSlots) save(r BootRecord) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	b, _ := json.Marshal(r)
	return state.WriteFileAtomic(s.recordPath(), b, 0o600)
}

func other(slot string) string {
	if slot == "a" {
		return "b"
	}
	return "a"
}

// Install copies the image into the slot that is not the good one.
func (s *ABSlots) Install(ctx context.Context, img Image) error {
	r, err := s.Record()
	if err != nil {
		return err
	}
	if r.Trial != "" {
		return errors.New("a slot is already on trial; commit or roll back first")
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return err
	}
	dst := s.SlotPath(other(r.Good))
	tmp := dst + ".writing"
	if err := copyFile(ctx, img.Path, tmp, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return state.SyncDir(s.Dir)
}

// Activate sets the written slot to boot once, on trial.
func (s *ABSlots) Activate(context.Context) error {
	r, err := s.Record()
	if err != nil {
		return err
	}
	if r.Trial == other(r.Good) {
		return nil
	}
	r.Trial, r.Attempts = other(r.Good), 0
	return s.save(r)
}

// Boot is the bootloader at power-on: it boots the trial slot while it has
// boots left, otherwise the good slot, and records which it chose.
func (s *ABSlots) Boot() (string, error) {
	r, err := s.Record()
	if err != nil {
		return "", err
	}
	max := s.MaxBoots
	if max <= 0 {
		max = 3
	}
	r.Running = r.Good
	if r.Trial != "" {
		r.Attempts++
		if r.Attempts <= max {
			r.Running = r.Trial
		} else {
			r.Trial, r.Attempts = "", 0 // too many failed boots: fall back
		}
	}
	return r.Running, s.save(r)
}

// TrialRunning reports whether the running slot is the one on trial.
func (s *ABSlots) TrialRunning(context.Context) (bool, error) {
	r, err := s.Record()
	return err == nil && r.Trial != "" && r.Running == r.Trial, err
}

// Commit makes the trial slot the good one.
func (s *ABSlots) Commit(context.Context) error {
	r, err := s.Record()
	if err != nil {
		return err
	}
	if r.Trial == "" {
		return nil
	}
	r.Good, r.Trial, r.Attempts = r.Trial, "", 0
	return s.save(r)
}

// Rollback cancels the trial; the next boot runs the good slot.
func (s *ABSlots) Rollback(context.Context) error {
	r, err := s.Record()
	if err != nil {
		return err
	}
	r.Trial, r.Attempts = "", 0
	return s.save(r)
}

// contextReader stops a copy when ctx ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// copyFile copies src to a new file dst with perm and fsyncs it, stopping
// when ctx ends. The caller renames dst into place.
func copyFile(ctx context.Context, src, dst string, perm os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, contextReader{ctx, in}); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
