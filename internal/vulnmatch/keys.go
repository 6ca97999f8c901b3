package vulnmatch

import (
	"slices"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/component"
)

// Key prefixes. The key scheme is part of what the store persists; see the
// package documentation, "Lookup keys", before changing it.
const (
	keyPURL    = "purl:"  // purl:<versionless purl>
	keyEco     = "eco:"   // eco:<ecosystem without release>/<normalised name>
	keyCPE     = "cpe:"   // cpe:<vendor>:<product>, vendor "*" for criteria without a vendor
	keyProduct = "cpep:"  // cpep:<product>
	keyCPEAny  = "cpeany" // criteria whose product is not a plain value
	keyKernel  = "kernel" // the Linux kernel
)

// ComponentKeys returns the lookup keys under which advisories that may
// affect c are filed, sorted and without duplicates. A component can only
// match an advisory.Affected that shares at least one key with it.
func ComponentKeys(c Component) []string {
	return newSubject(c).keys()
}

func (s *subject) keys() []string {
	var keys []string
	if s.purlKey != "" {
		keys = append(keys, keyPURL+s.purlKey)
	}
	if s.srcKey != "" {
		keys = append(keys, keyPURL+s.srcKey)
	}
	if s.eco != "" && s.ecoName != "" {
		keys = append(keys, keyEco+s.eco+"/"+s.ecoName)
	}
	if s.kernel {
		keys = append(keys, keyKernel)
	}
	for _, sc := range s.cpes {
		p := sc.cpe.Product()
		if !isPlain(p) {
			continue
		}
		keys = append(keys, keyCPEAny)
		if v := sc.cpe.Vendor(); isPlain(v) {
			keys = append(keys, keyCPE+v.Literal()+":"+p.Literal(), keyCPE+"*:"+p.Literal())
		} else {
			keys = append(keys, keyProduct+p.Literal())
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// AffectedKeys returns the lookup keys of one advisory.Affected, sorted and
// without duplicates; nil when it names nothing the matcher can look up
// (a criterion that does not parse, a package with neither ecosystem and
// name nor a valid purl).
func AffectedKeys(a advisory.Affected) []string {
	var keys []string
	if p := a.Package; p != nil {
		base, _ := advisoryRelease(strings.TrimSpace(p.Ecosystem))
		name := strings.TrimSpace(p.Name)
		switch {
		case isKernelPackage(p):
			keys = append(keys, keyKernel)
		case base != "" && name != "":
			keys = append(keys, keyEco+base+"/"+normaliseName(base, name))
		}
		if p.PURL != "" {
			if u, err := component.ParsePURL(p.PURL); err == nil {
				keys = append(keys, keyPURL+u.Versionless())
			}
		}
	}
	if a.CPE != nil {
		if cp, err := component.ParseCPE(a.CPE.Criteria); err == nil {
			keys = append(keys, criterionKeys(cp)...)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// criterionKeys files a CPE criterion: under its vendor and product and
// under its product alone (for components whose CPE states no vendor), or
// under "cpeany" when its product is not a plain value.
func criterionKeys(cp component.CPE) []string {
	p := cp.Product()
	if !isPlain(p) {
		return []string{keyCPEAny}
	}
	if v := cp.Vendor(); isPlain(v) {
		return []string{keyCPE + v.Literal() + ":" + p.Literal(), keyProduct + p.Literal()}
	}
	return []string{keyCPE + "*:" + p.Literal(), keyProduct + p.Literal()}
}

// isPlain reports whether v is a value string without wildcards.
func isPlain(v component.Value) bool {
	return !v.IsAny() && !v.IsNA() && !v.HasWildcards() && v.Literal() != ""
}

// isKernelPackage reports whether p is OSV's Linux kernel package.
func isKernelPackage(p *advisory.Package) bool {
	base, _, _ := strings.Cut(strings.TrimSpace(p.Ecosystem), ":")
	return base == "Linux" && strings.EqualFold(strings.TrimSpace(p.Name), "Kernel")
}
