package vulnmatch

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/component"
)

// Match is one advisory that affects a component, and why.
type Match struct {
	Advisory *advisory.Advisory
	Reason   Reason
}

// Reason kinds.
const (
	KindPURLRange      = "purl-range"      // an Affected with a purl, by the purl
	KindEcosystemRange = "ecosystem-range" // an Affected with an OSV ecosystem and name
	KindVersionList    = "version-list"    // the version is listed in versions[]
	KindCPE            = "cpe"             // an NVD CPE criterion
	KindKernelRange    = "kernel-range"    // OSV's Linux/Kernel ranges
)

// Reason says why an advisory affects a component.
type Reason struct {
	Kind       string // one of the Kind constants
	Identifier string // the component identifier that matched: its purl or CPE
	Criterion  string // the advisory side: "Debian:12/openssl ECOSYSTEM [3.0.0, 3.0.11-1~deb12u2)", a CPE criterion with bounds
	Scheme     string // the version order used: "Debian", "Alpine", "RPM", "semver", "PyPI", …, "generic", "kernel"
	Caveat     string // set when the match is weaker than the identifiers suggest
}

// String returns the reason as one line.
func (r Reason) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s matches %s (%s", r.Identifier, r.Criterion, r.Kind)
	if r.Scheme != "" {
		fmt.Fprintf(&b, ", %s order", r.Scheme)
	}
	b.WriteString(")")
	if r.Caveat != "" {
		b.WriteString("; ")
		b.WriteString(r.Caveat)
	}
	return b.String()
}

// Caveats.
const (
	caveatAllVersions    = "all versions"
	caveatVendorWildcard = "vendor not stated in the SBOM; matched on product"
)

type routeKind uint8

const (
	routeNone routeKind = iota
	routePackage
	routeKernel
	routeCPE
)

// compiled is one advisory.Affected prepared for matching.
type compiled struct {
	route   routeKind
	all     bool // a package with neither ranges nor versions: every version
	scheme  *scheme
	ecoBase string // ecosystem without release
	ecoName string // normalised name
	release string // the ecosystem's release, "" when none
	purl    *purlInfo
	ranges  []crange
	cpe     *ccpe
}

// purlInfo is what a statement's Package.PURL contributes.
type purlInfo struct {
	key     string // versionless purl
	release string // release named by the distro qualifier
	version string // the purl's version, when it is the only version the statement names
}

type crange struct {
	typ    string
	scheme *scheme
	events []cevent // sorted by version, introduced "0" first
	limits []semantic.Version
}

type eventKind uint8

const (
	evIntroduced eventKind = iota
	evFixed
	evLastAffected
)

type cevent struct {
	kind eventKind
	v    semantic.Version // nil for introduced "0"
	raw  string
}

type ccpe struct {
	pattern      *component.CPE
	start, end   semantic.Version
	startExcl    bool
	endIncl      bool
	exact        semantic.Version // the criterion's own concrete version, when it has one
	bad          bool             // a bound does not parse: the criterion never matches
	hasBounds    bool
	runningOnTxt string
}

// compile prepares a for matching, parsing every version once.
func (ix *Index) compile(a *advisory.Affected) compiled {
	var c compiled
	switch {
	case a.Package != nil:
		c = ix.compilePackage(a)
	case a.CPE != nil:
		c.route = routeCPE
		c.cpe = ix.compileCPE(a.CPE)
	}
	return c
}

func (ix *Index) compilePackage(a *advisory.Affected) compiled {
	p := a.Package
	c := compiled{route: routePackage, scheme: schemeGeneric}
	eco := strings.TrimSpace(p.Ecosystem)
	c.ecoBase, c.release = advisoryRelease(eco)
	if c.ecoBase != "" && strings.TrimSpace(p.Name) != "" {
		c.ecoName = normaliseName(c.ecoBase, p.Name)
		c.scheme = schemeFor(c.ecoBase)
	}
	if isKernelPackage(p) {
		c.route, c.scheme = routeKernel, schemeKernel
	}
	versions := a.Versions
	if p.PURL != "" {
		if u, err := component.ParsePURL(p.PURL); err == nil {
			ueco := purlEcosystem(u)
			c.purl = &purlInfo{key: u.Versionless(), release: purlRelease(u, ueco)}
			if c.ecoName == "" && ueco != "" {
				c.scheme = schemeFor(ueco)
			}
			// A purl with a version and nothing else names that version.
			if u.Version != "" && len(a.Ranges) == 0 && len(a.Versions) == 0 {
				versions = []string{u.Version}
				c.purl.version = u.Version
			}
		}
	}
	c.all = len(a.Ranges) == 0 && len(versions) == 0
	if len(a.Ranges) > 0 {
		c.ranges = make([]crange, 0, len(a.Ranges))
	}
	for _, r := range a.Ranges {
		switch r.Type {
		case advisory.RangeSemver, advisory.RangeEcosystem:
		default:
			continue // GIT ranges need the commit graph; their versions[] still count
		}
		sc := c.scheme
		if r.Type == advisory.RangeSemver && c.route != routeKernel {
			sc = schemeSemver
		}
		if cr, ok := ix.compileRange(r, sc); ok {
			c.ranges = append(c.ranges, cr)
		}
	}
	return c
}

// compileRange parses and sorts a range's events. A range with an event
// that does not parse is dropped whole: skipping only the bad event could
// turn a fixed range into an open one.
func (ix *Index) compileRange(r advisory.Range, sc *scheme) (crange, bool) {
	cr := crange{typ: r.Type, scheme: sc, events: make([]cevent, 0, len(r.Events))}
	for _, e := range r.Events {
		var ev cevent
		switch {
		case e.Introduced != "":
			ev = cevent{kind: evIntroduced, raw: e.Introduced}
			if e.Introduced == "0" {
				cr.events = append(cr.events, ev)
				continue
			}
		case e.Fixed != "":
			ev = cevent{kind: evFixed, raw: e.Fixed}
		case e.LastAffected != "":
			ev = cevent{kind: evLastAffected, raw: e.LastAffected}
		case e.Limit != "":
			if e.Limit == "*" {
				continue
			}
			v, err := ix.internVersion(sc, e.Limit)
			if err != nil {
				return crange{}, false
			}
			cr.limits = append(cr.limits, v)
			continue
		default:
			continue
		}
		v, err := ix.internVersion(sc, ev.raw)
		if err != nil {
			return crange{}, false
		}
		ev.v = v
		cr.events = append(cr.events, ev)
	}
	if len(cr.events) == 0 {
		return crange{}, false
	}
	slices.SortStableFunc(cr.events, func(a, b cevent) int {
		switch {
		case a.v == nil && b.v == nil:
			return 0
		case a.v == nil:
			return -1
		case b.v == nil:
			return 1
		}
		c, _ := compare(a.v, b.v)
		return c
	})
	return cr, true
}

// contains reports whether v lies in the range, walking the sorted events
// as the OSV schema describes, and returns the interval it lies in.
func (r *crange) contains(v semantic.Version) (string, bool) {
	for _, l := range r.limits {
		if c, ok := compare(v, l); !ok || c >= 0 {
			return "", false
		}
	}
	affected := false
	lo, hi := "", "*)"
	for _, e := range r.events {
		var c int
		if e.v != nil {
			var ok bool
			if c, ok = compare(v, e.v); !ok {
				return "", false
			}
		}
		beyond := false
		switch e.kind {
		case evIntroduced:
			if e.v == nil || c >= 0 {
				affected, lo = true, e.raw
			} else {
				beyond = true
			}
		case evFixed:
			if c >= 0 {
				affected = false
			} else {
				hi, beyond = e.raw+")", true
			}
		case evLastAffected:
			if c > 0 {
				affected = false
			} else {
				hi, beyond = e.raw+"]", true
			}
		}
		if beyond {
			break
		}
	}
	if !affected {
		return "", false
	}
	return "[" + lo + ", " + hi, true
}

func (ix *Index) compileCPE(cc *advisory.CPECriteria) *ccpe {
	out := &ccpe{}
	p, err := ix.internPattern(cc.Criteria)
	if err != nil {
		out.bad = true
		return out
	}
	out.pattern = p
	bound := func(raw string) semantic.Version {
		if raw == "" {
			return nil
		}
		out.hasBounds = true
		v, err := ix.internVersion(schemeGeneric, raw)
		if err != nil {
			out.bad = true
		}
		return v
	}
	if cc.VersionStartIncluding != "" {
		out.start = bound(cc.VersionStartIncluding)
	} else if cc.VersionStartExcluding != "" {
		out.start, out.startExcl = bound(cc.VersionStartExcluding), true
	}
	if cc.VersionEndExcluding != "" {
		out.end = bound(cc.VersionEndExcluding)
	} else if cc.VersionEndIncluding != "" {
		out.end, out.endIncl = bound(cc.VersionEndIncluding), true
	}
	if v := p.Version(); isPlain(v) {
		// A concrete version that does not parse can still match by
		// equal strings; see versionOK.
		out.exact, _ = ix.internVersion(schemeGeneric, v.Literal())
	}
	if len(cc.RunningOn) > 0 {
		const show = 5
		on := cc.RunningOn
		txt := strings.Join(on[:min(len(on), show)], ", ")
		if len(on) > show {
			txt += fmt.Sprintf(" and %d more", len(on)-show)
		}
		out.runningOnTxt = "only when running on " + txt
	}
	return out
}

// match decides whether the compiled statement affects the subject.
func (c *compiled) match(s *subject, a *advisory.Affected) (Reason, bool) {
	switch c.route {
	case routePackage:
		return c.matchPackage(s, a)
	case routeKernel:
		return c.matchKernel(s, a)
	case routeCPE:
		return c.matchCPE(s, a.CPE)
	}
	return Reason{}, false
}

func (c *compiled) matchPackage(s *subject, a *advisory.Affected) (Reason, bool) {
	if !s.hasPURL {
		return Reason{}, false
	}
	var r Reason
	var advRelease string
	switch {
	case c.ecoName != "" && c.ecoBase == s.eco && c.ecoName == s.ecoName:
		r.Kind = KindEcosystemRange
		r.Criterion = strings.TrimSpace(a.Package.Ecosystem) + "/" + strings.TrimSpace(a.Package.Name)
		advRelease = c.release
	case c.purl != nil && (c.purl.key == s.purlKey || c.purl.key == s.srcKey):
		r.Kind = KindPURLRange
		r.Criterion = strings.TrimSpace(a.Package.PURL)
		advRelease = c.purl.release
	default:
		return Reason{}, false
	}
	r.Identifier = s.c.PURL
	if advRelease != "" {
		switch {
		case s.release == "":
			r.Caveat = "release not stated in the SBOM; the advisory is for " + advRelease
		case s.release != advRelease:
			return Reason{}, false
		}
	}
	return c.matchVersion(s, a, r, s.version)
}

func (c *compiled) matchKernel(s *subject, a *advisory.Affected) (Reason, bool) {
	if !s.kernel {
		return Reason{}, false
	}
	r := Reason{Kind: KindKernelRange, Identifier: s.kernelID, Criterion: "Linux/Kernel"}
	return c.matchVersion(s, a, r, s.kernelVersion)
}

// matchVersion applies an Affected's versions, ranges, or "every version"
// to version v of the subject.
func (c *compiled) matchVersion(s *subject, a *advisory.Affected, r Reason, v string) (Reason, bool) {
	r.Scheme = c.scheme.name
	if c.all {
		r.Criterion += " all versions"
		r.Caveat = joinCaveats(r.Caveat, caveatAllVersions)
		return r, true
	}
	if v == "" {
		return Reason{}, false
	}
	for _, listed := range a.Versions {
		if listed == v || strings.TrimPrefix(listed, "v") == strings.TrimPrefix(v, "v") {
			r.Kind = KindVersionList
			r.Criterion += " versions[] lists " + listed
			return r, true
		}
	}
	if c.purl != nil && c.purl.version != "" && c.purl.version == v {
		r.Kind = KindVersionList
		r.Criterion += " version " + v
		return r, true
	}
	for i := range c.ranges {
		cr := &c.ranges[i]
		pv, err := s.parsedIn(cr.scheme, v)
		if err != nil {
			return Reason{}, false
		}
		if iv, ok := cr.contains(pv); ok {
			r.Criterion += " " + cr.typ + " " + iv
			r.Scheme = cr.scheme.name
			return r, true
		}
	}
	return Reason{}, false
}

func (c *compiled) matchCPE(s *subject, crit *advisory.CPECriteria) (Reason, bool) {
	cc := c.cpe
	if cc.bad {
		return Reason{}, false
	}
	var best Reason
	found := false
	for i := range s.cpes {
		sc := &s.cpes[i]
		caveat, ok := cc.nameMatches(sc)
		if !ok || !cc.versionOK(s, sc) {
			continue
		}
		r := Reason{Kind: KindCPE, Identifier: sc.raw, Criterion: cc.describe(crit), Scheme: schemeGeneric.name,
			Caveat: joinCaveats(caveat, cc.runningOnTxt)}
		if !cc.hasBounds && cc.pattern.Version().IsAny() {
			r.Caveat = joinCaveats(r.Caveat, caveatAllVersions)
		}
		if !found || (best.Caveat != "" && r.Caveat == "") {
			best, found = r, true
		}
	}
	return best, found
}

// nameMatches compares every attribute but the version (NISTIR 7696
// superset), with the firmware rules: a component CPE with part ANY (Yocto
// writes "*") matches criteria for applications and operating systems but
// never hardware, and one with a wildcard vendor matches on exact product
// (rule (b), with a caveat).
func (cc *ccpe) nameMatches(sc *subjectCPE) (caveat string, ok bool) {
	rel := component.CompareAttributes(*cc.pattern, sc.cpe)
	pat := cc.pattern
	for a, r := range rel {
		attr := component.Attribute(a)
		if attr == component.AttrVersion || r == component.Superset || r == component.Equal {
			continue
		}
		switch attr {
		case component.AttrPart:
			if sc.cpe.Get(component.AttrPart).IsAny() && (pat.Part() == "a" || pat.Part() == "o") {
				continue
			}
		case component.AttrVendor:
			if sc.cpe.VendorIsWildcard() && isPlain(pat.Product()) && (pat.Part() == "a" || pat.Part() == "o") {
				caveat = caveatVendorWildcard
				continue
			}
		}
		return "", false
	}
	return caveat, true
}

// versionOK checks the component CPE's version against the criterion:
// an NA criterion matches only a component that states no version (rule
// (c)); bounds are checked in the generic order; a criterion's own
// concrete version must equal the component's.
func (cc *ccpe) versionOK(s *subject, sc *subjectCPE) bool {
	pv := cc.pattern.Version()
	switch {
	case pv.IsNA():
		return sc.na
	case sc.na || sc.version == "":
		return pv.IsAny() && !cc.hasBounds
	}
	var v semantic.Version
	parsed := func() bool {
		if v == nil {
			var err error
			if v, err = s.parsedIn(schemeGeneric, sc.version); err != nil {
				return false
			}
		}
		return true
	}
	switch {
	case pv.HasWildcards():
		if !wildcardVersionMatch(pv, sc.version) {
			return false
		}
	case !pv.IsAny():
		if !strings.EqualFold(pv.Literal(), sc.version) {
			if cc.exact == nil || !parsed() {
				return false
			}
			if c, ok := compare(v, cc.exact); !ok || c != 0 {
				return false
			}
		}
	}
	if cc.start != nil {
		if !parsed() {
			return false
		}
		c, ok := compare(v, cc.start)
		if !ok || c < 0 || (c == 0 && cc.startExcl) {
			return false
		}
	}
	if cc.end != nil {
		if !parsed() {
			return false
		}
		c, ok := compare(v, cc.end)
		if !ok || c > 0 || (c == 0 && !cc.endIncl) {
			return false
		}
	}
	return true
}

// wildcardVersionMatch matches a criterion version with a leading or
// trailing "*" or "?" run ("1.2.*") against a version, by prefix and
// suffix; "?" runs are read as "*", which is looser than NISTIR 7696.
func wildcardVersionMatch(pv component.Value, v string) bool {
	s := pv.String()
	lit := strings.ToLower(pv.Literal())
	v = strings.ToLower(v)
	lead := strings.HasPrefix(s, "*") || strings.HasPrefix(s, "?")
	trail := (strings.HasSuffix(s, "*") || strings.HasSuffix(s, "?")) && !strings.HasSuffix(s, `\*`) && !strings.HasSuffix(s, `\?`)
	switch {
	case lead && trail:
		return strings.Contains(v, lit)
	case lead:
		return strings.HasSuffix(v, lit)
	case trail:
		return strings.HasPrefix(v, lit)
	}
	return v == lit
}

// describe renders the criterion with its bounds.
func (cc *ccpe) describe(crit *advisory.CPECriteria) string {
	var b strings.Builder
	b.WriteString(cc.pattern.String())
	var parts []string
	switch {
	case crit.VersionStartIncluding != "":
		parts = append(parts, ">= "+crit.VersionStartIncluding)
	case crit.VersionStartExcluding != "":
		parts = append(parts, "> "+crit.VersionStartExcluding)
	}
	switch {
	case crit.VersionEndExcluding != "":
		parts = append(parts, "< "+crit.VersionEndExcluding)
	case crit.VersionEndIncluding != "":
		parts = append(parts, "<= "+crit.VersionEndIncluding)
	}
	if len(parts) > 0 {
		b.WriteString(" versions ")
		b.WriteString(strings.Join(parts, ", "))
	}
	return b.String()
}

func joinCaveats(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
