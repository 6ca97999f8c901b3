package webui

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/service"
)

var tokenFields = []string{"name", "scopes", "expires_in_days"}

// defaultTokenDays is the lifetime the form suggests for a new token.
const defaultTokenDays = "90"

// tokensView is the data of the API tokens page.
type tokensView struct {
	Form    *form
	Scopes  []access.Scope // the scopes the member's role may grant
	Tokens  []tokenRow
	AllOrg  bool // the list holds every member's tokens (owners)
	Created *createdToken
}

// tokenRow is one token in the list.
type tokenRow struct {
	T      access.Token
	Owner  string // the token's user, for owners who see every token
	Usable bool
}

// createdToken is a token just made, with its secret, shown once.
type createdToken struct {
	T      access.Token
	Secret string
}

// tokens lists API tokens and offers the form to make one.
func (u *UI) tokens(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("token", url.Values{"expires_in_days": {defaultTokenDays}, "scopes": {string(access.ScopeRead)}}, tokenFields...)
	u.renderTokens(w, r, m, http.StatusOK, f, nil)
}

func (u *UI) renderTokens(w http.ResponseWriter, r *http.Request, m *member, status int, f *form, created *createdToken) {
	ctx := r.Context()
	ts, err := u.svc.Tokens(ctx, m.P)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	v := tokensView{Form: f, Scopes: m.Role.MaxScopes(), AllOrg: m.CanManageMembers(), Created: created}
	emails := map[string]string{}
	if v.AllOrg {
		ms, err := u.svc.Members(ctx, m.P)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		for _, mem := range ms {
			emails[mem.User.ID] = mem.User.Email
		}
	}
	now := u.svc.Now()
	for _, t := range ts {
		owner := emails[t.UserID]
		if owner == "" {
			owner = "former member"
		}
		v.Tokens = append(v.Tokens, tokenRow{T: t, Owner: owner, Usable: t.Usable(now)})
	}
	title := "API tokens"
	if created != nil {
		title = "Your new API token"
	}
	u.render(w, r, status, "tokens.html", m.page(title, "tokens", v))
}

// createToken makes an API token and shows its secret, this once. The
// page is not a redirect: the secret must not travel in an address.
func (u *UI) createToken(w http.ResponseWriter, r *http.Request, m *member) {
	f := newForm("token", formValues(r, tokenFields...), tokenFields...)
	in := service.NewToken{Name: f.Get("name")}
	for _, s := range f.Values["scopes"] {
		in.Scopes = append(in.Scopes, access.Scope(s))
	}
	days, err := strconv.Atoi(f.Get("expires_in_days"))
	if err != nil {
		err = errs.Invalidf("expires_in_days", "must be a whole number of days, from 1 to 366")
	} else {
		in.Lifetime = time.Duration(days) * 24 * time.Hour
		var t access.Token
		var secret string
		if t, secret, err = u.svc.CreateToken(r.Context(), m.P, in); err == nil {
			u.renderTokens(w, r, m, http.StatusOK, newForm("token", url.Values{"expires_in_days": {defaultTokenDays}}, tokenFields...), &createdToken{T: t, Secret: secret})
			return
		}
	}
	status, shown := f.fail(err, nil)
	if !shown {
		u.fail(w, r, err)
		return
	}
	u.renderTokens(w, r, m, status, f, nil)
}

// revokeToken revokes a token.
func (u *UI) revokeToken(w http.ResponseWriter, r *http.Request, m *member) {
	if _, err := u.svc.RevokeToken(r.Context(), m.P, r.PathValue("token")); err != nil {
		u.fail(w, r, err)
		return
	}
	redirectDone(w, r, "/ui/tokens", "token_revoked")
}
