package agent

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestAgentDependencies keeps server code and database drivers out of the
// agent: it lists everything the agent's packages link (not their tests)
// and fails on a database driver or on a Lifeline package other than the
// agent's own, internal/version and internal/deviceapi (the device API
// contract agent and server share; what it links is checked here too).
//
// Test helper packages under internal/agent (named *test, like agenttest)
// start a real server and are not roots here; if agent code imported one,
// the server code it links would show up below and fail the test.
func TestAgentDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH: %v", err)
	}
	const module = "github.com/lifeline-iot/lifeline/"
	out, err := exec.Command(goTool, "list", "-f", "{{.ImportPath}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr(err))
	}
	var roots []string
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasSuffix(p, "test") {
			roots = append(roots, p)
		}
	}
	// The agent binary, when it is there.
	if _, err := os.Stat("../../cmd/lifeline-agent"); err == nil {
		roots = append(roots, "../../cmd/lifeline-agent")
	}
	if !slices.Contains(roots, module+"internal/agent/engine") {
		t.Fatalf("the agent's packages are not among %v", roots)
	}
	out, err = exec.Command(goTool, append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, roots...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, stderr(err))
	}
	drivers := []string{"database/sql", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/mattn/go-sqlite3", "github.com/lib/pq"}
	deps := strings.Fields(string(out))
	for _, dep := range deps {
		for _, d := range drivers {
			if dep == d || strings.HasPrefix(dep, d+"/") {
				t.Errorf("the agent links the database package %s", dep)
			}
		}
		if rest, ok := strings.CutPrefix(dep, module+"internal/"); ok &&
			rest != "version" && rest != "deviceapi" && rest != "agent" && !strings.HasPrefix(rest, "agent/") {
			t.Errorf("the agent links server package %s", dep)
		}
		if strings.HasPrefix(dep, module+"internal/agent/") && strings.HasSuffix(dep, "test") {
			t.Errorf("the agent links the test helper %s", dep)
		}
	}
	if len(deps) < len(roots) {
		t.Fatalf("go list -deps listed %d packages for %d roots", len(deps), len(roots))
	}
}

func stderr(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}
