package service

import (
	"context"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// NewToken asks for an API token.
type NewToken struct {
	Name     string
	Scopes   []access.Scope
	Lifetime time.Duration
}

// CreateToken makes an API token for p's own user in p's organisation. The
// plaintext is returned once and never stored.
func (s *Service) CreateToken(ctx context.Context, p access.Principal, in NewToken) (access.Token, string, error) {
	if _, err := s.scope(p, access.UseTokens); err != nil {
		return access.Token{}, "", err
	}
	if p.UserID == "" {
		return access.Token{}, "", errs.E(errs.PermissionDenied, "tokens belong to users; use lifeline admin token create --user").WithCode("permission_denied")
	}
	return s.createToken(ctx, p, p.UserID, p.Role, in)
}

// CreateTokenFor makes an API token for any member. For the operator at the
// command line (system principal) only.
func (s *Service) CreateTokenFor(ctx context.Context, p access.Principal, userID string, in NewToken) (access.Token, string, error) {
	if p.Kind != access.KindSystem {
		return access.Token{}, "", errs.E(errs.PermissionDenied, "only the operator can create tokens for other users").WithCode("permission_denied")
	}
	m, err := s.store.Org(p.OrgID).Member(ctx, userID)
	if err != nil {
		return access.Token{}, "", err
	}
	return s.createToken(ctx, p, userID, m.Role, in)
}

func (s *Service) createToken(ctx context.Context, p access.Principal, userID string, role access.Role, in NewToken) (access.Token, string, error) {
	if err := access.ValidateNewToken(in.Name, in.Scopes, in.Lifetime, role); err != nil {
		return access.Token{}, "", err
	}
	now := s.clock.Now()
	t := access.Token{ID: ids.New(), UserID: userID, Name: in.Name, Scopes: in.Scopes, CreatedAt: now, ExpiresAt: now.Add(in.Lifetime)}
	plaintext, hash := access.NewTokenSecret(t.ID)
	t.SecretHash = hash
	err := s.inOrg(ctx, p.OrgID, func(os store.OrgStore) (*audit.Event, error) {
		if err := os.CreateToken(ctx, &t); err != nil {
			return nil, err
		}
		return s.event(p, "token.create", "token", t.ID, "created API token "+t.Name, map[string]any{"scopes": t.Scopes, "expires_at": t.ExpiresAt, "user_id": userID}), nil
	})
	return t, plaintext, err
}

// Tokens lists p's own tokens, or every token in the organisation for owners.
func (s *Service) Tokens(ctx context.Context, p access.Principal) ([]access.Token, error) {
	orgID, err := s.scope(p, access.UseTokens)
	if err != nil {
		return nil, err
	}
	user := p.UserID
	if p.Can(access.ManageMembers) {
		user = ""
	}
	return s.store.Org(orgID).Tokens(ctx, user)
}

// RevokeToken revokes one of p's tokens, or any token for owners.
func (s *Service) RevokeToken(ctx context.Context, p access.Principal, id string) (access.Token, error) {
	var t access.Token
	orgID, err := s.scope(p, access.UseTokens)
	if err != nil {
		return t, err
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		mine, err := os.Tokens(ctx, p.UserID)
		if err != nil {
			return nil, err
		}
		allowed := p.Can(access.ManageMembers)
		for _, m := range mine {
			allowed = allowed || m.ID == id
		}
		if !allowed {
			return nil, errs.E(errs.NotFound, "token not found").WithCode("token_not_found")
		}
		if t, err = os.RevokeToken(ctx, id, s.clock.Now()); err != nil {
			return nil, err
		}
		return s.event(p, "token.revoke", "token", id, "revoked API token "+t.Name, nil), nil
	})
	return t, err
}
