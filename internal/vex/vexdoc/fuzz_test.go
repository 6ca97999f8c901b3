package vexdoc_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/vex"
	"github.com/lifeline-iot/lifeline/internal/vex/vexdoc"
)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, name := range files {
		if filepath.Ext(name) != ".json" && filepath.Ext(name) != ".xml" {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, _, err := vexdoc.Parse(data, vexdoc.Limits{MaxBytes: 1 << 20})
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %v: %v", k, err)
			}
			return
		}
		for _, s := range sts {
			switch s.Status {
			case vex.StatusNotAffected, vex.StatusAffected, vex.StatusFixed, vex.StatusUnderInvestigation:
			default:
				t.Fatalf("statement with status %q", s.Status)
			}
			vex.Applies(s, vex.Target{Ref: "a", PURL: "pkg:generic/a@1", CPEs: []string{"cpe:2.3:a:a:a:1:*:*:*:*:*:*:*"}, Name: "a", Version: "1"})
		}
	})
}
