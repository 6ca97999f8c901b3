// Package csaf reads CSAF 2.0 documents (OASIS Common Security Advisory
// Framework, any category: csaf_security_advisory, csaf_vex, csaf_base and
// the rest) into Lifeline's advisory model and into VEX statements.
//
// # What is read
//
// Parse returns one advisory.Advisory per vulnerabilities[] entry, with ID
// the entry's cve, or else its first ids[].text, and the document's
// tracking id (and tracking aliases) among its Aliases. Product ids in
// product_status are resolved through the product_tree: branches
// (recursively, remembering the product_version or product_version_range
// branch above a product), full_product_names and relationships (a
// relationship product without its own identification helper takes that
// of its product_reference, the component). From the identification helper
// the purl and the cpe are used; products with neither are only named in
// the advisory's Details.
//
//   - known_affected, first_affected, last_affected: an Affected per
//     package. With a purl, Package{PURL: versionless purl} and Versions
//     [the purl's version], or, for a product under a product_version_range
//     branch in vers syntax, a Range of type ECOSYSTEM (see ParseVers). With
//     a cpe, a CPE criterion in CPE 2.3 form (with version bounds from a
//     vers range where it is a single interval).
//   - fixed, first_fixed: the purl's version is added to the Fixed list of
//     the package's Affected entry. A package that is listed only as fixed
//     (Red Hat advisories list nothing else) gets an Affected with the range
//     introduced "0", fixed <version>: every earlier version is taken as
//     affected. This is an inference, not something the document states.
//   - scores[].cvss_v3 and cvss_v2: Severity entries (Source: the
//     publisher's name).
//
// VEX turns known_not_affected (justification from flags[].label, detail
// from threats of category impact), fixed, known_affected (detail from
// remediations) and under_investigation into vex.Statements, grouped per
// vulnerability, status, justification and detail.
//
// # Model
//
// Documents are decoded into Raw, this package's own subset of the CSAF
// 2.0 schema, not into github.com/gocsaf/csaf/v3/csaf: that model (v3.7.0)
// declares product_tree.product_groups and the group_ids of flags, threats
// and remediations as objects, so it rejects valid CSAF documents that use
// product groups; and the package pulls in an HTTP client, a bbolt cache
// and a JSON-schema compiler, which a pure parser has no use for. Parse
// checks the fields it depends on (document category, csaf_version 2.0,
// tracking id and current_release_date), not the whole schema.
//
// The package is pure: no I/O beyond the fs.FS that ReadDir is given, no
// clock, no storage.
package csaf

import (
	"bytes"
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/vex"
)

// Limits bound the resources spent on one document. Zero fields take the
// defaults.
type Limits struct {
	MaxBytes int64 // default 16 MiB
	MaxDepth int   // JSON nesting depth; default 64
	// Since makes ReadDir skip documents whose current_release_date is not
	// after it; zero reads every document. Parse ignores it.
	Since time.Time
}

// Default limits.
const (
	DefaultMaxBytes = 16 << 20
	DefaultMaxDepth = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// FormatCSAF is the Format of the statements VEX returns.
const FormatCSAF = "csaf"

// Document is one CSAF document in Lifeline's models.
type Document struct {
	TrackingID string    // document.tracking.id
	Category   string    // document.category, e.g. "csaf_vex"
	Modified   time.Time // document.tracking.current_release_date
	Advisories []*advisory.Advisory
	Statements []vex.Statement
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse reads one CSAF 2.0 JSON document. Input larger or more deeply
// nested than lim allows is refused with an errs.TooLarge error; input that
// is not UTF-8, not JSON, not CSAF 2.0, or lacks a tracking id or a valid
// current_release_date is refused with an errs.Invalid error.
func Parse(data []byte, lim Limits) (*Document, error) {
	raw, err := Decode(data, lim)
	if err != nil {
		return nil, err
	}
	modified, _ := parseTime(raw.Document.Tracking.CurrentReleaseDate)
	return &Document{
		TrackingID: raw.Document.Tracking.ID,
		Category:   raw.Document.Category,
		Modified:   modified,
		Advisories: Advisories(raw),
		Statements: VEX(raw),
	}, nil
}

// Decode checks and decodes one CSAF 2.0 JSON document without converting
// it; Parse is Decode followed by Advisories and VEX. Errors are as for
// Parse.
func Decode(data []byte, lim Limits) (*Raw, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return nil, errs.E(errs.TooLarge, "csaf: document exceeds %d bytes", lim.MaxBytes)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		return nil, errs.E(errs.Invalid, "csaf: document is not valid UTF-8")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errs.E(errs.Invalid, "csaf: document is not a JSON object")
	}
	if advisory.JSONDepthExceeds(data, lim.MaxDepth) {
		return nil, errs.E(errs.TooLarge, "csaf: JSON nesting exceeds depth %d", lim.MaxDepth)
	}
	var raw Raw
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "csaf: malformed document")
	}
	if err := raw.check(); err != nil {
		return nil, err
	}
	return &raw, nil
}

// check validates what the conversion relies on.
func (r *Raw) check() error {
	var f errs.Fields
	d := &r.Document
	f.Check(d.Category != "", "document.category", "is required")
	f.Check(d.Version == "2.0", "document.csaf_version", "must be \"2.0\", not %q", clip(d.Version))
	f.Check(d.Tracking.ID != "", "document.tracking.id", "is required")
	if _, err := parseTime(d.Tracking.CurrentReleaseDate); err != nil {
		f.Add("document.tracking.current_release_date", "is not an RFC 3339 date-time: %q", clip(d.Tracking.CurrentReleaseDate))
	}
	if err := f.Err(); err != nil {
		if e, ok := err.(*errs.Error); ok {
			e.Message = "csaf: " + e.Message
		}
		return err
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// clip shortens s for error messages.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
