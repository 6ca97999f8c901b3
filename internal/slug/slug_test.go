package slug_test

import (
	"testing"

	"github.com/lifeline-iot/lifeline/internal/slug"
)

func TestMake(t *testing.T) {
	cases := map[string]string{
		"Smart Plug Mini (EU)": "smart-plug-mini-eu",
		"  Crème Brûlée Cam ":  "creme-brulee-cam",
		"A--B__C":              "a-b-c",
		"日本語":                  "",
		"Ünïcode 2":            "unicode-2",
	}
	for in, want := range cases {
		if got := slug.Make(in); got != want {
			t.Errorf("Make(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValid(t *testing.T) {
	cases := map[string]bool{"acme": true, "a-b": true, "a1": true, "-a": false, "a-": false, "a--b": false, "A": false, "": false, "a b": false,
		"0123456789012345678901234567890123456789012345678901234567890123": false}
	for in, want := range cases {
		if got := slug.Valid(in); got != want {
			t.Errorf("Valid(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzMake(f *testing.F) {
	f.Add("Smart Plug Mini (EU)")
	f.Add("Ünïcode ©®")
	f.Fuzz(func(t *testing.T, s string) {
		if out := slug.Make(s); out != "" && !slug.Valid(out) {
			t.Fatalf("Make(%q) = %q, not a valid slug", s, out)
		}
	})
}
