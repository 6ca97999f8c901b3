package access

import (
	"net/mail"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// User is a person who logs in. A user may belong to several organisations.
type User struct {
	ID           string     `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	SiteAdmin    bool       `json:"site_admin"`
	PasswordHash string     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
}

// Membership places a user in an organisation with a role.
type Membership struct {
	UserID    string    `json:"user_id"`
	OrgID     string    `json:"org_id"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

// Member is a membership joined with its user and organisation, for listings.
type Member struct {
	User         User         `json:"user"`
	Organisation Organisation `json:"organisation"`
	Role         Role         `json:"role"`
}

// NormalizeEmail lower-cases and trims an email address so that one person
// has one account.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the user's fields.
func (u *User) Validate() error {
	var f errs.Fields
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	addr, err := mail.ParseAddress(u.Email)
	f.Check(err == nil && addr.Address == u.Email && len(u.Email) <= 254, "email", "must be an email address such as name@example.com")
	f.Check(u.Name != "", "name", "is required")
	f.Check(len(u.Name) <= 200, "name", "must be at most 200 characters")
	return f.Err()
}
