package install

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/lifeline-iot/lifeline/internal/agent/state"
)

// Directory installs application bundles: each version in its own
// directory under Dir/versions, with Dir/current a symlink to the one that
// runs, switched atomically by renaming a new symlink over it. The version
// that ran before stays until the next commit, for rollback.
type Directory struct {
	Dir string
}

func (d *Directory) link(name string) string { return filepath.Join(d.Dir, name) }

func (d *Directory) target(name string) (string, error) {
	t, err := os.Readlink(d.link(name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	return t, err
}

// swap points the symlink name at target atomically.
func (d *Directory) swap(name, target string) error {
	tmp := d.link("." + name + ".new")
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, d.link(name)); err != nil {
		return err
	}
	return state.SyncDir(d.Dir)
}

func (d *Directory) versionDir(v string) string { return filepath.Join("versions", v) }

// Install copies the image into versions/<version>/.
func (d *Directory) Install(ctx context.Context, img Image) error {
	dir := filepath.Join(d.Dir, d.versionDir(img.Version))
	tmp := dir + ".writing"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	if err := copyFile(ctx, img.Path, filepath.Join(tmp, filepath.Base(img.Target)), 0o644); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	if err := state.SyncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	return d.swap("next", d.versionDir(img.Version))
}

// Activate switches current to the new version, keeping the old one as previous.
func (d *Directory) Activate(context.Context) error {
	next, err := d.target("next")
	if err != nil || next == "" {
		return errors.New("directory installer: nothing installed to activate")
	}
	cur, err := d.target("current")
	if err != nil {
		return err
	}
	if cur == next {
		return nil
	}
	if cur != "" {
		if err := d.swap("previous", cur); err != nil {
			return err
		}
	}
	return d.swap("current", next)
}

// TrialRunning reports whether current is the newly installed version.
func (d *Directory) TrialRunning(context.Context) (bool, error) {
	next, err := d.target("next")
	if err != nil {
		return false, err
	}
	cur, err := d.target("current")
	return next != "" && cur == next, err
}

// Commit drops the previous version.
func (d *Directory) Commit(context.Context) error {
	prev, err := d.target("previous")
	if err != nil {
		return err
	}
	_ = os.Remove(d.link("next"))
	if prev == "" {
		return nil
	}
	if err := os.Remove(d.link("previous")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.RemoveAll(filepath.Join(d.Dir, prev))
}

// Rollback points current back at the previous version.
func (d *Directory) Rollback(context.Context) error {
	prev, err := d.target("previous")
	if err != nil {
		return err
	}
	next, _ := d.target("next")
	if prev != "" {
		if err := d.swap("current", prev); err != nil {
			return err
		}
	}
	_ = os.Remove(d.link("next"))
	if next != "" && next != prev {
		return os.RemoveAll(filepath.Join(d.Dir, next))
	}
	return nil
}
