package cli

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/httpapi"
)

func newOrgCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Your organisation, its members, and (for site administrators) other organisations"}
	cmd.AddCommand(
		&cobra.Command{
			Use: "show", Short: "Show your organisation", Args: noArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				c, err := g.client()
				if err != nil {
					return err
				}
				var o access.Organisation
				if err := c.Do(cmd.Context(), "GET", "/api/v1/organisation", nil, nil, &o); err != nil {
					return err
				}
				return g.emit(cmd.OutOrStdout(), o, func() {
					table(cmd.OutOrStdout(), []string{"SLUG", "NAME", "KIND", "WEBSITE", "SECURITY CONTACT"}, [][]string{{o.Slug, o.Name, string(o.Kind), orDash(o.Website), orDash(o.Contact)}})
				})
			},
		},
		orgList(g), orgCreate(g), orgUpdate(g), orgMembers(g),
	)
	return cmd
}

func orgList(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "list", Short: "List organisations you can see", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			items, err := listAll[access.Organisation](cmd, c, "/api/v1/organisations", url.Values{})
			if err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), items, func() {
				var rows [][]string
				for _, o := range items {
					rows = append(rows, []string{o.Slug, o.Name, string(o.Kind)})
				}
				table(cmd.OutOrStdout(), []string{"SLUG", "NAME", "KIND"}, rows)
			})
		},
	}
}

func orgCreate(g *globals) *cobra.Command {
	var req httpapi.OrganisationCreateRequest
	var kind string
	cmd := &cobra.Command{
		Use: "create", Short: "Create an organisation (site administrators)", Args: noArgs,
		Example: `  lifeline org create --name "Office for Product Safety" --kind agency`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			req.Kind = access.OrgKind(kind)
			var o access.Organisation
			if err := c.Do(cmd.Context(), "POST", "/api/v1/organisations", nil, req, &o); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), o, func() { fmt.Fprintf(cmd.OutOrStdout(), "created organisation %s\n", o.Slug) })
		},
	}
	cmd.Flags().StringVar(&req.Name, "name", "", "display name")
	cmd.Flags().StringVar(&req.Slug, "slug", "", "short name in URLs (default: from the name)")
	cmd.Flags().StringVar(&kind, "kind", "manufacturer", "manufacturer, agency or test_lab")
	cmd.Flags().StringVar(&req.Website, "website", "", "website address")
	cmd.Flags().StringVar(&req.SecurityContact, "contact", "", "where to report security problems")
	return cmd
}

func orgUpdate(g *globals) *cobra.Command {
	var name, website, contact string
	cmd := &cobra.Command{
		Use: "update", Short: "Change your organisation's public profile (owners)", Args: noArgs,
		Example: `  lifeline org update --contact "https://acme.example/security"`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var req httpapi.OrganisationPatchRequest
			if cmd.Flags().Changed("name") {
				req.Name = &name
			}
			if cmd.Flags().Changed("website") {
				req.Website = &website
			}
			if cmd.Flags().Changed("contact") {
				req.SecurityContact = &contact
			}
			var o access.Organisation
			if err := c.Do(cmd.Context(), "PATCH", "/api/v1/organisation", nil, req, &o); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), o, func() { fmt.Fprintf(cmd.OutOrStdout(), "updated %s\n", o.Slug) })
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "display name")
	cmd.Flags().StringVar(&website, "website", "", "website address")
	cmd.Flags().StringVar(&contact, "contact", "", "where to report security problems")
	return cmd
}

func orgMembers(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "members", Short: "List and manage members"}
	list := &cobra.Command{
		Use: "list", Short: "List members", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var l httpapi.ListBody[access.Member]
			if err := c.Do(cmd.Context(), "GET", "/api/v1/members", nil, nil, &l); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), l.Items, func() {
				var rows [][]string
				for _, m := range l.Items {
					rows = append(rows, []string{m.User.Email, m.User.Name, string(m.Role)})
				}
				table(cmd.OutOrStdout(), []string{"EMAIL", "NAME", "ROLE"}, rows)
			})
		},
	}
	var req httpapi.MemberCreateRequest
	var role string
	add := &cobra.Command{
		Use: "add", Short: "Add a person (owners); a new account gets a random password, shown once", Args: noArgs,
		Example: `  lifeline org members add --email ada@acme.example --name "Ada Lovelace" --role maintainer`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			req.Role = access.Role(role)
			var resp httpapi.MemberCreateResponse
			if err := c.Do(cmd.Context(), "POST", "/api/v1/members", nil, req, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "added %s as %s\n", resp.Member.User.Email, resp.Member.Role)
				if resp.GeneratedPassword != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "new account password: %s (shown once)\n", resp.GeneratedPassword)
				}
			})
		},
	}
	add.Flags().StringVar(&req.Email, "email", "", "email address")
	add.Flags().StringVar(&req.Name, "name", "", "full name, for a new account")
	add.Flags().StringVar(&role, "role", "viewer", "owner, maintainer or viewer")
	var newRole string
	setRole := &cobra.Command{
		Use: "set-role EMAIL", Short: "Change a member's role (owners)", Args: exactArgs(1),
		Example: `  lifeline org members set-role ada@acme.example --role owner`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var m access.Member
			if err := c.Do(cmd.Context(), "PATCH", "/api/v1/members/"+url.PathEscape(args[0]), nil, httpapi.MemberPatchRequest{Role: access.Role(newRole)}, &m); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), m, func() { fmt.Fprintf(cmd.OutOrStdout(), "%s is now %s\n", m.User.Email, m.Role) })
		},
	}
	setRole.Flags().StringVar(&newRole, "role", "", "owner, maintainer or viewer")
	remove := &cobra.Command{
		Use: "remove EMAIL", Short: "Remove a member and revoke their tokens (owners)", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Do(cmd.Context(), "DELETE", "/api/v1/members/"+url.PathEscape(args[0]), nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", strings.ToLower(args[0]))
			return nil
		},
	}
	cmd.AddCommand(list, add, setRole, remove)
	return cmd
}
