// Package vulnmatch decides which advisories affect which SBOM components,
// and says why. It reads advisories only in the model of internal/advisory
// and components only as [Component] (see [FromSBOM]).
//
// The package is pure: no I/O, no clock, no storage. It imports only the
// standard library, internal/advisory, internal/component, internal/sbom,
// internal/errs and github.com/google/osv-scalibr/semantic.
//
// # Lookup keys
//
// An [Index] files each advisory.Affected under short keys
// ([AffectedKeys]) and looks a component up under its own keys
// ([ComponentKeys]); a component can only match an Affected that shares a
// key with it. The store persists AffectedKeys to load only the advisories
// a portfolio can match, so the keys below are a stored format: changing
// them means re-keying every stored advisory.
//
//	purl:<versionless purl>      an Affected's Package.PURL; a component's purl, and for deb
//	                             and apk also the purl of its source package (the "upstream"
//	                             qualifier): purl:pkg:deb/debian/openssl
//	eco:<ecosystem>/<name>       an Affected's OSV ecosystem without its release suffix and its
//	                             name; a component's purl mapped to OSV: eco:Debian/openssl,
//	                             eco:PyPI/django-rest, eco:Go/github.com/foo/bar
//	cpe:<vendor>:<product>       a CPE criterion with a plain vendor and product; a component CPE
//	                             with a plain vendor: cpe:openssl:openssl
//	cpe:*:<product>              a criterion whose vendor is ANY; every component CPE with a
//	                             plain vendor also looks here
//	cpep:<product>               every criterion with a plain product; looked up only by
//	                             component CPEs without a vendor (Yocto's "*"): cpep:busybox
//	cpeany                       criteria whose product is ANY or has wildcards (rare)
//	kernel                       OSV's Linux/Kernel package; the kernel component
//
// Names are normalised per ecosystem: PyPI as PEP 503, Debian, Ubuntu,
// Alpine-family and npm lowercased, the rest as written (Go and Maven names
// are case-sensitive). CPE values are lowercase, as component.ParseCPE
// reads them.
//
// # Version order
//
// Versions are ordered with semantic (osv-scalibr v0.5.3) in the
// ecosystem's own order wherever semantic supports the ecosystem: Debian
// and Ubuntu (dpkg order), Alpine, Wolfi and Chainguard (apk), Red Hat,
// Rocky, AlmaLinux, SUSE, openSUSE (rpm), PyPI, Maven, NuGet, RubyGems,
// Packagist, Pub, CRAN, Hackage, and semver for Go, npm, crates.io, Hex and
// OSV SEMVER ranges. [Reason].Scheme names the order family.
//
// Everything else — NVD CPE bounds, generic, yocto, openwrt and buildroot
// purls, GIT and unknown ecosystems — uses the generic order: semantic's
// Debian comparator applied to a normalised version ([NormaliseGeneric]).
// The version is lowercased; a leading "v" before a digit is dropped; the
// prerelease markers rc, alpha, beta, pre, preview and dev, when they follow
// a digit or one of "-", "_", "." and are followed by a digit, a separator
// or the end, become "~marker", which dpkg sorts before the release
// (6.1-rc1 < 6.1, 2.0.0-beta2 < 2.0.0); the remaining "-", "_" and ":"
// become "." (so there is no Debian revision or epoch). Letters sort after
// their absence, so 1.1.1w > 1.1.1v > 1.1.1. A version must then start with
// a digit and hold only printable ASCII.
//
// The Linux kernel uses the kernel order: the leading dotted numeric part
// of the version and an optional "-rcN" ("6.1.55-yocto-standard" is
// 6.1.55, "5.15.0-1040-raspi" is 5.15.0), compared as the generic order
// compares "6.1.55" or "6.2~rc3", without allocating.
//
// A version that does not parse in the order an advisory needs never
// matches that advisory's ranges; [VersionProblem] says why. Nothing here
// panics on odd input: semantic is called behind recover.
//
// # Package rules (OSV, CSAF with purls)
//
// An Affected with Package.Ecosystem and Name matches a component whose
// purl maps to the same ecosystem and name: deb (namespace debian → Debian,
// ubuntu → Ubuntu), apk (alpine, wolfi, chainguard), rpm (redhat, rocky,
// almalinux, suse, opensuse), pypi, npm, golang → Go, cargo → crates.io,
// maven, nuget, gem → RubyGems, composer → Packagist, hex and pub. For deb
// and apk the source package named by the "upstream" qualifier is used,
// because distribution advisories name source packages. A release suffix
// ("Debian:12", "Alpine:v3.19", "Ubuntu:22.04:LTS") must equal the
// component's release from its "distro" qualifier ("debian-12",
// "bookworm", "alpine-3.19.1"; Debian 10–13 and Ubuntu LTS codenames are
// known); when the SBOM states no release the Affected matches with the
// caveat "release not stated in the SBOM". Release suffixes of other
// ecosystems (Red Hat product streams) are not compared with anything.
//
// An Affected with only a Package.PURL matches by versionless purl, in the
// order of the purl type's ecosystem, or the generic order. A purl with a
// version and no ranges or versions names just that version.
//
// Versions: the component's version is affected when versions[] lists it
// (Kind "version-list") or it lies in a SEMVER or ECOSYSTEM range, whose
// events are sorted and walked as the OSV schema describes (introduced,
// "0" = before every version; fixed; last_affected; limit). GIT ranges are
// ignored: they need the commit graph, and OSV lists the tags they cover in
// versions[], which do count. A range with an event that does not parse is
// ignored whole. An Affected with a package and neither ranges nor versions
// affects every version (caveat "all versions"). Purls of the types
// generic, yocto, openwrt and buildroot have no OSV ecosystem: they are
// matched by CPE and, for the kernel, by the kernel rule.
//
// # CPE rules (NVD)
//
// A criterion matches a component CPE when component.Matches would hold on
// every attribute but the version — the criterion is a superset — and the
// version lies within the bounds (versionStart/End, including/excluding,
// in the generic order), or equals the criterion's own concrete version.
// The version checked is the component CPE's own when it is a concrete
// value, else the component's Version. The firmware rules:
//
//   - (a) kmod: a kernel CPE (component.IsLinuxKernel) on an OpenWrt kmod-*
//     package is dropped (component.KernelCPEOnModule); a module is never
//     matched against kernel CVEs, and never counts as the kernel.
//   - (b) vendor not stated: a component CPE whose vendor is ANY or has
//     wildcards (Yocto without a vendor in CVE_PRODUCT) matches a criterion
//     on exact product equality when the criterion's product is a plain
//     value and its part is "a" or "o", never "h"; caveat "vendor not
//     stated in the SBOM; matched on product".
//   - part not stated: Yocto writes part "*"; such a CPE matches criteria for
//     applications and operating systems, never hardware.
//   - (c) NA version: a criterion with version "-" matches only a component
//     that states no version (its CPE's version is "-" and it has no other
//     version), so NVD's versionless entries do not flood every version.
//   - (d) Buildroot's default vendor "<pkg>_project": when no criterion
//     names that vendor there is no match, and no fall-back to the product
//     alone, which would flood. Buildroot users should set
//     <PKG>_CPE_ID_VENDOR (BUSYBOX_CPE_ID_VENDOR = busybox) where the
//     default is not NVD's vendor.
//   - (e) running on: a criterion from an AND node with platforms still
//     matches, with the caveat "only when running on …" naming them: an
//     SBOM does not say what hardware it runs on.
//
// A criterion with version ANY and no bounds affects every version (caveat
// "all versions").
//
// # Linux kernel
//
// A component is the kernel when one of its CPEs is the kernel's
// (component.IsLinuxKernel) and it is not a kmod-* package, or its purl is
// of type generic, yocto, openwrt or buildroot with the name linux,
// linux-kernel, kernel, linux-yocto, linux-yocto-rt, linux-yocto-tiny or
// linux-yocto-dev. Distribution kernels (pkg:deb/debian/linux) are not: their
// versions carry backports and their own ecosystem's advisories cover them.
// The kernel matches OSV's Linux/Kernel Affected by its non-GIT ranges in
// the kernel order (Kind "kernel-range"), and NVD's linux_kernel criteria
// by its CPE.
//
// # Index
//
// [Index] keeps, per key, the Affected statements filed under it, with
// every bound version and CPE pattern parsed once at [Index.Add] and shared
// between records that repeat it. [Index.Match] parses the component once,
// reads only its keys' buckets and returns at most one [Match] per
// advisory record, ordered by advisory ID.
package vulnmatch
