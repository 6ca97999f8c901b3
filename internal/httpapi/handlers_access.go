package httpapi

import (
	"net/http"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func (a *API) me(r *http.Request, p access.Principal) (any, error) {
	resp := MeResponse{User: UserInfo{ID: p.UserID, Email: p.UserEmail}, Role: p.Role, AuthKind: string(p.Kind), Scopes: p.Scopes, SiteAdmin: p.SiteAdmin}
	if p.OrgID != "" {
		o, err := a.svc.Organisation(r.Context(), p)
		if err != nil {
			return nil, err
		}
		resp.Organisation = &o
	}
	return resp, nil
}

func (a *API) summary(r *http.Request, p access.Principal) (any, error) {
	return a.svc.Summary(r.Context(), p)
}

func (a *API) listOrganisations(r *http.Request, p access.Principal) (any, error) {
	pg, err := page(r)
	if err != nil {
		return nil, err
	}
	l, err := a.svc.Organisations(r.Context(), p, pg)
	return listBody(l), err
}

func (a *API) createOrganisation(r *http.Request, p access.Principal) (any, error) {
	var req OrganisationCreateRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.CreateOrganisation(r.Context(), p, access.Organisation{Slug: req.Slug, Name: req.Name, Kind: req.Kind, Website: req.Website, Contact: req.SecurityContact})
}

func (a *API) getOrganisation(r *http.Request, p access.Principal) (any, error) {
	return a.svc.Organisation(r.Context(), p)
}

func (a *API) patchOrganisation(r *http.Request, p access.Principal) (any, error) {
	var req OrganisationPatchRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.UpdateOrganisation(r.Context(), p, service.OrganisationPatch{Name: req.Name, Website: req.Website, Contact: req.SecurityContact})
}

func (a *API) listMembers(r *http.Request, p access.Principal) (any, error) {
	ms, err := a.svc.Members(r.Context(), p)
	return listBody(store.List[access.Member]{Items: ms}), err
}

func (a *API) addMember(r *http.Request, p access.Principal) (any, error) {
	var req MemberCreateRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	m, pw, err := a.svc.AddMember(r.Context(), p, service.NewMember{Email: req.Email, Name: req.Name, Role: req.Role, Password: req.Password})
	return MemberCreateResponse{Member: m, GeneratedPassword: pw}, err
}

func (a *API) patchMember(r *http.Request, p access.Principal) (any, error) {
	var req MemberPatchRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	return a.svc.SetMemberRole(r.Context(), p, r.PathValue("user"), req.Role)
}

func (a *API) removeMember(r *http.Request, p access.Principal) (any, error) {
	return nil, a.svc.RemoveMember(r.Context(), p, r.PathValue("user"))
}

func (a *API) listTokens(r *http.Request, p access.Principal) (any, error) {
	ts, err := a.svc.Tokens(r.Context(), p)
	return listBody(store.List[access.Token]{Items: ts}), err
}

func (a *API) createToken(r *http.Request, p access.Principal) (any, error) {
	var req TokenCreateRequest
	if err := decodeReq(r, &req); err != nil {
		return nil, err
	}
	t, secret, err := a.svc.CreateToken(r.Context(), p, service.NewToken{Name: req.Name, Scopes: req.Scopes, Lifetime: time.Duration(req.ExpiresInDays) * 24 * time.Hour})
	return TokenCreateResponse{Token: t, Secret: secret}, err
}

func (a *API) revokeToken(r *http.Request, p access.Principal) (any, error) {
	return a.svc.RevokeToken(r.Context(), p, r.PathValue("token"))
}

// decodeReq is decode for handlers, which have no ResponseWriter: the body
// limit is applied by reading at most MaxJSONBody+1 bytes.
func decodeReq(r *http.Request, v any) error {
	return decode(discardWriter{}, r, v)
}

// discardWriter satisfies http.MaxBytesReader, which only needs a
// ResponseWriter to tell the server to close the connection.
type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}
