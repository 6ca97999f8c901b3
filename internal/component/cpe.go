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

// token is one character of a value string after unbinding: a literal
// character, or an unquoted wildcard.
type token struct {
	c    byte
	wild bool
}

// parseFS unbinds the formatted string binding (NISTIR 7695 §6.2.3). orig is
// the input for error messages; body is the lowercased text after "cpe:2.3:".
func parseFS(orig, body string) (CPE, error) {
	var comps [NumAttributes]string
	n, start := 0, 0
	for i := 0; i <= len(body); i++ {
		if i < len(body) && body[i] == '\\' {
			i++ // the quoted character, whatever it is, is not a separator
			if i == len(body) {
				return CPE{}, cpeError(orig, "ends with a lone backslash")
			}
			continue
		}
		if i < len(body) && body[i] != ':' {
			continue
		}
		if n == NumAttributes {
			return CPE{}, cpeError(orig, "more than %d components", NumAttributes)
		}
		comps[n] = body[start:i]
		n++
		start = i + 1
	}
	if n != NumAttributes {
		return CPE{}, cpeError(orig, "%d components, want %d", n, NumAttributes)
	}
	var c CPE
	toks := make([]token, 0, 32)
	for a, comp := range comps {
		v, err := parseFSValue(comp, toks[:0])
		if err != nil {
			return CPE{}, cpeError(orig, "%s: %s", Attribute(a), err.Error())
		}
		if a == int(AttrPart) && !validPart(v) {
			return CPE{}, cpeError(orig, `part must be "a", "o", "h", "*" or "-"`)
		}
		c.attrs[a] = v
	}
	return c, nil
}

// parseFSValue unbinds one component of the formatted string (7695 §6.2.3.2,
// unbind_value_fs and add_quoting).
func parseFSValue(s string, toks []token) (Value, error) {
	switch s {
	case "":
		return Value{}, errorString("empty component (write * for ANY)")
	case "*":
		return Value{kind: kindAny}, nil
	case "-":
		return Value{kind: kindNA}, nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++ // parseFS has checked that a character follows
			if !printable(s[i]) {
				return Value{}, errorString("quotes a character that is not printable ASCII")
			}
			toks = append(toks, token{c: s[i]})
		case c == '*' || c == '?':
			toks = append(toks, token{c: c, wild: true})
		case printable(c):
			toks = append(toks, token{c: c})
		default:
			return Value{}, errorString("holds a character that is not printable ASCII")
		}
	}
	return valueFromTokens(toks)
}

// parseURI unbinds the URI binding (NISTIR 7695 §6.1.3). orig is the input
// for error messages; body is the lowercased text after "cpe:/".
func parseURI(orig, body string) (CPE, error) {
	comps := strings.Split(body, ":")
	if len(comps) > 7 {
		return CPE{}, cpeError(orig, "more than 7 components in the URI binding")
	}
	var c CPE
	toks := make([]token, 0, 32)
	for a, comp := range comps {
		if a == int(AttrEdition) && strings.HasPrefix(comp, "~") {
			// The packed edition (§6.1.3.2, unpack): ~edition~sw_edition~target_sw~target_hw~other.
			packed := strings.Split(comp[1:], "~")
			if len(packed) != 5 {
				return CPE{}, cpeError(orig, "packed edition has %d fields, want 5 (~edition~sw_edition~target_sw~target_hw~other)", len(packed))
			}
			for j, p := range packed {
				attr := [5]Attribute{AttrEdition, AttrSWEdition, AttrTargetSW, AttrTargetHW, AttrOther}[j]
				v, err := parseURIValue(p, toks[:0])
				if err != nil {
					return CPE{}, cpeError(orig, "%s: %s", attr, err.Error())
				}
				c.attrs[attr] = v
			}
			continue
		}
		v, err := parseURIValue(comp, toks[:0])
		if err != nil {
			return CPE{}, cpeError(orig, "%s: %s", Attribute(a), err.Error())
		}
		if a == int(AttrPart) && !validPart(v) {
			return CPE{}, cpeError(orig, `part must be "a", "o", "h", empty or "-"`)
		}
		c.attrs[a] = v
	}
	return c, nil
}

// parseURIValue decodes one component of the URI binding (7695 §6.1.3.2,
// decode).
func parseURIValue(s string, toks []token) (Value, error) {
	switch s {
	case "":
		return Value{kind: kindAny}, nil
	case "-":
		return Value{kind: kindNA}, nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return Value{}, errorString("holds a malformed percent-encoding")
			}
			d := byte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			switch {
			case d == 0x01:
				toks = append(toks, token{c: '?', wild: true})
			case d == 0x02:
				toks = append(toks, token{c: '*', wild: true})
			case printable(d):
				toks = append(toks, token{c: lowerASCII(d)})
			default:
				return Value{}, errorString("percent-encodes a character that is not printable ASCII")
			}
		case c == '*' || c == '?':
			return Value{}, errorString("holds a raw * or ? (the URI binding writes wildcards as %02 and %01, literals as %2a and %3f)")
		case printable(c):
			toks = append(toks, token{c: c})
		default:
			return Value{}, errorString("holds a character that is not printable ASCII")
		}
	}
	return valueFromTokens(toks)
}

// valueFromTokens applies the restrictions of NISTIR 7695 §5.3.2 to an
// unbound value string: wildcards only as one "*" or a run of "?" at the
// start and at the end, and not the lone quoted hyphen (which no binding
// could tell from NA).
func valueFromTokens(toks []token) (Value, error) {
	if len(toks) == 0 {
		return Value{}, errorString("empty value")
	}
	start := 0
	switch {
	case toks[0].wild && toks[0].c == '*':
		start = 1
	default:
		for start < len(toks) && toks[start].wild && toks[start].c == '?' {
			start++
		}
	}
	end := len(toks)
	switch {
	case end > start && toks[end-1].wild && toks[end-1].c == '*':
		end--
	default:
		for end > start && toks[end-1].wild && toks[end-1].c == '?' {
			end--
		}
	}
	v := Value{kind: kindString}
	if start == len(toks) && start > 0 && toks[0].c == '*' {
		// A lone unquoted "*" is ANY (the bindings handle that before
		// here); this is only reachable through the URI's "%02".
		return Value{kind: kindAny}, nil
	}
	lit := make([]byte, 0, end-start)
	for _, t := range toks[start:end] {
		if t.wild {
			return Value{}, errorString("has an unquoted " + string(t.c) + " inside the value; wildcards may only lead or trail, quote it as \\" + string(t.c))
		}
		lit = append(lit, t.c)
	}
	v.pre = wildString(toks[:start])
	v.lit = string(lit)
	v.suf = wildString(toks[end:])
	if v.pre == "" && v.lit == "-" {
		return Value{}, errorString(`a value may not be a lone quoted hyphen`)
	}
	return v, nil
}

func wildString(toks []token) string {
	switch {
	case len(toks) == 0:
		return ""
	case toks[0].c == '*':
		return "*"
	}
	return strings.Repeat("?", len(toks))
}

func validPart(v Value) bool {
	if v.kind != kindString {
		return true
	}
	return !v.HasWildcards() && (v.lit == "a" || v.lit == "o" || v.lit == "h")
}

type errorString string

func (e errorString) Error() string { return string(e) }

// String renders c in the formatted string binding (NISTIR 7695 §6.2.2),
// lowercase, with every one of the 11 components present: "*" for ANY, "-"
// for NA, and characters other than letters, digits, "_", "-" and "." quoted
// with a backslash. This is the form NVD publishes.
func (c CPE) String() string {
	var b strings.Builder
	b.Grow(64)
	b.WriteString("cpe:2.3")
	for _, v := range c.attrs {
		b.WriteByte(':')
		switch v.kind {
		case kindAny:
			b.WriteByte('*')
		case kindNA:
			b.WriteByte('-')
		default:
			v.writeFS(&b)
		}
	}
	return b.String()
}

func (v Value) writeFS(b *strings.Builder) {
	b.WriteString(v.pre)
	for i := 0; i < len(v.lit); i++ {
		c := v.lit[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteString(v.suf)
}

// URI renders c in the URI binding (NISTIR 7695 §6.1.2): ANY is empty, NA
// is "-", characters other than letters, digits, "_", "-" and "." are
// percent-encoded, wildcards are %01 and %02, sw_edition, target_sw,
// target_hw and other are packed into the edition when any of them is not
// ANY, and trailing empty components are dropped.
func (c CPE) URI() string {
	var comps [7]string
	var b strings.Builder
	for a := AttrPart; a <= AttrLanguage; a++ {
		b.Reset()
		if a == AttrEdition && !(c.attrs[AttrSWEdition].IsAny() && c.attrs[AttrTargetSW].IsAny() &&
			c.attrs[AttrTargetHW].IsAny() && c.attrs[AttrOther].IsAny()) {
			for _, p := range [5]Attribute{AttrEdition, AttrSWEdition, AttrTargetSW, AttrTargetHW, AttrOther} {
				b.WriteByte('~')
				c.attrs[p].writeURI(&b)
			}
		} else {
			c.attrs[a].writeURI(&b)
		}
		comps[a] = b.String()
	}
	n := len(comps)
	for n > 1 && comps[n-1] == "" {
		n--
	}
	return "cpe:/" + strings.Join(comps[:n], ":")
}

func (v Value) writeURI(b *strings.Builder) {
	switch v.kind {
	case kindAny:
		return
	case kindNA:
		b.WriteByte('-')
		return
	}
	writeWildURI(b, v.pre)
	for i := 0; i < len(v.lit); i++ {
		c := v.lit[i]
		if isAlnum(c) || c == '_' || c == '-' || c == '.' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexLower[c>>4])
		b.WriteByte(hexLower[c&0x0f])
	}
	writeWildURI(b, v.suf)
}

func writeWildURI(b *strings.Builder, w string) {
	for i := 0; i < len(w); i++ {
		if w[i] == '*' {
			b.WriteString("%02")
		} else {
			b.WriteString("%01")
		}
	}
}

// WFN renders c as a well-formed name in the notation of NISTIR 7695 §5.4,
// for logs and tests: wfn:[part="a",vendor="microsoft",...,other=ANY], with
// values quoted as 7695 quotes them (every character other than a letter,
// a digit or "_" preceded by a backslash).
func (c CPE) WFN() string {
	var b strings.Builder
	b.WriteString("wfn:[")
	for a, v := range c.attrs {
		if a > 0 {
			b.WriteByte(',')
		}
		b.WriteString(attrNames[a])
		b.WriteByte('=')
		switch v.kind {
		case kindAny:
			b.WriteString("ANY")
		case kindNA:
			b.WriteString("NA")
		default:
			b.WriteByte('"')
			b.WriteString(v.pre)
			for i := 0; i < len(v.lit); i++ {
				if ch := v.lit[i]; !isAlnum(ch) && ch != '_' {
					b.WriteByte('\\')
				}
				b.WriteByte(v.lit[i])
			}
			b.WriteString(v.suf)
			b.WriteByte('"')
		}
	}
	b.WriteByte(']')
	return b.String()
}

const hexLower = "0123456789abcdef"

func printable(c byte) bool { return c > ' ' && c < 0x7f }

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
