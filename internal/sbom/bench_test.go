package sbom_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/sbom"
)

// largeCycloneDX builds a CycloneDX 1.5 JSON BOM with n components, each
// with a purl, a CPE, a SHA-256 hash and a license, and a dependency chain.
func largeCycloneDX(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"metadata":{"timestamp":"2026-01-01T00:00:00Z","component":{"bom-ref":"root","type":"firmware","name":"fw","version":"1.0"}},"components":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"bom-ref":"c%d","type":"library","name":"pkg%d","version":"1.%d.0","purl":"pkg:generic/pkg%d@1.%d.0","cpe":"cpe:2.3:a:pkg%d_project:pkg%d:1.%d.0:*:*:*:*:*:*:*","hashes":[{"alg":"SHA-256","content":"%064X"}],"licenses":[{"license":{"id":"MIT"}}]}`, i, i, i, i, i, i, i, i, i)
	}
	b.WriteString(`],"dependencies":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if i+1 < n {
			fmt.Fprintf(&b, `{"ref":"c%d","dependsOn":["c%d"]}`, i, i+1)
		} else {
			fmt.Fprintf(&b, `{"ref":"c%d"}`, i)
		}
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

func BenchmarkParse(b *testing.B) {
	data := largeCycloneDX(50_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := sbom.Parse(bytes.NewReader(data), sbom.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if len(doc.Components) != 50_000 {
			b.Fatalf("%d components", len(doc.Components))
		}
	}
}
