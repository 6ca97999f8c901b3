package component

import (
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Attribute names one of the 11 attributes of a well-formed CPE name
// (NISTIR 7695 §5.3), in binding order.
type Attribute uint8

// The attributes, in the order the bindings write them.
const (
	AttrPart Attribute = iota
	AttrVendor
	AttrProduct
	AttrVersion
	AttrUpdate
	AttrEdition
	AttrLanguage
	AttrSWEdition
	AttrTargetSW
	AttrTargetHW
	AttrOther
)

// NumAttributes is the number of attributes of a WFN.
const NumAttributes = 11

var attrNames = [NumAttributes]string{"part", "vendor", "product", "version", "update", "edition", "language", "sw_edition", "target_sw", "target_hw", "other"}

// String returns the attribute's WFN name ("sw_edition", "target_hw", ...).
func (a Attribute) String() string {
	if int(a) < NumAttributes {
		return attrNames[a]
	}
	return "unknown"
}

// Limits on what ParseCPE accepts; real CPE names are far shorter. The
// input limit caps the work; the character limit keeps every rendering of
// an accepted name (quoting doubles a character, percent-encoding triples
// it) within the input limit, so that it parses back.
const (
	maxCPELen   = 8192 // bytes of input
	maxCPEChars = 1024 // characters of all 11 values together, unquoted, wildcards included
)

type valueKind uint8

const (
	kindAny valueKind = iota // the zero Value is ANY
	kindNA
	kindString
)

// Value is one attribute value of a WFN: the logical value ANY, the logical
// value NA, or a value string. A value string is a literal, optionally
// preceded and followed by the unquoted wildcards NISTIR 7695 §5.3.2
// allows: a single "*" (any sequence of characters) or a run of "?" (one
// character each; see [CompareValues]) at the beginning, at the end, or
// both. Wildcards never occur inside the literal.
//
// Values are compared case-insensitively (NISTIR 7696 §6.1), so ParseCPE
// stores them lowercase. The zero Value is ANY. Values are comparable with ==.
type Value struct {
	kind valueKind
	pre  string // "", "*" or a run of "?"
	lit  string // the literal characters, unquoted, lowercase
	suf  string // "", "*" or a run of "?"
}

// IsAny reports whether v is the logical value ANY ("*" in the formatted
// string, empty in the URI).
func (v Value) IsAny() bool { return v.kind == kindAny }

// IsNA reports whether v is the logical value NA, "not applicable" ("-" in
// both bindings).
func (v Value) IsNA() bool { return v.kind == kindNA }

// HasWildcards reports whether v is a value string with an unquoted "*" or
// "?". ANY is not a value string and has none.
func (v Value) HasWildcards() bool { return v.pre != "" || v.suf != "" }

// Literal returns the literal characters of a value string, unquoted and
// without its wildcards: "8.0.6001" for 8\.0\.6001, "8." for 8\.*. It returns
// "" for ANY and NA.
func (v Value) Literal() string { return v.lit }

// String returns v as it appears in the formatted string binding.
func (v Value) String() string {
	switch v.kind {
	case kindAny:
		return "*"
	case kindNA:
		return "-"
	}
	var b strings.Builder
	v.writeFS(&b)
	return b.String()
}

// CPE is a well-formed CPE name (WFN, NISTIR 7695 §5): 11 attribute values.
// The zero CPE has every attribute ANY. CPEs are comparable with ==, which
// is attribute-by-attribute identity of the WFNs.
type CPE struct {
	attrs [NumAttributes]Value
}

// Get returns the value of attribute a.
func (c CPE) Get(a Attribute) Value {
	if int(a) >= NumAttributes {
		return Value{}
	}
	return c.attrs[a]
}

// Part returns the part attribute: "a" (application), "o" (operating
// system), "h" (hardware), or "" when it is ANY or NA.
func (c CPE) Part() string { return c.attrs[AttrPart].lit }

// Vendor returns the vendor attribute.
func (c CPE) Vendor() Value { return c.attrs[AttrVendor] }

// Product returns the product attribute.
func (c CPE) Product() Value { return c.attrs[AttrProduct] }

// Version returns the version attribute.
func (c CPE) Version() Value { return c.attrs[AttrVersion] }

// ParseCPE parses a CPE name in either binding of NISTIR 7695:
//
//   - the formatted string binding (§6.2),
//     cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other,
//     with all 11 components, "*" for ANY, "-" for NA and a backslash quoting
//     any other character (\: \* \? \\ \+ ...);
//   - the URI binding (§6.1), cpe:/part:vendor:product:version:update:edition:language,
//     where missing trailing components are ANY, an empty component is ANY,
//     "-" is NA, characters are percent-encoded, %01 and %02 are the "?" and
//     "*" wildcards, and an edition that starts with "~" packs edition,
//     sw_edition, target_sw, target_hw and other (~ed~swed~tsw~thw~other).
//
// Unquoted "*" and "?" are wildcards and may appear only where §5.3.2
// allows: a single "*" or a run of "?" at the start and/or the end of a
// value. The part must be "a", "o", "h", ANY or NA. The whole name is
// lowercased. Leading and trailing white space is ignored.
//
// Two departures from the letter of 7695, both in the direction of reading
// what firmware tools write: printable punctuation that 7695 requires to be
// quoted is accepted unquoted (older Yocto wrote "sdbus-c++" for
// sdbus-c\+\+) and read as the literal character, and the URI binding
// accepts any percent-encoded printable ASCII character, not just those in
// 7695's decoding table. Neither changes what a valid name means, and
// [CPE.String] always writes the strict form. Language tags are not checked
// against RFC 5646.
//
// Errors are of kind errs.Invalid with code "invalid_cpe".
func ParseCPE(s string) (CPE, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxCPELen {
		return CPE{}, cpeError(s, "longer than %d bytes", maxCPELen)
	}
	lower := toLowerASCII(s)
	var c CPE
	var err error
	switch {
	case strings.HasPrefix(lower, "cpe:2.3:"):
		c, err = parseFS(s, lower[len("cpe:2.3:"):])
	case strings.HasPrefix(lower, "cpe:/"):
		c, err = parseURI(s, lower[len("cpe:/"):])
	default:
		return CPE{}, cpeError(s, `does not start with "cpe:2.3:" or "cpe:/"`)
	}
	if err != nil {
		return CPE{}, err
	}
	n := 0
	for _, v := range c.attrs {
		n += len(v.pre) + len(v.lit) + len(v.suf)
	}
	if n > maxCPEChars {
		return CPE{}, cpeError(s, "values longer than %d characters together", maxCPEChars)
	}
	return c, nil
}

// MustParseCPE is ParseCPE for names known to be valid, such as constants in
// tests. It panics on error.
func MustParseCPE(s string) CPE {
	c, err := ParseCPE(s)
	if err != nil {
		panic(err)
	}
	return c
}

func cpeError(s, format string, args ...any) *errs.Error {
	return errs.E(errs.Invalid, "invalid CPE %q: "+format, append([]any{clip(s)}, args...)...).WithCode("invalid_cpe")
}

// clip shortens s for an error message.
func clip(s string) string {
	const n = 200
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
