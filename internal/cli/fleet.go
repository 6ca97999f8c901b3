package cli

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lifeline-iot/lifeline/internal/httpapi"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
)

func enrolmentPath(product string, id ...string) string {
	p := "/api/v1/products/" + url.PathEscape(product) + "/enrolment-tokens"
	if len(id) > 0 {
		p += "/" + url.PathEscape(id[0])
	}
	return p
}

// newEnrolmentCmd manages enrolment tokens: `lifeline device enrolment-token …`.
func newEnrolmentCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "enrolment-token", Aliases: []string{"enrolment-tokens"}, Short: "Tokens that let devices of a product enrol their keys"}
	var name string
	var days int
	create := &cobra.Command{
		Use: "create PRODUCT", Short: "Create an enrolment token; its secret is shown once", Args: exactArgs(1),
		Example: `  lifeline device enrolment-token create smart-plug --name "factory run 12" --days 90`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var resp httpapi.EnrolmentTokenResponse
			if err := c.Do(cmd.Context(), "POST", enrolmentPath(args[0]), nil, httpapi.EnrolmentTokenRequest{Name: name, ExpiresInDays: days}, &resp); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), resp, func() {
				fmt.Fprintf(cmd.OutOrStdout(), "enrolment token %q, valid until %s:\n\n  %s\n\nBuild it into the firmware or the provisioning step; it is not shown again.\n", resp.Name, fmtDate(resp.ExpiresAt), resp.Token)
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "what the token is for, e.g. a production run")
	create.Flags().IntVar(&days, "days", 90, "days the token stays valid")
	list := &cobra.Command{
		Use: "list PRODUCT", Short: "List a product's enrolment tokens", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var body httpapi.ListBody[registry.EnrolmentToken]
			if err := c.Do(cmd.Context(), "GET", enrolmentPath(args[0]), nil, nil, &body); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), body.Items, func() {
				var rows [][]string
				for _, t := range body.Items {
					state := "valid"
					if t.RevokedAt != nil {
						state = "revoked"
					}
					rows = append(rows, []string{t.ID, t.Name, state, fmtDate(t.ExpiresAt), fmt.Sprint(t.Enrolled)})
				}
				table(cmd.OutOrStdout(), []string{"ID", "NAME", "STATE", "EXPIRES", "ENROLLED"}, rows)
			})
		},
	}
	revoke := &cobra.Command{
		Use: "revoke PRODUCT ID", Short: "Revoke an enrolment token (enrolled devices keep working)", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.Do(cmd.Context(), "DELETE", enrolmentPath(args[0], args[1]), nil, nil, nil); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "revoked")
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}

func newDeviceGroupCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "group PRODUCT SERIAL GROUP", Short: `Put a device in a group that rollouts can target ("" for none)`, Args: exactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			return c.Do(cmd.Context(), "PUT", devicePath(args[0], args[1])+"/group", nil, httpapi.DeviceGroupRequest{Group: args[2]}, nil)
		},
	}
}

func newDeviceResetKeyCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use: "reset-key PRODUCT SERIAL", Short: "Forget a device's key so it can enrol again after a factory reset", Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			return c.Do(cmd.Context(), "DELETE", devicePath(args[0], args[1])+"/key", nil, nil, nil)
		},
	}
}

func rolloutRows(rs []service.RolloutView) [][]string {
	var rows [][]string
	for _, r := range rs {
		rows = append(rows, []string{r.ID, r.Version, string(r.State), fmt.Sprintf("%g%%", r.Percent),
			fmt.Sprintf("%d/%d", r.Stats.Succeeded, r.Stats.Offered), fmt.Sprint(r.Stats.Failed), fmt.Sprint(r.Stats.Targeted), orDash(r.Reason)})
	}
	return rows
}

var rolloutHeader = []string{"ID", "VERSION", "STATE", "OFFERED TO", "INSTALLED", "FAILED", "TARGETED", "REASON"}

func printRollout(w io.Writer, r service.RolloutView) {
	fmt.Fprintf(w, "Rollout %s of %s: %s, phase %d of %d (%g%% of targeted devices)\n", r.ID, r.Version, r.State, r.Phase+1, len(r.Phases), r.Percent)
	fmt.Fprintf(w, "Devices: %d targeted, %d offered, %d installed, %d failed, %d pending\n", r.Stats.Targeted, r.Stats.Offered, r.Stats.Succeeded, r.Stats.Failed, r.Stats.Pending)
	if r.Reason != "" {
		fmt.Fprintf(w, "Last change: %s\n", r.Reason)
	}
}

func newRolloutCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "rollout", Aliases: []string{"rollouts"}, Short: "Roll signed releases out to devices in phases"}
	var req httpapi.RolloutRequest
	var phases, soak, pauseAt, abortAt, window string
	create := &cobra.Command{
		Use: "create PRODUCT VERSION", Short: "Start rolling a signed release out", Args: exactArgs(2),
		Example: `  lifeline rollout create smart-plug 2.1.0 --phases 1,10,50,100 --soak 24h --pause-at 2% --abort-at 50
  lifeline rollout create smart-plug 2.1.1 --urgent              # a security fix: no soak times
  lifeline rollout create smart-plug 2.1.0 --hardware rev-b --window 01:00-05:00`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			req.Version = args[1]
			if err := parseRolloutFlags(&req, phases, soak, pauseAt, abortAt, window); err != nil {
				return usageError{err}
			}
			var r service.RolloutView
			if err := c.Do(cmd.Context(), "POST", "/api/v1/products/"+url.PathEscape(args[0])+"/rollouts", nil, req, &r); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), r, func() { printRollout(cmd.OutOrStdout(), r) })
		},
	}
	f := create.Flags()
	f.StringVar(&phases, "phases", "", "cumulative percentages of devices per phase (default 1,10,50,100)")
	f.StringVar(&soak, "soak", "24h", "minimum time in each phase")
	f.BoolVar(&req.Urgent, "urgent", false, "skip soak times (for security fixes)")
	f.StringVar(&pauseAt, "pause-at", "5%", "pause when this many offered devices fail (a number, or a percentage)")
	f.StringVar(&abortAt, "abort-at", "", "abort when this many offered devices fail")
	f.StringVar((*string)(&req.Scope), "scope", "", "product (default), hardware_revision or group")
	var hw, group string
	f.StringVar(&hw, "hardware", "", "only devices of this hardware revision")
	f.StringVar(&group, "group", "", "only devices in this group")
	f.StringVar(&window, "window", "", "daily maintenance window in UTC, e.g. 01:00-05:00")
	create.PreRunE = func(*cobra.Command, []string) error {
		switch {
		case hw != "" && group != "":
			return usageError{fmt.Errorf("give --hardware or --group, not both")}
		case hw != "":
			req.Scope, req.ScopeValue = rollout.HardwareRevision, hw
		case group != "":
			req.Scope, req.ScopeValue = rollout.Group, group
		}
		return nil
	}

	var product string
	list := &cobra.Command{
		Use: "list", Short: "List rollouts with their progress", Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var body httpapi.ListBody[service.RolloutView]
			q := url.Values{}
			if product != "" {
				q.Set("product", product)
			}
			if err := c.Do(cmd.Context(), "GET", "/api/v1/rollouts", q, nil, &body); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), body.Items, func() { table(cmd.OutOrStdout(), rolloutHeader, rolloutRows(body.Items)) })
		},
	}
	list.Flags().StringVar(&product, "product", "", "only this product's rollouts")
	get := &cobra.Command{
		Use: "get ID", Short: "Show a rollout's progress", Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			var r service.RolloutView
			if err := c.Do(cmd.Context(), "GET", "/api/v1/rollouts/"+url.PathEscape(args[0]), nil, nil, &r); err != nil {
				return err
			}
			return g.emit(cmd.OutOrStdout(), r, func() { printRollout(cmd.OutOrStdout(), r) })
		},
	}
	cmd.AddCommand(create, list, get)
	for _, action := range []string{service.PauseRollout, service.ResumeRollout, service.AbortRollout} {
		var reason string
		a := &cobra.Command{
			Use: action + " ID", Short: strings.ToUpper(action[:1]) + action[1:] + " a rollout", Args: exactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := g.client()
				if err != nil {
					return err
				}
				var r service.RolloutView
				if err := c.Do(cmd.Context(), "POST", "/api/v1/rollouts/"+url.PathEscape(args[0])+"/actions", nil, httpapi.RolloutActionRequest{Action: action, Reason: reason}, &r); err != nil {
					return err
				}
				return g.emit(cmd.OutOrStdout(), r, func() { printRollout(cmd.OutOrStdout(), r) })
			},
		}
		a.Flags().StringVar(&reason, "reason", "", "why, for the audit log")
		cmd.AddCommand(a)
	}
	return cmd
}

// parseRolloutFlags turns the command line's text forms into the request.
func parseRolloutFlags(req *httpapi.RolloutRequest, phases, soak, pauseAt, abortAt, window string) error {
	if phases != "" {
		for _, p := range strings.Split(phases, ",") {
			var v float64
			if _, err := fmt.Sscanf(strings.TrimSuffix(strings.TrimSpace(p), "%"), "%g", &v); err != nil {
				return fmt.Errorf("--phases: %q is not a percentage", p)
			}
			req.Phases = append(req.Phases, v)
		}
	}
	if soak != "" {
		d, err := time.ParseDuration(soak)
		if err != nil {
			return fmt.Errorf("--soak: %w", err)
		}
		req.Soak = rollout.Duration(d)
	}
	for _, t := range []struct {
		flag, text string
		dst        *rollout.Threshold
	}{{"--pause-at", pauseAt, &req.PauseAt}, {"--abort-at", abortAt, &req.AbortAt}} {
		if t.text == "" {
			continue
		}
		if pct, ok := strings.CutSuffix(t.text, "%"); ok {
			if _, err := fmt.Sscanf(pct, "%g", &t.dst.Percent); err != nil {
				return fmt.Errorf("%s: %q is not a percentage", t.flag, t.text)
			}
		} else if _, err := fmt.Sscanf(t.text, "%d", &t.dst.Count); err != nil {
			return fmt.Errorf("%s: %q is not a number of devices or a percentage", t.flag, t.text)
		}
	}
	if window != "" {
		start, end, ok := strings.Cut(window, "-")
		if !ok {
			return fmt.Errorf("--window: write it as 01:00-05:00")
		}
		req.Window = rollout.Window{Start: start, End: end}
	}
	return nil
}
