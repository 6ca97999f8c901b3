package csaf

// The CSAF 2.0 document, as far as Lifeline reads it. Field names follow
// the CSAF 2.0 JSON schema (csaf_json_schema.json); unknown fields are
// ignored, so CSAF 2.1 drafts and vendor extensions still decode.

// Raw is a decoded CSAF 2.0 document: the subset of the schema that Parse,
// Advisories and VEX read.
type Raw struct {
	Document        rawDocument        `json:"document"`
	ProductTree     *rawProductTree    `json:"product_tree"`
	Vulnerabilities []rawVulnerability `json:"vulnerabilities"`
}

type rawDocument struct {
	Category   string         `json:"category"`
	Version    string         `json:"csaf_version"`
	Title      string         `json:"title"`
	Publisher  rawPublisher   `json:"publisher"`
	Notes      []rawNote      `json:"notes"`
	References []rawReference `json:"references"`
	Tracking   rawTracking    `json:"tracking"`
}

type rawPublisher struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type rawTracking struct {
	ID                 string   `json:"id"`
	Aliases            []string `json:"aliases"`
	Status             string   `json:"status"`
	Version            string   `json:"version"`
	CurrentReleaseDate string   `json:"current_release_date"`
	InitialReleaseDate string   `json:"initial_release_date"`
}

type rawNote struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Text     string `json:"text"`
}

type rawReference struct {
	Category string `json:"category"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

type rawProductTree struct {
	Branches         []rawBranch       `json:"branches"`
	FullProductNames []rawProductName  `json:"full_product_names"`
	ProductGroups    []rawProductGroup `json:"product_groups"`
	Relationships    []rawRelationship `json:"relationships"`
}

type rawBranch struct {
	Category string          `json:"category"`
	Name     string          `json:"name"`
	Product  *rawProductName `json:"product"`
	Branches []rawBranch     `json:"branches"`
}

type rawProductName struct {
	Name      string     `json:"name"`
	ProductID string     `json:"product_id"`
	Helper    *rawHelper `json:"product_identification_helper"`
}

type rawHelper struct {
	CPE  string `json:"cpe"`
	PURL string `json:"purl"`
}

type rawProductGroup struct {
	GroupID    string   `json:"group_id"`
	ProductIDs []string `json:"product_ids"`
}

type rawRelationship struct {
	Category                  string         `json:"category"`
	FullProductName           rawProductName `json:"full_product_name"`
	ProductReference          string         `json:"product_reference"`
	RelatesToProductReference string         `json:"relates_to_product_reference"`
}

type rawVulnerability struct {
	CVE           string           `json:"cve"`
	IDs           []rawID          `json:"ids"`
	Title         string           `json:"title"`
	Notes         []rawNote        `json:"notes"`
	References    []rawReference   `json:"references"`
	ReleaseDate   string           `json:"release_date"`
	ProductStatus rawProductStatus `json:"product_status"`
	Scores        []rawScore       `json:"scores"`
	Flags         []rawScoped      `json:"flags"`
	Threats       []rawScoped      `json:"threats"`
	Remediations  []rawScoped      `json:"remediations"`
}

type rawID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

type rawProductStatus struct {
	FirstAffected      []string `json:"first_affected"`
	FirstFixed         []string `json:"first_fixed"`
	Fixed              []string `json:"fixed"`
	KnownAffected      []string `json:"known_affected"`
	KnownNotAffected   []string `json:"known_not_affected"`
	LastAffected       []string `json:"last_affected"`
	Recommended        []string `json:"recommended"`
	UnderInvestigation []string `json:"under_investigation"`
}

type rawScore struct {
	CVSS3    *rawCVSS `json:"cvss_v3"`
	CVSS2    *rawCVSS `json:"cvss_v2"`
	Products []string `json:"products"`
}

type rawCVSS struct {
	Version      string  `json:"version"`
	VectorString string  `json:"vectorString"`
	BaseScore    float64 `json:"baseScore"`
}

// rawScoped is a flag, threat or remediation: something said about some
// products or product groups.
type rawScoped struct {
	Category   string   `json:"category"` // threats and remediations
	Label      string   `json:"label"`    // flags
	Details    string   `json:"details"`  // threats and remediations
	Date       string   `json:"date"`
	URL        string   `json:"url"`
	ProductIDs []string `json:"product_ids"`
	GroupIDs   []string `json:"group_ids"`
}
