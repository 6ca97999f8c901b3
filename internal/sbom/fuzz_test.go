package sbom_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/sbom"
)

// FuzzParse checks that Parse never panics and either fails or returns a
// document whose components all have refs.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if filepath.Ext(name) == ".md" {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"x"}]}`))
	f.Add([]byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := sbom.Parse(bytes.NewReader(data), sbom.Limits{MaxBytes: 1 << 20, MaxComponents: 10_000, MaxDepth: 32})
		if err != nil {
			return
		}
		if doc == nil {
			t.Fatal("nil document without an error")
		}
		seen := map[string]bool{}
		for _, c := range doc.Components {
			if c.Ref == "" {
				t.Fatalf("component %q has an empty ref", c.Name)
			}
			if seen[c.Ref] {
				t.Fatalf("duplicate ref %q", c.Ref)
			}
			seen[c.Ref] = true
		}
	})
}
