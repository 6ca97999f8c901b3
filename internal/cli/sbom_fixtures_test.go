package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// TestFirmwareSBOMUpload uploads two real firmware SBOMs from the sbom
// package's fixtures (a Yocto SPDX 3 rootfs SBOM and a Buildroot
// generate-cyclonedx SBOM) with `lifeline release sbom upload` and reads
// them back with `lifeline release sbom show`.
func TestFirmwareSBOMUpload(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	t.Setenv("LIFELINE_SERVER", env.URL)
	t.Setenv("LIFELINE_TOKEN", org.Tokens[access.Owner])
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())

	mustRun(t, "product", "create", "--name", "Acme Router", "--model", "AR-1", "--category", "Router")
	mustRun(t, "release", "create", "acme-router", "1.3.0")
	mustRun(t, "release", "create", "acme-router", "1.4.0")

	fixtures := filepath.Join("..", "sbom", "testdata")
	tests := []struct {
		version, file string
		attached      string   // the upload's summary line
		header        string   // the first line of `sbom show`
		rows          []string // table rows (name, version, purl, CPE) that must be listed
		components    int
		names         []string // component names in the JSON listing
	}{
		{
			version:    "1.3.0",
			file:       "yocto-core-image-minimal.spdx3.json",
			attached:   "attached spdx-3.0.1-json-ld with 6 components and 2 VEX statements to release 1.3.0",
			header:     "spdx-3.0.1-json-ld, 6 components, uploaded ",
			rows:       []string{"libz1", "1.3.1", "cpe:2.3:*:zlib:zlib:1.3.1:*:*:*:*:*:*:* cpe:2.3:*:gnu:zlib:1.3.1:*:*:*:*:*:*:*", "usr/lib/libz.so.1.3.1"},
			components: 6,
			names:      []string{"libz1", "usr/lib/libz.so.1.3.1"},
		},
		{
			version:    "1.4.0",
			file:       "buildroot-2024.11.1.cdx.json",
			attached:   "attached cyclonedx-1.6-json with 20 components and 4 VEX statements to release 1.4.0",
			header:     "cyclonedx-1.6-json, 20 components, uploaded ",
			rows:       []string{"busybox", "1.36.1", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", "cpe:2.3:a:libconfuse_project:libconfuse:3.3:*:*:*:*:*:*:*", "ifupdown-scripts"},
			components: 20,
			names:      []string{"busybox", "libopenssl", "libconfuse", "hostapd", "pkgconf", "ifupdown-scripts", "linux"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out := mustRun(t, "release", "sbom", "upload", "acme-router", tt.version, filepath.Join(fixtures, tt.file))
			if strings.TrimSpace(out) != tt.attached {
				t.Errorf("upload printed %q, want %q", out, tt.attached)
			}

			out = mustRun(t, "release", "sbom", "show", "acme-router", tt.version)
			if !strings.HasPrefix(out, tt.header) {
				t.Errorf("show starts %q, want %q", firstLine(out), tt.header)
			}
			for _, want := range append([]string{"NAME", "VERSION", "PURL", "CPE"}, tt.rows...) {
				if !strings.Contains(out, want) {
					t.Errorf("show does not list %q:\n%s", want, out)
				}
			}

			out = mustRun(t, "release", "sbom", "show", "acme-router", tt.version, "-o", "json")
			var resp struct {
				Format     string `json:"format"`
				Components int    `json:"components"`
				List       []struct {
					Name    string   `json:"name"`
					Version string   `json:"version"`
					CPEs    []string `json:"cpes"`
				} `json:"component_list"`
			}
			if err := json.Unmarshal([]byte(out), &resp); err != nil {
				t.Fatalf("show -o json: %v\n%s", err, out)
			}
			if resp.Components != tt.components || len(resp.List) != tt.components {
				t.Errorf("components = %d, listed %d, want %d", resp.Components, len(resp.List), tt.components)
			}
			listed := map[string]bool{}
			for _, c := range resp.List {
				listed[c.Name] = true
			}
			for _, n := range tt.names {
				if !listed[n] {
					t.Errorf("component %q not listed in %s", n, out)
				}
			}
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
