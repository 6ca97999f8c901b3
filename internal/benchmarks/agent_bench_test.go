package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-iot/lifeline/internal/agent/agenttest"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct{ left int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.left)
	for i := range b[:n] {
		b[i] = byte(i*31 + int(p.left))
	}
	p.left -= n
	return int(n), nil
}

// BenchmarkAgentInstallPeakRSS installs a 1 GiB image with the real
// lifeline-agent binary (A/B slots) from a live server and records the
// agent process's peak resident memory; then downloads the same target with
// go-tuf's own Updater.DownloadTarget for comparison. Set
// LIFELINE_BENCH_IMAGE_MIB to change the size.
func BenchmarkAgentInstallPeakRSS(b *testing.B) {
	size := int64(1024) << 20
	if s := os.Getenv("LIFELINE_BENCH_IMAGE_MIB"); s != "" {
		var mib int64
		if err := json.Unmarshal([]byte(s), &mib); err == nil && mib > 0 {
			size = mib << 20
		}
	}
	dir := b.TempDir()
	agentBin := filepath.Join(dir, "lifeline-agent")
	baseBin := filepath.Join(dir, "gotufdownload")
	for bin, pkg := range map[string]string{agentBin: "../../cmd/lifeline-agent", baseBin: "./testdata/gotufdownload"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			b.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
	r := agenttest.New(b)
	ctx := context.Background()
	if _, err := r.Env.Service.CreateRelease(ctx, r.P, r.Slug, registry.Release{Version: "2.0.0"}); err != nil {
		b.Fatal(err)
	}
	if _, err := r.Env.Service.UploadImage(ctx, r.P, r.Slug, "2.0.0", "fw.bin", &patternReader{left: size}); err != nil {
		b.Fatal(err)
	}
	if _, err := r.Env.Service.SignRelease(ctx, r.P, r.Slug, "2.0.0"); err != nil {
		b.Fatal(err)
	}
	rootFile := filepath.Join(dir, "root.json")
	if err := os.WriteFile(rootFile, r.Root, 0o644); err != nil {
		b.Fatal(err)
	}

	maxRSS := func(cmd *exec.Cmd) (float64, time.Duration) {
		start := time.Now()
		peak, err := peakRSS(cmd)
		if err != nil {
			b.Fatal(err)
		}
		return float64(peak) / (1 << 20), time.Since(start)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run := filepath.Join(dir, "run", time.Now().Format("150405.000000"))
		cfg, _ := json.Marshal(map[string]any{
			"repository": r.URL, "root_file": rootFile, "state_dir": filepath.Join(run, "state"),
			"product": agenttest.Product, "hardware_revision": "rev-a", "version": "1.0.0",
			"installer": "ab", "slots_dir": filepath.Join(run, "slots"),
		})
		cfgFile := filepath.Join(dir, "agent.json")
		if err := os.WriteFile(cfgFile, cfg, 0o644); err != nil {
			b.Fatal(err)
		}
		agentRSS, agentTime := maxRSS(exec.Command(agentBin, "-config", cfgFile, "install", "2.0.0/fw.bin"))
		if fi, err := os.Stat(filepath.Join(run, "slots", "slot-b.img")); err != nil || fi.Size() != size {
			b.Fatalf("slot b after install: %v", err)
		}
		baseRSS, baseTime := maxRSS(exec.Command(baseBin, r.URL+"metadata", r.URL+"targets", rootFile, "2.0.0/fw.bin", filepath.Join(run, "gotuf"), r.Env.Clock.Now().Format(time.RFC3339)))
		b.ReportMetric(agentRSS, "agent-peak-RSS-MiB")
		b.ReportMetric(baseRSS, "go-tuf-peak-RSS-MiB")
		b.ReportMetric(agentTime.Seconds(), "agent-s")
		b.ReportMetric(baseTime.Seconds(), "go-tuf-s")
		os.RemoveAll(run)
	}
}

// peakRSS runs cmd and returns its peak resident set size in bytes, read
// from /proc/PID/status (VmHWM) every few milliseconds while it runs. The
// rusage that wait4 returns is no use here: Go starts children with
// vfork, so their high-water mark includes the parent's memory.
func peakRSS(cmd *exec.Cmd) (int64, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var peak int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(status); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					peak = max(peak, kb<<10)
				}
			}
		}
		select {
		case err := <-done:
			if err != nil && cmd.ProcessState.ExitCode() != 3 { // 3: installed, restart required
				return peak, fmt.Errorf("%s: %v\n%s", cmd.Path, err, out.String())
			}
			return peak, nil
		case <-tick.C:
		}
	}
}
