package kev_test

import (
	"bytes"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/advisory/kev"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func FuzzRead(f *testing.F) {
	f.Add(fixture(f))
	f.Add([]byte(`{"vulnerabilities":[{"cveID":"CVE-2021-44228","dateAdded":"2021-12-10","knownRansomwareCampaignUse":"Known"}]}`))
	f.Add([]byte(`{"vulnerabilities":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := kev.Read(bytes.NewReader(data), kev.Limits{MaxBytes: 1 << 20})
		if err != nil {
			if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
				t.Fatalf("error of kind %v: %v", k, err)
			}
			return
		}
		for _, e := range cat.Entries {
			if len(e.CVE) < len("CVE-0000-0000") || e.Exploitation.DateAdded.IsZero() {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}
