package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/state"
)

// SettingsFile is the owner's update settings, in the state directory.
const SettingsFile = "settings.json"

// Settings are the device owner's choices about automatic updates
// (EN 303 645 provisions 5.3-4 and 5.3-6; CRA Annex I part I 1(2)(c): on
// by default, with a way for the user to turn them off or postpone them).
// The lifeline-agent commands "updates on|off" and "postpone" write them;
// the daemon reads them before every install, so a change takes effect at
// once. Manual installs ignore them.
type Settings struct {
	// AutoUpdate is the owner's choice; nil means the owner has not chosen
	// and the manufacturer's default (the configuration) applies.
	AutoUpdate *bool `json:"auto_update,omitempty"`
	// PostponeUntil holds automatic installs until then.
	PostponeUntil time.Time `json:"postpone_until,omitzero"`
}

// LoadSettings reads the settings in dir; none saved is the zero Settings.
func LoadSettings(dir string) (Settings, error) {
	var s Settings
	b, err := os.ReadFile(filepath.Join(dir, SettingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s is damaged: %w", filepath.Join(dir, SettingsFile), err)
	}
	return s, nil
}

// SaveSettings replaces the settings in dir atomically.
func SaveSettings(dir string, s Settings) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return state.WriteFileAtomic(filepath.Join(dir, SettingsFile), b, 0o600)
}

// Held says why automatic installs are held at now, or "" if they are not.
// defaultOn is the manufacturer's default for AutoUpdate.
func (s Settings) Held(now time.Time, defaultOn bool) string {
	on := defaultOn
	if s.AutoUpdate != nil {
		on = *s.AutoUpdate
	}
	switch {
	case !on:
		return "automatic updates are off"
	case now.Before(s.PostponeUntil):
		return "updates are postponed until " + s.PostponeUntil.Local().Format("2006-01-02 15:04 MST")
	}
	return ""
}
