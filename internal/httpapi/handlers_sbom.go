package httpapi

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/sbom"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// SBOMResponse is a release's SBOM: its summary and components.
type SBOMResponse struct {
	store.ReleaseSBOM
	Tools []string        `json:"tools,omitempty"`
	List  []SBOMComponent `json:"component_list"`
}

// SBOMComponent is one component as the API shows it.
type SBOMComponent struct {
	Ref      string            `json:"ref"`
	Type     string            `json:"type,omitempty"`
	Name     string            `json:"name"`
	Version  string            `json:"version,omitempty"`
	Supplier string            `json:"supplier,omitempty"`
	PURL     string            `json:"purl,omitempty"`
	CPEs     []string          `json:"cpes,omitempty"`
	Hashes   map[string]string `json:"hashes,omitempty"`
	Licenses []string          `json:"licenses,omitempty"`
}

// sbomBody documents the SBOM upload: the file as it is.
type sbomBody []byte

func (a *API) putSBOM(r *http.Request, p access.Principal) (any, error) {
	body := http.MaxBytesReader(discardWriter{}, r.Body, 64<<20+1)
	return a.svc.AttachSBOM(r.Context(), p, r.PathValue("product"), r.PathValue("version"), body)
}

func (a *API) getSBOM(r *http.Request, p access.Principal) (any, error) {
	b, doc, err := a.svc.ReleaseSBOM(r.Context(), p, r.PathValue("product"), r.PathValue("version"))
	if err != nil {
		return nil, err
	}
	resp := SBOMResponse{ReleaseSBOM: b, Tools: doc.Tools, List: make([]SBOMComponent, len(doc.Components))}
	for i, c := range doc.Components {
		resp.List[i] = sbomComponent(c)
	}
	return resp, nil
}

func sbomComponent(c sbom.Component) SBOMComponent {
	return SBOMComponent{Ref: c.Ref, Type: c.Type, Name: c.Name, Version: c.Version, Supplier: c.Supplier, PURL: c.PURL, CPEs: c.CPEs, Hashes: c.Hashes, Licenses: c.Licenses}
}
