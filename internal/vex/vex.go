// Package vex reads VEX documents — CycloneDX VEX, OpenVEX and CSAF 2.0
// csaf_vex — into one model of statements ("component X is not affected by
// vulnerability Y, because Z"), and decides which statements apply to a
// component. Statements embedded in SBOMs (Yocto CVE_STATUS, CycloneDX
// analyses) arrive through internal/sbom and are converted with
// FromSBOM.
//
// The package is pure: no I/O, no clock, no storage.
package vex

import "time"

// Statuses, as in OpenVEX and CSAF; CycloneDX analysis states map onto them.
const (
	StatusNotAffected        = "not_affected"
	StatusAffected           = "affected"
	StatusFixed              = "fixed"
	StatusUnderInvestigation = "under_investigation"
)

// Justifications shared by OpenVEX, CSAF flags and SPDX 3. CycloneDX's nine
// justifications map onto these where the meaning is the same; the others
// are kept verbatim.
const (
	JustComponentNotPresent            = "component_not_present"
	JustVulnerableCodeNotPresent       = "vulnerable_code_not_present"
	JustVulnerableCodeNotInExecutePath = "vulnerable_code_not_in_execute_path"
	JustCannotBeControlledByAdversary  = "vulnerable_code_cannot_be_controlled_by_adversary"
	JustInlineMitigationsAlreadyExist  = "inline_mitigations_already_exist"
)

// Statement is one VEX statement about one vulnerability and the products
// (components) it names.
type Statement struct {
	Vulnerability string   // the id the statement names, e.g. "CVE-2023-45853"
	Aliases       []string // other ids the document gives for it
	Products      []Product
	Status        string // one of the Status constants
	Justification string // one of the Just constants, or the format's own value
	Detail        string // impact statement, action statement or analysis detail
	Timestamp     time.Time
	Format        string // "cyclonedx", "openvex", "csaf", "spdx3", "sbom-cyclonedx"
}

// Product names a component a statement is about. Any field may be empty;
// a statement applies to a component when one of the given identifiers
// matches it (see Applies).
type Product struct {
	Ref     string // an SBOM-local reference (bom-ref, SPDX id); only meaningful for statements from that SBOM
	PURL    string // versioned or versionless purl
	CPE     string // CPE 2.3 name or pattern
	Name    string // a plain name, with Version, when nothing better is given
	Version string
}
