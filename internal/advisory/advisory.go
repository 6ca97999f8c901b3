// Package advisory is Lifeline's model of a published vulnerability: who
// said it, which components it affects and at which versions, how severe it
// is and whether it is known to be exploited. Every feed (OSV, NVD CVE API
// 2.0, CSAF 2.0, CISA KEV) is read into this one model by its own
// sub-package, and the matcher (internal/vulnmatch) reads only this model.
//
// The package is pure: no I/O, no clock, no storage. Besides the standard
// library it imports internal/errs and go-cvss, which computes base scores
// from CVSS vectors (ScoreVector).
package advisory

import (
	"slices"
	"strings"
	"time"
)

// Source names the feed an advisory record came from.
type Source string

// The feeds Lifeline reads.
const (
	SourceOSV  Source = "osv"
	SourceNVD  Source = "nvd"
	SourceCSAF Source = "csaf"
	SourceKEV  Source = "kev"
)

// Advisory is one vulnerability record from one feed. The same
// vulnerability published by two feeds is two records with shared aliases;
// the store merges them into one vulnerability by alias (see Merge).
type Advisory struct {
	ID        string    // the feed's id: "CVE-2023-38545", "GHSA-…", "DSA-5525-1", "cisco-sa-…"
	Source    Source    // the feed
	Aliases   []string  // other ids of the same vulnerability (CVE ↔ GHSA ↔ vendor ids), sorted, without ID
	Summary   string    // one line
	Details   string    // longer text, as published
	Published time.Time // zero when the feed gives none
	Modified  time.Time // the feed's last-modified time; drives incremental import
	Withdrawn time.Time // non-zero when the feed withdrew (rejected) the record
	Severity  []Severity
	Affected  []Affected
	// Exploited is set when the record says the vulnerability is known to be
	// exploited in the wild (CISA KEV). It starts the CRA Art. 14 clocks.
	Exploited  *Exploitation
	References []string // URLs
}

// Severity is one severity rating.
type Severity struct {
	Type   string  // "CVSS_V4", "CVSS_V3" (3.0 and 3.1), "CVSS_V2", or a feed's own label
	Vector string  // the CVSS vector, when known
	Score  float64 // base score 0–10; 0 when only a vector or label is known
	Source string  // who rated it: "nvd@nist.gov", a CNA, a vendor
}

// Exploitation records that a vulnerability is known to be exploited.
type Exploitation struct {
	DateAdded      time.Time // when the catalogue listed it
	DueDate        time.Time // remediation due date in the catalogue, if any
	RansomwareUse  bool      // "Known" ransomware campaign use
	RequiredAction string
}

// Affected is one statement of which versions of one component are
// affected. Exactly one of Package and CPE is set.
type Affected struct {
	Package *Package     // an ecosystem package (OSV, CSAF with purl)
	CPE     *CPECriteria // an NVD-style CPE applicability criterion
	// Ranges and Versions qualify Package: the component is affected when
	// its version is listed in Versions or falls in one of the Ranges.
	// An Affected with a Package and neither ranges nor versions affects
	// every version.
	Ranges   []Range
	Versions []string
	// Fixed names versions known to fix it where the feed says so outside a
	// range (CSAF "fixed" products).
	Fixed []string
}

// Package identifies a component in an ecosystem.
type Package struct {
	Ecosystem string // OSV ecosystem, with release suffix where given: "Debian:12", "Alpine:v3.19", "Linux", "PyPI"; "" when only a purl is known
	Name      string // the ecosystem's name for it: "openssl", "Kernel", "github.com/foo/bar"
	PURL      string // versionless purl when the feed gives one
}

// Range types, as in the OSV schema.
const (
	RangeSemver    = "SEMVER"
	RangeEcosystem = "ECOSYSTEM"
	RangeGit       = "GIT"
)

// Range is an OSV-style version range: a sorted list of events.
type Range struct {
	Type   string // one of the Range constants
	Repo   string // GIT ranges: the repository
	Events []Event
}

// Event is one event of a Range; exactly one field is set. Introduced "0"
// means before every version.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// CPECriteria is one vulnerable match criterion of an NVD configuration: a
// CPE 2.3 pattern with optional version bounds, and the platforms it must
// run on when the configuration says so (an AND node such as "firmware X
// running on hardware Y").
type CPECriteria struct {
	Criteria              string // CPE 2.3 formatted string, may contain ANY
	VersionStartIncluding string
	VersionStartExcluding string
	VersionEndIncluding   string
	VersionEndExcluding   string
	RunningOn             []string // CPE patterns of required platforms; empty when none
}

// IDs returns the advisory's id followed by its aliases.
func (a *Advisory) IDs() []string {
	return append([]string{a.ID}, a.Aliases...)
}

// CVE returns the first CVE id among the advisory's id and aliases, or "".
func (a *Advisory) CVE() string {
	for _, id := range a.IDs() {
		if strings.HasPrefix(id, "CVE-") {
			return id
		}
	}
	return ""
}

// MaxScore returns the highest base score among the ratings, or 0.
func (a *Advisory) MaxScore() float64 {
	var m float64
	for _, s := range a.Severity {
		m = max(m, s.Score)
	}
	return m
}

// SeverityLabel names a CVSS base score band (CVSS v3/v4 qualitative scale).
func SeverityLabel(score float64) string {
	switch {
	case score >= 9:
		return "critical"
	case score >= 7:
		return "high"
	case score >= 4:
		return "medium"
	case score > 0:
		return "low"
	default:
		return "unknown"
	}
}

// NormaliseAliases sorts and deduplicates a.Aliases and removes a.ID from them.
func (a *Advisory) NormaliseAliases() {
	out := a.Aliases[:0]
	for _, s := range a.Aliases {
		s = strings.TrimSpace(s)
		if s != "" && s != a.ID {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	a.Aliases = slices.Compact(out)
}
