package service

import (
	"context"
	"strings"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// setupTokenKey names the setting holding the hash of the one-time setup token.
const setupTokenKey = "setup_token_sha256"

// SetupPending reports whether Lifeline has no users yet and waits to be set up.
func (s *Service) SetupPending(ctx context.Context) (bool, error) {
	n, err := s.store.Directory().CountUsers(ctx)
	return n == 0, err
}

// NewSetupToken makes a new one-time setup token, replacing any earlier one.
// It fails once Lifeline has users.
func (s *Service) NewSetupToken(ctx context.Context) (string, error) {
	pending, err := s.SetupPending(ctx)
	if err != nil {
		return "", err
	}
	if !pending {
		return "", errs.E(errs.Conflict, "Lifeline is already set up").WithCode("already_set_up")
	}
	secret, hash := access.NewSecret()
	return secret, s.store.Directory().PutSetting(ctx, setupTokenKey, string(hexBytes(hash)))
}

// SetupInput is what the first user gives to set Lifeline up.
type SetupInput struct {
	OrgName  string
	OrgSlug  string
	OrgKind  access.OrgKind
	Email    string
	Name     string
	Password string
}

// CompleteSetup uses the one-time setup token to create the first
// organisation and its owner, who becomes a site administrator.
func (s *Service) CompleteSetup(ctx context.Context, token string, in SetupInput, source string) (access.User, access.Organisation, error) {
	var user access.User
	var org access.Organisation
	stored, err := s.store.Directory().Setting(ctx, setupTokenKey)
	if err != nil || !strings.EqualFold(stored, string(hexBytes(access.HashSecret(token)))) {
		return user, org, errs.E(errs.Unauthenticated, "the setup link is invalid or has been used; restart Lifeline for a new one").WithCode("bad_setup_token")
	}
	now := s.clock.Now()
	org = access.Organisation{ID: ids.New(), Name: in.OrgName, Slug: in.OrgSlug, Kind: in.OrgKind, CreatedAt: now}
	org.Normalize()
	user = access.User{ID: ids.New(), Email: in.Email, Name: in.Name, SiteAdmin: true, CreatedAt: now}
	var f errs.Fields
	if err := org.Validate(); err != nil {
		f = append(f, fieldsOf(err)...)
	}
	if err := user.Validate(); err != nil {
		f = append(f, fieldsOf(err)...)
	}
	if msg := access.CheckPassword(in.Password, user.Email); msg != "" {
		f.Add("password", "%s", msg)
	}
	if err := f.Err(); err != nil {
		return user, org, err
	}
	if user.PasswordHash, err = access.HashPassword(in.Password); err != nil {
		return user, org, err
	}
	p := access.Principal{Kind: access.KindSession, UserID: user.ID, UserEmail: user.Email, OrgID: org.ID, Role: access.Owner, SiteAdmin: true, Source: source}
	err = s.store.Tx(ctx, func(q store.Queries) error {
		dir := q.Directory()
		if n, err := dir.CountUsers(ctx); err != nil || n > 0 {
			return errs.E(errs.Conflict, "Lifeline is already set up").WithCode("already_set_up")
		}
		if err := dir.CreateOrganisation(ctx, &org); err != nil {
			return err
		}
		if err := dir.CreateUser(ctx, &user); err != nil {
			return err
		}
		if err := q.Org(org.ID).PutMember(ctx, user.ID, access.Owner, now); err != nil {
			return err
		}
		if err := dir.DeleteSetting(ctx, setupTokenKey); err != nil {
			return err
		}
		return dir.AppendSiteAudit(ctx, s.event(p, "site.setup", "organisation", org.ID, "set up Lifeline with organisation "+org.Name+" and site administrator "+user.Email, nil))
	})
	return user, org, err
}

func hexBytes(b []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return out
}

// fieldsOf returns the field errors inside err, if any.
func fieldsOf(err error) errs.Fields {
	if e := errs.Public(err); e.Kind == errs.Invalid {
		return e.Fields
	}
	return nil
}
