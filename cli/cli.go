// Package cli is the byoos command line: validate, render and pack commands
// over the same pipeline the server uses. cmd/byoos only calls Run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/service"
)

// Exit codes.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
)

// Version is the byoos version, set at build time with -ldflags.
var Version = "dev"

// env is what a command runs with: its streams and the loaded packs.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// repos is loaded on first use.
	repos []*pack.Repo
	// packDirs are extra local pack directories (--pack-dir).
	packDirs []string
	// getenv reads the environment (os.Getenv).
	getenv func(string) string
	// importVerifier checks a profile version `image import --profile`
	// is about to save; nil is the verifier that finds nothing (see
	// ImportVerifier).
	importVerifier ImportVerifier
}

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

func ioErr(err error) error { return &exitError{code: ExitUsage, err: err} }

// Run runs the byoos command line with args (without the program name) and
// returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return e.run(args)
}

// run runs the command line of e with args.
func (e *env) run(args []string) int {
	if e.getenv == nil {
		e.getenv = os.Getenv
	}
	stdout, stderr := e.stdout, e.stderr
	root := e.rootCmd()
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(e.ctx)
	if err == nil {
		return ExitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintln(stderr, "byoos:", xe.err)
		}
		return xe.code
	}
	fmt.Fprintln(stderr, "byoos:", err)
	return ExitUsage
}

func (e *env) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "byoos",
		Short: "Bring Your Own OS for Kubernetes cluster profiles",
		Long: `byoos holds pack registries and cluster profiles whose OS layer is a custom OS image
(an AWS AMI, an Azure VHD, a vSphere template, or an Edge provider image), checks every
value offline, resolves macros as Palette does, and renders what provisions machines.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.PersistentFlags().StringArrayVar(&e.packDirs, "pack-dir", nil, "also read packs from this directory of pack directories (repeatable)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErr("%v (see %s --help)", err, c.CommandPath()) })
	root.AddCommand(e.validateCmd(), e.verifyCmd(), e.renderCmd(), e.packCmd(), e.serveCmd(), e.profileCmd(), e.registryCmd(), e.apikeyCmd(), e.explainCmd(), e.imageCmd())
	return root
}

// packRepos returns the built-in Public Repo and any --pack-dir repos, in the
// order layers that name no registry are resolved (see resolverOf).
func (e *env) packRepos() ([]*pack.Repo, error) {
	if e.repos != nil {
		return e.repos, nil
	}
	pub, err := catalog.PublicRepo()
	if err != nil {
		return nil, err
	}
	repos := []*pack.Repo{pub}
	for _, dir := range e.packDirs {
		r, err := loadPackDir(dir)
		if err != nil {
			return nil, ioErr(err)
		}
		repos = append(repos, r)
	}
	e.repos = repos
	return repos, nil
}

// loadPackDir reads every pack directory under dir (or dir itself when it is a pack).
func loadPackDir(dir string) (*pack.Repo, error) {
	repo := pack.NewRepo(dir)
	if _, err := os.Stat(dir + "/" + pack.MetaFile); err == nil {
		p, _, err := pack.LoadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("pack %s: %w", dir, err)
		}
		repo.Add(p)
		return repo, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read pack directory: %w", err)
	}
	for _, en := range entries {
		if !en.IsDir() {
			continue
		}
		p, _, err := pack.LoadDir(dir + "/" + en.Name())
		if err != nil {
			return nil, fmt.Errorf("pack %s/%s: %w", dir, en.Name(), err)
		}
		repo.Add(p)
	}
	return repo, nil
}

func (e *env) validator() (*profile.Validator, error) {
	repos, err := e.packRepos()
	if err != nil {
		return nil, err
	}
	return profile.NewValidator(resolverOf(repos)), nil
}

// readInput reads a file, or standard input for "-".
func (e *env) readInput(name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, ioErr(err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, profile.MaxDocumentBytes+1))
	if err != nil {
		return nil, ioErr(fmt.Errorf("read %s: %w", name, err))
	}
	if len(b) > profile.MaxDocumentBytes {
		return nil, ioErr(fmt.Errorf("%s is larger than %d bytes", name, profile.MaxDocumentBytes))
	}
	return b, nil
}

// parseSets turns --set KEY=VALUE flags into validation options.
func parseSets(sets []string, o *profile.Options) error {
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return usageErr("--set %q: expected KEY=VALUE, e.g. system.cluster.name=prod", s)
		}
		kind, name, ok := strings.Cut(k, ".")
		if !ok || name == "" {
			return usageErr("--set %q: the key must start with system., var., macro., tenant-macro. or system-macro.", s)
		}
		put := func(m *map[string]string) {
			if *m == nil {
				*m = map[string]string{}
			}
			(*m)[name] = v
		}
		switch kind {
		case "system":
			put(&o.System)
		case "var":
			put(&o.Vars)
		case "macro":
			put(&o.ProjectMacros)
		case "tenant-macro":
			put(&o.TenantMacros)
		case "system-macro":
			put(&o.SystemMacros)
		default:
			return usageErr("--set %q: unknown kind %q; use system., var., macro., tenant-macro. or system-macro.", s, kind)
		}
	}
	return nil
}

// resolverOf resolves packs over the built-in Public Repo (repos[0]) and
// the --pack-dir repos, in that order: a layer that names no registry gets
// the first repo's version matching its tag.
func resolverOf(repos []*pack.Repo) *service.Resolver {
	regs := []service.MemoryRegistry{service.PublicRegistry(repos[0])}
	for _, r := range repos[1:] {
		regs = append(regs, service.LocalRegistry(r))
	}
	return service.NewResolver(service.NewMemoryIndex(regs...))
}
