package component

import "testing"

// val returns the value that s (a formatted-string component) unbinds to.
func val(t testing.TB, s string) Value {
	t.Helper()
	c, err := ParseCPE("cpe:2.3:a:v:" + s + ":*:*:*:*:*:*:*:*")
	if err != nil {
		t.Fatalf("value %q: %v", s, err)
	}
	return c.Product()
}

// TestCompareValuesTable covers every row of NISTIR 7696 Table 6-2
// (enumeration of attribute comparison set relations).
func TestCompareValuesTable(t *testing.T) {
	tests := []struct {
		row            int
		source, target string
		want           Relation
	}{
		{1, "*", "*", Equal},
		{2, "*", "-", Superset},
		{3, "*", "foo", Superset},
		{4, "*", "foo*", Undefined},
		{5, "-", "*", Subset},
		{6, "-", "-", Equal},
		{7, "-", "foo", Disjoint},
		{8, "-", "?foo", Undefined},
		{9, "foo", "*", Subset},
		{10, "foo", "-", Disjoint},
		{11, "foo", "foo", Equal},
		{11, "foo", "bar", Disjoint},
		{12, "foo", "fo?", Undefined},
		{13, "foo*", "*", Subset},
		{14, "foo*", "-", Disjoint},
		{15, "foo*", "foobar", Superset},
		{15, "foo*", "barfoo", Disjoint},
		{16, "foo*", "foo*", Undefined},
	}
	for _, tt := range tests {
		if got := CompareValues(val(t, tt.source), val(t, tt.target)); got != tt.want {
			t.Errorf("row %d: CompareValues(%s, %s) = %v, want %v", tt.row, tt.source, tt.target, got, tt.want)
		}
	}
}

// TestCompareValuesWildcards: values with wildcards against literals
// (7696 Table 6-2 row 15, compareStrings), and quoted wildcards, which are
// literals (7695 §5.3.2).
func TestCompareValuesWildcards(t *testing.T) {
	tests := []struct {
		source, target string
		want           Relation
	}{
		{"8.*", "8.0.6001", Superset},
		{"8.*", "8.", Superset},
		{"8.*", "9.0", Disjoint},
		{"8.*", "18.0", Disjoint},
		{"*soft", "microsoft", Superset},
		{"*soft", "soft", Superset},
		{"*soft", "softer", Disjoint},
		{"*ft*", "microsoft_office", Superset},
		{"*ft*", "microsoap", Disjoint},
		{"sp?", "sp1", Superset},
		{"sp?", "sp", Superset}, // a trailing run of n "?" matches up to n characters
		{"sp?", "sp12", Disjoint},
		{"sp??", "sp12", Superset},
		{"?p1", "sp1", Superset},
		{"?p1", "xsp1", Disjoint},
		{"??", "ab", Superset},
		{"??", "a", Superset},
		{"??", "abc", Disjoint},
		{"?", "x", Superset},
		{"??1.0*", "x1.0.2", Superset},
		{"??1.0*", "xyz1.0", Disjoint},
		{"*1.0?", "v1.0a", Superset},
		{"*1.0?", "v1.0ab", Disjoint},
		{"*-", "1.0-", Superset},
		{"foo*", "fo", Disjoint},
		{`1.0\*`, "1.0x", Disjoint}, // a quoted * is a literal
		{`1.0\*`, `1.0\*`, Equal},
		{`\?`, `\?`, Equal},
		{`*\*`, `abc\*`, Superset},
		{"1.0.0", "1.0", Disjoint},
	}
	for _, tt := range tests {
		if got := CompareValues(val(t, tt.source), val(t, tt.target)); got != tt.want {
			t.Errorf("CompareValues(%s, %s) = %v, want %v", tt.source, tt.target, got, tt.want)
		}
	}
}

// TestCompareNames: the name comparisons of NISTIR 7696 §6.2, with NVD
// match criteria against firmware CPEs.
func TestCompareNames(t *testing.T) {
	tests := []struct {
		name           string
		source, target string
		want           Relation
		matches        bool
	}{
		{"NVD criterion, any version", "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", Superset, true},
		{"exact version", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", Equal, true},
		{"other version", "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", Disjoint, false},
		{"kernel criterion on kernel", "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", "cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*", Superset, true},
		{"kernel criterion on busybox", "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", Disjoint, false},
		{"wildcard version", "cpe:2.3:o:linux:linux_kernel:5.15.*:*:*:*:*:*:*:*", "cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*", Superset, true},
		{"wildcard version, other series", "cpe:2.3:o:linux:linux_kernel:5.15.*:*:*:*:*:*:*:*", "cpe:2.3:o:linux:linux_kernel:6.1.55:*:*:*:*:*:*:*", Disjoint, false},
		// Quirk: Yocto's vendor "*" is ANY, so the name is no subset of a
		// vendor-specific criterion: vendor SUBSET, version SUPERSET.
		{"Yocto vendor * against vendor openssl", "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*", "cpe:2.3:a:*:openssl:3.0.13:*:*:*:*:*:*:*", Undefined, false},
		{"Yocto vendor * against vendor-less criterion", "cpe:2.3:a:*:openssl:*:*:*:*:*:*:*:*", "cpe:2.3:a:*:openssl:3.0.13:*:*:*:*:*:*:*", Superset, true},
		// Quirk: Buildroot's default vendor <pkg>_project is not NVD's.
		{"Buildroot vendor against NVD vendor", "cpe:2.3:a:thekelleys:dnsmasq:*:*:*:*:*:*:*:*", "cpe:2.3:a:dnsmasq_project:dnsmasq:2.89:*:*:*:*:*:*:*", Disjoint, false},
		// Quirk: NVD's version "-" (NA).
		{"criterion ANY version, name version -", "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*", "cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*", Superset, true},
		{"criterion version -, concrete name", "cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*", "cpe:2.3:a:haxx:curl:8.5.0:*:*:*:*:*:*:*", Disjoint, false},
		{"criterion version -, name version -", "cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*", "cpe:2.3:a:haxx:curl:-:*:*:*:*:*:*:*", Equal, true},
		{"criterion restricted to a platform", "cpe:2.3:a:v:p:*:*:*:*:*:wordpress:*:*", "cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*", Undefined, false},
		{"name is a subset of the criterion, reversed", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", Subset, false},
		{"name with wildcards is undefined", "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "cpe:2.3:a:busybox:busybox:1.36.*:*:*:*:*:*:*:*", Undefined, false},
		{"disjoint beats undefined", "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*", "cpe:2.3:a:curl:curl:1.36.*:*:*:*:*:*:*:*", Disjoint, false},
		{"part differs", "cpe:2.3:o:busybox:busybox:*:*:*:*:*:*:*:*", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", Disjoint, false},
		{"case-insensitive", "cpe:2.3:a:BusyBox:BUSYBOX:*:*:*:*:*:*:*:*", "cpe:/a:busybox:busybox:1.36.1", Superset, true},
		{"URI name against fs criterion", "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*", "cpe:/o:linux:linux_kernel:5.15.137", Superset, true},
	}
	for _, tt := range tests {
		s, n := MustParseCPE(tt.source), MustParseCPE(tt.target)
		if got := Compare(s, n); got != tt.want {
			t.Errorf("%s: Compare = %v, want %v (attributes %v)", tt.name, got, tt.want, CompareAttributes(s, n))
		}
		if got := Matches(s, n); got != tt.matches {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.matches)
		}
	}
}

func TestCompareAttributes(t *testing.T) {
	got := CompareAttributes(
		MustParseCPE("cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"),
		MustParseCPE("cpe:2.3:a:*:openssl:3.0.13:-:*:*:*:*:*:1.*"))
	want := [NumAttributes]Relation{Equal, Subset, Equal, Superset, Superset, Equal, Equal, Equal, Equal, Equal, Undefined}
	if got != want {
		t.Errorf("CompareAttributes = %v, want %v", got, want)
	}
}

func TestRelationString(t *testing.T) {
	for r, want := range map[Relation]string{Disjoint: "DISJOINT", Subset: "SUBSET", Superset: "SUPERSET", Equal: "EQUAL", Undefined: "UNDEFINED", Relation(42): "UNDEFINED"} {
		if r.String() != want {
			t.Errorf("Relation(%d).String() = %q, want %q", r, r.String(), want)
		}
	}
}

// BenchmarkMatches measures one typical NVD criterion against a concrete
// component CPE, and a criterion with a wildcard version.
func BenchmarkMatches(b *testing.B) {
	name := MustParseCPE("cpe:2.3:o:linux:linux_kernel:5.15.137:*:*:*:*:*:*:*")
	for _, bb := range []struct{ name, pattern string }{
		{"any-version", "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"},
		{"wildcard-version", "cpe:2.3:o:linux:linux_kernel:5.15.*:*:*:*:*:*:*:*"},
		{"disjoint-product", "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"},
	} {
		pattern := MustParseCPE(bb.pattern)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !Matches(pattern, name) && bb.name != "disjoint-product" {
					b.Fatal("no match")
				}
			}
		})
	}
}
