package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/parleyhq/parley/runtime/agent"
	"github.com/parleyhq/parley/runtime/auth"
	"github.com/parleyhq/parley/runtime/config"
	"github.com/parleyhq/parley/runtime/service"
	"github.com/parleyhq/parley/runtime/vars"
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
	varFlags := fs.StringArray("var", nil, "NAME=VALUE: a value of one of the agent's variables, signed into the token (repeat for more)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: parley token [--agent NAME] [--ttl 15m] [--url https://host] [--var NAME=VALUE ...]")
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
	spec, err := agents.Get(*name)
	if err != nil {
		return fmt.Errorf("agent %q: %w", *name, err)
	}
	given, err := tokenVariables(spec, *varFlags)
	if err != nil {
		return err
	}
	secret, err := auth.LoadSecret(cfg.Auth.TokenSecret.Reveal(), cfg.DataDir)
	if err != nil {
		return err
	}
	signer, err := auth.NewSigner(secret)
	if err != nil {
		return err
	}
	tok, claims, err := signer.Mint(*name, *ttl, auth.WithVariables(given))
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

// tokenVariables reads --var NAME=VALUE flags as values of spec's declared
// variables (each VALUE read as the variable's type) and checks them as a
// call would; it returns the values given, for the token to carry.
func tokenVariables(spec *agent.Spec, flags []string) (map[string]any, error) {
	given, values, err := readVariables(spec, flags)
	if err != nil {
		return nil, err
	}
	signed := make(map[string]any, len(given))
	for name := range given {
		signed[name] = values[name]
	}
	return signed, nil
}

// flagVariables is a call's values from --var NAME=VALUE flags, defaults
// filled, checked as POST /api/v1/calls checks them.
func flagVariables(spec *agent.Spec, flags []string) (vars.Values, error) {
	_, values, err := readVariables(spec, flags)
	return values, err
}

// readVariables reads --var NAME=VALUE flags, each VALUE as its declared
// variable's type, and binds them (service.BindVariables).
func readVariables(spec *agent.Spec, flags []string) (map[string]any, vars.Values, error) {
	given := make(map[string]any, len(flags))
	for _, f := range flags {
		name, value, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, nil, fmt.Errorf("--var %q: write NAME=VALUE", f)
		}
		given[name] = value
		d, declared := spec.Variables[name]
		if !declared {
			continue // Bind names it
		}
		switch d.Type {
		case vars.TypeInteger, vars.TypeNumber:
			if _, err := strconv.ParseFloat(value, 64); err == nil {
				given[name] = json.Number(value)
			}
		case vars.TypeBoolean:
			if b, err := strconv.ParseBool(value); err == nil {
				given[name] = b
			}
		}
	}
	values, err := service.BindVariables(spec, given)
	if err != nil {
		return nil, nil, err
	}
	return given, values, nil
}
