package component

import "testing"

// FuzzParseCPE: ParseCPE never panics, and an accepted name renders in
// both bindings to strings that parse back to the same WFN.
func FuzzParseCPE(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, s := range []string{
		"cpe:2.3:a:foo:bar:12.*.1:*:*:*:*:*:*:*",
		`cpe:2.3:a:v:p:1:*:*:*:*:*:*:\`,
		"cpe:/a:v:p:1::~a~b~c~d~e",
		"cpe:/a:v:%01%02:%02%01",
		"cpe:2.3:a:v:**:??:*?:?*:*:*:*:*:*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCPE(s)
		if err != nil {
			return
		}
		fs := c.String()
		c2, err := ParseCPE(fs)
		if err != nil {
			t.Fatalf("ParseCPE(%q) ok, but its String() %q: %v", s, fs, err)
		}
		if c2 != c {
			t.Fatalf("ParseCPE(%q) = %s, String() %q parses to %s", s, c.WFN(), fs, c2.WFN())
		}
		uri := c.URI()
		c3, err := ParseCPE(uri)
		if err != nil {
			t.Fatalf("ParseCPE(%q) ok, but its URI() %q: %v", s, uri, err)
		}
		if c3 != c {
			t.Fatalf("ParseCPE(%q) = %s, URI() %q parses to %s", s, c.WFN(), uri, c3.WFN())
		}
		// A name is EQUAL to itself unless it has wildcards, and then
		// UNDEFINED.
		want := Equal
		for _, v := range c.attrs {
			if v.HasWildcards() {
				want = Undefined
			}
		}
		if got := Compare(c, c); got != want {
			t.Fatalf("Compare(%s, itself) = %v, want %v", c.WFN(), got, want)
		}
	})
}

// FuzzParsePURL: ParsePURL never panics, and an accepted purl's Key and
// Versionless parse back to themselves.
func FuzzParsePURL(f *testing.F) {
	for _, s := range []string{
		"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64",
		"pkg:golang/github.com/Foo/Bar@v1.2.3",
		"pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
		"pkg:yocto/meta/busybox@1.36.1",
		"pkg:generic/busybox@1.36.1",
		"pkg:npm/%40scope/name@1.0.0",
		"pkg:pypi/Django_Rest@1.0",
		"pkg:rpm/Fedora/NetworkManager@1.0?epoch=1&arch=x86_64",
		"pkg:generic/a%2Fb/c%40d@1%2F2?k=v%26w#x/./y",
		"pkg:npm/@scope",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePURL(s)
		if err != nil {
			return
		}
		for _, k := range []string{p.Key(), p.Versionless()} {
			p2, err := ParsePURL(k)
			if err != nil {
				t.Fatalf("ParsePURL(%q) ok, but its key %q: %v", s, k, err)
			}
			if k2 := p2.Key(); k2 != k {
				t.Fatalf("ParsePURL(%q): key %q parses back to key %q", s, k, k2)
			}
		}
	})
}
