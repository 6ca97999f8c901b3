package cli

import (
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
)

func productRows(ps []httpapi.ProductResponse) [][]string {
	var rows [][]string
	for _, p := range ps {
		end := "-"
		if p.SupportEnd != nil {
			end = p.SupportEnd.String()
		}
		if p.SupportShortened {
			end += " (shortened)"
		}
		rows = append(rows, []string{p.Slug, p.ModelDesignation, p.Name, fmt.Sprint(p.Published), end, string(p.SupportStatus)})
	}
	return rows
}

var productHeader = []string{"SLUG", "MODEL", "NAME", "PUBLISHED", "SUPPORT ENDS", "STATUS"}

func newProductCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "product", Aliases: []string{"products"}, Short: "Register and list products"}

	var query string
	list := &cobra.Command{
		Use: "list", Short: "List products", Args: noArgs,
		Example: `  lifeline product list
  lifeline product list --query plug -o json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			q := url.Values{}
			if query != "" {
				q.Set("q", query)
			}
			items, err := listAll[httpapi.ProductResponse](cmd, c, "/api/v1/products", q)
			if err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), items, func() { table(cmd.OutOrStdout(), productHeader, productRows(items)) })
		},
	}
	list.Flags().StringVarP(&query, "query", "q", "", "search name and model designation")

	get := &cobra.Command{
		Use: "get PRODUCT", Short: "Show a product (by slug or ID)", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var p httpapi.ProductResponse
			if err := c.Do(cmd.Context(), "GET", "/api/v1/products/"+url.PathEscape(args[0]), nil, nil, &p); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), p, func() { table(cmd.OutOrStdout(), productHeader, productRows([]httpapi.ProductResponse{p})) })
		},
	}

	var req httpapi.ProductCreateRequest
	create := &cobra.Command{
		Use: "create", Short: "Register a product", Args: noArgs,
		Example: `  lifeline product create --name "Smart Plug Mini" --model SP-200 --category "Smart plug"`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var p httpapi.ProductResponse
			if err := c.Do(cmd.Context(), "POST", "/api/v1/products", nil, req, &p); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), p, func() { fmt.Fprintf(cmd.OutOrStdout(), "created product %s\n", p.Slug) })
		},
	}
	create.Flags().StringVar(&req.Name, "name", "", "product name")
	create.Flags().StringVar(&req.ModelDesignation, "model", "", "model designation, as printed on the product (EN 303 645 5.3-16)")
	create.Flags().StringVar(&req.Category, "category", "", "product category, e.g. Camera")
	create.Flags().StringVar(&req.Description, "description", "", "short description")
	create.Flags().StringVar(&req.Slug, "slug", "", "short name in URLs (default: from the name)")

	var name, model, category, description string
	var publish, unpublish bool
	update := &cobra.Command{
		Use: "update PRODUCT", Short: "Change a product; --publish shows it on the public pages", Args: exactArgs(1),
		Example: `  lifeline product update smart-plug-mini --publish`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var patch registry.ProductPatch
			f := cmd.Flags()
			for flag, dst := range map[string]**string{"name": &patch.Name, "model": &patch.ModelDesignation, "category": &patch.Category, "description": &patch.Description} {
				if f.Changed(flag) {
					v, _ := f.GetString(flag)
					*dst = &v
				}
			}
			if publish || unpublish {
				patch.Published = &publish
			}
			var p httpapi.ProductResponse
			if err := c.Do(cmd.Context(), "PATCH", "/api/v1/products/"+url.PathEscape(args[0]), nil, patch, &p); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), p, func() { table(cmd.OutOrStdout(), productHeader, productRows([]httpapi.ProductResponse{p})) })
		},
	}
	update.Flags().StringVar(&name, "name", "", "product name")
	update.Flags().StringVar(&model, "model", "", "model designation")
	update.Flags().StringVar(&category, "category", "", "category")
	update.Flags().StringVar(&description, "description", "", "description")
	update.Flags().BoolVar(&publish, "publish", false, "show the product and its support period on the public pages")
	update.Flags().BoolVar(&unpublish, "unpublish", false, "hide the product from the public pages")
	update.MarkFlagsMutuallyExclusive("publish", "unpublish")

	del := &cobra.Command{
		Use: "delete PRODUCT", Short: "Delete a product that was never published", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Do(cmd.Context(), "DELETE", "/api/v1/products/"+url.PathEscape(args[0]), nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deleted product %s\n", args[0])
			return nil
		},
	}

	revisions := &cobra.Command{Use: "revision", Aliases: []string{"revisions", "hw"}, Short: "Hardware revisions of a product"}
	revList := &cobra.Command{
		Use: "list PRODUCT", Short: "List hardware revisions", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var l httpapi.ListBody[registry.HardwareRevision]
			if err := c.Do(cmd.Context(), "GET", "/api/v1/products/"+url.PathEscape(args[0])+"/hardware-revisions", nil, nil, &l); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), l.Items, func() {
				var rows [][]string
				for _, h := range l.Items {
					rows = append(rows, []string{h.Name, orDash(h.Notes)})
				}
				table(cmd.OutOrStdout(), []string{"NAME", "NOTES"}, rows)
			})
		},
	}
	var notes string
	revAdd := &cobra.Command{
		Use: "add PRODUCT NAME", Short: "Add a hardware revision", Args: exactArgs(2),
		Example: `  lifeline product revision add smart-plug-mini rev-C --notes "new Wi-Fi module"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var h registry.HardwareRevision
			if err := c.Do(cmd.Context(), "POST", "/api/v1/products/"+url.PathEscape(args[0])+"/hardware-revisions", nil, httpapi.HardwareRevisionRequest{Name: args[1], Notes: notes}, &h); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), h, func() { fmt.Fprintf(cmd.OutOrStdout(), "added hardware revision %s\n", h.Name) })
		},
	}
	revAdd.Flags().StringVar(&notes, "notes", "", "notes")
	revDel := &cobra.Command{
		Use: "delete PRODUCT NAME", Short: "Remove a hardware revision no device uses", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Do(cmd.Context(), "DELETE", "/api/v1/products/"+url.PathEscape(args[0])+"/hardware-revisions/"+url.PathEscape(args[1]), nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed hardware revision %s\n", args[1])
			return nil
		},
	}
	revisions.AddCommand(revList, revAdd, revDel)
	cmd.AddCommand(list, get, create, update, del, revisions)
	return cmd
}
