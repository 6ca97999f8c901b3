package vulnmatch

import (
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/lifeline-iot/lifeline/internal/component"
	"github.com/lifeline-iot/lifeline/internal/sbom"
)

// Component is what the matcher needs of one SBOM component.
type Component struct {
	Name    string   // the SBOM's name for it; "kmod-*" marks an OpenWrt kernel module
	Version string   // the SBOM's version; the purl's version takes precedence for purl matching
	PURL    string   // "" when none
	CPEs    []string // CPE 2.3 or 2.2 names, as written
}

// FromSBOM returns the matcher's view of an SBOM component.
func FromSBOM(c sbom.Component) Component {
	return Component{Name: c.Name, Version: c.Version, PURL: c.PURL, CPEs: c.CPEs}
}

// subject is a Component with its identifiers parsed, built once per Match.
type subject struct {
	c Component

	purl    component.PURL
	hasPURL bool
	purlKey string // versionless purl
	srcKey  string // versionless purl of the source package (deb/apk "upstream" qualifier), or ""
	version string // the purl's version (deb/rpm epoch qualifier folded in), else c.Version
	eco     string // OSV ecosystem without release, "" when none
	ecoName string // normalised name in eco
	release string // distribution release from the distro qualifier, "" when unknown

	cpes []subjectCPE

	kernel        bool
	kernelID      string // the identifier that made it the kernel
	kernelVersion string

	parsed []parsedVersion // cache: the component's versions parsed per scheme
	module bool            // an OpenWrt kmod-* package
}

type subjectCPE struct {
	raw     string
	cpe     component.CPE
	version string // the version to check against bounds: the CPE's own concrete version, else the component's
	na      bool   // the component states no version: the CPE's version is "-" and the component has none
}

type parsedVersion struct {
	scheme string
	raw    string
	v      semantic.Version
	err    error
}

func newSubject(c Component) *subject {
	s := &subject{c: c, version: strings.TrimSpace(c.Version)}
	name := strings.TrimSpace(c.Name)
	if c.PURL != "" {
		if p, err := component.ParsePURL(c.PURL); err == nil {
			s.purl, s.hasPURL = p, true
			s.purlKey = p.Versionless()
			if name == "" {
				name = p.Name
			}
			if p.Version != "" {
				s.version = p.Version
			}
			s.eco = purlEcosystem(p)
			if s.eco != "" {
				s.ecoName = normaliseName(s.eco, purlEcosystemName(p, s.eco))
				s.release = purlRelease(p, s.eco)
				if src := purlEcosystemName(p, s.eco); src != p.Name && (p.Type == "deb" || p.Type == "apk") {
					sp := component.PURL{Type: p.Type, Namespace: p.Namespace, Name: src}
					s.srcKey = sp.Versionless()
				}
			}
			if epoch, ok := p.Qualifier("epoch"); ok && (p.Type == "deb" || p.Type == "rpm") && s.version != "" && !strings.Contains(s.version, ":") {
				s.version = epoch + ":" + s.version
			}
			if s.eco == "" && kernelNames[strings.ToLower(p.Name)] && (p.Type == "generic" || p.Type == "yocto" || p.Type == "openwrt" || p.Type == "buildroot") {
				s.kernel, s.kernelID = true, c.PURL
				s.kernelVersion = s.version
			}
		}
	}
	s.module = len(name) > len("kmod-") && strings.EqualFold(name[:len("kmod-")], "kmod-")
	if s.module {
		s.kernel = false
	}
	for _, raw := range c.CPEs {
		cp, err := component.ParseCPE(raw)
		if err != nil {
			continue
		}
		if cp.IsLinuxKernel() && s.module {
			continue // quirk (a): OpenWrt's kernel CPE on a kernel module
		}
		sc := subjectCPE{raw: raw, cpe: cp}
		v := cp.Version()
		switch {
		case !v.IsAny() && !v.IsNA() && !v.HasWildcards():
			sc.version = v.Literal()
		case c.Version != "" && c.Version != "-":
			sc.version = strings.TrimSpace(c.Version)
		case s.hasPURL && s.purl.Version != "":
			sc.version = s.purl.Version
		}
		sc.na = v.IsNA() && sc.version == ""
		s.cpes = append(s.cpes, sc)
		if cp.IsLinuxKernel() && (!s.kernel || s.kernelID == c.PURL) {
			s.kernel, s.kernelID, s.kernelVersion = true, raw, sc.version
		}
	}
	return s
}

// parsedIn returns the version v parsed in scheme sc, caching the result.
func (s *subject) parsedIn(sc *scheme, v string) (semantic.Version, error) {
	for _, p := range s.parsed {
		if p.scheme == sc.name && p.raw == v {
			return p.v, p.err
		}
	}
	pv, err := sc.parse(v)
	s.parsed = append(s.parsed, parsedVersion{scheme: sc.name, raw: v, v: pv, err: err})
	return pv, err
}

// VersionProblem returns why the matcher cannot order c's version, or ""
// when it can (or c has no identifier a version would be checked for).
// A component whose version does not parse matches only advisories that
// affect every version.
func VersionProblem(c Component) string {
	s := newSubject(c)
	if s.eco != "" {
		if s.version == "" {
			return "no version"
		}
		if _, err := s.parsedIn(schemeFor(s.eco), s.version); err != nil {
			return err.Error()
		}
	}
	if s.kernel {
		if _, err := s.parsedIn(schemeKernel, s.kernelVersion); err != nil {
			return err.Error()
		}
	}
	for _, sc := range s.cpes {
		if sc.na {
			continue
		}
		if sc.version == "" {
			return "no version for " + sc.raw
		}
		if _, err := s.parsedIn(schemeGeneric, sc.version); err != nil {
			return err.Error()
		}
	}
	if s.eco == "" && len(s.cpes) == 0 && !s.kernel && s.hasPURL && s.version != "" {
		if _, err := s.parsedIn(schemeGeneric, s.version); err != nil {
			return err.Error()
		}
	}
	return ""
}
