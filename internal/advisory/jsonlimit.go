package advisory

// JSONDepthExceeds reports whether objects and arrays in data nest deeper
// than max. Brackets inside strings do not count. data need not be valid
// JSON: the check is meant to run before a decoder sees hostile input, and
// it stops at the first bracket past the limit.
func JSONDepthExceeds(data []byte, max int) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return true
			}
		case '}', ']':
			depth--
		}
	}
	return false
}
