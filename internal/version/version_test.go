package version

import (
	"slices"
	"testing"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0},
		{"1.0.1", "1.0.0", 1},
		{"1.10.0", "1.9.0", 1},
		{"2.0", "2.0.0", 0},
		{"v2.1.0", "2.1.0", 0},
		{"2.1.0-rc1", "2.1.0", -1},
		{"2.1.0-rc.2", "2.1.0-rc.10", -1},
		{"2.1.0-alpha", "2.1.0-1", 1},
		{"2.1.0-alpha", "2.1.0-alpha.1", -1},
		{"2.1.0+build.7", "2.1.0+build.9", 0},
		{"2024.03.1", "2023.12.9", 1},
		{"1.2a", "1.2", 1},
		{"1.2a", "1.2b", -1},
		{"1.2a", "1.3", -1},
		{"00010.0", "9.0", 1},
		{"99999999999999999999999.0", "99999999999999999999998.9", 1},
		{"beta", "alpha", 1},
		{"1.0", "beta", -1},
	}
	for _, tt := range tests {
		if got := Compare(tt.a, tt.b); got != tt.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Compare(tt.b, tt.a); got != -tt.want {
			t.Errorf("Compare(%q, %q) = %d, want %d (antisymmetry)", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestSortOrder(t *testing.T) {
	in := []string{"2.0.0", "1.0.0-rc1", "1.10.0", "1.2.0", "1.0.0", "v1.9.9", "2.0.0-beta.2", "2.0.0-beta.11"}
	slices.SortFunc(in, Compare)
	want := []string{"1.0.0-rc1", "1.0.0", "1.2.0", "v1.9.9", "1.10.0", "2.0.0-beta.2", "2.0.0-beta.11", "2.0.0"}
	if !slices.Equal(in, want) {
		t.Fatalf("sorted %v\nwant   %v", in, want)
	}
}

func FuzzCompare(f *testing.F) {
	f.Add("1.0.0", "1.0.1", "1.0.2")
	f.Add("2.1.0-rc1", "v2.1.0", "2.1.0+b")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		ab, ba := Compare(a, b), Compare(b, a)
		if ab != -ba {
			t.Fatalf("not antisymmetric: %q %q: %d %d", a, b, ab, ba)
		}
		if Compare(a, a) != 0 {
			t.Fatalf("%q not equal to itself", a)
		}
		if ab <= 0 && Compare(b, c) <= 0 && Compare(a, c) > 0 {
			t.Fatalf("not transitive: %q <= %q <= %q but %q > %q", a, b, c, a, c)
		}
	})
}
