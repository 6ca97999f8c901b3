package vulnmatch

import (
	"testing"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		name, scheme, a, b string
		want               int
	}{
		{"generic_letter_suffix", "generic", "1.1.1w", "1.1.1v", 1},
		{"generic_letter_after_release", "generic", "1.1.1v", "1.1.1", 1},
		{"generic_dnsmasq", "generic", "2.86", "2.90", -1},
		{"generic_busybox", "generic", "1.36.1", "1.36.0", 1},
		{"generic_openssl3", "generic", "3.0.11", "3.0.13", -1},
		{"generic_rc_before_release", "generic", "6.1-rc1", "6.1", -1},
		{"generic_rc_no_separator", "generic", "1.0rc1", "1.0", -1},
		{"generic_beta", "generic", "2.0.0-beta2", "2.0.0", -1},
		{"generic_beta_order", "generic", "2.0.0-beta2", "2.0.0-beta10", -1},
		{"generic_alpha_before_beta", "generic", "2.0.0-alpha", "2.0.0-beta", -1},
		{"generic_preview", "generic", "3.0.0_preview1", "3.0.0", -1},
		{"generic_dev", "generic", "1.2.dev3", "1.2", -1},
		{"generic_leading_v", "generic", "v8.4.0", "8.4.0", 0},
		{"generic_dash_is_dot", "generic", "1.2-3", "1.2.3", 0},
		{"generic_underscore_is_dot", "generic", "7_69_0", "7.69.0", 0},
		{"generic_case", "generic", "1.1.1W", "1.1.1w", 0},
		{"generic_zlib", "generic", "1.3", "1.3.1", -1},
		{"generic_numeric_not_lexical", "generic", "1.10", "1.9", 1},
		{"generic_word_not_marker", "generic", "1.2-predator", "1.2", 1},
		{"kernel_suffix_ignored", "kernel", "6.1.55-yocto-standard", "6.1.55", 0},
		{"kernel_ubuntu_abi_ignored", "kernel", "5.15.0-1040-raspi", "5.15.0", 0},
		{"kernel_numeric", "kernel", "6.1.55", "6.1.100", -1},
		{"kernel_rc", "Linux", "6.8-rc1", "6.8", -1},
		{"kernel_rc_order", "kernel", "6.8-rc2", "6.8-rc10", -1},
		{"kernel_rc_after_previous", "kernel", "6.8-rc1", "6.7.12", 1},
		{"kernel_short_before_long", "kernel", "6.1", "6.1.0", -1},
		{"debian_tilde", "Debian", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2", -1},
		{"debian_backport_before_release", "Debian:12", "3.0.11-1~deb12u2", "3.0.11-1", -1},
		{"debian_epoch", "Debian", "1:1.0", "2.0", 1},
		{"ubuntu", "Ubuntu:22.04:LTS", "3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.12", -1},
		{"alpine_revision", "Alpine:v3.19", "3.1.4-r0", "3.1.4-r1", -1},
		{"alpine_family", "alpine", "1.36.1-r5", "1.36.1-r15", -1},
		{"rpm", "RPM", "1.1.1k-7.el8_6", "1.1.1k-9.el8_7", -1},
		{"rocky", "Rocky Linux:9", "3.0.7-24.el9", "3.0.7-25.el9", -1},
		{"semver_prerelease", "semver", "1.0.0-rc.1", "1.0.0", -1},
		{"go_with_v", "Go", "v0.15.0", "0.17.0", -1},
		{"pypi_post", "PyPI", "2.31.0.post1", "2.31.0", 1},
		{"pypi_rc", "PyPI", "4.2rc1", "4.2", -1},
		{"maven", "Maven", "2.17.0", "2.17.1", -1},
		{"npm", "npm", "4.17.20", "4.17.21", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CompareVersions(tt.scheme, tt.a, tt.b)
			if err != nil {
				t.Fatalf("CompareVersions(%q, %q, %q): %v", tt.scheme, tt.a, tt.b, err)
			}
			if got != tt.want {
				t.Errorf("CompareVersions(%q, %q, %q) = %d, want %d", tt.scheme, tt.a, tt.b, got, tt.want)
			}
			back, err := CompareVersions(tt.scheme, tt.b, tt.a)
			if err != nil || back != -tt.want {
				t.Errorf("CompareVersions(%q, %q, %q) = %d, %v; want %d", tt.scheme, tt.b, tt.a, back, err, -tt.want)
			}
		})
	}
}

func TestCompareVersionsErrors(t *testing.T) {
	tests := []struct{ name, scheme, a, b string }{
		{"unknown_scheme", "OSS-Fuzz-ish", "1", "2"},
		{"empty", "generic", "", "1.0"},
		{"na", "generic", "-", "1.0"},
		{"any", "generic", "*", "1.0"},
		{"no_digit_first", "generic", "git-abc", "1.0"},
		{"space", "generic", "1.0 beta", "1.0"},
		{"kernel_not_numeric", "kernel", "next-20240101", "6.1"},
		{"debian_bad_epoch", "Debian", "x:1.0", "1.0"},
		{"too_long", "generic", "1." + string(make([]byte, 300)), "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompareVersions(tt.scheme, tt.a, tt.b)
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("CompareVersions(%q, %q, %q) error = %v, want an errs.Invalid", tt.scheme, tt.a, tt.b, err)
			}
		})
	}
}

func TestNormaliseGeneric(t *testing.T) {
	tests := []struct{ in, want string }{
		{"6.1-rc1", "6.1~rc1"},
		{"2.0.0-beta2", "2.0.0~beta2"},
		{"1.0rc1", "1.0~rc1"},
		{"3.0.0.preview", "3.0.0~preview"},
		{"V1.2_3", "1.2.3"},
		{"1:2.3", "1.2.3"},
		{"1.36.1+git0+abc", "1.36.1+git0+abc"},
		{"1.2-predator", "1.2.predator"},
		{"abc", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormaliseGeneric(tt.in); got != tt.want {
			t.Errorf("NormaliseGeneric(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestKernelOrderIsGenericOrder checks that the kernel order, which
// compares numbers without allocating, is the generic order of the
// versions' normalised leading parts.
func TestKernelOrderIsGenericOrder(t *testing.T) {
	vs := []string{"5.10", "5.10.0", "5.10.209", "5.15.0-1040-raspi", "6.1", "6.1-rc1", "6.1-rc10", "6.1-rc2", "6.1.0", "6.1.55-yocto-standard", "6.1.76", "6.2", "6.7.3", "6.8-rc1", "2.6.32.71", "4", "10.0"}
	for _, a := range vs {
		for _, b := range vs {
			ka, err := parseKernel(a)
			if err != nil {
				t.Fatal(err)
			}
			kb, _ := parseKernel(b)
			got, _ := ka.Compare(kb)
			want, err := CompareVersions("generic", ka.(kernelVersion).String(), kb.(kernelVersion).String())
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("kernel order %q vs %q = %d, generic order of %v vs %v = %d", a, b, got, ka, kb, want)
			}
		}
	}
}
