// Package component normalises the identity of software components found in
// SBOMs, so that the same component in two firmware releases is one
// component, and matches CPE names the way NVD applicability statements
// are meant to be read.
//
// It is pure: no I/O, no clock, no global state. It imports only the
// standard library, packageurl-go and internal/errs.
//
// # Package URLs
//
// [ParsePURL] parses a purl (ECMA-427, package-url/purl-spec) with
// packageurl-go and applies the per-type normalisation of the purl spec, so
// that [PURL.Key] is one canonical string per component version and
// [PURL.Versionless] one canonical string per component. See [ParsePURL] for
// the rules, including where Lifeline departs from packageurl-go (golang
// keeps its case; npm is lowercased).
//
// # CPE names
//
// [ParseCPE] reads both CPE 2.3 bindings of NISTIR 7695 (CPE Naming): the
// formatted string binding ("cpe:2.3:a:vendor:product:...", §6.2) and the
// URI binding ("cpe:/a:vendor:product:...", §6.1), into a well-formed name
// (WFN) of 11 attributes, each ANY, NA or a value. [CPE.String] renders the
// formatted string in canonical, lowercase form (as NVD writes it) and
// [CPE.URI] the URI binding; both round-trip through [ParseCPE].
//
// [CompareValues], [Compare] and [Matches] implement NISTIR 7696 (CPE Name
// Matching): the attribute comparison of Table 6-2, including values with
// leading or trailing wildcards, and the name comparison built on it.
// Matches is CPE_SUPERSET ("superset or equal" on every attribute), which is
// how an NVD match criterion (the pattern) applies to a component's concrete
// CPE (the name).
//
// Version ranges are not handled here. NVD configurations qualify a match
// criterion such as cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:* with
// versionStartIncluding, versionStartExcluding, versionEndIncluding and
// versionEndExcluding; those bounds are outside the CPE name and outside
// NISTIR 7696, and [Matches] never looks at them. The matcher that consumes
// this package must check them itself, with the version order of the
// component's ecosystem, after [Matches] has said the names apply.
//
// # Firmware quirks
//
// Firmware SBOMs carry CPEs that match far more than they should: Yocto
// writes a wildcard vendor when CVE_PRODUCT names none
// ([CPE.VendorIsWildcard]), NVD uses the version "-" (NA) for entries that
// name no version ([CPE.VersionIsNA]), and OpenWrt stamps the kernel's CPE
// on every kmod-* package ([KernelCPEOnModule]). These helpers only
// identify the quirks; what to do about them is the matcher's policy.
package component
