package install

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// Exec hands the verified image to the device's own update tool. Each
// command is a program and its arguments, run without a shell; the
// argument "{image}" is replaced by the image's path and "{version}" by its
// version. Empty commands are skipped.
type Exec struct {
	InstallCmd  []string // e.g. rauc install {image}
	ActivateCmd []string // often empty: the tool activates on install
	// TrialCmd exits 0 when the device runs the newly installed image.
	// Without it, the agent assumes it does after a restart.
	TrialCmd    []string
	CommitCmd   []string // e.g. rauc status mark-good
	RollbackCmd []string // e.g. rauc status mark-bad
	image       Image
}

func (e *Exec) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return nil
	}
	expanded := make([]string, len(args))
	for i, a := range args {
		a = strings.ReplaceAll(a, "{image}", e.image.Path)
		expanded[i] = strings.ReplaceAll(a, "{version}", e.image.Version)
	}
	cmd := exec.CommandContext(ctx, expanded[0], expanded[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if len(msg) > 500 {
			msg = msg[len(msg)-500:]
		}
		return fmt.Errorf("%s: %w: %s", expanded[0], err, msg)
	}
	return nil
}

// Install runs InstallCmd.
func (e *Exec) Install(ctx context.Context, img Image) error {
	if len(e.InstallCmd) == 0 {
		return errors.New("exec installer: no install command")
	}
	e.image = img
	return e.run(ctx, e.InstallCmd)
}

// Activate runs ActivateCmd.
func (e *Exec) Activate(ctx context.Context) error { return e.run(ctx, e.ActivateCmd) }

// TrialRunning runs TrialCmd.
func (e *Exec) TrialRunning(ctx context.Context) (bool, error) {
	if len(e.TrialCmd) == 0 {
		return true, nil
	}
	err := e.run(ctx, e.TrialCmd)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return false, nil
	}
	return err == nil, err
}

// Commit runs CommitCmd.
func (e *Exec) Commit(ctx context.Context) error { return e.run(ctx, e.CommitCmd) }

// Rollback runs RollbackCmd.
func (e *Exec) Rollback(ctx context.Context) error { return e.run(ctx, e.RollbackCmd) }
