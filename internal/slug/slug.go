// Package slug checks and makes the short, URL-safe names that identify
// organisations and products in addresses such as /public/products/acme/plug-2.
package slug

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxLen is the longest slug accepted.
const MaxLen = 63

// Valid reports whether s is a slug: 1 to 63 characters of lower-case ASCII
// letters, digits and single hyphens, starting and ending with a letter or digit.
func Valid(s string) bool {
	if len(s) == 0 || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == 0 || i == len(s)-1 || s[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Make derives a slug from a display name: "Smart Plug Mini (EU)" becomes
// "smart-plug-mini-eu". Letters with accents lose them. It returns "" when
// the name holds no letters or digits.
func Make(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // combining accent left over from decomposition
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
		if b.Len() >= MaxLen {
			break
		}
	}
	s := b.String()
	if len(s) > MaxLen {
		s = s[:MaxLen]
	}
	return strings.TrimRight(s, "-")
}
