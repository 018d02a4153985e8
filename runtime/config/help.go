package config

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteEnvHelp writes the table of environment variables with their
// defaults, for --help. Secret defaults are never shown.
func WriteEnvHelp(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, s := range Settings {
		def := fmt.Sprint(s.Default)
		if s.Secret || def == "" {
			def = "-"
		}
		if _, err := fmt.Fprintf(tw, "  %s\t%s\t(default %s; file key %s)\n", s.Env, s.Help, def, s.Key); err != nil {
			return fmt.Errorf("write help: %w", err)
		}
	}
	if _, err := fmt.Fprintf(tw, "  %s\t%s\t\n", ConfigFileEnv, "YAML config file, same as --config"); err != nil {
		return fmt.Errorf("write help: %w", err)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write help: %w", err)
	}
	return nil
}
