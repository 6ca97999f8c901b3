// Package install puts a verified firmware image where the device will run
// it, without ever touching the image the device runs now, so an
// interrupted install leaves the device bootable.
//
// Three installers cover the usual device designs:
//
//   - ABSlots: two slots (partitions, or files in tests and simulations),
//     one running, one written; a boot-once flag tries the new slot and the
//     bootloader falls back after too many boots without a commit;
//   - Exec: hands the verified file to the device's own update tool, such as
//     `rauc install` or `swupdate -i`, and calls it again to commit or roll back;
//   - Directory: application bundles in versioned directories with a
//     `current` symlink switched atomically.
package install

import (
	"context"
)

// Image is the verified image to install.
type Image struct {
	Path    string // on local disk, already verified against signed metadata
	Version string
	Target  string // TUF target path
}

// Installer installs images. Every method must be idempotent: after a
// power cut the agent repeats the step it was in.
type Installer interface {
	// Install writes img to where it will run next. It must not change
	// what runs now.
	Install(ctx context.Context, img Image) error
	// Activate arranges for the new image to run on trial from the next
	// (re)start; a device that fails to start it falls back by itself.
	Activate(ctx context.Context) error
	// TrialRunning reports, after a restart, whether the device runs the
	// image under trial (true) or has fallen back to the previous one.
	TrialRunning(ctx context.Context) (bool, error)
	// Commit makes the image under trial the one the device runs from now on.
	Commit(ctx context.Context) error
	// Rollback abandons the image under trial.
	Rollback(ctx context.Context) error
}
