package service

import (
	"context"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// Members lists the current organisation's members.
func (s *Service) Members(ctx context.Context, p access.Principal) ([]access.Member, error) {
	orgID, err := s.scope(p, access.ReadRegistry)
	if err != nil {
		return nil, err
	}
	return s.store.Org(orgID).Members(ctx)
}

// NewMember asks to add a person to the organisation.
type NewMember struct {
	Email string
	Name  string // for a new user
	Role  access.Role
	// Password for a new user; when empty, a random one is generated and
	// returned once. Ignored for existing users.
	Password string
}

// AddMember adds a person to the current organisation, creating their user
// account if they have none. It returns the generated password, if one was made.
func (s *Service) AddMember(ctx context.Context, p access.Principal, in NewMember) (access.Member, string, error) {
	var m access.Member
	orgID, err := s.scope(p, access.ManageMembers)
	if err != nil {
		return m, "", err
	}
	if !in.Role.Valid() {
		return m, "", errs.Invalidf("role", "must be owner, maintainer or viewer")
	}
	email := access.NormalizeEmail(in.Email)
	user, err := s.store.Directory().UserByEmail(ctx, email)
	generated := ""
	newUser := errs.Is(err, errs.NotFound)
	switch {
	case newUser:
		user = access.User{ID: ids.New(), Email: email, Name: in.Name, CreatedAt: s.clock.Now()}
		if err := user.Validate(); err != nil {
			return m, "", err
		}
		pw := in.Password
		if pw == "" {
			pw = access.RandomPassword()
			generated = pw
		} else if msg := access.CheckPassword(pw, email); msg != "" {
			return m, "", errs.Invalidf("password", "%s", msg)
		}
		if user.PasswordHash, err = access.HashPassword(pw); err != nil {
			return m, "", err
		}
	case err != nil:
		return m, "", err
	}
	err = s.store.Tx(ctx, func(q store.Queries) error {
		os := q.Org(orgID)
		if newUser {
			if err := q.Directory().CreateUser(ctx, &user); err != nil {
				return err
			}
		} else if _, err := os.Member(ctx, user.ID); err == nil {
			return errs.E(errs.Conflict, "%s is already a member", email).WithCode("member_exists")
		}
		if err := os.PutMember(ctx, user.ID, in.Role, s.clock.Now()); err != nil {
			return err
		}
		if m, err = os.Member(ctx, user.ID); err != nil {
			return err
		}
		return os.AppendAudit(ctx, s.event(p, "member.add", "user", user.ID, "added "+email+" as "+string(in.Role), map[string]any{"email": email, "role": in.Role, "new_user": newUser}))
	})
	return m, generated, err
}

// memberID finds a member by user ID or email address.
func memberID(ctx context.Context, os store.OrgStore, key string) (string, error) {
	ms, err := os.Members(ctx)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		if m.User.ID == key || m.User.Email == access.NormalizeEmail(key) {
			return m.User.ID, nil
		}
	}
	return "", errs.E(errs.NotFound, "member %q not found", key).WithCode("member_not_found")
}

// SetMemberRole changes a member's role. The member is named by user ID or
// email address. The last owner cannot be demoted.
func (s *Service) SetMemberRole(ctx context.Context, p access.Principal, key string, role access.Role) (access.Member, error) {
	var m access.Member
	orgID, err := s.scope(p, access.ManageMembers)
	if err != nil {
		return m, err
	}
	if !role.Valid() {
		return m, errs.Invalidf("role", "must be owner, maintainer or viewer")
	}
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		userID, err := memberID(ctx, os, key)
		if err != nil {
			return nil, err
		}
		before, err := os.Member(ctx, userID)
		if err != nil {
			return nil, err
		}
		if before.Role == access.Owner && role != access.Owner {
			if err := lastOwnerCheck(ctx, os); err != nil {
				return nil, err
			}
		}
		if err := os.PutMember(ctx, userID, role, s.clock.Now()); err != nil {
			return nil, err
		}
		if m, err = os.Member(ctx, userID); err != nil {
			return nil, err
		}
		return s.event(p, "member.role", "user", userID, "changed "+m.User.Email+" from "+string(before.Role)+" to "+string(role), map[string]any{"before": before.Role, "after": role}), nil
	})
	return m, err
}

// RemoveMember removes a member, named by user ID or email address, and
// revokes their tokens in this organisation.
func (s *Service) RemoveMember(ctx context.Context, p access.Principal, key string) error {
	orgID, err := s.scope(p, access.ManageMembers)
	if err != nil {
		return err
	}
	return s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		userID, err := memberID(ctx, os, key)
		if err != nil {
			return nil, err
		}
		m, err := os.Member(ctx, userID)
		if err != nil {
			return nil, err
		}
		if m.Role == access.Owner {
			if err := lastOwnerCheck(ctx, os); err != nil {
				return nil, err
			}
		}
		if err := os.RemoveMember(ctx, userID, s.clock.Now()); err != nil {
			return nil, err
		}
		return s.event(p, "member.remove", "user", userID, "removed "+m.User.Email, nil), nil
	})
}

// lastOwnerCheck fails when the organisation has only one owner left.
func lastOwnerCheck(ctx context.Context, os store.OrgStore) error {
	ms, err := os.Members(ctx)
	if err != nil {
		return err
	}
	owners := 0
	for _, m := range ms {
		if m.Role == access.Owner {
			owners++
		}
	}
	if owners <= 1 {
		return errs.E(errs.Conflict, "an organisation must keep at least one owner").WithCode("last_owner")
	}
	return nil
}
