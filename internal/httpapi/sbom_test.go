package httpapi_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/testenv"
)

// TestReleaseSBOMs attaches real SBOMs (made by syft and by Yocto) to a
// release through the API, reads them back, and refuses what is not one.
func TestReleaseSBOMs(t *testing.T) {
	env := testenv.NewSQLite(t)
	org := env.Org(t, "acme", access.Manufacturer)
	p := access.System("test").InOrg(org.ID)
	ctx := context.Background()
	_, err := env.Service.CreateProduct(ctx, p, registry.Product{Slug: "plug", Name: "Plug", ModelDesignation: "P-1", Category: "Plug"})
	must(t, err)
	_, err = env.Service.CreateRelease(ctx, p, "plug", registry.Release{Version: "1.0"})
	must(t, err)
	tok := org.Tokens[access.Maintainer]
	path := "/api/v1/products/plug/releases/1.0/sbom"
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "sbom", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	status, body := call(t, env, "GET", path, tok, nil)
	if code, _, _ := errorOf(t, body); status != 404 || code != "sbom_not_found" {
		t.Fatalf("before upload: %d %s", status, body)
	}
	tests := []struct {
		file, format string
		component    string // a purl or name that must be listed
	}{
		{"syft-alpine.cdx15.json", "cyclonedx-1.5-json", "pkg:apk/alpine/busybox"},
		{"syft-alpine.spdx23.tv", "spdx-2.3-tag-value", "busybox"},
		{"yocto-core-image-minimal.spdx3.json", "spdx-3.0.1-json-ld", "libz1"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			status, body := send(t, env, "PUT", path, tok, "application/octet-stream", strings.NewReader(string(fixture(tt.file))))
			if status != 200 || !strings.Contains(string(body), `"format":"`+tt.format+`"`) {
				t.Fatalf("upload: %d %s", status, body)
			}
			status, body = call(t, env, "GET", path, tok, nil)
			var resp struct {
				Format     string
				Components int
				List       []struct{ Name, Purl string } `json:"component_list"`
			}
			mustDecode(t, body, &resp)
			if status != 200 || resp.Format != tt.format || resp.Components == 0 || len(resp.List) != resp.Components {
				t.Fatalf("read back: %d %+v", status, resp)
			}
			found := false
			for _, c := range resp.List {
				found = found || strings.HasPrefix(c.Purl, tt.component) || c.Name == tt.component
			}
			if !found {
				t.Fatalf("%s not among %d components", tt.component, len(resp.List))
			}
		})
	}
	// Not an SBOM: refused, and the SBOM before it stays.
	for _, bad := range []string{`{"hello":"world"}`, `<html></html>`, "", strings.Repeat("[", 100_000)} {
		status, body := send(t, env, "PUT", path, tok, "application/json", strings.NewReader(bad))
		if status < 400 || status >= 500 {
			t.Fatalf("bad SBOM %.20q: %d %s", bad, status, body)
		}
	}
	if _, body := call(t, env, "GET", path, tok, nil); !strings.Contains(string(body), `"format":"spdx-3.0.1-json-ld"`) {
		t.Fatalf("a refused upload changed the SBOM: %s", body)
	}
	// Viewers read but do not write.
	if status, _ := send(t, env, "PUT", path, org.Tokens[access.Viewer], "application/json", strings.NewReader(string(fixture("syft-alpine.cdx16.json")))); status != 403 {
		t.Fatalf("viewer upload: %d", status)
	}
}
