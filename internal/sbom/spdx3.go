package sbom

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// SPDX 3.0 JSON-LD, as Yocto's create-spdx (oe.spdx30) writes it.
//
// tools-golang v0.5.7 has no SPDX 3 support, so this file reads the JSON-LD
// with encoding/json into a minimal model. It relies on the compacted form
// that the SPDX 3.0.1 context produces (type names like "software_Package",
// property names like "software_packageVersion") and does no JSON-LD
// expansion. From the "@graph" array it reads only:
//
//   - software_Package and software_File: spdxId, name,
//     software_packageVersion, software_primaryPurpose, software_packageUrl,
//     suppliedBy, externalIdentifier entries of type cpe23, cpe22 and
//     packageUrl, and verifiedUsing hashes. Each becomes a component.
//   - Relationship and LifecycleScopedRelationship: "dependsOn" from a
//     component becomes a dependency; "contains" from a component sets the
//     Parent of the contained components; "hasConcludedLicense" and
//     "hasDeclaredLicense" from a component attach the license expression.
//   - simplelicensing_LicenseExpression: the expression text, for the above.
//   - security_Vulnerability: the "cve" (or other) externalIdentifier that
//     names the vulnerability in VEX statements.
//   - security_Vex{NotAffected,Affected,Fixed,UnderInvestigation}VulnAssessmentRelationship:
//     one statement per "to" entry, with security_justificationType,
//     security_impactStatement, security_actionStatement and
//     security_statusNotes.
//   - SpdxDocument: name and creationInfo (created, createdUsing).
//   - CreationInfo (the "@id"-named blank nodes), Tool, Organization and
//     Person: to resolve creation times, tool names and suppliers.
//
// Everything else (build_Build, Annotation, dataset and AI profiles,
// extensions, namespace maps, external maps, …) is ignored.

type spdx3Graph struct {
	Context json.RawMessage   `json:"@context"`
	Graph   []json.RawMessage `json:"@graph"`
}

type spdx3Element struct {
	Type   string `json:"type"`
	SpdxID string `json:"spdxId"`
	ID     string `json:"@id"` // CreationInfo blank nodes
	Name   string `json:"name"`

	CreationInfo json.RawMessage `json:"creationInfo"` // "_:id" or an inline CreationInfo
	Created      string          `json:"created"`
	CreatedUsing []string        `json:"createdUsing"`
	SpecVersion  string          `json:"specVersion"`

	ExternalIdentifier []struct {
		Type       string `json:"externalIdentifierType"`
		Identifier string `json:"identifier"`
	} `json:"externalIdentifier"`
	VerifiedUsing []struct {
		Algorithm string `json:"algorithm"`
		HashValue string `json:"hashValue"`
	} `json:"verifiedUsing"`
	PackageVersion string `json:"software_packageVersion"`
	PackageURL     string `json:"software_packageUrl"`
	PrimaryPurpose string `json:"software_primaryPurpose"`
	SuppliedBy     string `json:"suppliedBy"`

	From             string   `json:"from"`
	To               []string `json:"to"`
	RelationshipType string   `json:"relationshipType"`

	JustificationType string `json:"security_justificationType"`
	ImpactStatement   string `json:"security_impactStatement"`
	ActionStatement   string `json:"security_actionStatement"`
	StatusNotes       string `json:"security_statusNotes"`

	LicenseExpression string `json:"simplelicensing_licenseExpression"`
}

// spdx3VEX maps SPDX 3 VEX relationship types to statuses.
var spdx3VEX = map[string]string{
	"security_VexNotAffectedVulnAssessmentRelationship":        StatusNotAffected,
	"security_VexAffectedVulnAssessmentRelationship":           StatusAffected,
	"security_VexFixedVulnAssessmentRelationship":              StatusFixed,
	"security_VexUnderInvestigationVulnAssessmentRelationship": StatusUnderInvestigation,
}

// spdx3Justifications maps SPDX 3 VexJustificationType values to the
// snake_case spelling OpenVEX and CSAF use for the same five values.
var spdx3Justifications = map[string]string{
	"componentNotPresent":                         "component_not_present",
	"vulnerableCodeNotPresent":                    "vulnerable_code_not_present",
	"vulnerableCodeCannotBeControlledByAdversary": "vulnerable_code_cannot_be_controlled_by_adversary",
	"vulnerableCodeNotInExecutePath":              "vulnerable_code_not_in_execute_path",
	"inlineMitigationsAlreadyExist":               "inline_mitigations_already_exist",
}

func parseSPDX3(data []byte, limits Limits) (*Document, error) {
	const format0 = "spdx-3-json-ld"
	var g spdx3Graph
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, invalid(format0, err)
	}
	if !isSPDX3Context(g.Context) {
		return nil, errs.E(errs.Invalid, "sbom: JSON-LD document without the SPDX 3 context")
	}
	elems := make([]spdx3Element, len(g.Graph))
	for i, raw := range g.Graph {
		if err := json.Unmarshal(raw, &elems[i]); err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "sbom: malformed SPDX 3 element %d", i)
		}
	}

	byID := map[string]*spdx3Element{}
	var firstCreation, document *spdx3Element
	for i := range elems {
		e := &elems[i]
		switch {
		case e.SpdxID != "":
			byID[strings.TrimSpace(e.SpdxID)] = e
		case e.ID != "":
			byID[strings.TrimSpace(e.ID)] = e
		}
		switch e.Type {
		case "CreationInfo":
			if firstCreation == nil {
				firstCreation = e
			}
		case "SpdxDocument":
			if document == nil {
				document = e
			}
		}
	}

	creation := firstCreation
	if document != nil {
		if ci := spdx3CreationInfo(document.CreationInfo, byID); ci != nil {
			creation = ci
		}
	}
	version := "3.0"
	if creation != nil && strings.TrimSpace(creation.SpecVersion) != "" {
		version = strings.TrimSpace(creation.SpecVersion)
	}
	if !strings.HasPrefix(version, "3.") {
		return nil, errs.E(errs.Invalid, "sbom: unsupported SPDX version %q in JSON-LD", version)
	}
	b := newBuilder(fmt.Sprintf("%s-%s-json-ld", FamilySPDX, version), limits)
	if document != nil {
		b.doc.Name = strings.TrimSpace(document.Name)
	}
	if creation != nil {
		b.doc.Created = parseTime(creation.Created)
		for _, t := range creation.CreatedUsing {
			if tool := byID[strings.TrimSpace(t)]; tool != nil && strings.TrimSpace(tool.Name) != "" {
				b.tool(tool.Name)
			} else {
				b.tool(t)
			}
		}
	}

	for i := range elems {
		e := &elems[i]
		if e.Type != "software_Package" && e.Type != "software_File" {
			continue
		}
		c := Component{
			Ref:     e.SpdxID,
			Type:    e.PrimaryPurpose,
			Name:    e.Name,
			Version: e.PackageVersion,
			PURL:    e.PackageURL,
		}
		if c.Type == "" {
			c.Type = strings.TrimPrefix(strings.ToLower(e.Type), "software_")
		}
		if s := byID[strings.TrimSpace(e.SuppliedBy)]; s != nil {
			c.Supplier = s.Name
		}
		for _, x := range e.ExternalIdentifier {
			switch strings.TrimSpace(x.Type) {
			case "cpe23", "cpe22":
				c.CPEs = append(c.CPEs, x.Identifier)
			case "packageUrl":
				if strings.TrimSpace(c.PURL) == "" {
					c.PURL = x.Identifier
				}
			}
		}
		for _, h := range e.VerifiedUsing {
			if c.Hashes == nil {
				c.Hashes = map[string]string{}
			}
			c.Hashes[h.Algorithm] = h.HashValue
		}
		if err := b.add(c); err != nil {
			return nil, err
		}
	}

	for i := range elems {
		e := &elems[i]
		from := strings.TrimSpace(e.From)
		if status, ok := spdx3VEX[e.Type]; ok {
			id := spdx3VulnID(from, byID)
			detail := e.ImpactStatement
			if detail == "" {
				detail = e.ActionStatement
			}
			if detail == "" {
				detail = e.StatusNotes
			}
			just := strings.TrimSpace(e.JustificationType)
			if j, ok := spdx3Justifications[just]; ok {
				just = j
			}
			for _, to := range e.To {
				b.statement(Statement{ID: id, Component: to, Status: status, Justification: just, Detail: detail})
			}
			continue
		}
		if e.Type != "Relationship" && e.Type != "LifecycleScopedRelationship" {
			continue
		}
		if b.find(from) == nil {
			continue
		}
		switch e.RelationshipType {
		case "dependsOn":
			b.depend(from, e.To...)
		case "contains":
			for _, to := range e.To {
				b.setParent(strings.TrimSpace(to), from)
			}
		case "hasConcludedLicense", "hasDeclaredLicense":
			c := b.find(from)
			for _, to := range e.To {
				if l := byID[strings.TrimSpace(to)]; l != nil && strings.TrimSpace(l.LicenseExpression) != "" {
					c.Licenses = dedupe(append(c.Licenses, l.LicenseExpression))
				}
			}
		}
	}
	return b.doc, nil
}

// isSPDX3Context reports whether @context names an SPDX 3 context, either
// as a string or as one entry of an array.
func isSPDX3Context(raw json.RawMessage) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return strings.HasPrefix(strings.TrimSpace(one), "https://spdx.org/rdf/3.")
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) == nil {
		for _, m := range many {
			if isSPDX3Context(m) {
				return true
			}
		}
	}
	return false
}

// spdx3CreationInfo resolves a creationInfo value: a reference to a
// CreationInfo blank node, or an inline object.
func spdx3CreationInfo(raw json.RawMessage, byID map[string]*spdx3Element) *spdx3Element {
	if len(raw) == 0 {
		return nil
	}
	var ref string
	if json.Unmarshal(raw, &ref) == nil {
		return byID[strings.TrimSpace(ref)]
	}
	var inline spdx3Element
	if json.Unmarshal(raw, &inline) == nil {
		return &inline
	}
	return nil
}

// spdx3VulnID names the vulnerability element ref: its "cve" external
// identifier if it has one, else its first external identifier, else the
// last path segment of the ref (Yocto's refs end in /vulnerability/CVE-…).
func spdx3VulnID(ref string, byID map[string]*spdx3Element) string {
	if v := byID[ref]; v != nil {
		for _, x := range v.ExternalIdentifier {
			if strings.TrimSpace(x.Type) == "cve" && strings.TrimSpace(x.Identifier) != "" {
				return x.Identifier
			}
		}
		for _, x := range v.ExternalIdentifier {
			if strings.TrimSpace(x.Identifier) != "" {
				return x.Identifier
			}
		}
	}
	if i := strings.LastIndex(ref, "/"); i >= 0 && i+1 < len(ref) {
		return ref[i+1:]
	}
	return ref
}
