package blob

import (
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// MaxKeyLen is the longest key, in bytes.
const MaxKeyLen = 512

// ValidKey returns nil when key may name a blob, or an errs.Invalid error
// saying why not. A key is a relative, slash-separated path such as
// "firmware/sha256/9f86d0…": one or more segments of ASCII letters, digits,
// '.', '_' and '-', at most MaxKeyLen bytes in all. A segment may not be
// empty (no leading, trailing or double slash) and may not start with '.':
// that keeps "." and ".." out, and leaves dot-names such as ".tmp" to the
// adapters for their own bookkeeping.
func ValidKey(key string) error {
	switch {
	case key == "":
		return errs.Invalidf("key", "is empty")
	case len(key) > MaxKeyLen:
		return errs.Invalidf("key", "is longer than %d bytes", MaxKeyLen)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" {
			return errs.Invalidf("key", "has an empty path segment (leading, trailing or double slash)")
		}
		if seg[0] == '.' {
			return errs.Invalidf("key", "has a path segment starting with '.'")
		}
		for i := 0; i < len(seg); i++ {
			if !keyByte(seg[i]) {
				return errs.Invalidf("key", "has a character other than A-Z, a-z, 0-9, '.', '_', '-' and '/'")
			}
		}
	}
	return nil
}

func keyByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
}
