package httpapi

import (
	"net/http"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// VulnListResponse is the portfolio view: vulnerabilities worst first, and
// the devices exposed to at least one.
type VulnListResponse = service.Portfolio

// FindingListResponse lists findings.
type FindingListResponse struct {
	Items []service.FindingView `json:"items"`
}

// FeedListResponse lists the advisory feeds and the records held per source.
type FeedListResponse struct {
	Items   []store.Feed   `json:"items"`
	Records map[string]int `json:"records_by_source"`
}

// FeedImportRequest asks the server to import a feed.
type FeedImportRequest = service.FeedSpec

// VEXUploadResponse describes an uploaded VEX document.
type VEXUploadResponse = store.VEXDocument

// vexBody documents the VEX upload: the document as it is.
type vexBody []byte

func (a *API) listVulns(r *http.Request, p access.Principal) (any, error) {
	return a.svc.Vulnerabilities(r.Context(), p, service.VulnFilter{ProductKey: r.URL.Query().Get("product"), IncludeResolved: r.URL.Query().Get("resolved") == "true"})
}

func (a *API) getVuln(r *http.Request, p access.Principal) (any, error) {
	return a.svc.Vulnerability(r.Context(), p, r.PathValue("id"))
}

func (a *API) releaseFindings(r *http.Request, p access.Principal) (any, error) {
	fs, err := a.svc.ReleaseFindings(r.Context(), p, r.PathValue("product"), r.PathValue("version"))
	return FindingListResponse{Items: nonNil(fs)}, err
}

func (a *API) deviceVulns(r *http.Request, p access.Principal) (any, error) {
	fs, err := a.svc.DeviceVulnerabilities(r.Context(), p, r.PathValue("product"), r.PathValue("serial"))
	return FindingListResponse{Items: nonNil(fs)}, err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) triage(r *http.Request, p access.Principal) (any, error) {
	var req service.TriageRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	req.VulnID = r.PathValue("id")
	return a.svc.Triage(r.Context(), p, req)
}

func (a *API) listFeeds(r *http.Request, p access.Principal) (any, error) {
	fs, counts, err := a.svc.Feeds(r.Context(), p)
	return FeedListResponse{Items: nonNil(fs), Records: counts}, err
}

func (a *API) importFeed(r *http.Request, p access.Principal) (any, error) {
	var req FeedImportRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.ImportFeed(r.Context(), p, req, nil)
}

func (a *API) uploadVEX(r *http.Request, p access.Principal) (any, error) {
	body := http.MaxBytesReader(discardWriter{}, r.Body, service.MaxVEXSize+1)
	return a.svc.UploadVEX(r.Context(), p, r.URL.Query().Get("name"), body)
}

func (a *API) listVEX(r *http.Request, p access.Principal) (any, error) {
	ds, err := a.svc.VEXDocuments(r.Context(), p)
	return ListBody[store.VEXDocument]{Items: nonNil(ds)}, err
}
