package component

import "strings"

// Binding: writing a WFN as the formatted string, the URI and WFN notation
// of NISTIR 7695.

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
