package vex

import "strings"

// CycloneDX analysis states and justifications, as in CycloneDX 1.4–1.6.
var (
	cycloneDXStates = map[string]string{
		"not_affected":           StatusNotAffected,
		"false_positive":         StatusNotAffected,
		"resolved":               StatusFixed,
		"resolved_with_pedigree": StatusFixed,
		"exploitable":            StatusAffected,
		"in_triage":              StatusUnderInvestigation,
	}
	cycloneDXJustifications = map[string]string{
		"code_not_present":   JustVulnerableCodeNotPresent,
		"code_not_reachable": JustVulnerableCodeNotInExecutePath,
	}
)

// JustFalsePositive is the justification given to a CycloneDX
// false_positive analysis, which has no counterpart among the shared
// justifications: the vulnerability was never there.
const JustFalsePositive = "false_positive"

// CycloneDXStatus maps a CycloneDX analysis state and justification onto a
// status and a justification of this package:
//
//	CycloneDX state            Status               Justification
//	not_affected               not_affected         mapped as below
//	false_positive             not_affected         false_positive
//	resolved                   fixed                —
//	resolved_with_pedigree     fixed                —
//	exploitable                affected             —
//	in_triage                  under_investigation  —
//
//	CycloneDX justification    Justification
//	code_not_present           vulnerable_code_not_present
//	code_not_reachable         vulnerable_code_not_in_execute_path
//	requires_configuration     kept verbatim
//	requires_dependency        kept verbatim
//	requires_environment       kept verbatim
//	protected_by_compiler      kept verbatim
//	protected_at_runtime       kept verbatim
//	protected_at_perimeter     kept verbatim
//	protected_by_mitigating_control  kept verbatim
//
// The seven CycloneDX justifications kept verbatim have no exact
// counterpart among the five shared ones: "requires_configuration" is not
// "cannot be controlled by adversary", and "protected_at_perimeter" is not
// an inline mitigation. Mapping them would claim more than the document
// says, so they stay as written; consumers that know only the shared five
// should treat them as "other". ok is false for an unknown or empty state.
func CycloneDXStatus(state, justification string) (status, just string, ok bool) {
	state = strings.TrimSpace(state)
	status, ok = cycloneDXStates[state]
	if !ok {
		return "", "", false
	}
	if state == "false_positive" {
		return status, JustFalsePositive, true
	}
	return status, NormaliseJustification(justification), true
}

// NormaliseJustification maps a CycloneDX justification onto the shared
// one with the same meaning (see CycloneDXStatus) and returns any other
// value trimmed but otherwise unchanged.
func NormaliseJustification(j string) string {
	j = strings.TrimSpace(j)
	if m, ok := cycloneDXJustifications[j]; ok {
		return m
	}
	return j
}
