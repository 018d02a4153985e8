package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/runtime/agent"
)

// validate checks every agent file in a directory and prints each problem;
// with --plugins the plugins each valid agent names also check its options
// (and the environment variables its tools and webhooks need are checked).
func validate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("parley validate", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	plugins := fs.Bool("plugins", false, "also start the plugins each agent names and have them check its options")
	file := fs.String("config", "", "YAML config file (also PARLEY_CONFIG), for --plugins")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: parley validate [--plugins] [dir]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	dir := "agents"
	switch fs.NArg() {
	case 0:
	case 1:
		dir = fs.Arg(0)
	default:
		fs.Usage()
		return exitCode(2)
	}
	if !*plugins {
		lines, err := agent.ValidateDir(dir)
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
		if err != nil {
			fmt.Fprintln(stderr, "parley validate:", err)
			return exitCode(1)
		}
		return nil
	}
	return validatePlugins(ctx, dir, *file, stdout, stderr)
}

// validatePlugins is validate --plugins: the file checks, then each valid
// agent's plugins check its options.
func validatePlugins(ctx context.Context, dir, configFile string, stdout, stderr io.Writer) error {
	files, err := agent.CheckDir(dir)
	if err != nil {
		fmt.Fprintln(stderr, "parley validate:", err)
		return exitCode(1)
	}
	m, err := newTextMode(configFile, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	bad := 0
	for _, f := range files {
		if f.Spec == nil {
			bad++
			for _, p := range f.Problems {
				fmt.Fprintln(stdout, p)
			}
			continue
		}
		var lines []string
		for _, pr := range m.plugins.Problems(ctx, f.Spec) {
			p := f.Spec.ProblemAt(pr.Key, pr.Err.Error())
			p.File = f.File
			lines = append(lines, p.String())
		}
		lines = append(lines, f.Spec.EnvProblems(os.LookupEnv)...)
		if err := f.Spec.CheckWebhookSecrets(os.LookupEnv); err != nil {
			lines = append(lines, err.Error())
		}
		if len(lines) == 0 {
			fmt.Fprintf(stdout, "%s: ok (agent %q, plugins checked)\n", f.File, f.Spec.Name)
			continue
		}
		bad++
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "parley validate: %d of %d agent files in %s have problems\n", bad, len(files), dir)
		return exitCode(1)
	}
	return nil
}
