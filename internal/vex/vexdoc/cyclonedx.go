package vexdoc

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/vex"
)

func parseCycloneDXJSON(data []byte, bomFormat json.RawMessage) ([]vex.Statement, error) {
	var f string
	if err := json.Unmarshal(bomFormat, &f); err != nil || f != "CycloneDX" {
		return nil, errs.E(errs.Invalid, "vex: unknown bomFormat %s", clip(string(bomFormat)))
	}
	return decodeCycloneDX(data, cdx.BOMFileFormatJSON)
}

func parseCycloneDXXML(data []byte, lim Limits) ([]vex.Statement, error) {
	root, err := scanXML(data, lim.MaxDepth)
	if err != nil {
		return nil, err
	}
	if root.Local != "bom" || !strings.HasPrefix(root.Space, "http://cyclonedx.org/schema/bom/") {
		return nil, errs.E(errs.Invalid, "vex: unknown XML format (root element %q in namespace %q)", clip(root.Local), clip(root.Space))
	}
	return decodeCycloneDX(data, cdx.BOMFileFormatXML)
}

// scanXML checks the nesting depth and returns the root element's name.
func scanXML(data []byte, max int) (xml.Name, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	var root xml.Name
	depth := 0
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return root, errs.Wrap(errs.Invalid, err, "vex: malformed XML")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && root.Local == "" {
				root = t.Name
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "xmlns" {
						root.Space = a.Value
					}
				}
			}
			depth++
			if depth > max {
				return root, errs.E(errs.TooLarge, "vex: XML nesting exceeds depth %d", max)
			}
		case xml.EndElement:
			depth--
		}
	}
	if root.Local == "" {
		return root, errs.E(errs.Invalid, "vex: XML document has no root element")
	}
	return root, nil
}

func decodeCycloneDX(data []byte, format cdx.BOMFileFormat) ([]vex.Statement, error) {
	var bom cdx.BOM
	err := guard("CycloneDX", func() error {
		return cdx.NewBOMDecoder(bytes.NewReader(data), format).Decode(&bom)
	})
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, errs.Wrap(errs.Invalid, err, "vex: malformed CycloneDX document")
	}
	return cycloneDXStatements(&bom), nil
}

func cycloneDXStatements(bom *cdx.BOM) []vex.Statement {
	refs := map[string]vex.Product{}
	var subject *vex.Product
	var docTime time.Time
	if m := bom.Metadata; m != nil {
		docTime = parseTime(m.Timestamp)
		if m.Component != nil {
			p := productOf(m.Component)
			subject = &p
			indexComponents(refs, []cdx.Component{*m.Component})
		}
	}
	if bom.Components != nil {
		indexComponents(refs, *bom.Components)
	}
	if bom.Vulnerabilities == nil {
		return nil
	}
	var out []vex.Statement
	for _, v := range *bom.Vulnerabilities {
		a := v.Analysis
		if a == nil {
			continue
		}
		status, just, ok := vex.CycloneDXStatus(string(a.State), string(a.Justification))
		if !ok {
			continue
		}
		st := vex.Statement{
			Vulnerability: strings.TrimSpace(v.ID),
			Status:        status,
			Justification: just,
			Detail:        strings.TrimSpace(a.Detail),
			Format:        FormatCycloneDX,
		}
		if a.Response != nil && len(*a.Response) > 0 {
			var rs []string
			for _, r := range *a.Response {
				rs = append(rs, string(r))
			}
			st.Detail = strings.TrimSpace(st.Detail + "\n\nResponse: " + strings.Join(rs, ", "))
		}
		for _, s := range []string{a.LastUpdated, a.FirstIssued, v.Updated, v.Published} {
			if t := parseTime(s); !t.IsZero() {
				st.Timestamp = t
				break
			}
		}
		if st.Timestamp.IsZero() {
			st.Timestamp = docTime
		}
		if v.References != nil {
			for _, r := range *v.References {
				if id := strings.TrimSpace(r.ID); id != "" && id != st.Vulnerability && !slices.Contains(st.Aliases, id) {
					st.Aliases = append(st.Aliases, id)
				}
			}
		}
		if v.Affects != nil {
			for _, af := range *v.Affects {
				ref := strings.TrimSpace(af.Ref)
				if ref == "" {
					continue
				}
				p, ok := refs[ref]
				if !ok {
					p = vex.Product{}
					if strings.HasPrefix(ref, "pkg:") {
						p.PURL = ref
					}
				}
				p.Ref = ref
				st.Products = append(st.Products, p)
			}
		} else if subject != nil {
			st.Products = []vex.Product{*subject}
		}
		if st.Vulnerability == "" || len(st.Products) == 0 {
			continue
		}
		out = append(out, st)
	}
	return out
}

// indexComponents maps the bom-refs of components and their nested
// components to products, iteratively so that nesting depth is no risk.
func indexComponents(refs map[string]vex.Product, cs []cdx.Component) {
	stack := [][]cdx.Component{cs}
	for len(stack) > 0 {
		list := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i := range list {
			c := &list[i]
			if ref := strings.TrimSpace(c.BOMRef); ref != "" {
				if _, dup := refs[ref]; !dup {
					refs[ref] = productOf(c)
				}
			}
			if c.Components != nil {
				stack = append(stack, *c.Components)
			}
		}
	}
}

func productOf(c *cdx.Component) vex.Product {
	return vex.Product{
		Ref:     strings.TrimSpace(c.BOMRef),
		PURL:    strings.TrimSpace(c.PackageURL),
		CPE:     strings.TrimSpace(c.CPE),
		Name:    strings.TrimSpace(c.Name),
		Version: strings.TrimSpace(c.Version),
	}
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
