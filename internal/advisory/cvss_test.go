package advisory_test

import (
	"testing"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestScoreVector(t *testing.T) {
	// Vectors and scores as NVD publishes them for the named CVEs.
	tests := []struct {
		name   string
		vector string
		typ    string
		score  float64
	}{
		{"CVE-2023-38545 curl SOCKS5", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", advisory.SeverityCVSSv3, 9.8},
		{"CVE-2024-3094 xz", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", advisory.SeverityCVSSv3, 10},
		{"CVE-2023-4863 libwebp", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", advisory.SeverityCVSSv3, 8.8},
		{"CVE-2022-33745 Xen", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", advisory.SeverityCVSSv3, 8.8},
		{"CVE-2020-13595 ESP-IDF v3.1", "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", advisory.SeverityCVSSv3, 6.5},
		{"CVE-2020-13595 ESP-IDF v2", "AV:A/AC:L/Au:N/C:N/I:N/A:P", advisory.SeverityCVSSv2, 3.3},
		{"CVE-2014-0160 Heartbleed v2", "AV:N/AC:L/Au:N/C:P/I:N/A:N", advisory.SeverityCVSSv2, 5},
		{"v2 in parentheses", "(AV:N/AC:L/Au:N/C:P/I:N/A:N)", advisory.SeverityCVSSv2, 5},
		{"v2 with prefix", "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:N/A:N", advisory.SeverityCVSSv2, 5},
		{"v3.0 network critical", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", advisory.SeverityCVSSv3, 9.8},
		{"v4.0 network high impact", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", advisory.SeverityCVSSv4, 9.3},
		{"v4.0 local low privileges", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", advisory.SeverityCVSSv4, 8.5},
		{"surrounding space", "  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n", advisory.SeverityCVSSv3, 9.8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, score, err := advisory.ScoreVector(tt.vector)
			if err != nil {
				t.Fatalf("ScoreVector(%q): %v", tt.vector, err)
			}
			if typ != tt.typ || score != tt.score {
				t.Fatalf("ScoreVector(%q) = %s %v, want %s %v", tt.vector, typ, score, tt.typ, tt.score)
			}
		})
	}
}

func TestScoreVectorRefuses(t *testing.T) {
	for _, v := range []string{
		"",
		"HIGH",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",     // missing A
		"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", // bad value
		"CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", // unknown version
		"CVSS:4.0/AV:N",
		"AV:N/AC:L/Au:N",
		"CVSS:3.1/" + string(make([]byte, 600)),
	} {
		if _, _, err := advisory.ScoreVector(v); !errs.Is(err, errs.Invalid) {
			t.Errorf("ScoreVector(%q) error = %v, want errs.Invalid", v, err)
		}
	}
}

func TestJSONDepthExceeds(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want bool
	}{
		{`{"a":[1,2,{"b":3}]}`, 3, false},
		{`{"a":[1,2,{"b":3}]}`, 2, true},
		{`{"a":"[[[[[[["}`, 1, false},
		{`{"a":"\"[[[["}`, 1, false},
		{`[[[[`, 3, true},
		{``, 0, false},
	}
	for _, tt := range tests {
		if got := advisory.JSONDepthExceeds([]byte(tt.in), tt.max); got != tt.want {
			t.Errorf("JSONDepthExceeds(%q, %d) = %v, want %v", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestImportStatsCapsErrors(t *testing.T) {
	var s advisory.ImportStats
	for range advisory.MaxImportErrors + 20 {
		s.AddError("bad")
	}
	if s.ErrorCount != advisory.MaxImportErrors+20 || len(s.Errors) != advisory.MaxImportErrors {
		t.Fatalf("ErrorCount %d, len(Errors) %d", s.ErrorCount, len(s.Errors))
	}
}
