// Package state is the agent's update state machine and its persistence.
//
// The state lives in one small JSON file, replaced atomically (written to a
// temporary file, fsynced, renamed over the old one, directory fsynced), so
// after a power cut the agent finds either the state before a step or the
// state after it, never a mixture. Each step of an update is idempotent, so
// resuming from the last saved state and repeating a step is always safe.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Phase is where an update stands.
type Phase string

// The phases, in the order an update passes through them.
const (
	Idle        Phase = "idle"         // nothing in progress
	Downloading Phase = "downloading"  // fetching the image (resumable)
	Downloaded  Phase = "downloaded"   // image on disk, length and hashes verified
	Installing  Phase = "installing"   // writing the image to the inactive slot
	Installed   Phase = "installed"    // written; the new slot is set to boot once
	Trial       Phase = "trial"        // running the new image, not yet committed
	RollingBack Phase = "rolling_back" // returning to the previous image
)

// Update is the update being applied.
type Update struct {
	Target         string    `json:"target"`  // TUF target path
	Version        string    `json:"version"` // version being installed
	SecurityUpdate bool      `json:"security_update,omitempty"`
	Length         int64     `json:"length"`
	SHA256         string    `json:"sha256"`
	File           string    `json:"file,omitempty"` // downloaded image
	StartedAt      time.Time `json:"started_at"`
	Boots          int       `json:"boots,omitempty"` // boots into the new image without a commit
	// ActivatedBoot is the boot ID when the new image was activated, to
	// tell a restart from a repeat of the same boot.
	ActivatedBoot string `json:"activated_boot,omitempty"`
}

// State is everything the agent must remember across restarts.
type State struct {
	Phase Phase `json:"phase"`
	// Installed is the version running and committed.
	Installed string `json:"installed"`
	// Previous is the version before Installed, for reports.
	Previous string `json:"previous,omitempty"`
	// Update is the update in progress; nil when Idle.
	Update *Update `json:"update,omitempty"`
	// LastError describes the last failed or rolled back update.
	LastError string `json:"last_error,omitempty"`
	// Failed lists target paths that failed their health check, so they are
	// not retried until the server offers something else.
	Failed []string `json:"failed,omitempty"`
}

// Store keeps the state in a file.
type Store struct {
	path string
}

// Open returns the state store in dir, creating the directory if needed.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Store{path: filepath.Join(dir, "state.json")}, nil
}

// Load reads the state; a missing file is a fresh Idle state with the
// given installed version.
func (s *Store) Load(installed string) (State, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return State{Phase: Idle, Installed: installed}, nil
	}
	if err != nil {
		return State{}, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return State{}, fmt.Errorf("agent state %s is damaged: %w", s.path, err)
	}
	if err := st.valid(); err != nil {
		return State{}, fmt.Errorf("agent state %s: %w", s.path, err)
	}
	return st, nil
}

func (st State) valid() error {
	switch st.Phase {
	case Idle:
		return nil
	case Downloading, Downloaded, Installing, Installed, Trial, RollingBack:
		if st.Update == nil {
			return fmt.Errorf("phase %s without an update", st.Phase)
		}
		return nil
	}
	return fmt.Errorf("unknown phase %q", st.Phase)
}

// Save replaces the state atomically.
func (s *Store) Save(st State) error {
	if err := st.valid(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(s.path, b, 0o600)
}

// WriteFileAtomic writes data to path so that a crash leaves either the old
// file or the new one: temporary file, fsync, rename, fsync of the directory.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename this fails harmlessly
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory so a rename in it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
