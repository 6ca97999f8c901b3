package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// adminEnv opens the database for an admin command.
type adminEnv struct {
	storeFlags
}

func (e *adminEnv) run(cmd *cobra.Command, fn func(ctx context.Context, svc *service.Service, p access.Principal) error) error {
	if err := applyEnvAndFile(cmd.Flags(), ""); err != nil {
		return usageError{err}
	}
	ctx := cmd.Context()
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := service.New(st, nil, slog.New(slog.DiscardHandler), service.Limits{})
	return fn(ctx, svc, access.System("cli"))
}

func newAdminCmd() *cobra.Command {
	e := &adminEnv{}
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Manage organisations, users and tokens directly in the database",
		Long: `Manage a Lifeline instance offline, working directly on its database (the same
--data or --database the server uses). Use it to bootstrap, to recover access,
or to script set-up. Every change is recorded in the audit log as made by
"system" from "cli".`,
	}
	cmd.PersistentFlags().StringVar(&e.data, "data", "./lifeline-data", "data directory of the SQLite database")
	cmd.PersistentFlags().StringVar(&e.database, "database", "", "PostgreSQL URL (env LIFELINE_DATABASE)")
	cmd.AddCommand(adminSetupLink(e), adminOrg(e), adminUser(e), adminMember(e), adminToken(e), adminFeed(e))
	return cmd
}

func adminSetupLink(e *adminEnv) *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "setup-link",
		Short: "Print a new one-time setup link while no users exist",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.run(cmd, func(ctx context.Context, svc *service.Service, _ access.Principal) error {
				tok, err := svc.NewSetupToken(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s/setup?token=%s\n", strings.TrimRight(base, "/"), tok)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&base, "url", "http://127.0.0.1:8080", "the server's address, for the link")
	return cmd
}

func adminOrg(e *adminEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Create and list organisations"}
	var o access.Organisation
	var kind string
	create := &cobra.Command{
		Use:     "create",
		Short:   "Create an organisation",
		Example: `  lifeline admin org create --name "Acme Devices" --kind manufacturer --contact security@acme.example`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				o.Kind = access.OrgKind(kind)
				got, err := svc.CreateOrganisation(ctx, p, o)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created organisation %s (%s, %s)\n", got.Slug, got.Name, got.Kind)
				return nil
			})
		},
	}
	create.Flags().StringVar(&o.Name, "name", "", "display name (required)")
	create.Flags().StringVar(&o.Slug, "slug", "", "short name in URLs (default: from the name)")
	create.Flags().StringVar(&kind, "kind", "manufacturer", "manufacturer, agency or test_lab")
	create.Flags().StringVar(&o.Website, "website", "", "website address")
	create.Flags().StringVar(&o.Contact, "contact", "", "where to report security problems")
	list := &cobra.Command{
		Use:   "list",
		Short: "List organisations",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				var rows [][]string
				pg := store.Page{Limit: store.MaxLimit}
				for {
					l, err := svc.Organisations(ctx, p, pg)
					if err != nil {
						return err
					}
					for _, o := range l.Items {
						rows = append(rows, []string{o.Slug, o.Name, string(o.Kind), fmtDate(o.CreatedAt)})
					}
					if l.Next == "" {
						break
					}
					pg.Cursor = l.Next
				}
				table(cmd.OutOrStdout(), []string{"SLUG", "NAME", "KIND", "CREATED"}, rows)
				return nil
			})
		},
	}
	cmd.AddCommand(create, list)
	return cmd
}

// readPassword reads a password from the first line of r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("no password on standard input")
	}
	return pw, nil
}

func adminUser(e *adminEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Create, list and change users"}
	var email, name string
	var siteAdmin, pwStdin bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user (add them to an organisation with: admin member add)",
		Example: `  lifeline admin user create --email ada@example.com --name "Ada Lovelace" --site-admin
  printf '%s\n' "$PASSWORD" | lifeline admin user create --email ada@example.com --name Ada --password-stdin`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				pw, generated := access.RandomPassword(), true
				if pwStdin {
					var err error
					if pw, err = readPassword(cmd.InOrStdin()); err != nil {
						return err
					}
					generated = false
				}
				u, err := svc.CreateUser(ctx, p, access.User{Email: email, Name: name, SiteAdmin: siteAdmin}, pw)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created user %s\n", u.Email)
				if generated {
					fmt.Fprintf(cmd.OutOrStdout(), "password: %s\n(shown once; the user can change it in the web interface)\n", pw)
				}
				return nil
			})
		},
	}
	create.Flags().StringVar(&email, "email", "", "email address (required)")
	create.Flags().StringVar(&name, "name", "", "full name (required)")
	create.Flags().BoolVar(&siteAdmin, "site-admin", false, "may create organisations")
	create.Flags().BoolVar(&pwStdin, "password-stdin", false, "read the password from standard input instead of generating one")

	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				var rows [][]string
				pg := store.Page{Limit: store.MaxLimit}
				for {
					l, err := svc.Users(ctx, p, pg)
					if err != nil {
						return err
					}
					for _, u := range l.Items {
						state := "active"
						if u.DisabledAt != nil {
							state = "disabled"
						}
						rows = append(rows, []string{u.Email, u.Name, fmt.Sprint(u.SiteAdmin), state, fmtDate(u.CreatedAt)})
					}
					if l.Next == "" {
						break
					}
					pg.Cursor = l.Next
				}
				table(cmd.OutOrStdout(), []string{"EMAIL", "NAME", "SITE ADMIN", "STATE", "CREATED"}, rows)
				return nil
			})
		},
	}

	var setEmail string
	var setPwStdin, disable, enable, admin, noAdmin bool
	set := &cobra.Command{
		Use:   "set",
		Short: "Change a user's password, site-administrator flag or disabled state",
		Example: `  printf '%s\n' "$NEW_PASSWORD" | lifeline admin user set --email ada@example.com --password-stdin
  lifeline admin user set --email bob@example.com --disable`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var up service.UserUpdate
			if setPwStdin {
				pw, err := readPassword(cmd.InOrStdin())
				if err != nil {
					return err
				}
				up.Password = &pw
			}
			if disable || enable {
				d := disable
				up.Disabled = &d
			}
			if admin || noAdmin {
				a := admin
				up.SiteAdmin = &a
			}
			if up == (service.UserUpdate{}) {
				return usageError{fmt.Errorf("nothing to change: give --password-stdin, --disable, --enable, --site-admin or --no-site-admin")}
			}
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				u, err := svc.UpdateUser(ctx, p, setEmail, up)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "updated user %s\n", u.Email)
				return nil
			})
		},
	}
	set.Flags().StringVar(&setEmail, "email", "", "the user's email address (required)")
	set.Flags().BoolVar(&setPwStdin, "password-stdin", false, "read a new password from standard input (ends the user's sessions)")
	set.Flags().BoolVar(&disable, "disable", false, "stop the user logging in and end their sessions")
	set.Flags().BoolVar(&enable, "enable", false, "let a disabled user log in again")
	set.Flags().BoolVar(&admin, "site-admin", false, "make the user a site administrator")
	set.Flags().BoolVar(&noAdmin, "no-site-admin", false, "take away site administration")
	set.MarkFlagsMutuallyExclusive("disable", "enable")
	set.MarkFlagsMutuallyExclusive("site-admin", "no-site-admin")
	cmd.AddCommand(create, list, set)
	return cmd
}

func adminMember(e *adminEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "member", Short: "Add people to organisations"}
	var org, email, name, role string
	add := &cobra.Command{
		Use:     "add",
		Short:   "Add a person to an organisation, creating their account with a random password if needed",
		Example: `  lifeline admin member add --org acme --email ada@example.com --name "Ada Lovelace" --role owner`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				o, err := svc.OrganisationBySlug(ctx, p, org)
				if err != nil {
					return err
				}
				m, pw, err := svc.AddMember(ctx, p.InOrg(o.ID), service.NewMember{Email: email, Name: name, Role: access.Role(role)})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "added %s to %s as %s\n", m.User.Email, o.Slug, m.Role)
				if pw != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "new account password: %s\n(shown once)\n", pw)
				}
				return nil
			})
		},
	}
	add.Flags().StringVar(&org, "org", "", "organisation slug (required)")
	add.Flags().StringVar(&email, "email", "", "email address (required)")
	add.Flags().StringVar(&name, "name", "", "full name, for a new account")
	add.Flags().StringVar(&role, "role", "viewer", "owner, maintainer or viewer")
	cmd.AddCommand(add)
	return cmd
}

func adminToken(e *adminEnv) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create API tokens for members"}
	var org, email, name string
	var scopes []string
	var days int
	create := &cobra.Command{
		Use:     "create",
		Short:   "Create an API token for a member of an organisation; the token is printed once",
		Example: `  lifeline admin token create --org acme --email ci@acme.example --name ci --scopes read,write --days 90`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.run(cmd, func(ctx context.Context, svc *service.Service, p access.Principal) error {
				o, err := svc.OrganisationBySlug(ctx, p, org)
				if err != nil {
					return err
				}
				p = p.InOrg(o.ID)
				ms, err := svc.Members(ctx, p)
				if err != nil {
					return err
				}
				userID := ""
				for _, m := range ms {
					if m.User.Email == access.NormalizeEmail(email) {
						userID = m.User.ID
					}
				}
				if userID == "" {
					return fmt.Errorf("%s is not a member of %s", email, o.Slug)
				}
				var sc []access.Scope
				for _, s := range scopes {
					sc = append(sc, access.Scope(s))
				}
				t, secret, err := svc.CreateTokenFor(ctx, p, userID, service.NewToken{Name: name, Scopes: sc, Lifetime: time.Duration(days) * 24 * time.Hour})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "created token %s for %s in %s, expiring %s\n", t.Name, email, o.Slug, fmtDate(t.ExpiresAt))
				fmt.Fprintln(cmd.OutOrStdout(), secret)
				return nil
			})
		},
	}
	create.Flags().StringVar(&org, "org", "", "organisation slug (required)")
	create.Flags().StringVar(&email, "email", "", "the member's email address (required)")
	create.Flags().StringVar(&name, "name", "cli", "a name to recognise the token by")
	create.Flags().StringSliceVar(&scopes, "scopes", []string{"read"}, "read, write and/or admin")
	create.Flags().IntVar(&days, "days", 90, "days until the token expires (at most 366)")
	cmd.AddCommand(create)
	return cmd
}
