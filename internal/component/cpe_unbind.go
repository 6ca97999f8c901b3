package component

import "strings"

// Unbinding: reading the formatted string and URI bindings of NISTIR 7695
// §6 into a WFN.

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
