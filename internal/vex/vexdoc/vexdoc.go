// Package vexdoc reads standalone VEX documents — CycloneDX VEX (JSON and
// XML), OpenVEX (JSON) and CSAF 2.0 (csaf_vex or any other category) —
// into statements of package vex.
//
// # Why a separate package
//
// Reading CSAF is the job of internal/advisory/csaf, which turns a CSAF
// document into both advisories and VEX statements and so imports vex.
// If vex detected formats itself it would have to import csaf, and the two
// would import each other. Format detection therefore lives here, above
// both: vexdoc imports vex, csaf and cyclonedx-go, while vex keeps the
// statement model, FromSBOM and Applies with no parser dependencies, so
// the matcher can import it cheaply.
//
// # Formats
//
// CycloneDX: each vulnerability with an analysis becomes one statement;
// analysis.state and analysis.justification are mapped by
// vex.CycloneDXStatus; Detail is analysis.detail followed by the responses
// ("Response: update, will_not_fix"); Timestamp is analysis.lastUpdated,
// firstIssued, the vulnerability's updated or published time, or the BOM's
// metadata timestamp. affects[].ref is resolved against the bom-refs of
// metadata.component and of all components (nested ones too), giving the
// component's purl, first CPE, name and version; the product keeps the ref
// as written. A ref that resolves to nothing but is a purl is used as the
// purl. A vulnerability without affects is about metadata.component.
// References[].id become Aliases.
//
// OpenVEX (v0.2.0, and v0.0.1 documents whose vulnerability and products
// are plain strings): each statement's vulnerability name (or @id) and
// aliases, status and justification as written, Detail the
// impact_statement, else the action_statement, else status_notes, and
// Timestamp the statement's last_updated or timestamp, else the document's.
// Products come from @id (a purl, a CPE, or else a name) and
// identifiers (purl, cpe23, cpe22); when a product lists subcomponents the
// statement is about them, so the subcomponents become the products (the
// model has no way to say "libssl inside image X": see vex.Product).
//
// CSAF: csaf.Parse, using only the statements.
//
// The package is pure: no I/O, no clock, no storage.
package vexdoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/advisory/csaf"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/vex"
)

// Format names returned by Parse, also used as Statement.Format.
const (
	FormatCycloneDX = "cyclonedx"
	FormatOpenVEX   = "openvex"
	FormatCSAF      = csaf.FormatCSAF
)

// Limits bound the resources Parse spends on one document. Zero fields
// take the defaults.
type Limits struct {
	MaxBytes      int64 // default 16 MiB
	MaxDepth      int   // JSON/XML nesting depth; default 64
	MaxStatements int   // default 100,000
}

// Default limits.
const (
	DefaultMaxBytes      = 16 << 20
	DefaultMaxDepth      = 64
	DefaultMaxStatements = 100_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxStatements <= 0 {
		l.MaxStatements = DefaultMaxStatements
	}
	return l
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse detects the format of one VEX document and reads its statements.
// It returns the format (one of the Format constants). Input larger, more
// deeply nested or with more statements than lim allows is refused with an
// errs.TooLarge error; input that is not UTF-8, not one of the formats, or
// malformed is refused with an errs.Invalid error.
func Parse(data []byte, lim Limits) ([]vex.Statement, string, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, "", errs.E(errs.TooLarge, "vex: document exceeds %d bytes", lim.MaxBytes)
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))
	if !utf8.Valid(data) {
		return nil, "", errs.E(errs.Invalid, "vex: document is not valid UTF-8")
	}
	if len(data) == 0 {
		return nil, "", errs.E(errs.Invalid, "vex: document is empty")
	}
	var (
		sts    []vex.Statement
		format string
		err    error
	)
	switch data[0] {
	case '<':
		format = FormatCycloneDX
		sts, err = parseCycloneDXXML(data, lim)
	case '{':
		sts, format, err = parseJSON(data, lim)
	default:
		return nil, "", errs.E(errs.Invalid, "vex: unknown format (not JSON or XML)")
	}
	if err != nil {
		return nil, format, err
	}
	if len(sts) > lim.MaxStatements {
		return nil, format, errs.E(errs.TooLarge, "vex: %d statements exceed the limit of %d", len(sts), lim.MaxStatements)
	}
	return sts, format, nil
}

func parseJSON(data []byte, lim Limits) ([]vex.Statement, string, error) {
	if advisory.JSONDepthExceeds(data, lim.MaxDepth) {
		return nil, "", errs.E(errs.TooLarge, "vex: JSON nesting exceeds depth %d", lim.MaxDepth)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, "", errs.Wrap(errs.Invalid, err, "vex: malformed JSON")
	}
	switch {
	case top["bomFormat"] != nil:
		sts, err := parseCycloneDXJSON(data, top["bomFormat"])
		return sts, FormatCycloneDX, err
	case top["@context"] != nil && top["statements"] != nil:
		sts, err := parseOpenVEX(data)
		return sts, FormatOpenVEX, err
	case top["document"] != nil:
		doc, err := csaf.Parse(data, csaf.Limits{MaxBytes: lim.MaxBytes, MaxDepth: lim.MaxDepth})
		if err != nil {
			return nil, FormatCSAF, err
		}
		return doc.Statements, FormatCSAF, nil
	default:
		return nil, "", errs.E(errs.Invalid, "vex: unknown JSON format (no bomFormat, OpenVEX @context and statements, or CSAF document)")
	}
}

// guard runs parse, turning a panic in a third-party decoder into an error.
func guard(format string, parse func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errs.Wrap(errs.Invalid, fmt.Errorf("panic: %v", p), "vex: %s decoder failed on this input", format)
		}
	}()
	return parse()
}
