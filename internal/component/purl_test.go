package component

import (
	"strings"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

func TestParsePURL(t *testing.T) {
	tests := []struct {
		name, in, key, versionless string
	}{
		{"deb with arch", "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64",
			"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64", "pkg:deb/debian/openssl"},
		{"deb: type, namespace, name and qualifier keys lowercased, qualifiers sorted", "PKG:DEB/Debian/OpenSSL@3.0.11-1~deb12u2?Distro=debian-12&ARCH=amd64",
			"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", "pkg:deb/debian/openssl"},
		{"golang keeps case", "pkg:golang/github.com/Foo/Bar@v1.2.3",
			"pkg:golang/github.com/Foo/Bar@v1.2.3", "pkg:golang/github.com/Foo/Bar"},
		{"golang type written in capitals", "pkg:GoLang/github.com/Foo/Bar@v1.2.3",
			"pkg:golang/github.com/Foo/Bar@v1.2.3", "pkg:golang/github.com/Foo/Bar"},
		{"golang with subpath", "pkg:golang/google.golang.org/genproto#googleapis/api/annotations",
			"pkg:golang/google.golang.org/genproto#googleapis/api/annotations", "pkg:golang/google.golang.org/genproto#googleapis/api/annotations"},
		{"yocto kept", "pkg:yocto/meta/busybox@1.36.1", "pkg:yocto/meta/busybox@1.36.1", "pkg:yocto/meta/busybox"},
		{"yocto name is case-sensitive", "pkg:yocto/core/BusyBox@1.36.1", "pkg:yocto/core/BusyBox@1.36.1", "pkg:yocto/core/BusyBox"},
		{"yocto layer_version qualifier", "pkg:yocto/core/glibc@2.35?layer_version=kirkstone&repository_url=https:%2F%2Fgit.openembedded.org%2Fopenembedded-core",
			"pkg:yocto/core/glibc@2.35?layer_version=kirkstone&repository_url=https:%2F%2Fgit.openembedded.org%2Fopenembedded-core", "pkg:yocto/core/glibc"},
		{"generic kept", "pkg:generic/busybox@1.36.1", "pkg:generic/busybox@1.36.1", "pkg:generic/busybox"},
		{"generic keeps case", "pkg:generic/OpenSSL@3.0.13", "pkg:generic/OpenSSL@3.0.13", "pkg:generic/OpenSSL"},
		{"npm scope percent-encoded", "pkg:npm/%40scope/name@1.0.0", "pkg:npm/%40scope/name@1.0.0", "pkg:npm/%40scope/name"},
		{"npm scope raw @ and capitals", "pkg:npm/@Scope/Name@1.0.0", "pkg:npm/%40scope/name@1.0.0", "pkg:npm/%40scope/name"},
		{"pypi lowercased, _ to -", "pkg:pypi/Django_Rest@1.0", "pkg:pypi/django-rest@1.0", "pkg:pypi/django-rest"},
		{"rpm namespace lowercased, name kept", "pkg:rpm/Fedora/NetworkManager@1.42.0-1.fc38?arch=x86_64&epoch=1",
			"pkg:rpm/fedora/NetworkManager@1.42.0-1.fc38?arch=x86_64&epoch=1", "pkg:rpm/fedora/NetworkManager"},
		{"apk lowercased", "pkg:apk/Alpine/BusyBox@1.36.1-r2?arch=aarch64", "pkg:apk/alpine/busybox@1.36.1-r2?arch=aarch64", "pkg:apk/alpine/busybox"},
		{"empty qualifier dropped", "pkg:deb/debian/curl@7.88.1?arch=&distro=debian-12", "pkg:deb/debian/curl@7.88.1?distro=debian-12", "pkg:deb/debian/curl"},
		{"version percent-decoded then re-encoded", "pkg:generic/openssl@3.0.13%2Bgit", "pkg:generic/openssl@3.0.13%2Bgit", "pkg:generic/openssl"},
		{"pkg:// form", "pkg://generic/busybox@1.36.1", "pkg:generic/busybox@1.36.1", "pkg:generic/busybox"},
		{"OpenWrt candidate type", "pkg:openwrt/kmod-usb-core@5.15.137-1?arch=mipsel_24kc", "pkg:openwrt/kmod-usb-core@5.15.137-1?arch=mipsel_24kc", "pkg:openwrt/kmod-usb-core"},
		{"surrounding white space", " pkg:generic/busybox@1.36.1\n", "pkg:generic/busybox@1.36.1", "pkg:generic/busybox"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePURL(tt.in)
			if err != nil {
				t.Fatalf("ParsePURL(%q): %v", tt.in, err)
			}
			if got := p.Key(); got != tt.key {
				t.Errorf("Key() = %q, want %q", got, tt.key)
			}
			if got := p.String(); got != tt.key {
				t.Errorf("String() = %q, want %q", got, tt.key)
			}
			if got := p.Versionless(); got != tt.versionless {
				t.Errorf("Versionless() = %q, want %q", got, tt.versionless)
			}
			// Round trip: the key parses back to the same PURL.
			p2, err := ParsePURL(p.Key())
			if err != nil || p2.Key() != p.Key() {
				t.Errorf("ParsePURL(Key()) = %q, %v", p2.Key(), err)
			}
		})
	}
}

func TestPURLFields(t *testing.T) {
	p, err := ParsePURL("pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12&arch=amd64")
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != "deb" || p.Namespace != "debian" || p.Name != "openssl" || p.Version != "3.0.11-1~deb12u2" || p.Subpath != "" {
		t.Errorf("fields = %+v", p)
	}
	if len(p.Qualifiers) != 2 || p.Qualifiers[0].Key != "arch" || p.Qualifiers[1].Key != "distro" {
		t.Errorf("qualifiers not sorted: %+v", p.Qualifiers)
	}
	if v, ok := p.Qualifier("arch"); !ok || v != "amd64" {
		t.Errorf("Qualifier(arch) = %q, %v", v, ok)
	}
	if _, ok := p.Qualifier("epoch"); ok {
		t.Error("Qualifier(epoch) found")
	}
	// Key must not reorder the caller's slice.
	p.Qualifiers[0], p.Qualifiers[1] = p.Qualifiers[1], p.Qualifiers[0]
	_ = p.Key()
	if p.Qualifiers[0].Key != "distro" {
		t.Error("Key() reordered the qualifiers in place")
	}
}

// TestSameComponentAcrossReleases: the same component in two releases has
// one versionless key, however it is written.
func TestSameComponentAcrossReleases(t *testing.T) {
	groups := [][]string{
		{"pkg:yocto/meta/busybox@1.36.1", "pkg:yocto/meta/busybox@1.37.0"},
		{"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64", "pkg:deb/Debian/OpenSSL@3.0.13-1~deb12u1?arch=arm64&distro=debian-12"},
		{"pkg:pypi/Django_Rest@1.0", "pkg:pypi/django-rest@2.0"},
		{"pkg:npm/%40scope/name@1.0.0", "pkg:npm/@Scope/Name@2.0.0"},
		{"pkg:golang/github.com/Foo/Bar@v1.2.3", "pkg:golang/github.com/Foo/Bar@v1.3.0"},
	}
	for _, g := range groups {
		var first string
		for i, s := range g {
			p, err := ParsePURL(s)
			if err != nil {
				t.Fatalf("ParsePURL(%q): %v", s, err)
			}
			if i == 0 {
				first = p.Versionless()
			} else if p.Versionless() != first {
				t.Errorf("%q: Versionless() = %q, want %q", s, p.Versionless(), first)
			}
		}
	}
	// Different packages stay different.
	distinct := []string{
		"pkg:golang/github.com/Foo/Bar@v1.2.3", "pkg:golang/github.com/foo/bar@v1.2.3",
		"pkg:yocto/meta/busybox@1.36.1", "pkg:generic/busybox@1.36.1", "pkg:deb/debian/busybox@1.36.1",
		"pkg:rpm/fedora/NetworkManager@1.0", "pkg:rpm/fedora/networkmanager@1.0",
	}
	seen := map[string]string{}
	for _, s := range distinct {
		k := MustParsePURLForTest(t, s).Versionless()
		if prev, ok := seen[k]; ok {
			t.Errorf("%q and %q share the key %q", prev, s, k)
		}
		seen[k] = s
	}
}

func MustParsePURLForTest(t *testing.T, s string) PURL {
	t.Helper()
	p, err := ParsePURL(s)
	if err != nil {
		t.Fatalf("ParsePURL(%q): %v", s, err)
	}
	return p
}

func TestParsePURLErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"busybox",
		"pkg:",
		"pkg:generic",
		"pkg:generic/",
		"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*",
		"pkg:deb/debian/openssl?arch=amd64&arch=arm64", // duplicate qualifier
		"pkg:npm/@scope",      // scope without a name
		"pkg:golang/@v1.2.3",  // no name
		"pkg:1abc/name",       // type starts with a digit
		"pkg:generic/name%zz", // bad percent-encoding
		"pkg:generic/" + strings.Repeat("a", maxPURLLen),
	} {
		p, err := ParsePURL(in)
		if err == nil {
			t.Errorf("ParsePURL(%q) = %q, want an error", in, p.Key())
			continue
		}
		if !errs.Is(err, errs.Invalid) || errs.Public(err).PublicCode() != "invalid_purl" {
			t.Errorf("ParsePURL(%q) error %v is not invalid_purl", in, err)
		}
	}
}
