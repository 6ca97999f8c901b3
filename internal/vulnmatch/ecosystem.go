package vulnmatch

import (
	"strings"

	"github.com/lifeline-iot/lifeline/internal/component"
)

// purlEcosystem returns the OSV ecosystem (without release) of a purl, or
// "" when the purl type has none (generic, yocto, openwrt, buildroot and
// every type not listed here).
func purlEcosystem(p component.PURL) string {
	switch p.Type {
	case "deb":
		switch p.Namespace {
		case "debian":
			return "Debian"
		case "ubuntu":
			return "Ubuntu"
		}
	case "apk":
		switch p.Namespace {
		case "alpine":
			return "Alpine"
		case "wolfi":
			return "Wolfi"
		case "chainguard":
			return "Chainguard"
		}
	case "rpm":
		switch p.Namespace {
		case "redhat":
			return "Red Hat"
		case "rocky", "rocky-linux":
			return "Rocky Linux"
		case "almalinux":
			return "AlmaLinux"
		case "suse", "sles":
			return "SUSE"
		case "opensuse":
			return "openSUSE"
		}
	case "pypi":
		return "PyPI"
	case "npm":
		return "npm"
	case "golang":
		return "Go"
	case "cargo":
		return "crates.io"
	case "maven":
		return "Maven"
	case "nuget":
		return "NuGet"
	case "gem":
		return "RubyGems"
	case "composer":
		return "Packagist"
	case "hex":
		return "Hex"
	case "pub":
		return "Pub"
	}
	return ""
}

// purlEcosystemName returns the name OSV files a purl's package under in
// its ecosystem: "namespace/name" where the ecosystem's names include the
// namespace (Go module paths, npm scopes, Maven group ids, Packagist
// vendors), and, for deb and apk, the source package named by the
// "upstream" qualifier when there is one, since Debian and Alpine
// advisories name source packages (libssl3 is built from openssl).
func purlEcosystemName(p component.PURL, eco string) string {
	switch eco {
	case "Go", "Packagist":
		if p.Namespace != "" {
			return p.Namespace + "/" + p.Name
		}
	case "npm":
		if p.Namespace != "" {
			return p.Namespace + "/" + p.Name
		}
	case "Maven":
		if p.Namespace != "" {
			return p.Namespace + ":" + p.Name
		}
	case "Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard":
		if up, ok := p.Qualifier("upstream"); ok {
			if src, _, _ := strings.Cut(up, "@"); strings.TrimSpace(src) != "" {
				return strings.TrimSpace(src)
			}
		}
	}
	return p.Name
}

// normaliseName returns an ecosystem package name in the form keys use:
// PyPI names as PEP 503 normalises them (lowercase, runs of "-", "_", "."
// as one "-"); Debian, Ubuntu, Alpine-family and npm names lowercased; other
// ecosystems' names as written, because they are case-sensitive (Go, Maven)
// or published in one case (crates.io, RubyGems).
func normaliseName(eco, name string) string {
	name = strings.TrimSpace(name)
	switch eco {
	case "PyPI":
		var b strings.Builder
		sep := false
		for _, r := range strings.ToLower(name) {
			if r == '-' || r == '_' || r == '.' {
				sep = true
				continue
			}
			if sep && b.Len() > 0 {
				b.WriteByte('-')
			}
			sep = false
			b.WriteRune(r)
		}
		return b.String()
	case "Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard", "npm":
		return strings.ToLower(name)
	}
	return name
}

// Debian and Ubuntu LTS codenames, for the distro qualifier.
var codenames = map[string]string{
	"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13",
	"trusty": "14.04", "xenial": "16.04", "bionic": "18.04", "focal": "20.04", "jammy": "22.04", "noble": "24.04", "resolute": "26.04",
}

// purlRelease returns the distribution release a deb or apk purl's
// "distro" qualifier names, in the form advisoryRelease returns for the
// same ecosystem ("12", "22.04", "3.19"), or "" when unknown.
func purlRelease(p component.PURL, eco string) string {
	d, ok := p.Qualifier("distro")
	if !ok {
		return ""
	}
	d = strings.ToLower(strings.TrimSpace(d))
	if r, ok := codenames[d]; ok {
		return r
	}
	for _, prefix := range []string{"debian-", "ubuntu-", "alpine-", "debian", "ubuntu", "alpine"} {
		if rest, ok := strings.CutPrefix(d, prefix); ok {
			d = rest
			break
		}
	}
	if r, ok := codenames[d]; ok {
		return r
	}
	return normaliseRelease(eco, d)
}

// advisoryRelease splits an OSV ecosystem into its base and the release
// the matcher compares: "Debian:12" → ("Debian", "12"), "Alpine:v3.19" →
// ("Alpine", "3.19"), "Ubuntu:Pro:22.04:LTS" → ("Ubuntu", "22.04"). For
// other ecosystems the suffix is kept as written and compared only with an
// identical component release, which the matcher never derives for them:
// their release suffixes ("Red Hat:enterprise_linux:9::appstream") name
// products, not something a purl carries.
func advisoryRelease(ecosystem string) (base, release string) {
	base, suffix, ok := strings.Cut(ecosystem, ":")
	if !ok {
		return base, ""
	}
	switch base {
	case "Ubuntu":
		for _, seg := range strings.Split(suffix, ":") {
			if len(seg) > 0 && isDigit(seg[0]) {
				return base, normaliseRelease(base, seg)
			}
		}
		return base, ""
	case "Debian", "Alpine":
		return base, normaliseRelease(base, suffix)
	}
	return base, suffix
}

// normaliseRelease reduces a release to what advisories distinguish:
// Debian's major number ("12.4" → "12"), Ubuntu's YY.MM, Alpine's
// major.minor without "v" ("v3.19.1" → "3.19").
func normaliseRelease(eco, r string) string {
	r = strings.TrimPrefix(strings.TrimSpace(r), "v")
	switch eco {
	case "Debian":
		r, _, _ = strings.Cut(r, ".")
	case "Ubuntu", "Alpine":
		if parts := strings.SplitN(r, ".", 3); len(parts) >= 2 {
			r = parts[0] + "." + parts[1]
		}
	}
	return r
}

// kernelNames are the purl names of the Linux kernel in purl types without
// an OSV ecosystem (generic, yocto, openwrt, buildroot): Syft's
// "linux-kernel", Yocto's linux-yocto recipes, OpenWrt's "kernel".
// Distribution kernels (pkg:deb/debian/linux) are not on the list: their
// versions carry the distribution's backports, and their advisories come
// from the distribution's own ecosystem.
var kernelNames = map[string]bool{
	"linux": true, "linux-kernel": true, "kernel": true,
	"linux-yocto": true, "linux-yocto-rt": true, "linux-yocto-tiny": true, "linux-yocto-dev": true,
}
