// Command byoos is Bring Your Own OS for Kubernetes cluster profiles: see
// byoos --help and the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/byoos/byoos/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
