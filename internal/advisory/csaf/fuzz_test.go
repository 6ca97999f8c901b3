package csaf_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/advisory/csaf"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(productTree))
	f.Add([]byte(`{"document":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := csaf.Parse(data, csaf.Limits{MaxBytes: 1 << 20})
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %v: %v", k, err)
			}
			return
		}
		for _, a := range doc.Advisories {
			if a.ID == "" {
				t.Fatal("advisory without id")
			}
			for _, af := range a.Affected {
				if (af.Package == nil) == (af.CPE == nil) {
					t.Fatalf("affected entry with both or neither of package and CPE: %+v", af)
				}
			}
		}
	})
}
