package install

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeImage(t *testing.T, dir, content string) Image {
	t.Helper()
	p := filepath.Join(dir, "img-"+content)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return Image{Path: p, Version: content, Target: content + "/fw.bin"}
}

func TestExecInstaller(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	record := func(step string) []string {
		return []string{"sh", "-c", `echo "` + step + ` $0" >> ` + log, "{image}"}
	}
	e := &Exec{InstallCmd: record("install"), CommitCmd: record("commit"), RollbackCmd: record("rollback"),
		TrialCmd: []string{"sh", "-c", "test -f " + filepath.Join(dir, "booted-new")}}
	img := writeImage(t, dir, "2.0")
	ctx := context.Background()
	if err := e.Install(ctx, img); err != nil {
		t.Fatal(err)
	}
	if err := e.Activate(ctx); err != nil { // no activate command: nothing to do
		t.Fatal(err)
	}
	if running, err := e.TrialRunning(ctx); err != nil || running {
		t.Fatalf("trial before the restart: %v %v", running, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "booted-new"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if running, err := e.TrialRunning(ctx); err != nil || !running {
		t.Fatalf("trial after the restart: %v %v", running, err)
	}
	if err := e.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(log)
	if got := string(b); got != "install "+img.Path+"\ncommit "+img.Path+"\n" {
		t.Fatalf("commands ran:\n%s", got)
	}
	failing := &Exec{InstallCmd: []string{"sh", "-c", "echo flash full >&2; exit 3"}}
	if err := failing.Install(ctx, img); err == nil || !strings.Contains(err.Error(), "flash full") {
		t.Fatalf("failing install: %v", err)
	}
	if err := (&Exec{}).Install(ctx, img); err == nil {
		t.Fatal("install without a command succeeded")
	}
}

func TestDirectoryInstaller(t *testing.T) {
	dir := t.TempDir()
	d := &Directory{Dir: filepath.Join(dir, "app")}
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	current := func() string {
		b, err := os.ReadFile(filepath.Join(d.Dir, "current", "fw.bin"))
		if err != nil {
			return ""
		}
		return string(b)
	}
	for _, v := range []string{"1.0", "2.0"} {
		if err := d.Install(ctx, writeImage(t, dir, v)); err != nil {
			t.Fatal(err)
		}
		if err := d.Activate(ctx); err != nil {
			t.Fatal(err)
		}
		if running, _ := d.TrialRunning(ctx); !running {
			t.Fatalf("%s: not running after activation", v)
		}
		if err := d.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if current() != "2.0" {
		t.Fatalf("current = %q", current())
	}
	if _, err := os.Stat(filepath.Join(d.Dir, "versions", "1.0")); !os.IsNotExist(err) {
		t.Fatal("the version before the committed one was kept")
	}
	// 3.0 fails its trial: rollback restores 2.0 and removes 3.0.
	if err := d.Install(ctx, writeImage(t, dir, "3.0")); err != nil {
		t.Fatal(err)
	}
	if current() != "2.0" {
		t.Fatal("install changed what runs")
	}
	if err := d.Activate(ctx); err != nil {
		t.Fatal(err)
	}
	if current() != "3.0" {
		t.Fatalf("current after activation = %q", current())
	}
	if err := d.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if current() != "2.0" {
		t.Fatalf("current after rollback = %q", current())
	}
	if _, err := os.Stat(filepath.Join(d.Dir, "versions", "3.0")); !os.IsNotExist(err) {
		t.Fatal("the rolled-back version was kept")
	}
}

func TestABSlotsBootCounting(t *testing.T) {
	s := &ABSlots{Dir: t.TempDir(), MaxBoots: 2}
	ctx := context.Background()
	if err := s.Install(ctx, writeImage(t, t.TempDir(), "2.0")); err != nil {
		t.Fatal(err)
	}
	if err := s.Install(ctx, writeImage(t, t.TempDir(), "2.1")); err != nil {
		t.Fatal("reinstalling before activation failed:", err)
	}
	if err := s.Activate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Install(ctx, writeImage(t, t.TempDir(), "2.2")); err == nil {
		t.Fatal("installed over a slot on trial")
	}
	for i, want := range []string{"b", "b", "a", "a"} {
		got, err := s.Boot()
		if err != nil || got != want {
			t.Fatalf("boot %d: %s %v, want %s", i+1, got, err, want)
		}
	}
	if r, _ := s.Record(); r.Good != "a" || r.Trial != "" {
		t.Fatalf("after too many boots: %+v", r)
	}
}
