package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/auth"
	"github.com/parleyhq/parley/runtime/config"
)

// token mints a call token with the runtime's secret (the same
// configuration as serve: PARLEY_TOKEN_SECRET, or token.secret in the data
// directory) and prints it with the demo page link that places the call.
func token(args []string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("parley token", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("agent", "", "agent the token calls (default: the default agent)")
	ttl := fs.Duration("ttl", auth.MaxTTL, "how long the token is valid (at most 15m)")
	base := fs.String("url", "", "the runtime's public URL, for the link (default: http(s)://localhost:PORT)")
	file := fs.String("config", "", "YAML config file (also "+config.ConfigFileEnv+")")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: parley token [--agent NAME] [--ttl 15m] [--url https://host]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return exitCode(2)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitCode(2)
	}
	if *file == "" {
		*file = os.Getenv(config.ConfigFileEnv)
	}
	cfg, err := config.Load(config.Sources{File: *file, DotEnv: ".env", Environ: os.Environ()})
	if err != nil {
		return err
	}
	agents, err := agent.NewRegistry(cfg.AgentsDir, cfg.DefaultAgent, agent.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return fmt.Errorf("load agents: %w", err)
	}
	if *name == "" {
		*name = agents.DefaultName()
	}
	if _, err := agents.Get(*name); err != nil {
		return fmt.Errorf("agent %q: %w", *name, err)
	}
	secret, err := auth.LoadSecret(cfg.Auth.TokenSecret.Reveal(), cfg.DataDir)
	if err != nil {
		return err
	}
	signer, err := auth.NewSigner(secret)
	if err != nil {
		return err
	}
	tok, claims, err := signer.Mint(*name, *ttl)
	if err != nil {
		return err
	}
	if *base == "" {
		scheme := "http"
		if cfg.TLS.Enabled() {
			scheme = "https"
		}
		*base = fmt.Sprintf("%s://localhost:%d", scheme, cfg.Port)
	}
	_, err = fmt.Fprintf(stdout, "%s\n\nagent:   %s\nexpires: %s\nlink:    %s/#token=%s\n",
		tok, claims.Agent, claims.ExpiresAt.Format(time.RFC3339), strings.TrimSuffix(*base, "/"), tok)
	return err
}
