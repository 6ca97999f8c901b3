package service

import (
	"context"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/store"
)

var errOperatorOnly = errs.E(errs.PermissionDenied, "only the operator (lifeline admin) may do this").WithCode("permission_denied")

// Users lists every user. Site administrators only.
func (s *Service) Users(ctx context.Context, p access.Principal, pg store.Page) (store.List[access.User], error) {
	if !p.CanAdminSite() {
		return store.List[access.User]{}, errNotSiteAdmin
	}
	return s.store.Directory().Users(ctx, pg)
}

// CreateUser makes a user account. Operator only; in the organisation a
// member is added with AddMember instead.
func (s *Service) CreateUser(ctx context.Context, p access.Principal, u access.User, password string) (access.User, error) {
	if p.Kind != access.KindSystem {
		return u, errOperatorOnly
	}
	u.ID, u.CreatedAt = ids.New(), s.clock.Now()
	if err := u.Validate(); err != nil {
		return u, err
	}
	if msg := access.CheckPassword(password, u.Email); msg != "" {
		return u, errs.Invalidf("password", "%s", msg)
	}
	var err error
	if u.PasswordHash, err = access.HashPassword(password); err != nil {
		return u, err
	}
	err = s.store.Tx(ctx, func(q store.Queries) error {
		if err := q.Directory().CreateUser(ctx, &u); err != nil {
			return err
		}
		return q.Directory().AppendSiteAudit(ctx, s.event(p, "user.create", "user", u.ID, "created user "+u.Email, map[string]any{"email": u.Email, "site_admin": u.SiteAdmin}))
	})
	return u, err
}

// UserUpdate changes a user's account. Nil fields stay as they are.
type UserUpdate struct {
	Password  *string
	SiteAdmin *bool
	Disabled  *bool
}

// UpdateUser changes a user's password, site-administrator flag or disabled
// state. Operator only. Changing the password or disabling ends the user's sessions.
func (s *Service) UpdateUser(ctx context.Context, p access.Principal, email string, up UserUpdate) (access.User, error) {
	if p.Kind != access.KindSystem {
		return access.User{}, errOperatorOnly
	}
	u, err := s.store.Directory().UserByEmail(ctx, email)
	if err != nil {
		return u, err
	}
	endSessions := false
	if up.Password != nil {
		if msg := access.CheckPassword(*up.Password, u.Email); msg != "" {
			return u, errs.Invalidf("password", "%s", msg)
		}
		if u.PasswordHash, err = access.HashPassword(*up.Password); err != nil {
			return u, err
		}
		endSessions = true
	}
	if up.SiteAdmin != nil {
		u.SiteAdmin = *up.SiteAdmin
	}
	if up.Disabled != nil {
		if *up.Disabled {
			now := s.clock.Now().Truncate(time.Microsecond)
			u.DisabledAt = &now
			endSessions = true
		} else {
			u.DisabledAt = nil
		}
	}
	err = s.store.Tx(ctx, func(q store.Queries) error {
		if err := q.Directory().UpdateUser(ctx, u); err != nil {
			return err
		}
		if endSessions {
			if err := q.Directory().DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
		}
		return q.Directory().AppendSiteAudit(ctx, s.event(p, "user.update", "user", u.ID, "updated user "+u.Email,
			map[string]any{"password_changed": up.Password != nil, "site_admin": u.SiteAdmin, "disabled": u.DisabledAt != nil}))
	})
	return u, err
}

// OrganisationBySlug finds an organisation for the operator.
func (s *Service) OrganisationBySlug(ctx context.Context, p access.Principal, key string) (access.Organisation, error) {
	if !p.CanAdminSite() {
		return access.Organisation{}, errNotSiteAdmin
	}
	return s.store.Directory().Organisation(ctx, key)
}
