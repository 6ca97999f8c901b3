package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/cli"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// run runs the lifeline command with args and returns its exit code, stdout and stderr.
func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, "", args...)
	if code != 0 {
		t.Fatalf("lifeline %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestRemoteCommands(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	t.Setenv("LIFELINE_SERVER", env.URL)
	t.Setenv("LIFELINE_TOKEN", org.Tokens[access.Owner])
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())

	out := mustRun(t, "product", "create", "--name", "Smart Plug Mini", "--model", "SP-200", "--category", "Smart plug")
	if !strings.Contains(out, "created product smart-plug-mini") {
		t.Fatalf("create: %s", out)
	}
	mustRun(t, "product", "revision", "add", "smart-plug-mini", "rev-A")
	mustRun(t, "release", "create", "smart-plug-mini", "1.0.0", "--date", "2026-01-15")
	mustRun(t, "release", "create", "smart-plug-mini", "1.1.0", "--notes", "Fixes CVE-2026-0001")
	out = mustRun(t, "support-period", "set", "smart-plug-mini", "2030-06")
	if !strings.Contains(out, "June 2030") || !strings.Contains(out, "declared") {
		t.Fatalf("support-period set: %s", out)
	}
	mustRun(t, "product", "update", "smart-plug-mini", "--publish")
	code, _, errOut := run(t, "", "support-period", "set", "smart-plug-mini", "2029-01")
	if code != 1 || !strings.Contains(errOut, "refusing to shorten") {
		t.Fatalf("shortening without --force: exit %d: %s", code, errOut)
	}
	out = mustRun(t, "support-period", "set", "smart-plug-mini", "2029-01", "--force", "--reason", "SoC vendor ended support")
	if !strings.Contains(out, "Shortened:    yes") {
		t.Fatalf("forced shortening: %s", out)
	}

	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("serial,hardware_revision,installed_version\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&csv, "SP%04d,rev-A,1.1.0\n", i)
	}
	good := filepath.Join(dir, "fleet.csv")
	os.WriteFile(good, []byte(csv.String()), 0o600)
	code, out, errOut = run(t, "", "device", "import", "smart-plug-mini", good)
	if code != 0 || !strings.Contains(out, "30 new") || !strings.Contains(errOut, "uploading 100%") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"serial":"SP0001","installed_version":"9.9"},{"serial":"bad serial"}]`), 0o600)
	code, _, errOut = run(t, "", "device", "import", "smart-plug-mini", bad)
	if code != 1 || !strings.Contains(errOut, "row 1: installed_version") || !strings.Contains(errOut, "row 2: serial") {
		t.Fatalf("bad import: exit %d: %s", code, errOut)
	}
	if out := mustRun(t, "device", "list", "--count", "--product", "smart-plug-mini"); strings.TrimSpace(out) != "30" {
		t.Fatalf("device count after a rejected import: %q", out)
	}

	out = mustRun(t, "device", "list", "--product", "smart-plug-mini", "--limit", "5", "-o", "json")
	var devs []map[string]any
	if err := json.Unmarshal([]byte(out), &devs); err != nil || len(devs) != 5 || devs[0]["serial"] != "SP0000" {
		t.Fatalf("device list json: %v %s", err, out)
	}
	out = mustRun(t, "product", "list")
	if !strings.Contains(out, "SP-200") || !strings.Contains(out, "2029-01 (shortened)") {
		t.Fatalf("product list: %s", out)
	}
	out = mustRun(t, "audit", "--action", "support_period.")
	if strings.Count(out, "support_period.") != 2 {
		t.Fatalf("audit: %s", out)
	}
	out = mustRun(t, "token", "create", "--name", "ci", "--scopes", "read")
	secret := strings.TrimSpace(out)
	if !strings.HasPrefix(secret, access.TokenPrefix) {
		t.Fatalf("token create printed %q", out)
	}
	t.Setenv("LIFELINE_TOKEN", secret)
	code, _, errOut = run(t, "", "product", "create", "--name", "X", "--model", "X", "--category", "X")
	if code != 1 || !strings.Contains(errOut, "does not allow") {
		t.Fatalf("write with a read token: exit %d %s", code, errOut)
	}
	mustRun(t, "org", "show")
}

func TestLoginSavesConfig(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	cfg := filepath.Join(t.TempDir(), "config.json")
	t.Setenv("LIFELINE_SERVER", "")
	t.Setenv("LIFELINE_TOKEN", "")
	code, out, errOut := run(t, org.Tokens[access.Viewer]+"\n", "login", "--server", env.URL, "--client-config", cfg)
	if code != 0 || !strings.Contains(out, "viewer@acme.example") {
		t.Fatalf("login: %d %s %s", code, out, errOut)
	}
	if st, err := os.Stat(cfg); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v %v", st, err)
	}
	if out := mustRun(t, "product", "list", "--client-config", cfg); !strings.Contains(out, "SLUG") {
		t.Fatalf("product list with saved config: %s", out)
	}
	code, _, errOut = run(t, "llt_bad\n", "login", "--server", env.URL, "--client-config", cfg)
	if code != 1 || !strings.Contains(errOut, "malformed API token") {
		t.Fatalf("login with a bad token: %d %s", code, errOut)
	}
}

func TestAdminCommands(t *testing.T) {
	data := t.TempDir()
	t.Setenv("LIFELINE_DATABASE", "")
	d := "--data=" + data
	out := mustRun(t, "admin", "setup-link", d)
	if !strings.Contains(out, "/setup?token=") {
		t.Fatalf("setup-link: %s", out)
	}
	mustRun(t, "admin", "org", "create", d, "--name", "Acme Devices", "--contact", "security@acme.example")
	code, _, errOut := run(t, "", "admin", "org", "create", d, "--name", "Acme Devices")
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate org: %d %s", code, errOut)
	}
	out = mustRun(t, "admin", "member", "add", d, "--org", "acme-devices", "--email", "ada@acme.example", "--name", "Ada", "--role", "owner")
	if !strings.Contains(out, "new account password: ") {
		t.Fatalf("member add: %s", out)
	}
	code, _, errOut = run(t, "short\n", "admin", "user", "set", d, "--email", "ada@acme.example", "--password-stdin")
	if code != 1 || !strings.Contains(errOut, "at least 12") {
		t.Fatalf("short password: %d %s", code, errOut)
	}
	code, out, errOut = run(t, "a much longer password\n", "admin", "user", "set", d, "--email", "ada@acme.example", "--password-stdin", "--site-admin")
	if code != 0 {
		t.Fatalf("set password: %s %s", out, errOut)
	}
	token := strings.TrimSpace(mustRun(t, "admin", "token", "create", d, "--org", "acme-devices", "--email", "ada@acme.example", "--scopes", "read,write"))
	if !strings.HasPrefix(token, access.TokenPrefix) {
		t.Fatalf("token: %q", token)
	}
	out = mustRun(t, "admin", "user", "list", d)
	if !strings.Contains(out, "ada@acme.example") || !strings.Contains(out, "true") {
		t.Fatalf("user list: %s", out)
	}
	if out := mustRun(t, "admin", "org", "list", d); !strings.Contains(out, "acme-devices") {
		t.Fatalf("org list: %s", out)
	}
	code, _, _ = run(t, "", "admin", "org", "create", d, "--bogus")
	if code != 2 {
		t.Fatalf("unknown flag: exit %d, want 2", code)
	}
}

func TestServeConfigPrecedence(t *testing.T) {
	// A config file with an unknown key is refused before anything starts.
	cfg := filepath.Join(t.TempDir(), "lifeline.json")
	os.WriteFile(cfg, []byte(`{"addr": "127.0.0.1:0", "colour": "blue"}`), 0o600)
	code, _, errOut := run(t, "", "serve", "--config", cfg, "--data", t.TempDir())
	if code != 2 || !strings.Contains(errOut, `unknown setting "colour"`) {
		t.Fatalf("unknown config key: %d %s", code, errOut)
	}
	// The environment beats the file: a bad log format from the environment is reported.
	os.WriteFile(cfg, []byte(`{"addr": "127.0.0.1:0", "log-format": "json"}`), 0o600)
	t.Setenv("LIFELINE_LOG_FORMAT", "xml")
	code, _, errOut = run(t, "", "serve", "--config", cfg, "--data", t.TempDir())
	if code != 2 || !strings.Contains(errOut, `not "xml"`) {
		t.Fatalf("env over file: %d %s", code, errOut)
	}
	// A flag beats the environment: the same run with --log-format=bogus names bogus.
	code, _, errOut = run(t, "", "serve", "--config", cfg, "--data", t.TempDir(), "--log-format", "bogus")
	if code != 2 || !strings.Contains(errOut, `not "bogus"`) {
		t.Fatalf("flag over env: %d %s", code, errOut)
	}
}
