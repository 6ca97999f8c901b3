// Package sbom reads firmware SBOMs (CycloneDX, SPDX 2 and SPDX 3) into one
// normalised model for vulnerability matching.
//
// The package is pure: it has no storage, no network access and no opinion
// about what a component's identifiers mean. Quirks of the producing tools
// are kept as data for the matcher to judge: pkg:yocto purls, CPEs with a
// "*" vendor or the version "-", the kernel CPE that OpenWrt copies onto
// every kmod-* package. Only obvious encoding noise is cleaned up: strings
// are trimmed, hash hex is lowercased, and identical CPEs on one component
// are kept once.
package sbom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Format names returned in Document.Format are built from these families,
// the specification version and the serialisation, for example
// "cyclonedx-1.5-json", "cyclonedx-1.4-xml", "spdx-2.3-json",
// "spdx-2.3-tag-value" and "spdx-3.0.1-json-ld".
const (
	FamilyCycloneDX = "cyclonedx"
	FamilySPDX      = "spdx"
)

// Document is an SBOM in the normalised model.
type Document struct {
	Format       string    // e.g. "cyclonedx-1.5-json"; see the Family constants
	Name         string    // the described product or document name
	Version      string    // the described product's version, when the format has one
	Created      time.Time // zero when absent or unparseable
	Tools        []string  // producing tools, "name version" where known
	Components   []Component
	Dependencies map[string][]string // component ref → refs it depends on
	VEX          []Statement         // vulnerability statements embedded in the SBOM
}

// Component is one package, file or other part listed in an SBOM.
type Component struct {
	Ref      string // the document-local identifier (bom-ref, SPDXID, spdxId); never empty
	Type     string // the format's own type or purpose, e.g. "library", "file", "install"
	Name     string
	Version  string // as written; "-" and other odd values are kept
	Supplier string
	PURL     string
	CPEs     []string          // as written (2.3 or 2.2 form), deduplicated
	Hashes   map[string]string // algorithm ("sha256", "sha1", "sha3-256", …) → value, hex lowercased
	Licenses []string          // SPDX ids or expressions, or free-text names
	Parent   string            // ref of the component that contains this one, if any
}

// VEX statuses, as in OpenVEX and CSAF.
const (
	StatusNotAffected        = "not_affected"
	StatusAffected           = "affected"
	StatusFixed              = "fixed"
	StatusUnderInvestigation = "under_investigation"
)

// Statement is one vulnerability statement embedded in an SBOM: Yocto's
// CVE_STATUS written as SPDX 3 VEX relationships, or a CycloneDX
// vulnerability with an analysis.
type Statement struct {
	ID            string // the vulnerability id, e.g. "CVE-2023-45853"
	Component     string // ref of the component the statement is about (may be outside the document)
	Status        string // one of the Status constants
	Justification string // the format's justification value, e.g. "code_not_present" or "vulnerable_code_not_present"
	Detail        string // free text: impact or action statement, analysis detail
}

// Limits bound the resources Parse spends on one input. Zero fields take
// the defaults.
type Limits struct {
	MaxBytes      int64 // default 64 MiB
	MaxComponents int   // default 200,000
	MaxDepth      int   // JSON/XML nesting depth; default 64
}

// Default limits.
const (
	DefaultMaxBytes      = 64 << 20
	DefaultMaxComponents = 200_000
	DefaultMaxDepth      = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxComponents <= 0 {
		l.MaxComponents = DefaultMaxComponents
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse reads one SBOM from r and returns it in the normalised model. The
// format is detected from the content: CycloneDX 1.4–1.6 JSON or XML, SPDX
// 2.2/2.3 JSON or tag-value, or SPDX 3.0 JSON-LD as Yocto writes it.
//
// Input that is larger, more deeply nested or has more components than
// limits allow is refused with an errs.TooLarge error. Input that is not
// UTF-8, not a known format, malformed, or has two components with the same
// ref is refused with an errs.Invalid error.
func Parse(r io.Reader, limits Limits) (*Document, error) {
	limits = limits.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, limits.MaxBytes+1))
	if err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "sbom: read failed")
	}
	if int64(len(data)) > limits.MaxBytes {
		return nil, errs.E(errs.TooLarge, "sbom: input exceeds %d bytes", limits.MaxBytes)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		return nil, errs.E(errs.Invalid, "sbom: input is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errs.E(errs.Invalid, "sbom: input is empty")
	}

	var doc *Document
	switch trimmed[0] {
	case '{':
		doc, err = parseJSON(trimmed, limits)
	case '<':
		doc, err = parseXML(trimmed, limits)
	default:
		if !looksLikeTagValue(trimmed) {
			return nil, errs.E(errs.Invalid, "sbom: unknown format (not CycloneDX, SPDX JSON, SPDX tag-value or SPDX 3 JSON-LD)")
		}
		doc, err = parseSPDX2(trimmed, "tag-value", limits)
	}
	if err != nil {
		return nil, err
	}
	if len(doc.Components) > limits.MaxComponents {
		return nil, errs.E(errs.TooLarge, "sbom: %d components exceed the limit of %d", len(doc.Components), limits.MaxComponents)
	}
	return doc, nil
}

// parseJSON checks nesting, reads the top-level keys and hands the input to
// the parser for its format.
func parseJSON(data []byte, limits Limits) (*Document, error) {
	top, err := scanJSON(data, limits.MaxDepth)
	if err != nil {
		return nil, err
	}
	switch {
	case top.bomFormat != "":
		if top.bomFormat != "CycloneDX" {
			return nil, errs.E(errs.Invalid, "sbom: unknown bomFormat %q", top.bomFormat)
		}
		return parseCycloneDX(data, "json", top.specVersion, limits)
	case top.spdxVersion != "":
		return parseSPDX2(data, "json", limits)
	case top.hasContext && top.hasGraph:
		return parseSPDX3(data, limits)
	default:
		return nil, errs.E(errs.Invalid, "sbom: unknown JSON format (no bomFormat, spdxVersion or @context/@graph)")
	}
}

func parseXML(data []byte, limits Limits) (*Document, error) {
	root, err := scanXML(data, limits.MaxDepth)
	if err != nil {
		return nil, err
	}
	version, ok := cycloneDXNamespaces[root.Space]
	if root.Local != "bom" || !ok {
		return nil, errs.E(errs.Invalid, "sbom: unknown XML format (root element %q in namespace %q)", root.Local, root.Space)
	}
	return parseCycloneDX(data, "xml", version, limits)
}

// guard runs parse, turning a panic in a third-party parser into an error
// that names the format.
func guard(format string, parse func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errs.Wrap(errs.Invalid, fmt.Errorf("panic: %v", p), "sbom: %s parser failed on this input", format)
		}
	}()
	return parse()
}

// invalid wraps a parser error as errs.Invalid naming the format, unless it
// already is an *errs.Error.
func invalid(format string, err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return errs.Wrap(errs.Invalid, err, "sbom: malformed %s document", format)
}
