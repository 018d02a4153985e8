// Command parley is the voice-agent runtime: it serves the REST API and
// signaling on one port and answers calls with the agents in agents/.
//
//	parley [flags]            serve (see --help for flags and variables)
//	parley validate [--plugins] [dir]  check agent files (and their plugin options) and exit non-zero on problems
//	parley chat AGENT         talk to an agent in text in the terminal
//	parley test [dir|file...] run the tests: of agent files against their plugins
//	parley token [--agent N] [--var K=V]  mint a call token and print the demo link that uses it
//	parley version            print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	// Agents name time zones (timezone:); slim containers may lack
	// /usr/share/zoneinfo, so the binary carries the database (about
	// 450 KB). time.LoadLocation uses the system's copy when there is one.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, now, stop := stopSignals(func(msg string, args ...any) { slog.Warn(msg, args...) })
	err := run(ctx, now, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var ec exitCode
	switch {
	case errors.As(err, &ec):
		os.Exit(int(ec))
	case err != nil:
		fmt.Fprintln(os.Stderr, "parley:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status and no further message: the
// command has printed what it had to say.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run runs the command in args. For serve, cancelling ctx starts a graceful
// drain and closing now ends it at once (the first and second SIGTERM).
func run(ctx context.Context, now <-chan struct{}, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "validate":
			return validate(ctx, args[1:], stdout, stderr)
		case "chat":
			return chat(ctx, args[1:], os.Stdin, stdout, stderr)
		case "test":
			return agentTests(ctx, args[1:], stdout, stderr)
		case "token":
			return token(args[1:], stdout, stderr)
		case "version":
			_, err := fmt.Fprintln(stdout, "parley", version)
			return err
		}
	}
	return serve(ctx, now, args, stdout, stderr)
}
