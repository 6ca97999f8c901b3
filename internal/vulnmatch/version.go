package vulnmatch

import (
	"fmt"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// scheme is a version order. Every scheme but generic and kernel is
// semantic's order for one OSV ecosystem.
type scheme struct {
	name string // shown in Reason.Scheme: "Debian", "Alpine", "RPM", "semver", "PyPI", "generic", "kernel"
	eco  string // the ecosystem name handed to semantic.Parse; "" for generic and kernel
}

var (
	schemeGeneric = &scheme{name: "generic"}
	schemeKernel  = &scheme{name: "kernel"}
	schemeSemver  = &scheme{name: "semver", eco: "npm"}
)

// ecosystemSchemes maps the ecosystems semantic supports (without release
// suffix) to the order they use, named by family.
var ecosystemSchemes = map[string]*scheme{
	"Debian": {"Debian", "Debian"}, "Ubuntu": {"Debian", "Ubuntu"},
	"Alpine": {"Alpine", "Alpine"}, "Wolfi": {"Alpine", "Wolfi"}, "Chainguard": {"Alpine", "Chainguard"},
	"Alpaquita": {"Alpine", "Alpaquita"}, "BellSoft Hardened Containers": {"Alpine", "BellSoft Hardened Containers"}, "MinimOS": {"Alpine", "MinimOS"},
	"Red Hat": {"RPM", "Red Hat"}, "Rocky Linux": {"RPM", "Rocky Linux"}, "AlmaLinux": {"RPM", "AlmaLinux"},
	"SUSE": {"RPM", "SUSE"}, "openSUSE": {"RPM", "openSUSE"}, "openEuler": {"RPM", "openEuler"}, "Mageia": {"RPM", "Mageia"},
	"PyPI": {"PyPI", "PyPI"}, "Maven": {"Maven", "Maven"}, "NuGet": {"NuGet", "NuGet"}, "RubyGems": {"RubyGems", "RubyGems"},
	"Packagist": {"Packagist", "Packagist"}, "Pub": {"Pub", "Pub"}, "CRAN": {"CRAN", "CRAN"}, "Hackage": {"Hackage", "Hackage"},
	"Go": {"semver", "Go"}, "npm": {"semver", "npm"}, "crates.io": {"semver", "crates.io"}, "Hex": {"semver", "Hex"},
	"Bitnami": {"semver", "Bitnami"}, "Bioconductor": {"semver", "Bioconductor"}, "ConanCenter": {"semver", "ConanCenter"},
	"GHC": {"semver", "GHC"}, "Julia": {"semver", "Julia"}, "SwiftURL": {"semver", "SwiftURL"},
	"Docker Hardened Images": {"semver", "Docker Hardened Images"},
}

// schemeFor returns the order for an OSV ecosystem, with or without its
// release suffix: semantic's order where it has one, the kernel order for
// "Linux", and the generic order otherwise (GIT, OSS-Fuzz, unknown names).
func schemeFor(ecosystem string) *scheme {
	base, _, _ := strings.Cut(ecosystem, ":")
	if s, ok := ecosystemSchemes[base]; ok {
		return s
	}
	if base == "Linux" {
		return schemeKernel
	}
	return schemeGeneric
}

// schemeNamed resolves the scheme argument of CompareVersions: a scheme
// name ("generic", "kernel", "semver", "RPM") or an ecosystem.
func schemeNamed(name string) (*scheme, bool) {
	switch strings.ToLower(name) {
	case "generic", "":
		return schemeGeneric, true
	case "kernel", "linux":
		return schemeKernel, true
	case "semver":
		return schemeSemver, true
	case "rpm":
		return ecosystemSchemes["Red Hat"], true
	case "debian":
		return ecosystemSchemes["Debian"], true
	case "alpine":
		return ecosystemSchemes["Alpine"], true
	}
	base, _, _ := strings.Cut(name, ":")
	s, ok := ecosystemSchemes[base]
	return s, ok
}

// maxVersionLen bounds the versions the matcher reads; real versions are
// far shorter, and the bound keeps the number parsing in semantic cheap.
const maxVersionLen = 256

// parse parses v in the scheme. It never panics: a panic inside semantic
// is turned into an error.
func (s *scheme) parse(v string) (ver semantic.Version, err error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return nil, errs.E(errs.Invalid, "empty version")
	case len(v) > maxVersionLen:
		return nil, errs.E(errs.Invalid, "version longer than %d bytes", maxVersionLen)
	case !strings.ContainsAny(v, "0123456789") || strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		// semantic accepts almost anything ("latest" is a PyPI version to
		// it); a version without a digit, or with white space, would sort
		// before every bound and fall into every range from "0".
		return nil, errs.E(errs.Invalid, "version %q is not a version (no digit, or white space)", clip(v))
	}
	switch s.name {
	case "generic":
		return parseGeneric(v)
	case "kernel":
		return parseKernel(v)
	}
	defer func() {
		if p := recover(); p != nil {
			ver, err = nil, errs.E(errs.Invalid, "version %q is not a valid %s version: %v", v, s.name, p)
		}
	}()
	ver, err = semantic.Parse(v, s.eco)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "version %q is not a valid %s version", v, s.name)
	}
	return ver, nil
}

// compare compares two versions parsed in the same scheme. ok is false when
// they cannot be compared (a panic or error inside semantic).
func compare(a, b semantic.Version) (c int, ok bool) {
	defer func() {
		if recover() != nil {
			c, ok = 0, false
		}
	}()
	c, err := a.Compare(b)
	if err != nil {
		return 0, false
	}
	return sign(c), true
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

// CompareVersions orders two versions in a scheme: a version-order name
// ("generic", "kernel", "semver", "Debian", "Alpine", "RPM") or an OSV
// ecosystem, with or without release suffix ("Debian:12", "PyPI", "Go",
// "Linux"). It returns -1, 0 or +1, or an error of kind errs.Invalid when
// the scheme is unknown or either version does not parse in it.
func CompareVersions(schemeName, a, b string) (int, error) {
	s, ok := schemeNamed(schemeName)
	if !ok {
		return 0, errs.E(errs.Invalid, "unknown version scheme %q", schemeName)
	}
	va, err := s.parse(a)
	if err != nil {
		return 0, err
	}
	vb, err := s.parse(b)
	if err != nil {
		return 0, err
	}
	c, ok := compare(va, vb)
	if !ok {
		return 0, errs.E(errs.Invalid, "versions %q and %q cannot be compared in the %s order", a, b, s.name)
	}
	return c, nil
}

// prereleaseMarkers are the words the generic order reads as "before the
// release", longest first so that "preview" is not read as "pre".
var prereleaseMarkers = []string{"preview", "alpha", "beta", "pre", "dev", "rc"}

// NormaliseGeneric returns v in the form the generic order compares, or ""
// when v is not a version in that order. See the package documentation,
// "Version order".
func NormaliseGeneric(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) > 1 && v[0] == 'v' && isDigit(v[1]) {
		v = v[1:]
	}
	if v == "" || len(v) > maxVersionLen || !isDigit(v[0]) {
		return ""
	}
	var b strings.Builder
	b.Grow(len(v) + 2)
	for i := 0; i < len(v); {
		c := v[i]
		if c <= ' ' || c >= 0x7f {
			return ""
		}
		// A marker after a separator or a digit, followed by a digit, a
		// separator or the end, becomes "~marker".
		if c == '-' || c == '_' || c == '.' || (isLetter(c) && i > 0 && isDigit(v[i-1])) {
			j := i
			if !isLetter(c) {
				j++
			}
			if m := markerAt(v, j); m != "" {
				b.WriteByte('~')
				b.WriteString(m)
				i = j + len(m)
				continue
			}
		}
		switch c {
		case '-', '_', ':':
			b.WriteByte('.')
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// markerAt returns the prerelease marker starting at v[j], or "".
func markerAt(v string, j int) string {
	for _, m := range prereleaseMarkers {
		if !strings.HasPrefix(v[j:], m) {
			continue
		}
		k := j + len(m)
		if k == len(v) || isDigit(v[k]) || v[k] == '.' || v[k] == '-' || v[k] == '_' {
			return m
		}
	}
	return ""
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

func parseGeneric(v string) (semantic.Version, error) {
	n := NormaliseGeneric(v)
	if n == "" {
		return nil, errs.E(errs.Invalid, "version %q is not a version in the generic order (it must start with a digit, optionally after \"v\")", clip(v))
	}
	d, err := semantic.ParseDebianVersion(n)
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "version %q is not a version in the generic order", clip(v))
	}
	return d, nil
}

// kernelVersion is a Linux kernel version reduced to its leading dotted
// numeric part and an optional -rcN. Its order is the generic order of the
// string that part normalises to ("6.1.55", "6.2~rc3"), computed without
// allocating; TestKernelOrderIsGenericOrder checks the two agree.
type kernelVersion struct {
	nums [6]uint32
	n    uint8
	rc   int32 // -1 when not a release candidate
}

func parseKernel(v string) (semantic.Version, error) {
	s := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "v")
	k := kernelVersion{rc: -1}
	i := 0
	for {
		start := i
		var x uint64
		for i < len(s) && isDigit(s[i]) {
			x = x*10 + uint64(s[i]-'0')
			if x > 1<<31 {
				return nil, errs.E(errs.Invalid, "kernel version %q has a number out of range", clip(v))
			}
			i++
		}
		if i == start {
			break
		}
		if int(k.n) == len(k.nums) {
			return nil, errs.E(errs.Invalid, "kernel version %q has more than %d numbers", clip(v), len(k.nums))
		}
		k.nums[k.n] = uint32(x)
		k.n++
		if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
			i++
			continue
		}
		break
	}
	if k.n == 0 {
		return nil, errs.E(errs.Invalid, "version %q is not a kernel version (it must start with a number)", clip(v))
	}
	if rest, ok := strings.CutPrefix(s[i:], "-rc"); ok {
		j, x := 0, int32(0)
		for j < len(rest) && isDigit(rest[j]) && x < 1<<20 {
			x = x*10 + int32(rest[j]-'0')
			j++
		}
		if j > 0 {
			k.rc = x
		}
	}
	return k, nil
}

// String returns the version as the generic order sees it.
func (k kernelVersion) String() string {
	var b strings.Builder
	for i := range int(k.n) {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprint(&b, k.nums[i])
	}
	if k.rc >= 0 {
		fmt.Fprintf(&b, "~rc%d", k.rc)
	}
	return b.String()
}

func (k kernelVersion) compare(o kernelVersion) int {
	for i := range int(min(k.n, o.n)) {
		if k.nums[i] != o.nums[i] {
			if k.nums[i] < o.nums[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case k.n < o.n: // k continues with "~rc" or nothing, o with ".": both sort before "."
		return -1
	case k.n > o.n:
		return 1
	case k.rc == o.rc:
		return 0
	case k.rc < 0: // a release sorts after its release candidates
		return 1
	case o.rc < 0:
		return -1
	case k.rc < o.rc:
		return -1
	}
	return 1
}

// Compare implements semantic.Version.
func (k kernelVersion) Compare(w semantic.Version) (int, error) {
	o, ok := w.(kernelVersion)
	if !ok {
		return 0, semantic.ErrNotSameEcosystem
	}
	return k.compare(o), nil
}

// CompareStr implements semantic.Version.
func (k kernelVersion) CompareStr(s string) (int, error) {
	o, err := parseKernel(s)
	if err != nil {
		return 0, err
	}
	return k.Compare(o)
}

// clip shortens s for a message.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
