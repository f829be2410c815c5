package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/client"
)

func (e *env) apikeyCmd() *cobra.Command {
	f := &connFlags{}
	c := &cobra.Command{
		Use:   "apikey",
		Short: "Create, list and revoke API keys of a byoos server",
		Long: `apikey manages the server's API keys; creating and revoking takes a tenant admin key.

  byoos apikey create ci --role admin --project Default
  byoos apikey list
  byoos apikey revoke 0123456789abcdef01234567

These commands act tenant-wide: BYOOS_PROJECT and the config file's project are not
used. For apikey create, --project names the project the new key is limited to.

` + connHelp,
	}
	f.register(c.PersistentFlags())
	c.AddCommand(e.apikeyCreateCmd(f), e.apikeyListCmd(f), e.apikeyRevokeCmd(f))
	return c
}

func (e *env) apikeyCreateCmd(f *connFlags) *cobra.Command {
	var output, role string
	c := &cobra.Command{
		Use:   "create NAME",
		Short: "Create an API key and print it, once",
		Long: `create makes an API key and prints it to standard output. The server keeps only its
hash: the key is shown this once. With --project the key is limited to that project;
without, it is tenant-wide.`,
		Args: cobra.ExactArgs(1),
		RunE: e.withClient(f, true, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			if role != client.RoleAdmin && role != client.RoleReadOnly {
				return usageErr("--role %q: use admin or read-only", role)
			}
			req := client.NewAPIKey{Name: args[0], Role: role}
			projectName := "tenant-wide"
			if f.project != "" {
				p, err := cl.ResolveProject(e.ctx, f.project)
				if err != nil {
					return err
				}
				req.ProjectUID, projectName = p.UID, "project "+p.Name
			}
			k, err := cl.CreateAPIKey(e.ctx, req)
			if err != nil {
				return err
			}
			return e.emit(output, k, func(w io.Writer) error {
				fmt.Fprintf(e.stdout, "created API key %s (uid %s, role %s, %s)\n", cell(k.Name), cell(k.UID), cell(k.Role), cell(projectName))
				fmt.Fprintln(e.stdout, k.Key)
				_, err := fmt.Fprintln(e.stdout, "Store the key now: it will not be shown again.")
				return err
			})
		}),
	}
	addOutputFlag(c, &output)
	c.Flags().StringVar(&role, "role", client.RoleReadOnly, "admin (may write) or read-only")
	return c
}

func (e *env) apikeyListCmd(f *connFlags) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "list",
		Short: "List API keys (a tenant admin key sees all; another key only itself)",
		Args:  cobra.NoArgs,
		RunE: e.withClient(f, true, func(cl *client.Client, _ []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			ks, err := cl.APIKeys(e.ctx)
			if err != nil {
				return err
			}
			if ks == nil {
				ks = []client.APIKey{}
			}
			return e.emit(output, ks, func(w io.Writer) error {
				projects := map[string]string{}
				if ps, err := cl.Projects(e.ctx); err == nil {
					for _, p := range ps {
						projects[p.UID] = p.Name
					}
				}
				row(w, "UID", "NAME", "ROLE", "PROJECT", "PREFIX", "CREATED", "REVOKED")
				for _, k := range ks {
					project := "-"
					if k.ProjectUID != "" {
						project = projects[k.ProjectUID]
						if project == "" {
							project = k.ProjectUID
						}
					}
					revoked := "-"
					if k.RevokedAt != nil {
						revoked = k.RevokedAt.UTC().Format("2006-01-02 15:04")
					}
					row(w, k.UID, k.Name, k.Role, project, k.Prefix+"…", k.CreatedAt.UTC().Format("2006-01-02 15:04"), revoked)
				}
				return nil
			})
		}),
	}
	addOutputFlag(c, &output)
	return c
}

func (e *env) apikeyRevokeCmd(f *connFlags) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "revoke UID",
		Short: "Revoke an API key; it stops working at once on this server (within seconds on others)",
		Args:  cobra.ExactArgs(1),
		RunE: e.withClient(f, true, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			uid := strings.TrimSpace(args[0])
			if err := cl.RevokeAPIKey(e.ctx, uid); err != nil {
				return err
			}
			res := map[string]string{"uid": uid, "action": "revoked"}
			return e.emit(output, res, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "revoked API key %s\n", cell(uid))
				return err
			})
		}),
	}
	addOutputFlag(c, &output)
	return c
}
