package vexdoc

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/vex"
)

// The OpenVEX document, as far as Lifeline reads it (OpenVEX spec v0.2.0;
// v0.0.1 wrote vulnerability and products as plain strings).
type openVEXDoc struct {
	Context     string             `json:"@context"`
	Timestamp   *time.Time         `json:"timestamp"`
	LastUpdated *time.Time         `json:"last_updated"`
	Statements  []openVEXStatement `json:"statements"`
}

type openVEXStatement struct {
	Vulnerability   json.RawMessage   `json:"vulnerability"`
	Products        []json.RawMessage `json:"products"`
	Status          string            `json:"status"`
	StatusNotes     string            `json:"status_notes"`
	Justification   string            `json:"justification"`
	ImpactStatement string            `json:"impact_statement"`
	ActionStatement string            `json:"action_statement"`
	Timestamp       *time.Time        `json:"timestamp"`
	LastUpdated     *time.Time        `json:"last_updated"`
}

type openVEXVulnerability struct {
	ID      string   `json:"@id"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
}

type openVEXComponent struct {
	ID            string             `json:"@id"`
	Identifiers   map[string]string  `json:"identifiers"`
	Subcomponents []openVEXComponent `json:"subcomponents"`
}

var openVEXStatuses = map[string]bool{
	vex.StatusNotAffected: true, vex.StatusAffected: true, vex.StatusFixed: true, vex.StatusUnderInvestigation: true,
}

func parseOpenVEX(data []byte) ([]vex.Statement, error) {
	var doc openVEXDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, errs.Wrap(errs.Invalid, err, "vex: malformed OpenVEX document")
	}
	if !strings.Contains(doc.Context, "openvex") {
		return nil, errs.E(errs.Invalid, "vex: @context %q is not OpenVEX", clip(doc.Context))
	}
	docTime := firstTime(doc.LastUpdated, doc.Timestamp)
	out := make([]vex.Statement, 0, len(doc.Statements))
	for i, s := range doc.Statements {
		v, err := openVEXVuln(s.Vulnerability)
		if err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "vex: OpenVEX statement %d: malformed vulnerability", i+1)
		}
		status := strings.TrimSpace(s.Status)
		if !openVEXStatuses[status] {
			return nil, errs.E(errs.Invalid, "vex: OpenVEX statement %d: unknown status %q", i+1, clip(status))
		}
		st := vex.Statement{
			Vulnerability: strings.TrimSpace(v.Name),
			Status:        status,
			Justification: strings.TrimSpace(s.Justification),
			Format:        FormatOpenVEX,
		}
		if st.Vulnerability == "" {
			st.Vulnerability = strings.TrimSpace(v.ID)
		}
		for _, a := range v.Aliases {
			if a = strings.TrimSpace(a); a != "" && a != st.Vulnerability {
				st.Aliases = append(st.Aliases, a)
			}
		}
		for _, d := range []string{s.ImpactStatement, s.ActionStatement, s.StatusNotes} {
			if d = strings.TrimSpace(d); d != "" {
				st.Detail = d
				break
			}
		}
		st.Timestamp = firstTime(s.LastUpdated, s.Timestamp)
		if st.Timestamp.IsZero() {
			st.Timestamp = docTime
		}
		for _, raw := range s.Products {
			c, err := openVEXComp(raw)
			if err != nil {
				return nil, errs.Wrap(errs.Invalid, err, "vex: OpenVEX statement %d: malformed product", i+1)
			}
			if len(c.Subcomponents) == 0 {
				st.Products = append(st.Products, openVEXProducts(c)...)
			}
			for _, sc := range c.Subcomponents {
				st.Products = append(st.Products, openVEXProducts(sc)...)
			}
		}
		if st.Vulnerability == "" {
			return nil, errs.E(errs.Invalid, "vex: OpenVEX statement %d names no vulnerability", i+1)
		}
		out = append(out, st)
	}
	return out, nil
}

func openVEXVuln(raw json.RawMessage) (openVEXVulnerability, error) {
	var v openVEXVulnerability
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		err := json.Unmarshal(raw, &v.Name)
		return v, err
	}
	if len(raw) == 0 || string(raw) == "null" {
		return v, nil
	}
	err := json.Unmarshal(raw, &v)
	return v, err
}

func openVEXComp(raw json.RawMessage) (openVEXComponent, error) {
	var c openVEXComponent
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		err := json.Unmarshal(raw, &c.ID)
		return c, err
	}
	err := json.Unmarshal(raw, &c)
	return c, err
}

// openVEXProducts turns one component into products: its @id (as purl,
// CPE or name) and its purl and CPE identifiers.
func openVEXProducts(c openVEXComponent) []vex.Product {
	var out []vex.Product
	add := func(s string) {
		s = strings.TrimSpace(s)
		var p vex.Product
		switch {
		case s == "":
			return
		case strings.HasPrefix(s, "pkg:"):
			p.PURL = s
		case strings.HasPrefix(strings.ToLower(s), "cpe:"):
			p.CPE = s
		default:
			p.Name = s
		}
		for _, o := range out {
			if o == p {
				return
			}
		}
		out = append(out, p)
	}
	add(c.ID)
	for _, k := range []string{"purl", "cpe23", "cpe22"} {
		add(c.Identifiers[k])
	}
	return out
}

func firstTime(ts ...*time.Time) time.Time {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}
