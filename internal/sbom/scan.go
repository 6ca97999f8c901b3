package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// jsonTop is what scanJSON learns about a JSON document's top level.
type jsonTop struct {
	bomFormat   string
	specVersion string
	spdxVersion string
	hasContext  bool
	hasGraph    bool
}

type jsonFrame struct {
	object  bool
	wantKey bool
}

// scanJSON makes one streaming token pass over data before any full
// decoding: it refuses nesting deeper than maxDepth, syntax errors and
// trailing data, and records the top-level keys that identify the format.
func scanJSON(data []byte, maxDepth int) (jsonTop, error) {
	var top jsonTop
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var stack []jsonFrame
	var key string
	started := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return top, errs.Wrap(errs.Invalid, err, "sbom: malformed JSON")
		}
		if started && len(stack) == 0 {
			return top, errs.E(errs.Invalid, "sbom: malformed JSON: data after the top-level value")
		}
		started = true
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			if stack[n-1].wantKey {
				stack[n-1].wantKey = false
				key, _ = tok.(string)
				if n == 1 {
					switch key {
					case "@context":
						top.hasContext = true
					case "@graph":
						top.hasGraph = true
					}
				}
				continue
			}
			stack[n-1].wantKey = true // the next token at this level is a key
			if s, ok := tok.(string); ok && n == 1 {
				switch key {
				case "bomFormat":
					top.bomFormat = strings.TrimSpace(s)
				case "specVersion":
					top.specVersion = strings.TrimSpace(s)
				case "spdxVersion":
					top.spdxVersion = strings.TrimSpace(s)
				}
			}
		}
		if d, ok := tok.(json.Delim); ok {
			if len(stack) >= maxDepth {
				return top, errs.E(errs.TooLarge, "sbom: JSON nesting exceeds depth %d", maxDepth)
			}
			stack = append(stack, jsonFrame{object: d == '{', wantKey: d == '{'})
		}
	}
	if !started {
		return top, errs.E(errs.Invalid, "sbom: empty JSON")
	}
	return top, nil
}

// scanXML makes one streaming token pass over data: it refuses nesting
// deeper than maxDepth, DTDs, malformed XML, non-UTF-8 encodings and more
// than one root element, and returns the root element's name.
func scanXML(data []byte, maxDepth int) (xml.Name, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root xml.Name
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return root, errs.Wrap(errs.Invalid, err, "sbom: malformed XML")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return root, errs.E(errs.Invalid, "sbom: malformed XML: more than one root element")
				}
				root = t.Name
			}
			depth++
			if depth > maxDepth {
				return root, errs.E(errs.TooLarge, "sbom: XML nesting exceeds depth %d", maxDepth)
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return root, errs.E(errs.Invalid, "sbom: XML document type declarations are not accepted")
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return root, errs.E(errs.Invalid, "sbom: malformed XML: text outside the root element")
			}
		}
	}
	if roots == 0 {
		return root, errs.E(errs.Invalid, "sbom: malformed XML: no root element")
	}
	return root, nil
}

// looksLikeTagValue reports whether data reads as an SPDX tag-value
// document: "Tag: value" lines, one of them SPDXVersion.
func looksLikeTagValue(data []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), len(data)+1)
	first := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tag, _, ok := strings.Cut(line, ":")
		if first && (!ok || !isTag(tag)) {
			return false
		}
		first = false
		if tag == "SPDXVersion" {
			return true
		}
	}
	return false
}

func isTag(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
