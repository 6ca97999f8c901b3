package service

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// How often last-used times are written, so that authentication does not
// turn every read into a database write.
const touchInterval = time.Minute

var errBadToken = errs.E(errs.Unauthenticated, "the API token is invalid, expired or revoked").WithCode("bad_token")

// AuthenticateToken returns the principal an API token acts as.
func (s *Service) AuthenticateToken(ctx context.Context, plaintext, source string) (access.Principal, error) {
	id, secret, err := access.ParseToken(plaintext)
	if err != nil {
		return access.Principal{}, err
	}
	dir := s.store.Directory()
	tok, err := dir.Token(ctx, id)
	if errs.Is(err, errs.NotFound) {
		return access.Principal{}, errBadToken
	}
	if err != nil {
		return access.Principal{}, err
	}
	now := s.clock.Now()
	if !access.SecretMatches(secret, tok.SecretHash) || !tok.Usable(now) {
		return access.Principal{}, errBadToken
	}
	user, err := dir.UserByID(ctx, tok.UserID)
	if err != nil || user.DisabledAt != nil {
		return access.Principal{}, errBadToken
	}
	m, err := s.store.Org(tok.OrgID).Member(ctx, tok.UserID)
	if err != nil {
		return access.Principal{}, errBadToken
	}
	if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) > touchInterval {
		if err := dir.TouchToken(ctx, tok.ID, now); err != nil {
			s.log.Warn("recording token use", "token", tok.ID, "err", err)
		}
	}
	return access.Principal{
		Kind: access.KindToken, UserID: user.ID, UserEmail: user.Email, OrgID: tok.OrgID, Role: m.Role,
		Scopes: tok.Scopes, TokenID: tok.ID, SiteAdmin: user.SiteAdmin, Source: source,
	}, nil
}

var errBadLogin = errs.E(errs.Unauthenticated, "wrong email address or password").WithCode("bad_login")

// Login checks a user's password and starts a web session. It returns the
// session secret for the cookie.
func (s *Service) Login(ctx context.Context, email, password, source string) (string, error) {
	email = access.NormalizeEmail(email)
	key := email + "|" + source
	if !s.logins.allowed(key) {
		return "", errs.E(errs.Unauthenticated, "too many failed logins; wait 15 minutes and try again").WithCode("login_throttled")
	}
	dir := s.store.Directory()
	user, err := dir.UserByEmail(ctx, email)
	switch {
	case errs.Is(err, errs.NotFound):
		access.VerifyNoUser(password)
		s.logins.fail(key)
		return "", errBadLogin
	case err != nil:
		return "", err
	}
	if !access.VerifyPassword(user.PasswordHash, password) || user.DisabledAt != nil {
		s.logins.fail(key)
		s.recordLogin(ctx, user, "", source, false)
		return "", errBadLogin
	}
	s.logins.reset(key)
	orgID := ""
	if ms, err := dir.Memberships(ctx, user.ID); err == nil && len(ms) > 0 {
		orgID = ms[0].Organisation.ID
	}
	secret, hash := access.NewSecret()
	csrf := make([]byte, 32)
	_, _ = rand.Read(csrf)
	now := s.clock.Now()
	if err := dir.CreateSession(ctx, access.Session{IDHash: hash, UserID: user.ID, OrgID: orgID, CSRFKey: csrf, CreatedAt: now, LastSeenAt: now}); err != nil {
		return "", err
	}
	s.recordLogin(ctx, user, orgID, source, true)
	return secret, nil
}

func (s *Service) recordLogin(ctx context.Context, user access.User, orgID, source string, ok bool) {
	p := access.Principal{Kind: access.KindSession, UserID: user.ID, UserEmail: user.Email, Source: source}
	action, summary := "user.login", "logged in"
	if !ok {
		action, summary = "user.login_failed", "failed to log in"
	}
	e := s.event(p, action, "user", user.ID, user.Email+" "+summary, nil)
	var err error
	if orgID != "" {
		err = s.store.Org(orgID).AppendAudit(ctx, e)
	} else {
		err = s.store.Directory().AppendSiteAudit(ctx, e)
	}
	if err != nil {
		s.log.Warn("recording login", "err", err)
	}
}

var errNoSession = errs.E(errs.Unauthenticated, "your session has ended; log in again").WithCode("session_expired")

// Session returns the principal and session for a session secret.
func (s *Service) Session(ctx context.Context, secret, source string) (access.Principal, access.Session, error) {
	dir := s.store.Directory()
	hash := access.HashSecret(secret)
	sess, err := dir.Session(ctx, hash)
	if err != nil {
		if errs.Is(err, errs.Unauthenticated) {
			return access.Principal{}, sess, errNoSession
		}
		return access.Principal{}, sess, err
	}
	now := s.clock.Now()
	if !sess.Live(now) {
		_ = dir.DeleteSession(ctx, hash)
		return access.Principal{}, sess, errNoSession
	}
	user, err := dir.UserByID(ctx, sess.UserID)
	if err != nil || user.DisabledAt != nil {
		_ = dir.DeleteSession(ctx, hash)
		return access.Principal{}, sess, errNoSession
	}
	p := access.Principal{Kind: access.KindSession, UserID: user.ID, UserEmail: user.Email, SiteAdmin: user.SiteAdmin, Source: source}
	if sess.OrgID != "" {
		if m, err := s.store.Org(sess.OrgID).Member(ctx, user.ID); err == nil {
			p.OrgID, p.Role = sess.OrgID, m.Role
		}
	}
	if now.Sub(sess.LastSeenAt) > touchInterval {
		if err := dir.TouchSession(ctx, hash, "", now); err != nil {
			s.log.Warn("recording session use", "err", err)
		}
	}
	return p, sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.store.Directory().DeleteSession(ctx, access.HashSecret(secret))
}

// SwitchOrganisation makes the session work in another organisation the user belongs to.
func (s *Service) SwitchOrganisation(ctx context.Context, secret string, p access.Principal, orgKey string) error {
	o, err := s.store.Directory().Organisation(ctx, orgKey)
	if err != nil {
		return err
	}
	if _, err := s.store.Org(o.ID).Member(ctx, p.UserID); err != nil {
		return errs.E(errs.NotFound, "organisation not found").WithCode("organisation_not_found")
	}
	return s.store.Directory().TouchSession(ctx, access.HashSecret(secret), o.ID, s.clock.Now())
}

// Memberships lists the organisations p's user belongs to.
func (s *Service) Memberships(ctx context.Context, p access.Principal) ([]access.Member, error) {
	if p.UserID == "" {
		return nil, nil
	}
	return s.store.Directory().Memberships(ctx, p.UserID)
}

// ChangePassword sets a new password for p's own user after checking the current one.
func (s *Service) ChangePassword(ctx context.Context, p access.Principal, current, next string) error {
	if p.Kind != access.KindSession {
		return errs.E(errs.PermissionDenied, "passwords can be changed only in the web interface or with lifeline admin").WithCode("permission_denied")
	}
	user, err := s.store.Directory().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if !access.VerifyPassword(user.PasswordHash, current) {
		return errs.Invalidf("current_password", "is wrong")
	}
	if msg := access.CheckPassword(next, user.Email); msg != "" {
		return errs.Invalidf("new_password", "%s", msg)
	}
	return s.setPassword(ctx, p, user, next)
}

func (s *Service) setPassword(ctx context.Context, p access.Principal, user access.User, pw string) error {
	hash, err := access.HashPassword(pw)
	if err != nil {
		return err
	}
	user.PasswordHash = hash
	return s.store.Tx(ctx, func(q store.Queries) error {
		if err := q.Directory().UpdateUser(ctx, user); err != nil {
			return err
		}
		// Every other session of the user ends with the old password.
		if err := q.Directory().DeleteUserSessions(ctx, user.ID); err != nil {
			return err
		}
		return q.Directory().AppendSiteAudit(ctx, s.event(p, "user.password_change", "user", user.ID, "password changed for "+user.Email, nil))
	})
}

// PurgeSessions deletes sessions that can no longer be used. The server
// runs it periodically; expired sessions are refused anyway, this only
// keeps the table small.
func (s *Service) PurgeSessions(ctx context.Context) (int, error) {
	now := s.clock.Now()
	return s.store.Directory().DeleteSessionsBefore(ctx, now.Add(-access.SessionIdleTimeout), now.Add(-access.MaxSessionAge))
}
